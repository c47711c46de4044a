"""The helper that finds the shared data sets: skip on a laptop without them, fail in CI."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import shared_data
from tests.shared_data import shared_path


@pytest.fixture
def shared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A shared folder holding one data set, data/fhir/example.json."""
    (tmp_path / "data/fhir").mkdir(parents=True)
    (tmp_path / "data/fhir/example.json").write_text("{}")
    monkeypatch.setattr(shared_data, "SHARED", tmp_path)
    return tmp_path


@pytest.mark.parametrize("ci", ["", "false", "true"])
def test_a_present_path_is_returned_in_any_setting(shared: Path, monkeypatch: pytest.MonkeyPatch, ci: str) -> None:
    monkeypatch.setenv("CI", ci)
    assert shared_path("data", "fhir") == shared / "data/fhir"
    assert shared_path("data/fhir/example.json").read_text() == "{}"


@pytest.mark.parametrize("ci", [None, "", "false", "1"])
def test_a_missing_path_skips_outside_ci_and_names_what_is_missing(
    shared: Path, monkeypatch: pytest.MonkeyPatch, ci: str | None
) -> None:
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.skip.Exception, match=r"needs \.\./shared/data/linkage/febrl"):
        shared_path("data", "linkage", "febrl")


def test_a_missing_path_fails_under_ci(shared: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"CI=true: this test needs \.\./shared/data/hsds/hsds-3\.0\.1"):
        shared_path("data/hsds/hsds-3.0.1")
    # A missing shared folder altogether fails the same way.
    monkeypatch.setattr(shared_data, "SHARED", shared / "nowhere")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        shared_path("data", "fhir")
