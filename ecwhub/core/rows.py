"""How a row of family data says whose it is and which consent category it belongs to.

Every model that holds a fact about a family declares ``FAMILY_ROW``: the path to its household,
to the person it is about (if any), and its consent category — either fixed for the model (a care
event is always care plan) or read from the row's own column (a screen answer's category depends
on the question). The access policy's one row filter, ``consent.selectors.rows_visible``, reads
these declarations; ``tests/consent/test_family_rows.py`` fails for a model that has none.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FamilyRow:
    household: str = "household"
    person: str | None = "person"
    # Exactly one of these: a fixed category code, or the path to the row's category column.
    category: str = ""
    category_field: str = ""

    def __post_init__(self) -> None:
        if bool(self.category) == bool(self.category_field):
            raise ValueError("a family row has a fixed category or a category field, not both or neither")

    @classmethod
    def fixed(cls, category: str, *, household: str = "household", person: str | None = "person") -> FamilyRow:
        return cls(household=household, person=person, category=str(category))

    @classmethod
    def by_field(
        cls, field: str = "category", *, household: str = "household", person: str | None = "person"
    ) -> FamilyRow:
        return cls(household=household, person=person, category_field=field)
