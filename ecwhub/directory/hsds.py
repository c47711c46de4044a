"""Open Referral HSDS 3.0 ↔ the directory's models: explicit field maps, validation, reading and writing.

Everything here is pure except ``rows_from_database`` (reads) and ``import_rows`` in ``hsds_import.py``
(writes). The hub works on HSDS *tabular rows* (one dict per row, foreign keys as ``<table>_id``
columns, as in the CSV data package); nested JSON (``service_full.json``, ``organization_full.json``, paged
lists) is flattened into the same rows, so one validator and one writer serve every input format.

Validation uses the HSDS JSON schemas when a schema folder is available (``settings.HSDS_SCHEMA_DIR``,
by default ``../shared/data/hsds/hsds-3.0.1/schema`` next to the project): nested JSON records are
checked with ``jsonschema`` against ``compiled/<kind>.json``, and every row against the table's
schema (required fields, types, formats, enums). Without a schema folder the same rules come from
``TABLES`` below, written from the HSDS 3.0.1 specification.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models

from ecwhub.core.languages import Language
from ecwhub.core.needs import ECWHUB_NEED_SYSTEM, Need

from . import models as m

Row = dict[str, Any]


@dataclass(frozen=True)
class Field:
    name: str
    type: str = "string"  # string | number | date | datetime | time
    required: bool = False
    format: str = ""  # uuid | email | uri
    enum: tuple[str, ...] = ()
    attr: str = ""  # model attribute, when it differs from the HSDS name
    max_length: int | None = None

    @property
    def model_attr(self) -> str:
        return self.attr or self.name


@dataclass(frozen=True)
class Table:
    name: str  # HSDS table name, e.g. "service"
    path: str  # CSV file name in the data package
    model: type[models.Model]
    fields: tuple[Field, ...]
    # foreign keys: column → referenced table
    foreign_keys: dict[str, str] = field(default_factory=dict)

    def field(self, name: str) -> Field | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None


def _id(name: str = "id", *, required: bool = False, attr: str = "") -> Field:
    return Field(name, format="uuid", required=required or name == "id", attr=attr)


_LOCATION_TYPES = ("physical", "postal", "virtual")
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

# The HSDS 3.0.1 tables, in the order rows can be written (referenced tables first).
TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "organization",
            "organizations.csv",
            m.DirectoryOrganization,
            (
                _id(),
                Field("name", required=True),
                Field("alternate_name"),
                Field("description", required=True),
                Field("email", format="email"),
                Field("website", format="uri"),
                Field("tax_status"),
                Field("tax_id"),
                Field("year_incorporated", "number"),
                Field("legal_status"),
                Field("logo"),
                Field("uri", format="uri"),
                _id("parent_organization_id"),
            ),
        ),
        Table(
            "organization_identifier",
            "organization_identifiers.csv",
            m.OrganizationIdentifier,
            (
                _id(),
                _id("organization_id", required=True),
                Field("identifier_scheme"),
                Field("identifier_type", required=True),
                Field("identifier", required=True),
            ),
            {"organization_id": "organization"},
        ),
        Table(
            "program",
            "programs.csv",
            m.Program,
            (
                _id(),
                _id("organization_id", required=True),
                Field("name", required=True),
                Field("alternate_name"),
                Field("description", required=True),
            ),
            {"organization_id": "organization"},
        ),
        Table(
            "taxonomy",
            "taxonomies.csv",
            m.Taxonomy,
            (
                _id(),
                Field("name", required=True),
                Field("description", required=True),
                Field("uri", format="uri"),
                Field("version"),
            ),
        ),
        Table(
            "taxonomy_term",
            "taxonomy_terms.csv",
            m.TaxonomyTerm,
            (
                _id(),
                Field("code"),
                Field("name", required=True),
                Field("description", required=True),
                _id("parent_id"),
                Field("taxonomy"),
                Field("language"),
                _id("taxonomy_id", attr="taxonomy_detail_id"),
                Field("term_uri", format="uri"),
            ),
            {"taxonomy_id": "taxonomy"},
        ),
        Table(
            "service",
            "services.csv",
            m.Service,
            (
                _id(),
                _id("organization_id", required=True, attr="directory_organization_id"),
                _id("program_id"),
                Field("name", required=True, max_length=200),
                Field("alternate_name"),
                Field("description"),
                Field("url", format="uri", max_length=2000),
                Field("email", format="email", max_length=254),
                Field("status", required=True, enum=tuple(m.Service.Status.values)),
                Field("interpretation_services"),
                Field("application_process"),
                Field("fees_description"),
                Field("wait_time"),
                Field("fees"),
                Field("accreditations"),
                Field("eligibility_description", attr="eligibility"),
                Field("minimum_age", "number"),
                Field("maximum_age", "number"),
                Field("assured_date", "date"),
                Field("assurer_email", format="email"),
                Field("licenses"),
                Field("alert"),
                Field("last_modified", "datetime"),
            ),
            {"organization_id": "organization", "program_id": "program"},
        ),
        Table(
            "location",
            "locations.csv",
            m.Location,
            (
                _id(),
                Field("location_type", required=True, enum=_LOCATION_TYPES),
                Field("url", format="uri"),
                _id("organization_id"),
                Field("name"),
                Field("alternate_name"),
                Field("description"),
                Field("transportation"),
                Field("latitude", "number"),
                Field("longitude", "number"),
                Field("external_identifier"),
                Field("external_identifier_type"),
            ),
            {"organization_id": "organization"},
        ),
        Table(
            "service_at_location",
            "service_at_location.csv",
            m.ServiceAtLocation,
            (_id(), _id("service_id", required=True), _id("location_id", required=True), Field("description")),
            {"service_id": "service", "location_id": "location"},
        ),
        Table(
            "contact",
            "contacts.csv",
            m.Contact,
            (
                _id(),
                _id("organization_id"),
                _id("service_id"),
                _id("service_at_location_id"),
                _id("location_id"),
                Field("name"),
                Field("title"),
                Field("department"),
                Field("email", format="email"),
            ),
            {
                "organization_id": "organization",
                "service_id": "service",
                "service_at_location_id": "service_at_location",
                "location_id": "location",
            },
        ),
        Table(
            "phone",
            "phones.csv",
            m.Phone,
            (
                _id(),
                _id("location_id"),
                _id("service_id"),
                _id("organization_id"),
                _id("contact_id"),
                _id("service_at_location_id"),
                Field("number", required=True),
                Field("extension", "number"),
                Field("type"),
                Field("description"),
            ),
            {
                "location_id": "location",
                "service_id": "service",
                "organization_id": "organization",
                "contact_id": "contact",
                "service_at_location_id": "service_at_location",
            },
        ),
        Table(
            "address",
            "addresses.csv",
            m.Address,
            (
                _id(),
                _id("location_id"),
                Field("attention"),
                Field("address_1", required=True),
                Field("address_2"),
                Field("city", required=True),
                Field("region"),
                Field("state_province", required=True),
                Field("postal_code", required=True, max_length=32),
                Field("country", required=True),
                Field("address_type", required=True, enum=_LOCATION_TYPES),
            ),
            {"location_id": "location"},
        ),
        Table(
            "schedule",
            "schedules.csv",
            m.Schedule,
            (
                _id(),
                _id("service_id"),
                _id("location_id"),
                _id("service_at_location_id"),
                Field("valid_from", "date"),
                Field("valid_to", "date"),
                Field("dtstart", "date"),
                Field("timezone", "number"),
                Field("until", "date"),
                Field("count", "number"),
                Field("wkst", enum=_WEEKDAYS),
                Field("freq", enum=("WEEKLY", "MONTHLY")),
                Field("interval", "number"),
                Field("byday"),
                Field("byweekno"),
                Field("bymonthday"),
                Field("byyearday"),
                Field("description"),
                Field("opens_at", "time"),
                Field("closes_at", "time"),
                Field("schedule_link", format="uri"),
                Field("attending_type"),
                Field("notes"),
            ),
            {"service_id": "service", "location_id": "location", "service_at_location_id": "service_at_location"},
        ),
        Table(
            "funding",
            "funding.csv",
            m.Funding,
            (_id(), _id("organization_id"), _id("service_id"), Field("source")),
            {"organization_id": "organization", "service_id": "service"},
        ),
        Table(
            "service_area",
            "service_areas.csv",
            m.ServiceArea,
            (
                _id(),
                _id("service_id"),
                Field("name"),
                Field("description"),
                Field("extent"),
                Field("extent_type"),
                Field("uri"),
            ),
            {"service_id": "service"},
        ),
        Table(
            "required_document",
            "required_documents.csv",
            m.RequiredDocument,
            (_id(), _id("service_id"), Field("document"), Field("uri", format="uri")),
            {"service_id": "service"},
        ),
        Table(
            "language",
            "languages.csv",
            m.DirectoryLanguage,
            (
                _id(),
                _id("service_id"),
                _id("location_id"),
                _id("phone_id"),
                Field("name"),
                Field("code"),
                Field("note"),
            ),
            {"service_id": "service", "location_id": "location", "phone_id": "phone"},
        ),
        Table(
            "accessibility",
            "accessibility.csv",
            m.Accessibility,
            (_id(), _id("location_id"), Field("description"), Field("details"), Field("url", format="uri")),
            {"location_id": "location"},
        ),
        Table(
            "cost_option",
            "cost_options.csv",
            m.CostOption,
            (
                _id(),
                _id("service_id", required=True),
                Field("valid_from", "date"),
                Field("valid_to", "date"),
                Field("option"),
                Field("currency"),
                Field("amount", "number"),
                Field("amount_description"),
            ),
            {"service_id": "service"},
        ),
        Table(
            "attribute",
            "attributes.csv",
            m.Attribute,
            (
                _id(),
                _id("link_id", required=True),
                _id("taxonomy_term_id", required=True),
                Field("link_type"),
                Field("link_entity", required=True, max_length=64),
                Field("value"),
            ),
            {"taxonomy_term_id": "taxonomy_term"},
        ),
        Table(
            "metadata",
            "metadata.csv",
            m.Metadata,
            (
                _id(),
                _id("resource_id", required=True),
                Field("resource_type", required=True),
                Field("last_action_date", "date", required=True),
                Field("last_action_type", required=True),
                Field("field_name", required=True),
                Field("previous_value", required=True),
                Field("replacement_value", required=True),
                Field("updated_by", required=True),
            ),
        ),
        Table(
            "meta_table_description",
            "meta_table_descriptions.csv",
            m.MetaTableDescription,
            (_id(), Field("name"), Field("language"), Field("character_set")),
        ),
    )
}
TABLE_BY_PATH = {t.path: t for t in TABLES.values()}
# Plural names used by JSON documents ({"services": [...]}) and the API.
TABLE_BY_PLURAL = {
    "organizations": "organization",
    "services": "service",
    "locations": "location",
    "service_at_locations": "service_at_location",
    "taxonomy_terms": "taxonomy_term",
    "taxonomies": "taxonomy",
}


# --- The need vocabulary as an HSDS taxonomy ---------------------------------------------------
# Service needs travel as HSDS attributes on a taxonomy whose ids are derived from the need codes,
# so every export names them identically and an import recognises them.
_NS = uuid.uuid5(uuid.NAMESPACE_URL, ECWHUB_NEED_SYSTEM)
NEED_TAXONOMY_ID = uuid.uuid5(_NS, "taxonomy")
NEED_TERM_IDS: dict[str, uuid.UUID] = {need.value: uuid.uuid5(_NS, f"term:{need.value}") for need in Need}
NEED_BY_TERM_ID = {term_id: code for code, term_id in NEED_TERM_IDS.items()}


def need_attribute_id(service_id: uuid.UUID, need: str) -> uuid.UUID:
    return uuid.uuid5(_NS, f"attribute:{service_id}:{need}")


# A directory organization that is a hub member carries an organization identifier naming the member
# (by its slug), so an export re-imported into another hub database keeps the link.
MEMBER_SCHEME = "urn:ecwhub:member"


def member_identifier_id(organization_id: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(_NS, f"member:{organization_id}")


# --- Languages: HSDS code/name → the hub's language codes ----------------------------------------
_LANGUAGE_CODES: dict[str, str] = {
    "en": "en",
    "eng": "en",
    "es": "es",
    "spa": "es",
    "yue": "yue",
    "zh-yue": "yue",
    "cmn": "cmn",
    "zh-cmn": "cmn",
    "vi": "vi",
    "vie": "vi",
    "mix": "mix",
    "zap": "zap",
    "quc": "quc",
    "tl": "tl",
    "tgl": "tl",
    "fil": "tl",
    "ko": "ko",
    "kor": "ko",
    "hy": "hy",
    "hye": "hy",
    "arm": "hy",
    "ar": "ar",
    "ara": "ar",
    "km": "km",
    "khm": "km",
    "ase": "ase",
}
_LANGUAGE_NAMES = {str(label).lower(): value for value, label in Language.choices}


def hub_language(code: str, name: str) -> str:
    """The hub's language code for an HSDS language row (``other`` when the hub does not list it)."""
    key = code.strip().lower()
    if key in _LANGUAGE_CODES:
        return _LANGUAGE_CODES[key]
    return _LANGUAGE_NAMES.get(name.strip().lower(), Language.OTHER.value)


