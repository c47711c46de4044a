"""Validating HSDS rows before anything is written.

With a schema folder (``settings.HSDS_SCHEMA_DIR``, by default ``../shared/data/hsds/hsds-3.0.1/schema``
next to the project), nested JSON records are checked with ``jsonschema`` against
``compiled/<kind>.json``, and every row against its table's schema (required fields, types, formats,
enums). Without one, the same rules come from ``spec.TABLES``, written from the HSDS 3.0.1
specification.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_noop

from .errors import HsdsError, InvalidValue, RecordError, from_invalid
from .read import SourceRow
from .spec import TABLES, Field, Row, Table
from .vocabulary import NEED_BY_TERM_ID


def schema_dir() -> Path | None:
    """The HSDS schema folder, or None to validate with the built-in rules.

    ``settings.HSDS_SCHEMA_DIR`` when set (a folder without ``compiled/`` means: no schema), otherwise the
    team's shared copy next to the project when it is there.
    """
    configured = getattr(settings, "HSDS_SCHEMA_DIR", None)
    path = Path(configured) if configured else Path(settings.BASE_DIR).parent / "shared/data/hsds/hsds-3.0.1/schema"
    return path if (path / "compiled").is_dir() else None


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


_REQUIRED = gettext_noop("is required")
_NOT_A_NUMBER = gettext_noop("%(value)s is not a number")
_NOT_A_KIND = {
    "date": gettext_noop("%(value)s is not a date"),
    "datetime": gettext_noop("%(value)s is not a date-time"),
    "time": gettext_noop("%(value)s is not a time"),
}
# Rules of the compiled JSON schemas, said in words; the library's message is quoted after them.
_SCHEMA_RULES = {
    "type": gettext_noop("has the wrong type (%(detail)s)"),
    "enum": gettext_noop("is not one of the allowed values (%(detail)s)"),
    "format": gettext_noop("is not in the expected format (%(detail)s)"),
    "additionalProperties": gettext_noop("holds fields HSDS does not define (%(detail)s)"),
}


def _schema_reason(error: Any) -> tuple[str, tuple[tuple[str, str], ...]]:
    template = _SCHEMA_RULES.get(error.validator, gettext_noop("does not follow the HSDS schema (%(detail)s)"))
    return template, (("detail", error.message),)


def convert(value: Any, f: Field) -> Any:
    """A raw HSDS value as the model stores it; raises InvalidValue (a ValueError) with the reason."""
    if value is None or value == "":
        return None
    if f.format == "uuid":
        if not isinstance(value, str) or not _UUID_RE.match(value):
            raise InvalidValue(gettext_noop("%(value)s is not a UUID"), value=repr(value))
        return uuid.UUID(value)
    if f.type == "number":
        if isinstance(value, bool):
            raise InvalidValue(_NOT_A_NUMBER, value=repr(value))
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise InvalidValue(_NOT_A_NUMBER, value=repr(value)) from None
        if not number.is_finite() or abs(number) >= Decimal(10) ** 12:
            raise InvalidValue(gettext_noop("%(value)s is out of range"), value=repr(value))
        return number
    if f.type in ("date", "datetime", "time") and not isinstance(value, str):
        raise InvalidValue(_NOT_A_KIND[f.type], value=repr(value))
    if f.type == "date":
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise InvalidValue(gettext_noop("%(value)s is not a date (YYYY-MM-DD)"), value=repr(value)) from None
    if f.type == "datetime":
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise InvalidValue(gettext_noop("%(value)s is not a date-time (ISO 8601)"), value=repr(value)) from None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if f.type == "time":
        try:
            return time.fromisoformat(value)
        except ValueError:
            raise InvalidValue(gettext_noop("%(value)s is not a time (HH:MM:SS)"), value=repr(value)) from None
    if not isinstance(value, (str, int, float)):
        raise InvalidValue(gettext_noop("%(value)s is not text"), value=repr(value))
    text = str(value)
    if f.enum and text not in f.enum:
        raise InvalidValue(gettext_noop("%(value)s is not one of %(choices)s"), value=repr(text), choices=list(f.enum))
    if f.format == "email" and "@" not in text:
        raise InvalidValue(gettext_noop("%(value)s is not an e-mail address"), value=repr(text))
    if f.max_length is not None and len(text) > f.max_length:
        raise InvalidValue(gettext_noop("is longer than %(max)s characters"), max=f.max_length)
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
                    row_errors.append(RecordError.of(row.where, record_id, f.name, _REQUIRED))
                values[f.name] = None
                continue
            try:
                values[f.name] = convert(raw, f)
            except InvalidValue as exc:
                row_errors.append(from_invalid(row.where, record_id, f.name, exc))
        for name in row.values:
            if table.field(name) is None:
                row_errors.append(
                    RecordError.of(row.where, record_id, name, gettext_noop("not a field of this HSDS table"))
                )
        if row.table == "service" and not row_errors:
            low, high = values.get("minimum_age"), values.get("maximum_age")
            for name in ("minimum_age", "maximum_age"):
                if values.get(name) is not None and values[name] < 0:
                    row_errors.append(RecordError.of(row.where, record_id, name, gettext_noop("must not be negative")))
            if low is not None and high is not None and low > high:
                row_errors.append(
                    RecordError.of(row.where, record_id, "minimum_age", gettext_noop("is greater than maximum_age"))
                )
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
                    RecordError.of(
                        row.where,
                        record_id,
                        name,
                        gettext_noop("differs from the same record at %(other)s"),
                        other=previous.where,
                    )
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
            record_id = str(owner.get("id", "")) if isinstance(owner, dict) else ""
            found = re.match(r"'([^']+)' is a required property", error.message)
            if error.validator == "required" and found:
                errors.append(RecordError.of(location, record_id, found.group(1), _REQUIRED))
            else:
                # The schema library's own English stays the message the API and the command give;
                # a page says in its language which rule failed and quotes the library's words.
                template, params = _schema_reason(error)
                errors.append(RecordError(location, record_id, field_name, error.message, template, params))
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
                RecordError.of(
                    row.where,
                    str(row.id),
                    column,
                    gettext_noop("no %(table)s with id %(id)s in this file or the directory (kept)"),
                    table=target,
                    id=value,
                )
            )
    return warnings
