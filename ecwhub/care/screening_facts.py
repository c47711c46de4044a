"""What the screening app's rows say, in the shape the tier rules and the surveillance need.

Read in bulk for a batch of households. The screen that counts is the latest completed response
of each instrument for each person: a newer negative EPDS clears an older positive one. Needs are
the family's open needs (identified, or the family wants help); a need the family declined help
with or that was addressed does not raise the tier.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone

from ecwhub.screening.models import Finding, IdentifiedNeed, ScreeningAlert, ScreeningResponse, ScreeningResult

from .models import CareEventKind

OPEN_NEED_STATUSES = (IdentifiedNeed.Status.IDENTIFIED, IdentifiedNeed.Status.WANTS_HELP)


def completion_kind(instrument: str) -> str | None:
    """Which surveillance point a completed screen counts for (None: not a periodicity screen)."""
    if instrument in ("epds", "phq-2-9"):
        return CareEventKind.CAREGIVER_DEPRESSION_SCREENING
    if instrument.startswith(("m-chat", "mchat")):
        return CareEventKind.AUTISM_SCREENING
    if instrument.startswith(("cdc-milestones", "asq")):
        return CareEventKind.DEVELOPMENTAL_SCREENING
    return None


@dataclass
class ScreeningFacts:
    open_needs: frozenset[str] = frozenset()
    totals: dict[tuple[str, str], int] = field(default_factory=dict)
    findings: frozenset[str] = frozenset()
    urgent: frozenset[str] = frozenset()
    latest_positive_at: datetime | None = None
    # (care event kind, person screened, day completed)
    completions: list[tuple[str, uuid.UUID, date]] = field(default_factory=list)


def screening_facts(household_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, ScreeningFacts]:
    ids = list(household_ids)
    latest: dict[tuple[uuid.UUID, str], tuple[datetime, uuid.UUID]] = {}
    household_of: dict[uuid.UUID, uuid.UUID] = {}
    instrument_of: dict[uuid.UUID, str] = {}
    completions: dict[uuid.UUID, list[tuple[str, uuid.UUID, date]]] = defaultdict(list)
    for response_id, household_id, person_id, instrument, completed_at in ScreeningResponse.objects.filter(
        household_id__in=ids, status=ScreeningResponse.Status.COMPLETED
    ).values_list("id", "household_id", "person_id", "instrument", "completed_at"):
        household_of[response_id] = household_id
        instrument_of[response_id] = instrument
        if completed_at is None:  # the database requires it for a completed screen
            continue
        key = (person_id, instrument)
        if key not in latest or latest[key][0] < completed_at:
            latest[key] = (completed_at, response_id)
        kind = completion_kind(instrument)
        if kind:
            completions[household_id].append((kind, person_id, timezone.localdate(completed_at)))
    current = {response_id for _, response_id in latest.values()}

    totals: dict[uuid.UUID, dict[tuple[str, str], int]] = defaultdict(dict)
    positive_at: dict[uuid.UUID, datetime] = {}
    for response_id, household_id, rule, status, total, observed_at in ScreeningResult.objects.filter(
        household_id__in=ids
    ).values_list("response_id", "household_id", "rule", "status", "total", "observed_at"):
        if status == ScreeningResult.Status.POSITIVE and (
            household_id not in positive_at or positive_at[household_id] < observed_at
        ):
            positive_at[household_id] = observed_at
        if response_id in current and total is not None:
            total_key = (instrument_of[response_id], rule)
            # Two caregivers screened with the same instrument: the higher total speaks for the family.
            totals[household_id][total_key] = max(total, totals[household_id].get(total_key, total))

    findings: dict[uuid.UUID, set[str]] = defaultdict(set)
    for response_id, household_id, code in Finding.objects.filter(household_id__in=ids).values_list(
        "response_id", "household_id", "code"
    ):
        if response_id in current:
            findings[household_id].add(code)
    urgent: dict[uuid.UUID, set[str]] = defaultdict(set)
    for response_id, household_id, kind in ScreeningAlert.objects.filter(household_id__in=ids).values_list(
        "response_id", "household_id", "kind"
    ):
        if response_id in current:
            urgent[household_id].add(kind)
    needs: dict[uuid.UUID, set[str]] = defaultdict(set)
    for household_id, need in IdentifiedNeed.objects.filter(
        household_id__in=ids, status__in=OPEN_NEED_STATUSES
    ).values_list("household_id", "need"):
        needs[household_id].add(need)

    result: dict[uuid.UUID, ScreeningFacts] = {}
    for household_id in set(household_of.values()) | set(needs):
        result[household_id] = ScreeningFacts(
            open_needs=frozenset(needs.get(household_id, ())),
            totals=totals.get(household_id, {}),
            findings=frozenset(findings.get(household_id, ())),
            urgent=frozenset(urgent.get(household_id, ())),
            latest_positive_at=positive_at.get(household_id),
            completions=completions.get(household_id, []),
        )
    return result
