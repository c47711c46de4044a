"""Which instruments the hub offers, for whom, and which consent category each answer falls in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from ecwhub.consent.models import DataCategory
from ecwhub.core.needs import Need
from ecwhub.families.models import Person

from .scoring import Instrument, load_instrument

# The CDC "Learn the Signs. Act Early." checklists the hub ships, by age in months.
MILESTONE_AGES = (2, 4, 6, 9, 12, 15, 18, 24, 30, 36, 48, 60)
# The 5-year checklist is the last; it is used until the sixth birthday.
LAST_MILESTONE_BEFORE_MONTHS = 72
CAREGIVER_ROLES = frozenset({Person.Relationship.CAREGIVER, Person.Relationship.LEGAL_GUARDIAN})
# EPDS: caregivers of infants under one year (Bright Futures: the 1, 2, 4 and 6 month visits).
EPDS_INFANT_MONTHS = 12

NEED_CATEGORY = {
    Need.INTERPERSONAL_SAFETY: DataCategory.INTERPERSONAL_SAFETY,
    Need.MATERNAL_MENTAL_HEALTH: DataCategory.BEHAVIORAL_HEALTH,
    Need.CHILD_MENTAL_HEALTH: DataCategory.BEHAVIORAL_HEALTH,
}


def milestone_id(months: int) -> str:
    return f"cdc-milestones-{months:02d}m"


def shipped_milestones() -> list[int]:
    from .instruments import available_instruments

    shipped = set(available_instruments())
    return [m for m in MILESTONE_AGES if milestone_id(m) in shipped]


def milestone_for_age(months: int) -> str | None:
    """The checklist for a child's age: the latest one the child has reached (CDC: use the
    checklist for the age the child is now, until the next one)."""
    reached = [m for m in MILESTONE_AGES if m <= months]
    if months >= LAST_MILESTONE_BEFORE_MONTHS:
        return None
    if not reached or reached[-1] not in shipped_milestones():
        return None
    return milestone_id(reached[-1])


def instrument_category(instrument: Instrument) -> str:
    """A depression screen (an instrument with a self-harm rule) is behavioral health as a whole."""
    if any(rule.outcome.urgent == "self-harm" for rule in instrument.rules):
        return DataCategory.BEHAVIORAL_HEALTH
    return DataCategory.SCREENING_RESULTS


def safety_items(instrument: Instrument) -> frozenset[str]:
    return frozenset(
        link_id
        for rule in instrument.rules
        if rule.outcome.urgent == "interpersonal-safety"
        or any(band.outcome.urgent == "interpersonal-safety" for band in rule.bands)
        for link_id in rule.items
    )


def answer_category(instrument: Instrument, link_id: str) -> str:
    if link_id in safety_items(instrument):
        return DataCategory.INTERPERSONAL_SAFETY
    return instrument_category(instrument)


def rule_category(instrument: Instrument, rule_id: str) -> str:
    rule = instrument.rule(rule_id)
    if set(rule.items) & safety_items(instrument):
        return DataCategory.INTERPERSONAL_SAFETY
    return instrument_category(instrument)


def need_category(need: str) -> str:
    return NEED_CATEGORY.get(Need(need), DataCategory.IDENTIFIED_NEEDS)


@dataclass(frozen=True)
class Offer:
    instrument: str
    title: str


def instruments_for(
    person: Person, household_members: list[Person], language: str, on: date | None = None
) -> list[Offer]:
    """The instruments that fit this person: social needs and depression screens for adult
    caregivers, the EPDS when they care for an infant, the milestone checklist for a child's age."""
    on = on or timezone.localdate()
    offers: list[str] = []
    if person.relationship in CAREGIVER_ROLES or person.relationship in (
        Person.Relationship.GRANDPARENT,
        Person.Relationship.OTHER,
    ):
        offers += ["ahc-hrsn-core", "hunger-vital-sign", "phq-2-9"]
        infants = [
            m
            for m in household_members
            if m.relationship == Person.Relationship.CHILD and 0 <= m.age_in_months(on) < EPDS_INFANT_MONTHS
        ]
        if person.relationship in CAREGIVER_ROLES and (infants or person.is_pregnant):
            offers.append("epds")
    elif person.relationship == Person.Relationship.CHILD:
        checklist = milestone_for_age(person.age_in_months(on))
        if checklist:
            offers.append(checklist)
    result = []
    for instrument_id in offers:
        instrument = load_instrument(instrument_id)
        result.append(Offer(instrument_id, instrument.title.get(language)))
    return result
