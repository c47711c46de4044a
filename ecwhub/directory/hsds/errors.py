"""What is wrong with an HSDS input, record by record."""

from __future__ import annotations

from dataclasses import dataclass


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
