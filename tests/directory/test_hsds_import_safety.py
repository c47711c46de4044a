"""import_hsds reads only the files it was given, says clearly when one is not UTF-8, and never
writes a file's name or contents raw to the terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ecwhub.directory import models as m
from ecwhub.directory.hsds.importer import directory_import

ORG = "11111111-1111-4111-8111-111111111111"
SECRET = "s3cret-value-from-outside"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _built_in_rules(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.HSDS_SCHEMA_DIR = str(tmp_path / "no-schema")


def _messages(path: Path) -> list[str]:
    [result] = directory_import(acting_user=None, path=path)
    return [str(e) for e in result.errors]


def _package(folder: Path, resource_path: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    meta = {"name": "x", "resources": [{"name": "organization", "path": resource_path}]}
    (folder / "datapackage.json").write_text(json.dumps(meta))
    return folder


@pytest.mark.parametrize("where", ["relative", "absolute", "symlink"])
def test_a_resource_outside_the_package_folder_is_refused(tmp_path: Path, where: str) -> None:
    outside = tmp_path / "elsewhere" / "organizations.csv"
    outside.parent.mkdir()
    outside.write_text(f"id,name,description\nnot-a-uuid,{SECRET},x\n")
    package = tmp_path / "pkg" / "inner"
    if where == "relative":
        _package(package, "../../elsewhere/organizations.csv")
    elif where == "absolute":
        _package(package, str(outside))
    else:
        _package(package, "organizations.csv")
        (package / "organizations.csv").symlink_to(outside)
    messages = _messages(package)
    assert len(messages) == 1
    assert "datapackage.json" in messages[0] and "inside the package folder" in messages[0]
    assert SECRET not in " ".join(messages)
    assert not m.DirectoryOrganization.objects.exists()


def test_a_resource_inside_the_package_folder_is_read(tmp_path: Path) -> None:
    package = _package(tmp_path / "pkg", "tables/organizations.csv")
    (package / "tables").mkdir()
    (package / "tables" / "organizations.csv").write_text(f"id,name,description\n{ORG},Pantry,Food\n")
    assert _messages(package) == []
    assert m.DirectoryOrganization.objects.filter(pk=ORG).exists()


@pytest.mark.parametrize("name", ["organizations.csv", "org.json", "datapackage.json"])
def test_a_file_that_is_not_utf8_is_named_with_a_clear_error(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "pkg"
    folder.mkdir()
    if name == "datapackage.json":
        (folder / name).write_bytes(b'{"name": "Caf\xe9"}')
        target = folder
    elif name.endswith(".csv"):
        (folder / name).write_bytes(f"id,name,description\n{ORG},Caf\xe9,x\n".encode("latin-1"))
        target = folder
    else:
        target = folder / name
        target.write_bytes(b'{"id": "' + ORG.encode() + b'", "name": "Caf\xe9"}')
    [message] = _messages(target)
    assert message.startswith(f"{name}: ") and "not UTF-8" in message
    assert not m.DirectoryOrganization.objects.exists()


def test_the_command_reports_a_non_utf8_file_without_a_traceback(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"id": "' + ORG.encode() + b'", "name": "Caf\xe9"}')
    with pytest.raises(CommandError, match="1 of 1 files not imported"):
        call_command("import_hsds", str(path))
    assert "not UTF-8" in capsys.readouterr().err


def test_terminal_escape_codes_in_names_are_shown_escaped(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "evil\x1b]0;owned\x07\x1b[2J.json"
    path.write_text('{"id": "x", ')
    folder = tmp_path / "pkg"
    folder.mkdir()
    (folder / "services.csv").write_text("id,name,\x1b[31mred\x1b[0m\nx,y,z\n")
    for target in (path, folder):
        with pytest.raises(CommandError):
            call_command("import_hsds", str(target))
        captured = capsys.readouterr()
        printed = captured.out + captured.err
        assert "\x1b" not in printed and "\x07" not in printed
        assert "\\x1b" in printed
