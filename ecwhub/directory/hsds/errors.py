"""What is wrong with an HSDS input, record by record.

Each problem keeps two faces. ``message`` is plain English, stable for the API, the command line
and the logs; ``template`` and ``params`` let a page say the same thing in the reader's language
(``RecordError.display()``, translated when it is rendered, not when the file was read). Templates
are marked with ``gettext_noop`` so the catalog holds them; values from the file (names, ids,
field paths) are never translated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext

# "services.csv row 4": the place a CSV reader gives a row (read.py), in English for the API.
_ROW = re.compile(r"^(.+) row (\d+)$")


@dataclass(frozen=True)
class RecordError:
    where: str  # e.g. "services[3]" or "services.csv row 4"
    record_id: str
    field: str
    message: str
    template: str = ""  # the message's untranslated template, when it has one
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, where: str, record_id: str, field: str, template: str, **params: object) -> RecordError:
        """A problem whose message is ``template % params``; ``template`` is marked with ``gettext_noop``."""
        values = tuple((name, str(value)) for name, value in params.items())
        return cls(where, record_id, field, template % dict(values), template, values)

    def __str__(self) -> str:
        ident = f" (id={self.record_id})" if self.record_id else ""
        fld = f"field '{self.field}': " if self.field else ""
        return f"{self.where}{ident}: {fld}{self.message}"

    def display(self) -> str:
        """The problem in the active language, for a person: the place and field as the file
        names them, the reason in words."""
        reason = gettext(self.template) % dict(self.params) if self.template else self.message
        where = self.where
        if found := _ROW.match(where):
            where = gettext("%(file)s, row %(row)s") % {"file": found.group(1), "row": found.group(2)}
        if self.field and self.record_id:
            return gettext("%(where)s (id %(id)s), field “%(field)s”: %(reason)s") % {
                "where": where,
                "id": self.record_id,
                "field": self.field,
                "reason": reason,
            }
        if self.field:
            return gettext("%(where)s, field “%(field)s”: %(reason)s") % {
                "where": where,
                "field": self.field,
                "reason": reason,
            }
        if self.record_id:
            return gettext("%(where)s (id %(id)s): %(reason)s") % {
                "where": where,
                "id": self.record_id,
                "reason": reason,
            }
        return f"{where}: {reason}"


class InvalidValue(ValueError):
    """A value that cannot be converted, with its reason as a translatable template."""

    def __init__(self, template: str, **params: object):
        self.template = template
        self.params = params
        super().__init__(template % params)


def from_invalid(where: str, record_id: str, field: str, exc: InvalidValue) -> RecordError:
    return RecordError.of(where, record_id, field, exc.template, **exc.params)


class HsdsError(Exception):
    """The input cannot be imported; ``errors`` lists every problem found, record by record."""

    def __init__(self, errors: list[RecordError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))
