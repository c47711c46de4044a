"""Import HSDS data into the directory: validate a whole batch, then upsert it by id in one transaction."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import DatabaseError, models, transaction
from django.db.models import Q
from django.utils.translation import gettext_noop

from ecwhub.accounts.models import Organization, User

from .. import models as m
from ..services import service_languages_sync
from ..signals import announce_services_changed
from .errors import HsdsError, RecordError
from .read import SourceRow, batch_sources, read_batch
from .spec import TABLES, Table
from .validation import ParsedRow, check_references, schema_check_records, schema_dir, validate
from .vocabulary import MEMBER_SCHEME, NEED_BY_TERM_ID, NEED_TAXONOMY_ID

Progress = Callable[[str], None]
_CHUNK = 500


@dataclass
class BatchResult:
    name: str
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    errors: list[RecordError] = field(default_factory=list)
    warnings: list[RecordError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _existing(table: str, ids: set[uuid.UUID]) -> set[uuid.UUID]:
    model = TABLES[table].model
    found: set[uuid.UUID] = set()
    id_list = list(ids)
    for start in range(0, len(id_list), _CHUNK):
        found.update(model.objects.filter(pk__in=id_list[start : start + _CHUNK]).values_list("pk", flat=True))  # type: ignore[attr-defined]
    return found


class _Rehearsal(Exception):
    """Raised at the end of a rehearsed batch so that its transaction rolls back."""


def directory_import(
    *, acting_user: User | None, path: Path, progress: Progress = lambda _: None, dry_run: bool = False
) -> list[BatchResult]:
    """Import an HSDS JSON file, a folder of JSON files or a CSV data package.

    With ``dry_run`` every batch is written exactly as it would be and then rolled back: the
    results say what an import would create, update or refuse, and nothing is kept.

    Each file (or the whole data package) is one batch: it is validated completely first, and then
    written in one transaction, so a batch is imported entirely or not at all. Rows are upserted by
    their HSDS id (importing the same batch twice changes nothing); rows absent from the batch are
    left as they are. Returns one result per batch; a failed batch carries its per-record errors.
    """
    folder = schema_dir()
    results = []
    for source in batch_sources(path):
        name = str(source)
        try:
            rows, records = read_batch(source)
        except HsdsError as exc:
            progress(f"{name}: cannot be read, nothing imported from this file")
            results.append(BatchResult(name, errors=exc.errors))
            continue
        progress(f"{name}: {len(rows)} records read")
        results.append(_import_batch(name, rows, records, folder, acting_user, progress, dry_run))
    return results


def _import_batch(
    name: str,
    rows: list[SourceRow],
    records: list[tuple[str, Any]],
    folder: Path | None,
    acting_user: User | None,
    progress: Progress,
    dry_run: bool = False,
) -> BatchResult:
    result = BatchResult(name)
    errors = schema_check_records(records, folder)
    try:
        parsed = validate(rows, folder=folder)
    except HsdsError as exc:
        errors.extend(exc.errors)
        parsed = []
    if not errors:
        result.warnings = check_references(parsed, _existing)
    if errors:
        seen: set[str] = set()
        result.errors = [e for e in errors if not (str(e) in seen or seen.add(str(e)))]  # type: ignore[func-returns-value]
        progress(f"{name}: {len(result.errors)} errors, nothing imported")
        return result
    progress(f"{name}: {len(parsed)} records valid, writing")
    try:
        with transaction.atomic():
            service_ids = _write(parsed, result, progress)
            service_languages_sync(service_ids=service_ids)
            m.ServiceChange.objects.bulk_create(
                m.ServiceChange(
                    service_id=sid, changed_by=acting_user, kind=m.ServiceChange.Kind.IMPORT, new_value=Path(name).name
                )
                for sid in service_ids
            )
            announce_services_changed(service_ids, sender=directory_import)
            if dry_run:
                raise _Rehearsal
    except _Rehearsal:
        progress(f"{name}: checked, nothing written (dry run)")
    except DatabaseError as exc:
        refused = gettext_noop("the database refused the batch, nothing imported: %(detail)s")
        result.errors = [RecordError.of(name, "", "", refused, detail=exc)]
    return result


def _write(parsed: list[ParsedRow], result: BatchResult, progress: Progress) -> list[uuid.UUID]:
    by_table: dict[str, list[ParsedRow]] = {}
    for row in parsed:
        by_table.setdefault(row.table, []).append(row)
    touched: dict[str, set[uuid.UUID]] = {"service": set(), "service_at_location": set(), "location": set()}
    # Needs arrive as attributes on the hub's need taxonomy: they become ServiceNeed rows.
    needs: list[tuple[uuid.UUID, str]] = []
    attributes = []
    for row in by_table.get("attribute", []):
        code = NEED_BY_TERM_ID.get(row.values["taxonomy_term_id"])
        if code is not None and row.values["link_entity"] == "service":
            needs.append((row.values["link_id"], code))
        else:
            attributes.append(row)
    by_table["attribute"] = attributes
    by_table["taxonomy"] = [r for r in by_table.get("taxonomy", []) if r.id != NEED_TAXONOMY_ID]
    by_table["taxonomy_term"] = [r for r in by_table.get("taxonomy_term", []) if r.id not in NEED_BY_TERM_ID]
    # Member links arrive as organization identifiers in the hub's scheme: they set the member.
    member_slugs: dict[uuid.UUID, str] = {}
    identifiers = []
    for row in by_table.get("organization_identifier", []):
        if row.values.get("identifier_scheme") == MEMBER_SCHEME:
            member_slugs[row.values["organization_id"]] = row.values["identifier"]
        else:
            identifiers.append(row)
    by_table["organization_identifier"] = identifiers

    members: dict[uuid.UUID, int | None] = {}
    for table_name, table in TABLES.items():
        rows = by_table.get(table_name, [])
        if table_name == "program" and member_slugs:  # organizations are written by now
            _link_members(member_slugs)
        if not rows:
            continue
        if table_name == "service":
            org_ids = {r.values["organization_id"] for r in rows}
            members = dict(m.DirectoryOrganization.objects.filter(pk__in=org_ids).values_list("pk", "member_id"))
        created, updated, changed = _upsert(table, rows, members)
        result.created[table_name] = created
        result.updated[table_name] = updated
        unchanged = len(rows) - created - updated
        progress(f"  {table_name}: {created} created, {updated} updated, {unchanged} unchanged")
        for row in changed:
            if table_name == "service":
                touched["service"].add(row.id)
            for column in ("service_id", "service_at_location_id", "location_id"):
                if row.values.get(column) is not None:
                    touched[column.removesuffix("_id")].add(row.values[column])
            if table_name in ("location", "service_at_location"):
                touched[table_name].add(row.id)
    if needs:
        existing = set(
            m.ServiceNeed.objects.filter(service_id__in={s for s, _ in needs}).values_list("service_id", "need")
        )
        fresh = [(s, n) for s, n in dict.fromkeys(needs) if (s, n) not in existing]
        m.ServiceNeed.objects.bulk_create(m.ServiceNeed(service_id=s, need=n) for s, n in fresh)
        touched["service"].update(s for s, _ in fresh)
    # A service changed when its row or anything describing it did: its needs, languages, hours,
    # phones, or a place where it is offered.
    changed_ids = set(touched["service"])
    changed_ids.update(
        m.ServiceAtLocation.objects.filter(
            Q(pk__in=touched["service_at_location"]) | Q(location_id__in=touched["location"])
        ).values_list("service_id", flat=True)
    )
    return sorted(changed_ids & set(m.Service.objects.filter(pk__in=changed_ids).values_list("pk", flat=True)))


def _link_members(member_slugs: dict[uuid.UUID, str]) -> None:
    """Link directory organizations to the hub members their identifiers name (when this hub has them)."""
    members = dict(Organization.objects.filter(slug__in=set(member_slugs.values())).values_list("slug", "pk"))
    for org_id, slug in member_slugs.items():
        if slug in members:
            m.DirectoryOrganization.objects.filter(member_id=members[slug]).exclude(pk=org_id).update(member=None)
            m.DirectoryOrganization.objects.filter(pk=org_id).update(member_id=members[slug])


def _upsert(
    table: Table, rows: list[ParsedRow], members: dict[uuid.UUID, int | None]
) -> tuple[int, int, list[ParsedRow]]:
    """Create the new rows and update the ones that differ; rows equal to the file are not written."""
    model = table.model
    concrete = {f.attname: f for f in model._meta.concrete_fields}
    names = [f.model_attr for f in table.fields if f.name != "id"]
    if table.name == "service":
        names += ["organization_id", "min_age_months", "max_age_months"]
    existing = _existing(table.name, {r.id for r in rows})
    objects_new: list[models.Model] = []
    objects_changed: list[models.Model] = []
    changed: list[ParsedRow] = []
    old_by_id = {obj.pk: obj for obj in model.objects.filter(pk__in=existing)} if existing else {}  # type: ignore[attr-defined]
    for row in rows:
        obj = old_by_id.get(row.id) or model(pk=row.id)
        before = [getattr(obj, name) for name in names]
        for f in table.fields:
            if row.id in existing and row.present is not None and f.name not in row.present:
                continue  # not stated by this file: kept as stored
            attr = f.model_attr
            value = row.values.get(f.name)
            if value is None and not concrete[attr].null:
                value = ""
            setattr(obj, attr, value)
        if table.name == "service":
            _service_hub_fields(obj, members)  # type: ignore[arg-type]
        if row.id not in existing:
            objects_new.append(obj)
            changed.append(row)
        elif before != [getattr(obj, name) for name in names]:
            objects_changed.append(obj)
            changed.append(row)
    model.objects.bulk_create(objects_new, batch_size=_CHUNK)  # type: ignore[attr-defined]
    if objects_changed:
        model.objects.bulk_update(objects_changed, names, batch_size=100)  # type: ignore[attr-defined]
    return len(objects_new), len(objects_changed), changed


def _service_hub_fields(service: m.Service, members: dict[uuid.UUID, int | None]) -> None:
    """The hub's own fields derived from HSDS ones: the member organization and ages in months."""
    member = members.get(service.directory_organization_id) if service.directory_organization_id else None
    if member is not None:
        service.organization_id = member
    for years, months in (("minimum_age", "min_age_months"), ("maximum_age", "max_age_months")):
        value = getattr(service, years)
        setattr(service, months, None if value is None else round(value * 12))
