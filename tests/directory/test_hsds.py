"""HSDS import and export: the official examples round-trip without loss; bad files import nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from ecwhub.directory import hsds
from ecwhub.directory import models as m
from ecwhub.directory.hsds.importer import directory_import
from tests.shared_data import SHARED, shared_path

EXAMPLES = SHARED / "data/hsds/hsds-3.0.1/examples"
EXAMPLES_31 = SHARED / "data/hsds/hsds-3.1-dev/examples"


@pytest.fixture
def _hsds_examples() -> None:
    """Skips (fails under CI=true) when the official examples are absent."""
    shared_path("data/hsds/hsds-3.0.1/examples")


needs_shared = pytest.mark.usefixtures("_hsds_examples")


def _wipe() -> None:
    for table in reversed(list(hsds.TABLES.values())):
        table.model.objects.all().delete()  # type: ignore[attr-defined]
    m.Service.objects.all().delete()


def _dump() -> dict:
    return hsds.canonical(hsds.rows_from_database())


def _source_dump(path: Path) -> dict:
    """The input itself, converted the way the validator converts it, in the same canonical form."""
    rows_by_table: dict[str, list] = {}
    for _, rows, _records in hsds.read_path(path):
        for row in hsds.validate(rows):
            rows_by_table.setdefault(row.table, []).append(row.values)
    return hsds.canonical(rows_by_table)


def _import(path: Path) -> None:
    results = directory_import(acting_user=None, path=path)
    assert all(r.ok for r in results), [str(e) for r in results for e in r.errors]


@needs_shared
@pytest.mark.django_db
@pytest.mark.parametrize(
    "source",
    ["csv", "service_full.json", "organization_full.json", "service_at_location_full.json", "tabular.json"],
)
def test_official_example_round_trips_without_loss(source: str, tmp_path: Path) -> None:
    path = EXAMPLES / source
    _import(path)
    first = _dump()
    # Everything in the file is in the directory, value for value.
    assert first == _source_dump(path)
    assert sum(len(rows) for rows in first.values()) >= 15

    call_command("export_hsds", str(tmp_path / "out"))
    _wipe()
    assert _dump() == {}
    _import(tmp_path / "out")
    assert _dump() == first

    # The JSON form of the export carries the same data.
    _wipe()
    _import(tmp_path / "out" / "hsds.json")
    assert _dump() == first


@needs_shared
@pytest.mark.django_db
def test_csv_and_json_examples_describe_the_same_directory() -> None:
    _import(EXAMPLES / "csv")
    from_csv = _dump()
    _wipe()
    _import(EXAMPLES / "tabular.json")
    assert _dump() == from_csv


@needs_shared
@pytest.mark.django_db
def test_import_is_idempotent_and_upserts_by_id(tmp_path: Path) -> None:
    _import(EXAMPLES / "csv")
    first = _dump()
    counts = {name: t.model.objects.count() for name, t in hsds.TABLES.items()}  # type: ignore[attr-defined]
    results = directory_import(acting_user=None, path=EXAMPLES / "csv")
    assert results[0].created == {name: 0 for name in results[0].created}
    assert _dump() == first
    assert {name: t.model.objects.count() for name, t in hsds.TABLES.items()} == counts  # type: ignore[attr-defined]

    # A changed value in the file updates the row with that id.
    folder = tmp_path / "pkg"
    shutil.copytree(EXAMPLES / "csv", folder)
    services = (folder / "services.csv").read_text()
    (folder / "services.csv").write_text(services.replace("Community Counselling,", "Community Counseling,", 1))
    _import(folder)
    assert m.Service.objects.get().name == "Community Counseling"
    assert m.Service.objects.count() == 1


@needs_shared
@pytest.mark.django_db
def test_exported_package_matches_the_hsds_datapackage(tmp_path: Path) -> None:
    _import(EXAMPLES / "csv")
    call_command("export_hsds", str(tmp_path))
    ours = json.loads((tmp_path / "datapackage.json").read_text())
    official = json.loads((EXAMPLES / "csv/datapackage.json").read_text())
    ours_fields = {r["name"]: [f["name"] for f in r["schema"]["fields"]] for r in ours["resources"]}
    official_fields = {r["name"]: [f["name"] for f in r["schema"]["fields"]] for r in official["resources"]}
    assert ours_fields == official_fields
    for resource in official["resources"]:
        header = (tmp_path / resource["path"]).read_text().splitlines()[0]
        assert header.split(",") == [f["name"] for f in resource["schema"]["fields"]]


@needs_shared
@pytest.mark.django_db
def test_hsds_31_example_imports_the_common_tables() -> None:
    """3.1 adds fields and tables; the 3.0 ones it shares import, and unknown fields are named."""
    shared_path("data/hsds/hsds-3.1-dev/examples")
    results = directory_import(acting_user=None, path=EXAMPLES_31 / "service_full.json")
    if results[0].ok:
        assert m.Service.objects.count() == 1
    else:
        assert all("not a field" in e.message for e in results[0].errors), [str(e) for e in results[0].errors]
        assert m.Service.objects.count() == 0


@needs_shared
@pytest.mark.django_db
def test_a_short_record_does_not_erase_what_a_full_one_said(tmp_path: Path) -> None:
    """A paged list carries only some fields of each service; importing it keeps the others."""
    _import(EXAMPLES / "service_full.json")
    full = _dump()
    service = m.Service.objects.get()
    assert service.interpretation_services and service.schedules.exists()
    _import(EXAMPLES / "service_list.json")
    _import(EXAMPLES / "service_at_location_list.json")
    assert _dump() == full

    # A field stated empty is cleared, though.
    document = json.loads((EXAMPLES / "service_full.json").read_text())
    document["alert"] = ""
    path = tmp_path / "service.json"
    path.write_text(json.dumps(document))
    _import(path)
    assert m.Service.objects.get().alert == "" and service.alert


@needs_shared
@pytest.mark.django_db
def test_every_official_example_file_imports() -> None:
    """The examples folder holds JSON files (its CSV package is in csv/): each file is its own batch."""
    results = directory_import(acting_user=None, path=EXAMPLES)
    assert len(results) == len(list(EXAMPLES.glob("*.json"))) == 13
    assert all(r.ok for r in results), [(r.name, [str(e) for e in r.errors]) for r in results if not r.ok]
    assert m.Service.objects.count() == 1 and m.TaxonomyTerm.objects.count() >= 1 and m.Taxonomy.objects.exists()
