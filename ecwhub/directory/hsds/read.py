"""Reading HSDS input: a CSV data package, tabular JSON, or nested JSON records (the HSDS API shapes)
flattened into the same tabular rows, so one validator and one writer serve every format."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_noop

from .errors import HsdsError, RecordError
from .spec import NESTED, TABLE_BY_PATH, TABLE_BY_PLURAL, TABLES, Row, Table


@dataclass
class SourceRow:
    table: str
    where: str
    values: Row  # raw values (strings from CSV, JSON scalars from JSON); None/"" = empty
    # The fields the source states (a CSV column, a JSON key, even when empty). Importing over an existing
    # record replaces these and keeps the others: a short record (a service in a paged list) does not
    # erase what a full one said. None: every field.
    present: frozenset[str] | None = None


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
                [
                    RecordError.of(
                        path.name,
                        "",
                        "",
                        gettext_noop("not an HSDS table file (expected one of %(names)s)"),
                        names=sorted(TABLE_BY_PATH),
                    )
                ]
            )
        return list(_read_csv(_text(path, path.name, "utf-8-sig"), table)), []
    _, rows, records = read_json_file(path)
    return rows, records


def read_path(path: Path) -> list[tuple[str, list[SourceRow], list[tuple[str, Any]]]]:
    """Read a file or folder into batches: ``(name, rows, nested records)``; raises HsdsError on the first bad file.

    A folder holding ``datapackage.json`` or HSDS CSV files is one batch (the CSV data package);
    a folder of JSON files gives one batch per file.
    """
    return [(str(source), *read_batch(source)) for source in batch_sources(path)]


def _text(path: Path, where: str, encoding: str = "utf-8") -> str:
    """The file's text; HsdsError naming ``where`` when it is not UTF-8 (a spreadsheet's "CSV" is
    often Windows-1252): the import says which file, instead of failing with a traceback."""
    try:
        return path.read_text(encoding=encoding)
    except UnicodeDecodeError as exc:
        raise HsdsError(
            [
                RecordError.of(
                    where,
                    "",
                    "",
                    gettext_noop("not UTF-8 text (byte %(byte)s cannot be read); save it as UTF-8"),
                    byte=exc.start + 1,
                )
            ]
        ) from exc


def _inside(folder: Path, given: object) -> Path | None:
    """``given`` (a data package's resource path) as a file inside ``folder``, or None when it names
    anything else: an absolute path, one that climbs out with "..", or a link leading outside. The
    import reads the package it was given, never another file of the machine (whose values its
    errors would echo)."""
    if not isinstance(given, str) or not given or Path(given).is_absolute():
        return None
    path = folder / given
    return path if path.resolve().is_relative_to(folder.resolve()) else None


def read_csv_package(folder: Path) -> list[SourceRow]:
    paths: dict[str, Path] = {}
    package = folder / "datapackage.json"
    errors: list[RecordError] = []
    if package.exists():
        try:
            meta = json.loads(_text(package, "datapackage.json"))
        except json.JSONDecodeError as exc:
            raise HsdsError(
                [RecordError.of("datapackage.json", "", "", gettext_noop("not valid JSON: %(detail)s"), detail=exc)]
            ) from exc
        resources = meta.get("resources", []) if isinstance(meta, dict) else []
        for resource in resources if isinstance(resources, list) else []:
            table = TABLES.get(resource.get("name", "")) if isinstance(resource, dict) else None
            if table is None:
                continue
            path = _inside(folder, resource.get("path", table.path))
            if path is None:
                message = gettext_noop("resource '%(name)s': its path must name a file inside the package folder")
                errors.append(RecordError.of("datapackage.json", "", "path", message, name=table.name))
                continue
            paths[table.name] = path
    else:
        for t in TABLES.values():
            path = _inside(folder, t.path)
            if path is None:
                errors.append(
                    RecordError.of(
                        t.path, "", "", gettext_noop("must be a file inside the package folder, not a link out")
                    )
                )
                continue
            paths[t.name] = path
    if errors:
        raise HsdsError(errors)
    rows: list[SourceRow] = []
    for name, path in paths.items():
        if path.exists():
            rows.extend(_read_csv(_text(path, TABLES[name].path, "utf-8-sig"), TABLES[name]))
    return rows


def _read_csv(text: str, table: Table) -> Iterator[SourceRow]:
    reader = csv.DictReader(io.StringIO(text))
    known = {f.name for f in table.fields}
    unknown = [c for c in reader.fieldnames or [] if c not in known]
    if unknown:
        raise HsdsError(
            [RecordError.of(table.path, "", c, gettext_noop("not a column of this HSDS table")) for c in unknown]
        )
    columns = frozenset(reader.fieldnames or ())
    for number, raw in enumerate(reader, start=2):  # row 1 is the header
        values = {k: v for k, v in raw.items() if k is not None and v not in (None, "")}
        yield SourceRow(table.name, f"{table.path} row {number}", values, columns)


def read_json_file(path: Path) -> tuple[str, list[SourceRow], list[tuple[str, Any]]]:
    try:
        document = json.loads(_text(path, path.name))
    except json.JSONDecodeError as exc:
        raise HsdsError(
            [RecordError.of(path.name, "", "", gettext_noop("not valid JSON: %(detail)s"), detail=exc)]
        ) from exc
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
                flat.errors.append(RecordError.of(key, "", "", gettext_noop("not an HSDS table")))
                continue
            for index, item in enumerate(items if isinstance(items, list) else []):
                where = f"{key}[{index}]"
                if not isinstance(item, dict):
                    flat.errors.append(RecordError.of(where, "", "", gettext_noop("a row must be a JSON object")))
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
            raise HsdsError(
                [RecordError.of("document", "", "", gettext_noop("expected a JSON object or a list of objects"))]
            )
        for plural, kind, items in groups:
            for index, item in enumerate(items):
                if not isinstance(item, dict):
                    flat.errors.append(
                        RecordError.of(
                            f"{plural or 'records'}[{index}]", "", "", gettext_noop("expected a JSON object")
                        )
                    )
                    continue
                item_kind = kind or _kind_of(item)
                name = plural or {v: k for k, v in TABLE_BY_PLURAL.items()}.get(item_kind, item_kind)
                where = f"{name}[{index}]" if (plural or isinstance(document, list)) else item_kind
                records.append((where, (item_kind, item)))
                flat.add(item_kind, item, where, {})
    if flat.errors:
        raise HsdsError(flat.errors)
    return flat.rows, records


class _Flattener:
    def __init__(self) -> None:
        self.rows: list[SourceRow] = []
        self.errors: list[RecordError] = []

    def add(self, table: str, obj: dict[str, Any], where: str, inherited: Row) -> None:
        nested = NESTED.get(table, {})
        own = TABLES[table]
        values: Row = {k: v for k, v in inherited.items() if own.field(k)}
        ignored = {"attributes", "metadata"} | set(nested)
        for key, value in obj.items():
            if key in ignored:
                continue
            if isinstance(value, (dict, list)):
                self.errors.append(
                    RecordError.of(where, str(obj.get("id", "")), key, gettext_noop("not a field of this HSDS object"))
                )
                continue
            if own.field(key) is None:
                self.errors.append(
                    RecordError.of(where, str(obj.get("id", "")), key, gettext_noop("not a field of this HSDS object"))
                )
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
                self.errors.append(
                    RecordError.of(where, str(obj_id or ""), key, gettext_noop("expected a JSON object"))
                )
        stated = {key for key in obj if own.field(key)} | set(values)
        self.rows.append(SourceRow(table, where, values, frozenset(stated)))
        for key, (kind, child_table, column) in nested.items():
            children = obj.get(key)
            if kind != "list" or children is None:
                continue
            if not isinstance(children, list):
                self.errors.append(RecordError.of(where, str(obj_id or ""), key, gettext_noop("expected a list")))
                continue
            for index, child in enumerate(children):
                child_where = f"{where}.{key}[{index}]"
                if not isinstance(child, dict):
                    self.errors.append(RecordError.of(child_where, "", "", gettext_noop("expected a JSON object")))
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
