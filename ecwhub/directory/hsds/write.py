"""Writing the directory out as HSDS: the CSV data package, tabular JSON, and nested records (the HSDS API shapes)."""

from __future__ import annotations

import csv
import json
import uuid
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import models

from ecwhub.core.needs import ECWHUB_NEED_SYSTEM, Need

from .. import models as m
from .spec import NESTED, TABLES, Row, Table
from .vocabulary import MEMBER_SCHEME, NEED_TAXONOMY_ID, NEED_TERM_IDS, member_identifier_id, need_attribute_id


def to_text(value: Any) -> str:
    """A stored value as HSDS text (CSV cell); '' for empty."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    if isinstance(value, datetime):
        value = value.astimezone(UTC)
        text = value.strftime("%Y-%m-%dT%H:%M:%S")
        if value.microsecond:
            text += f".{value.microsecond:06d}".rstrip("0")
        return text + "Z"
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def to_json(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (uuid.UUID, datetime, date, time)):
        return to_text(value)
    return value


def row_from_instance(table: Table, obj: models.Model) -> Row:
    """One model instance as an HSDS row (field name → stored value)."""
    return {f.name: _blank_to_none(getattr(obj, f.model_attr)) for f in table.fields}


def _blank_to_none(value: Any) -> Any:
    return None if value == "" else value


def rows_from_database() -> dict[str, list[Row]]:
    """Every directory row as HSDS rows, tables in write order, rows by id; service needs as attributes."""
    out: dict[str, list[Row]] = {}
    for name, table in TABLES.items():
        out[name] = [row_from_instance(table, obj) for obj in table.model.objects.order_by("pk")]  # type: ignore[attr-defined]
    for org_id, slug in m.DirectoryOrganization.objects.filter(member__isnull=False).values_list("pk", "member__slug"):
        out["organization_identifier"].append(
            {
                "id": member_identifier_id(org_id),
                "organization_id": org_id,
                "identifier_scheme": MEMBER_SCHEME,
                "identifier_type": "ECW Hub member",
                "identifier": slug,
            }
        )
    needs = list(m.ServiceNeed.objects.order_by("service_id", "need").values_list("service_id", "need"))
    if needs:
        out["taxonomy"].append(
            {
                "id": NEED_TAXONOMY_ID,
                "name": "ECW Hub needs",
                "description": (
                    "The needs a service meets, in the vocabulary shared by screening, referrals and the directory."
                ),
                "uri": ECWHUB_NEED_SYSTEM,
                "version": None,
            }
        )
        labels = dict(Need.choices)
        for code in sorted({need for _, need in needs}):
            out["taxonomy_term"].append(
                {
                    "id": NEED_TERM_IDS[code],
                    "code": code,
                    "name": str(labels[code]),
                    "description": str(labels[code]),
                    "parent_id": None,
                    "taxonomy": "ECW Hub needs",
                    "language": "en",
                    "taxonomy_id": NEED_TAXONOMY_ID,
                    "term_uri": f"{ECWHUB_NEED_SYSTEM}#{code}",
                }
            )
        for service_id, code in needs:
            out["attribute"].append(
                {
                    "id": need_attribute_id(service_id, code),
                    "link_id": service_id,
                    "taxonomy_term_id": NEED_TERM_IDS[code],
                    "link_type": "need",
                    "link_entity": "service",
                    "value": None,
                }
            )
    return out


def canonical(rows_by_table: dict[str, list[Row]]) -> dict[str, list[tuple[tuple[str, str], ...]]]:
    """A comparable form of HSDS rows: every value as HSDS text, rows sorted, empty values dropped."""
    result: dict[str, list[tuple[tuple[str, str], ...]]] = {}
    for table, rows in rows_by_table.items():
        converted = []
        for row in rows:
            converted.append(tuple(sorted((k, to_text(v)) for k, v in row.items() if to_text(v) != "")))
        if converted:
            result[table] = sorted(converted)
    return result


def datapackage() -> dict[str, Any]:
    """The ``datapackage.json`` describing an export (Frictionless tabular data package, HSDS 3.0 tables)."""
    resources = []
    for table in TABLES.values():
        fields = []
        for f in table.fields:
            spec: dict[str, Any] = {"name": f.name, "type": {"datetime": "datetime"}.get(f.type, f.type)}
            if f.format:
                spec["format"] = f.format
            constraints: dict[str, Any] = {}
            if f.required:
                constraints["required"] = True
            if f.enum:
                constraints["enum"] = list(f.enum)
            if constraints:
                spec["constraints"] = constraints
            fields.append(spec)
        resources.append(
            {
                "name": table.name,
                "path": table.path,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "profile": "tabular-data-resource",
                "schema": {
                    "fields": fields,
                    "primaryKey": "id",
                    "foreignKeys": [
                        {"fields": column, "reference": {"resource": target, "fields": "id"}}
                        for column, target in table.foreign_keys.items()
                    ],
                },
            }
        )
    return {
        "name": "ecwhub-directory",
        "title": "ECW Hub directory (HSDS 3.0.1)",
        "profile": "tabular-data-package",
        "resources": resources,
    }


def write_package(folder: Path, rows_by_table: dict[str, list[Row]]) -> dict[str, int]:
    """Write the CSV data package (``datapackage.json`` + one CSV per table) and ``hsds.json`` (tabular JSON)."""
    folder.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    tabular: dict[str, list[Row]] = {}
    for name, table in TABLES.items():
        rows = rows_by_table.get(name, [])
        counts[name] = len(rows)
        with (folder / table.path).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([f.name for f in table.fields])
            for row in rows:
                writer.writerow([to_text(row.get(f.name)) for f in table.fields])
        # Every field, null when empty: importing the file over a directory also clears what became empty.
        tabular[table.path] = [{f.name: to_json(row.get(f.name)) for f in table.fields} for row in rows]
    (folder / "datapackage.json").write_text(json.dumps(datapackage(), indent=2) + "\n", encoding="utf-8")
    (folder / "hsds.json").write_text(json.dumps(tabular, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return counts


# --- Nested JSON (the HSDS API shapes) ---------------------------------------------------------------


def _need_attributes(service_id: uuid.UUID) -> list[dict[str, Any]]:
    labels = dict(Need.choices)
    out = []
    for code in m.ServiceNeed.objects.filter(service_id=service_id).order_by("need").values_list("need", flat=True):
        out.append(
            {
                "id": str(need_attribute_id(service_id, code)),
                "link_id": str(service_id),
                "taxonomy_term_id": str(NEED_TERM_IDS[code]),
                "link_type": "need",
                "link_entity": "service",
                "taxonomy_term": {
                    "id": str(NEED_TERM_IDS[code]),
                    "code": code,
                    "name": str(labels[code]),
                    "description": str(labels[code]),
                    "taxonomy": "ECW Hub needs",
                    "language": "en",
                    "taxonomy_id": str(NEED_TAXONOMY_ID),
                    "term_uri": f"{ECWHUB_NEED_SYSTEM}#{code}",
                },
            }
        )
    return out


def record_json(table_name: str, obj: models.Model, *, parent_table: str = "", nested: bool = True) -> dict[str, Any]:
    """One record in the HSDS API's JSON shape: its fields and (when ``nested``) its child records.

    Children that would lead back to the parent's table are left out (a service's organization does
    not list its services again), as in the HSDS example documents.
    """
    table = TABLES[table_name]
    # Empty fields are left out: the HSDS schemas allow a field to be absent, not null.
    out: dict[str, Any] = {}
    for f in table.fields:
        value = to_json(getattr(obj, f.model_attr))
        if value is not None:
            out[f.name] = value
    if not nested:
        return out
    for key, (kind, child_table, column) in NESTED.get(table_name, {}).items():
        if child_table == parent_table:
            continue
        child_model = TABLES[child_table].model
        if kind == "one":
            target = out.get(column)
            child = child_model.objects.filter(pk=target).first() if target else None  # type: ignore[attr-defined]
            if child is not None:
                out[key] = record_json(child_table, child, parent_table=table_name)
            continue
        attname = TABLES[child_table].field(column)
        lookup = attname.model_attr if attname else column
        children = child_model.objects.filter(**{lookup: obj.pk}).order_by("pk")  # type: ignore[attr-defined]
        out[key] = [record_json(child_table, child, parent_table=table_name) for child in children]
    if table_name == "organization" and "organization_identifiers" in out:
        member_slug = getattr(getattr(obj, "member", None), "slug", None)
        if member_slug:
            out["organization_identifiers"].append(
                {
                    "id": str(member_identifier_id(obj.pk)),  # type: ignore[arg-type]
                    "organization_id": str(obj.pk),
                    "identifier_scheme": MEMBER_SCHEME,
                    "identifier_type": "ECW Hub member",
                    "identifier": member_slug,
                }
            )
    if table_name not in ("attribute", "metadata", "taxonomy", "taxonomy_term"):
        attributes = m.Attribute.objects.filter(link_id=obj.pk).select_related("taxonomy_term").order_by("pk")
        out["attributes"] = [record_json("attribute", a, parent_table=table_name) for a in attributes]
        if table_name == "service":
            out["attributes"] += _need_attributes(obj.pk)  # type: ignore[arg-type]
        out["metadata"] = [
            record_json("metadata", row, parent_table=table_name)
            for row in m.Metadata.objects.filter(resource_id=obj.pk).order_by("pk")
        ]
    return out
