"""The hub administrator imports a directory package from the browser: a check that writes
nothing and says what the import would do, then the import itself once confirmed."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from ecwhub.directory import models as m
from ecwhub.directory.hsds.importer import directory_import
from tests.conftest import Network, signed_in
from tests.shared_data import shared_path

pytestmark = pytest.mark.django_db


def _zipped(folder: Path, inside: str = "package/") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            if path.is_file():
                archive.write(path, inside + path.name)
    return SimpleUploadedFile("directory.zip", buffer.getvalue(), content_type="application/zip")


def test_the_administrator_checks_then_imports_a_package(network: Network) -> None:
    package = shared_path("data/hsds/hsds-3.0.1/examples/csv")
    admin = signed_in(Client(), network.admin)
    before = m.Service.objects.count()

    checked = admin.post("/directory/import/", {"package": _zipped(package)})

    assert checked.status_code == 200
    body = checked.content.decode()
    assert "Ready to import" in body and "Would create" in body
    assert m.Service.objects.count() == before, "the check writes nothing"
    token = checked.context["token"]

    imported = admin.post("/directory/import/", {"token": token})
    assert imported.status_code == 200 and "Imported" in imported.content.decode()
    assert m.Service.objects.count() > before
    again = admin.post("/directory/import/", {"token": token}, follow=True)
    assert "This package was already imported." in again.content.decode()


def test_a_broken_package_is_reported_and_cannot_be_confirmed(network: Network, tmp_path: Path) -> None:
    (tmp_path / "organizations.csv").write_text("id,name\nnot-a-uuid,\n", encoding="utf-8")
    page = signed_in(Client(), network.admin).post("/directory/import/", {"package": _zipped(tmp_path, "")})
    assert page.status_code == 400
    body = page.content.decode()
    assert "This package cannot be imported" in body and "Import now" not in body


def test_an_archive_with_a_path_outside_itself_is_refused(network: Network) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../outside.csv", "id\n")
    upload = SimpleUploadedFile("evil.zip", buffer.getvalue(), content_type="application/zip")
    page = signed_in(Client(), network.admin).post("/directory/import/", {"package": upload})
    assert page.status_code == 400
    assert "outside its own folder" in page.content.decode()


def test_only_the_hub_administrator_imports(network: Network) -> None:
    assert signed_in(Client(), network.alice).get("/directory/import/").status_code == 404
    assert signed_in(Client(), network.admin).get("/directory/import/").status_code == 200


def test_a_spanish_administrator_reads_the_check_of_a_bad_package_in_spanish(network: Network, tmp_path: Path) -> None:
    (tmp_path / "organizations.csv").write_text("id,name,email\nnot-a-uuid,,nowhere\n", encoding="utf-8")
    client = signed_in(Client(), network.admin)
    client.cookies["django_language"] = "es"

    page = client.post("/directory/import/", {"package": _zipped(tmp_path, "")})

    assert page.status_code == 400
    body = page.content.decode()
    assert "Este paquete no se puede importar" in body
    # The batch is named for what it is, not by the random id of the stored upload.
    assert "<h3>El paquete de datos CSV</h3>" in body
    # The place and the field as the file names them; the reason in words of the page's language.
    assert "organizations.csv, fila 2 (id not-a-uuid), campo “id”: &#x27;not-a-uuid&#x27; no es un UUID" in body
    assert "campo “name”: es obligatorio" in body
    assert "&#x27;nowhere&#x27; no es una dirección de correo electrónico" in body
    for english in ("is not a UUID", "is required", "row 2", "e-mail address", "field "):
        assert english not in body

    (tmp_path / "services.csv").write_text("id,name,colour\n", encoding="utf-8")
    body = client.post("/directory/import/", {"package": _zipped(tmp_path, "")}).content.decode()
    assert "services.csv, campo “colour”: no es una columna de esta tabla HSDS" in body
    assert "not a column" not in body


def test_the_check_stays_english_for_an_english_page_and_the_command(network: Network, tmp_path: Path) -> None:
    (tmp_path / "organizations.csv").write_text("id,name\nnot-a-uuid,\n", encoding="utf-8")
    body = signed_in(Client(), network.admin).post("/directory/import/", {"package": _zipped(tmp_path, "")})
    assert "organizations.csv, row 2 (id not-a-uuid), field “name”: is required" in body.content.decode()

    with translation.override("es"):
        (result,) = directory_import(acting_user=network.admin, path=tmp_path, dry_run=True)
    # What the API and the command print keeps its English, whatever language is active.
    assert "organizations.csv row 2 (id=not-a-uuid): field 'name': is required" in [str(e) for e in result.errors]
