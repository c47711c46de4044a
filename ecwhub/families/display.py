"""How people and families are shown: names as the family writes them, ages as people say them,
and the members of an opened family with what the viewer may see of each."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ecwhub.consent.models import DataCategory
from ecwhub.consent.selectors import OpenedHousehold, members_visible, rows_visible

from .models import Person, PersonRelation

GUARDIANS = (Person.Relationship.CAREGIVER, Person.Relationship.LEGAL_GUARDIAN)


def person_name(person: Person) -> str:
    """The name as the family writes it: given name, family name and second family name."""
    return " ".join(part for part in (person.given_name, person.family_name, person.second_family_name) if part)


def age_label(person: Person, on: date | None = None) -> str:
    """Months under two years, then years: how people speak of a young child's age."""
    months = person.age_in_months(on or timezone.localdate())
    if months < 0:
        return _("not born yet")
    if months < 24:
        return ngettext("%(count)d month", "%(count)d months", months) % {"count": months}
    years = months // 12
    return ngettext("%(count)d year", "%(count)d years", years) % {"count": years}


@dataclass(frozen=True)
class MemberView:
    person: Person
    name: str
    age: str
    demographics: bool = False
    insurance: bool = False
    relations: tuple[tuple[str, str], ...] = ()


def member_views(opened: OpenedHousehold) -> list[MemberView]:
    """The members the viewer may see, each with the demographics and insurance shown about them
    and how they are related to the other members shown (relations are demographics)."""
    members = members_visible(opened)
    names = {p.pk: person_name(p) for p in members}
    relations: dict[uuid.UUID, list[tuple[str, str]]] = {}
    labels = dict(PersonRelation.Kind.choices)
    for relation in rows_visible(opened, PersonRelation.objects.filter(to_person__in=list(names))).order_by(
        "created_at", "id"
    ):
        if opened.may_see(DataCategory.DEMOGRAPHICS, relation.to_person_id):
            relations.setdefault(relation.from_person_id, []).append(
                (str(labels.get(relation.kind, relation.kind)), names[relation.to_person_id])
            )
    views = []
    for person in members:
        demographics = opened.may_see(DataCategory.DEMOGRAPHICS, person)
        views.append(
            MemberView(
                person=person,
                name=names[person.pk],
                age=age_label(person) if demographics else "",
                demographics=demographics,
                insurance=opened.may_see(DataCategory.INSURANCE, person),
                relations=tuple(relations.get(person.pk, ())),
            )
        )
    return views


def shown_categories(views: list[MemberView]) -> set[str]:
    """The categories a list of member views shows (for the audit entry)."""
    shown = {str(DataCategory.IDENTITY_CONTACT)} if views else set()
    if any(v.demographics for v in views):
        shown.add(DataCategory.DEMOGRAPHICS)
    if any(v.insurance for v in views):
        shown.add(DataCategory.INSURANCE)
    return shown