# --- Errors ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordError:
    where: str  # e.g. "services[3]" or "services.csv row 4"
    record_id: str
    field: str
    message: str

    def __str__(self) -> str:
        ident = f" (id={self.record_id})" if self.record_id else ""
        fld = f"field '{self.field}': " if self.field else ""
        return f"{self.where}{ident}: {fld}{self.message}"


class HsdsError(Exception):
    """The input cannot be imported; ``errors`` lists every problem found, record by record."""

    def __init__(self, errors: list[RecordError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


@dataclass
class SourceRow:
    table: str
    where: str
    values: Row  # raw values (strings from CSV, JSON scalars from JSON); None/"" = empty
    # The fields the source states (a CSV column, a JSON key, even when empty). Importing over an existing
    # record replaces these and keeps the others: a short record (a service in a paged list) does not
    # erase what a full one said. None: every field.
    present: frozenset[str] | None = None


# --- Reading --------------------------------------------------------------------------------------


def schema_dir() -> Path | None:
    """The HSDS schema folder, or None to validate with the built-in rules.

    ``settings.HSDS_SCHEMA_DIR`` when set (a folder without ``compiled/`` means: no schema), otherwise the
    team's shared copy next to the project when it is there.
    """
    configured = getattr(settings, "HSDS_SCHEMA_DIR", None)
    path = Path(configured) if configured else Path(settings.BASE_DIR).parent / "shared/data/hsds/hsds-3.0.1/schema"
    return path if (path / "compiled").is_dir() else None


def batch_sources(path: Path) -> list[Path]:
    """What to import as separate batches: the CSV data package as one, or each JSON file of a folder."""
    if path.is_dir():
        csv_files = [p for p in path.glob("*.csv") if p.name in TABLE_BY_PATH]
        if (path / "datapackage.json").exists() or csv_files:
            return [path]
        return sorted(path.glob("*.json"))
    return [path]


def read_batch(path: Path) -> tuple[list[SourceRow], list[tuple[str, Any]]]:
    """One batch's rows (and, for nested JSON, its records to schema-check); HsdsError when unreadable."""
    if path.is_dir():
        return read_csv_package(path), []
    if path.suffix == ".csv":
        table = TABLE_BY_PATH.get(path.name)
        if table is None:
            raise HsdsError(
                [RecordError(path.name, "", "", f"not an HSDS table file (expected one of {sorted(TABLE_BY_PATH)})")]
            )
        return list(_read_csv(path.read_text(encoding="utf-8-sig"), table)), []
    _, rows, records = read_json_file(path)
    return rows, records


def read_path(path: Path) -> list[tuple[str, list[SourceRow], list[tuple[str, Any]]]]:
    """Read a file or folder into batches: ``(name, rows, nested records)``; raises HsdsError on the first bad file.

    A folder holding ``datapackage.json`` or HSDS CSV files is one batch (the CSV data package);
    a folder of JSON files gives one batch per file.
    """
    return [(str(source), *read_batch(source)) for source in batch_sources(path)]


def read_csv_package(folder: Path) -> list[SourceRow]:
    paths: dict[str, Path] = {}
    package = folder / "datapackage.json"
    if package.exists():
        try:
            meta = json.loads(package.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise HsdsError([RecordError("datapackage.json", "", "", f"not valid JSON: {exc}")]) from exc
        for resource in meta.get("resources", []):
            table = TABLES.get(resource.get("name", ""))
            if table is None:
                continue
            paths[table.name] = folder / resource.get("path", table.path)
    else:
        paths = {t.name: folder / t.path for t in TABLES.values()}
    rows: list[SourceRow] = []
    for name, path in paths.items():
        if path.exists():
            rows.extend(_read_csv(path.read_text(encoding="utf-8-sig"), TABLES[name]))
    return rows


def _read_csv(text: str, table: Table) -> Iterator[SourceRow]:
    reader = csv.DictReader(io.StringIO(text))
    known = {f.name for f in table.fields}
    unknown = [c for c in reader.fieldnames or [] if c not in known]
    if unknown:
        raise HsdsError([RecordError(table.path, "", c, "not a column of this HSDS table") for c in unknown])
    columns = frozenset(reader.fieldnames or ())
    for number, raw in enumerate(reader, start=2):  # row 1 is the header
        values = {k: v for k, v in raw.items() if k is not None and v not in (None, "")}
        yield SourceRow(table.name, f"{table.path} row {number}", values, columns)


def read_json_file(path: Path) -> tuple[str, list[SourceRow], list[tuple[str, Any]]]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise HsdsError([RecordError(path.name, "", "", f"not valid JSON: {exc}")]) from exc
    rows, records = rows_from_json(document)
    return str(path), rows, records


def _kind_of(obj: dict[str, Any]) -> str:
    if "version" in obj and set(obj) <= {"id", "name", "description", "uri", "version"}:
        return "taxonomy"
    if "service" in obj and "location" in obj:
        return "service_at_location"
    if "status" in obj or "service_at_locations" in obj or "organization" in obj:
        return "service"
    if "location_type" in obj or "addresses" in obj:
        return "location"
    if "taxonomy_detail" in obj or "term_uri" in obj or "parent_id" in obj:
        return "taxonomy_term"
    return "organization"


def rows_from_json(document: Any) -> tuple[list[SourceRow], list[tuple[str, Any]]]:
    """Flatten an HSDS JSON document into tabular rows; also return the top-level records to schema-check.

    Accepts a single record (organization, service, service_at_location, location, taxonomy term),
    a list of them, a paged API response (``contents``), ``{"organizations": [...], "services": [...]}``,
    or the tabular form (``{"services.csv": [...], ...}``).
    """
    flat = _Flattener()
    records: list[tuple[str, Any]] = []
    if isinstance(document, dict) and "openapi_url" in document and "id" not in document:
        return [], []  # the HSDS API's base document (version, profile): no directory data in it
    if isinstance(document, dict) and any(k.endswith(".csv") for k in document):
        for key, items in document.items():
            table = TABLE_BY_PATH.get(key)
            if table is None:
                flat.errors.append(RecordError(key, "", "", "not an HSDS table"))
                continue
            for index, item in enumerate(items if isinstance(items, list) else []):
                where = f"{key}[{index}]"
                if not isinstance(item, dict):
                    flat.errors.append(RecordError(where, "", "", "a row must be a JSON object"))
                    continue
                values = {k: v for k, v in item.items() if v not in (None, "")}
                flat.rows.append(SourceRow(table.name, where, values, frozenset(item)))
    else:
        if isinstance(document, dict) and isinstance(document.get("contents"), list):
            document = document["contents"]
        if (
            isinstance(document, dict)
            and "id" not in document
            and any(isinstance(document.get(p), list) for p in TABLE_BY_PLURAL)
        ):
            groups = [
                (p, TABLE_BY_PLURAL[p], document[p]) for p in TABLE_BY_PLURAL if isinstance(document.get(p), list)
            ]
        elif isinstance(document, list):
            groups = [("", "", document)]
        elif isinstance(document, dict):
            groups = [("", _kind_of(document), [document])]
        else:
            raise HsdsError([RecordError("document", "", "", "expected a JSON object or a list of objects")])
        for plural, kind, items in groups:
            for index, item in enumerate(items):
                if not isinstance(item, dict):
                    flat.errors.append(RecordError(f"{plural or 'records'}[{index}]", "", "", "expected a JSON object"))
                    continue
                item_kind = kind or _kind_of(item)
                name = plural or {v: k for k, v in TABLE_BY_PLURAL.items()}.get(item_kind, item_kind)
                where = f"{name}[{index}]" if (plural or isinstance(document, list)) else item_kind
                records.append((where, (item_kind, item)))
                flat.add(item_kind, item, where, {})
    if flat.errors:
        raise HsdsError(flat.errors)
    return flat.rows, records


# Nested JSON: which key of which object holds which child table, and how the child points back.
# ("list", child table, child column = parent id) or ("one", child table, parent column = child id).
_NESTED: dict[str, dict[str, tuple[str, str, str]]] = {
    "organization": {
        "funding": ("list", "funding", "organization_id"),
        "contacts": ("list", "contact", "organization_id"),
        "phones": ("list", "phone", "organization_id"),
        "locations": ("list", "location", "organization_id"),
        "programs": ("list", "program", "organization_id"),
        "organization_identifiers": ("list", "organization_identifier", "organization_id"),
        "services": ("list", "service", "organization_id"),
    },
    "service": {
        "organization": ("one", "organization", "organization_id"),
        "program": ("one", "program", "program_id"),
        "phones": ("list", "phone", "service_id"),
        "schedules": ("list", "schedule", "service_id"),
        "service_areas": ("list", "service_area", "service_id"),
        "service_at_locations": ("list", "service_at_location", "service_id"),
        "languages": ("list", "language", "service_id"),
        "funding": ("list", "funding", "service_id"),
        "cost_options": ("list", "cost_option", "service_id"),
        "required_documents": ("list", "required_document", "service_id"),
        "contacts": ("list", "contact", "service_id"),
    },
    "service_at_location": {
        "service": ("one", "service", "service_id"),
        "location": ("one", "location", "location_id"),
        "contacts": ("list", "contact", "service_at_location_id"),
        "phones": ("list", "phone", "service_at_location_id"),
        "schedules": ("list", "schedule", "service_at_location_id"),
    },
    "location": {
        "languages": ("list", "language", "location_id"),
        "addresses": ("list", "address", "location_id"),
        "contacts": ("list", "contact", "location_id"),
        "accessibility": ("list", "accessibility", "location_id"),
        "phones": ("list", "phone", "location_id"),
        "schedules": ("list", "schedule", "location_id"),
    },
    "contact": {"phones": ("list", "phone", "contact_id")},
    "phone": {"languages": ("list", "language", "phone_id")},
    "attribute": {"taxonomy_term": ("one", "taxonomy_term", "taxonomy_term_id")},
    "taxonomy_term": {"taxonomy_detail": ("one", "taxonomy", "taxonomy_id")},
}


class _Flattener:
    def __init__(self) -> None:
        self.rows: list[SourceRow] = []
        self.errors: list[RecordError] = []

    def add(self, table: str, obj: dict[str, Any], where: str, inherited: Row) -> None:
        nested = _NESTED.get(table, {})
        own = TABLES[table]
        values: Row = {k: v for k, v in inherited.items() if own.field(k)}
        ignored = {"attributes", "metadata"} | set(nested)
        for key, value in obj.items():
            if key in ignored:
                continue
            if isinstance(value, (dict, list)):
                self.errors.append(RecordError(where, str(obj.get("id", "")), key, "not a field of this HSDS object"))
                continue
            if own.field(key) is None:
                self.errors.append(RecordError(where, str(obj.get("id", "")), key, "not a field of this HSDS object"))
            elif value not in (None, ""):
                values[key] = value
        obj_id = obj.get("id")
        # Single children first: they set this row's foreign keys (service.organization → organization_id).
        for key, (kind, child_table, column) in nested.items():
            child = obj.get(key)
            if kind == "one" and isinstance(child, dict):
                if child.get("id") is not None:
                    values[column] = child["id"]
                carry: Row = {}
                if table == "service" and child_table == "program" and "organization_id" in values:
                    carry["organization_id"] = values["organization_id"]
                self.add(child_table, child, f"{where}.{key}", carry)
            elif kind == "one" and child is not None:
                self.errors.append(RecordError(where, str(obj_id or ""), key, "expected a JSON object"))
        stated = {key for key in obj if own.field(key)} | set(values)
        self.rows.append(SourceRow(table, where, values, frozenset(stated)))
        for key, (kind, child_table, column) in nested.items():
            children = obj.get(key)
            if kind != "list" or children is None:
                continue
            if not isinstance(children, list):
                self.errors.append(RecordError(where, str(obj_id or ""), key, "expected a list"))
                continue
            for index, child in enumerate(children):
                child_where = f"{where}.{key}[{index}]"
                if not isinstance(child, dict):
                    self.errors.append(RecordError(child_where, "", "", "expected a JSON object"))
                    continue
                carry = {column: obj_id} if obj_id is not None else {}
                self.add(child_table, child, child_where, carry)
        for key, link_column, entity_column in (
            ("attributes", "link_id", "link_entity"),
            ("metadata", "resource_id", "resource_type"),
        ):
            children = obj.get(key)
            if not isinstance(children, list):
                continue
            for index, child in enumerate(children):
                if isinstance(child, dict):
                    carry = {link_column: obj_id, entity_column: table}
                    self.add(
                        "attribute" if key == "attributes" else "metadata", child, f"{where}.{key}[{index}]", carry
                    )


# --- Validation -----------------------------------------------------------------------------------

_UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def _rules_from_schema(folder: Path | None) -> dict[str, Table]:
    """The field rules of every table: from the HSDS schema files when available, else ``TABLES``."""
    if folder is None:
        return TABLES
    tables: dict[str, Table] = {}
    for name, table in TABLES.items():
        path = folder / f"{name}.json"
        if not path.exists():
            tables[name] = table
            continue
        schema = json.loads(path.read_text(encoding="utf-8"))
        props = schema.get("properties", {})
        required = set(schema.get("required", [])) | set(schema.get("tabular_required", []))
        fields = []
        for f in table.fields:
            prop = props.get(f.name, {})
            kind = f.type
            fmt = prop.get("format", f.format)
            if prop.get("type") == "number":
                kind = "number"
            elif fmt in ("date", "date-time", "time"):
                kind = {"date": "date", "date-time": "datetime", "time": "time"}[fmt]
            fields.append(
                Field(
                    f.name,
                    kind,
                    required=f.name in required if props else f.required,
                    format=fmt if fmt in ("uuid", "email", "uri") else "",
                    enum=tuple(prop.get("enum", f.enum)),
                    attr=f.attr,
                    max_length=f.max_length,
                )
            )
        tables[name] = Table(table.name, table.path, table.model, tuple(fields), table.foreign_keys)
    return tables


def convert(value: Any, f: Field) -> Any:
    """A raw HSDS value as the model stores it; raises ValueError with the reason."""
    if value is None or value == "":
        return None
    if f.format == "uuid":
        if not isinstance(value, str) or not _UUID_RE.match(value):
            raise ValueError(f"{value!r} is not a UUID")
        return uuid.UUID(value)
    if f.type == "number":
        if isinstance(value, bool):
            raise ValueError(f"{value!r} is not a number")
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a number") from None
        if not number.is_finite() or abs(number) >= Decimal(10) ** 12:
            raise ValueError(f"{value!r} is out of range")
        return number
    if f.type in ("date", "datetime", "time") and not isinstance(value, str):
        raise ValueError(f"{value!r} is not a {f.type}")
    if f.type == "date":
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None
    if f.type == "datetime":
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a date-time (ISO 8601)") from None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if f.type == "time":
        try:
            return time.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a time (HH:MM:SS)") from None
    if not isinstance(value, (str, int, float)):
        raise ValueError(f"{value!r} is not text")
    text = str(value)
    if f.enum and text not in f.enum:
        raise ValueError(f"{text!r} is not one of {list(f.enum)}")
    if f.format == "email" and "@" not in text:
        raise ValueError(f"{text!r} is not an e-mail address")
    if f.max_length is not None and len(text) > f.max_length:
        raise ValueError(f"is longer than {f.max_length} characters")
    return text


@dataclass
class ParsedRow:
    table: str
    where: str
    id: uuid.UUID
    values: Row  # HSDS field name → converted value (None for empty)
    present: frozenset[str] | None = None  # see SourceRow.present


def validate(rows: Iterable[SourceRow], *, folder: Path | None = None) -> list[ParsedRow]:
    """Convert and check every row; raise HsdsError listing every problem (nothing is written)."""
    rules = _rules_from_schema(folder)
    errors: list[RecordError] = []
    parsed: dict[tuple[str, uuid.UUID], ParsedRow] = {}
    for row in rows:
        table = rules[row.table]
        raw_id = row.values.get("id")
        record_id = str(raw_id) if raw_id is not None else ""
        values: Row = {}
        row_errors: list[RecordError] = []
        for f in table.fields:
            raw = row.values.get(f.name)
            if raw is None or raw == "":
                if f.required:
                    row_errors.append(RecordError(row.where, record_id, f.name, "is required"))
                values[f.name] = None
                continue
            try:
                values[f.name] = convert(raw, f)
            except ValueError as exc:
                row_errors.append(RecordError(row.where, record_id, f.name, str(exc)))
        for name in row.values:
            if table.field(name) is None:
                row_errors.append(RecordError(row.where, record_id, name, "not a field of this HSDS table"))
        if row.table == "service" and not row_errors:
            low, high = values.get("minimum_age"), values.get("maximum_age")
            for name in ("minimum_age", "maximum_age"):
                if values.get(name) is not None and values[name] < 0:
                    row_errors.append(RecordError(row.where, record_id, name, "must not be negative"))
            if low is not None and high is not None and low > high:
                row_errors.append(RecordError(row.where, record_id, "minimum_age", "is greater than maximum_age"))
        if row_errors:
            errors.extend(row_errors)
            continue
        key = (row.table, values["id"])
        previous = parsed.get(key)
        if previous is None:
            parsed[key] = ParsedRow(row.table, row.where, values["id"], values, row.present)
            continue
        # The same record met twice (a location nested under its organization and under a service):
        # fine when the two agree, an error when they contradict each other.
        if previous.present is not None:
            previous.present = None if row.present is None else previous.present | row.present
        for name, value in values.items():
            if value is None:
                continue
            if previous.values.get(name) is None:
                previous.values[name] = value
            elif previous.values[name] != value:
                errors.append(
                    RecordError(row.where, record_id, name, f"differs from the same record at {previous.where}")
                )
    if errors:
        raise HsdsError(errors)
    return list(parsed.values())


def schema_check_records(records: list[tuple[str, Any]], folder: Path | None) -> list[RecordError]:
    """Check nested JSON records with ``jsonschema`` against the compiled HSDS schemas (when available)."""
    if folder is None or not records:
        return []
    import jsonschema

    errors: list[RecordError] = []
    validators: dict[str, Any] = {}
    for where, (kind, record) in records:
        path = folder / "compiled" / f"{kind}.json"
        if not path.exists():
            continue
        if kind not in validators:
            schema = json.loads(path.read_text(encoding="utf-8"))
            validators[kind] = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
        for error in sorted(validators[kind].iter_errors(record), key=lambda e: list(map(str, e.absolute_path))):
            parts = list(error.absolute_path)
            target: Any = record
            owner: Any = record
            location = where
            for index, part in enumerate(parts):
                if isinstance(target, dict) and isinstance(target.get(part), (dict, list)):
                    location += f".{part}" if isinstance(part, str) else f"[{part}]"
                    target = target[part]
                    if isinstance(target, dict):
                        owner = target
                elif isinstance(target, list) and isinstance(part, int):
                    location += f"[{part}]"
                    target = target[part]
                    owner = target
                else:
                    parts = parts[index:]
                    break
            else:
                parts = []
            field_name = str(parts[0]) if parts else ""
            message = error.message
            if error.validator == "required":
                found = re.match(r"'([^']+)' is a required property", message)
                field_name, message = (found.group(1), "is required") if found else (field_name, message)
            record_id = str(owner.get("id", "")) if isinstance(owner, dict) else ""
            errors.append(RecordError(location, record_id, field_name, message))
    return errors


def check_references(
    parsed: list[ParsedRow], existing: Callable[[str, set[uuid.UUID]], set[uuid.UUID]]
) -> list[RecordError]:
    """Foreign keys naming a row neither in the batch nor in the directory, as warnings.

    They are kept as given, not refused: HSDS publishers reference records they publish elsewhere
    (the official example dataset does), and dropping the reference would lose data.
    """
    in_batch: dict[str, set[uuid.UUID]] = {}
    for row in parsed:
        in_batch.setdefault(row.table, set()).add(row.id)
    in_batch.setdefault("taxonomy_term", set()).update(NEED_BY_TERM_ID)
    wanted: dict[str, set[uuid.UUID]] = {}
    for row in parsed:
        for column, target in TABLES[row.table].foreign_keys.items():
            value = row.values.get(column)
            if value is not None and value not in in_batch.get(target, set()):
                wanted.setdefault(target, set()).add(value)
    found = {table: existing(table, ids) for table, ids in wanted.items()}
    warnings = []
    for row in parsed:
        for column, target in TABLES[row.table].foreign_keys.items():
            value = row.values.get(column)
            if value is None or value in in_batch.get(target, set()) or value in found.get(target, set()):
                continue
            warnings.append(
                RecordError(
                    row.where, str(row.id), column, f"no {target} with id {value} in this file or the directory (kept)"
                )
            )
    return warnings


# --- Writing values out -----------------------------------------------------------------------------


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
    for key, (kind, child_table, column) in _NESTED.get(table_name, {}).items():
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
