"""The hub administrator's directory import: upload an HSDS package, read the check, confirm.

The first step stores the upload under ``VAR_DIR/imports`` and runs the import as a rehearsal
(``directory_import(dry_run=True)``: every batch written and rolled back), so the report says
exactly what the import would create, update or refuse. The second step, confirmed with a signed
token that names the stored upload and expires after an hour, imports it and deletes it.
"""

from __future__ import annotations

import shutil
import uuid
import zipfile
from pathlib import Path, PurePosixPath

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecwhub.accounts.acting import acting_member
from ecwhub.accounts.models import Role

from .hsds.importer import BatchResult, directory_import

MAX_UPLOAD = 20 * 1024 * 1024
TOKEN_AGE = 3600
_SALT = "ecwhub.directory.import"


class ImportForm(forms.Form):
    package = forms.FileField(
        label=gettext_lazy("HSDS package"),
        help_text=gettext_lazy(
            "A .zip of a CSV data package (datapackage.json and its tables) or of JSON files, or one JSON file."
        ),
    )

    def clean_package(self) -> object:
        upload = self.cleaned_data["package"]
        name = upload.name.lower()
        if not name.endswith((".zip", ".json")):
            raise forms.ValidationError(_("Upload a .zip or a .json file."))
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        if name.endswith(".zip") and not zipfile.is_zipfile(upload):
            raise forms.ValidationError(_("This file is not a readable .zip archive."))
        upload.seek(0)
        return upload


def _hub_admin(request: HttpRequest) -> None:
    _, membership = acting_member(request, {Role.HUB_ADMIN})
    if not membership.organization.is_hub:
        raise Http404


def _folder(upload_id: str) -> Path:
    return Path(settings.VAR_DIR) / "imports" / upload_id


def _store(upload: forms.Field) -> tuple[str, str]:
    """Keep the upload (unpacked when a .zip) for the confirmation; its id, or an error."""
    upload_id = uuid.uuid4().hex
    folder = _folder(upload_id)
    folder.mkdir(parents=True)
    if upload.name.lower().endswith(".json"):  # type: ignore[attr-defined]
        with (folder / "package.json").open("wb") as out:
            for chunk in upload.chunks():  # type: ignore[attr-defined]
                out.write(chunk)
        return upload_id, ""
    with zipfile.ZipFile(upload) as archive:  # type: ignore[arg-type,call-overload]
        members = [i for i in archive.infolist() if not i.is_dir()]
        if sum(i.file_size for i in members) > 5 * MAX_UPLOAD:
            shutil.rmtree(folder)
            return "", _("The archive unpacks to more than 100 MB.")
        for info in members:
            parts = PurePosixPath(info.filename).parts
            if not parts or parts[-1].startswith(".") or "__MACOSX" in parts:
                continue  # a system's hidden files, not the package's
            if info.filename.startswith("/") or ".." in parts or "\\" in info.filename:
                shutil.rmtree(folder)
                return "", _("The archive holds a path outside its own folder; nothing was read.")
            # The package's files, found wherever the archive keeps them (often in one top folder).
            target = folder / parts[-1]
            with archive.open(info) as source, target.open("wb") as out:
                shutil.copyfileobj(source, out)
    return upload_id, ""


def _source(folder: Path) -> Path:
    single = folder / "package.json"
    return single if single.exists() else folder


def _batch_name(name: str, upload_id: str) -> str:
    # A CSV data package is read as the whole upload folder, named by its random id: say what it is.
    return _("The CSV data package") if Path(name).name == upload_id else Path(name).name


def _report(results: list[BatchResult], upload_id: str) -> list[dict[str, object]]:
    return [
        {
            "name": _batch_name(r.name, upload_id),
            "ok": r.ok,
            "created": sum(r.created.values()),
            "updated": sum(r.updated.values()),
            "errors": [e.display() for e in r.errors[:50]],
            "more_errors": max(0, len(r.errors) - 50),
            "warnings": [w.display() for w in r.warnings[:20]],
        }
        for r in results
    ]


@login_required
def directory_import_page(request: HttpRequest) -> HttpResponse:
    _hub_admin(request)
    form = ImportForm()
    if request.method == "POST" and "token" in request.POST:
        try:
            upload_id = signing.TimestampSigner(salt=_SALT).unsign(request.POST["token"], max_age=TOKEN_AGE)
        except signing.BadSignature:
            messages.error(request, _("This check is too old or not valid: upload the package again."))
            return redirect("directory:import")
        folder = _folder(upload_id)
        if not folder.is_dir():
            messages.info(request, _("This package was already imported."))
            return redirect("directory:import")
        results = directory_import(acting_user=request.user, path=_source(folder))  # type: ignore[arg-type]
        shutil.rmtree(folder, ignore_errors=True)
        imported = all(r.ok for r in results)
        return render(
            request,
            "directory/import.html",
            {"form": form, "report": _report(results, upload_id), "imported": imported, "done": True},
        )
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload_id, problem = _store(form.cleaned_data["package"])
            if problem:
                form.add_error("package", problem)
            else:
                results = directory_import(
                    acting_user=request.user,  # type: ignore[arg-type]
                    path=_source(_folder(upload_id)),
                    dry_run=True,
                )
                ready = bool(results) and all(r.ok for r in results)
                if not ready:
                    shutil.rmtree(_folder(upload_id), ignore_errors=True)
                return render(
                    request,
                    "directory/import.html",
                    {
                        "form": ImportForm(),
                        "report": _report(results, upload_id),
                        "ready": ready,
                        "token": signing.TimestampSigner(salt=_SALT).sign(upload_id) if ready else "",
                    },
                    status=200 if ready else 400,
                )
        return render(request, "directory/import.html", {"form": form}, status=400)
    return render(request, "directory/import.html", {"form": form})
