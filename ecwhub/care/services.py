"""Operations that write: tier recomputation, EPSDT medical necessity, contacts and care events."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from ecwhub.accounts.models import Membership, Role, User
from ecwhub.consent.models import AuditEntry, DataCategory, Purpose
from ecwhub.consent.policy import decide
from ecwhub.consent.selectors import audit_reads
from ecwhub.core.languages import Language
from ecwhub.families.models import Household, Person
from ecwhub.screening.models import IdentifiedNeed

from .encounter_links import encounter_link_kinds
from .facts import household_bundles
from .models import (
    CONTACT_REACHED,
    MINUTES_MAX,
    NEVER,
    CareEvent,
    CareEventKind,
    CareTask,
    ChildSurveillance,
    Contact,
    ContactTopic,
    EpsdtNecessity,
    Funding,
    RiskRule,
    SurveillanceChange,
    TierAssignment,
    TierChange,
    Topic,
)
from .surveillance import followed, surveillance_summary
from .tiers import RuleSpec, rules_version, tier_for

BATCH = 2000


class CareError(ValueError):
    """Bad input for a care operation. ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def active_rules() -> list[RuleSpec]:
    return [rule.spec() for rule in RiskRule.objects.filter(active=True).order_by("order", "name")]


def household_tier_recompute(
    household_ids: Iterable[uuid.UUID], *, today: date | None = None, rules: Sequence[RuleSpec] | None = None
) -> int:
    """Recompute the tier, its reasons and the worklist keys of these households, and the
    surveillance summary of their children, from the current rules and data. A change of tier or
    reasons, or of what a child has overdue, also appends a history row (``TierChange``,
    ``SurveillanceChange``). Idempotent: a run that changes nothing adds no history. Returns the
    number of households written."""
    today = today or timezone.localdate()
    rules = list(rules) if rules is not None else active_rules()
    version = rules_version(rules)
    ids = list(dict.fromkeys(household_ids))
    written = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        bundles = household_bundles(chunk, today)
        now = timezone.now()
        assignments: list[TierAssignment] = []
        summaries: list[ChildSurveillance] = []
        for household_id, bundle in bundles.items():
            tier, reasons = tier_for(bundle.facts, rules, bundle.epsdt)
            assignments.append(
                TierAssignment(
                    household_id=household_id,
                    tier=tier,
                    reasons=[r.as_json() for r in reasons],
                    epsdt=bool(bundle.epsdt),
                    computed_at=now,
                    rules_version=version,
                    latest_positive_screen_at=bundle.latest_positive_screen_at,
                    last_contact_at=bundle.last_contact_at,
                    positive_rank=bundle.positive_rank or NEVER,
                    contact_rank=bundle.last_contact_at or NEVER,
                )
            )
            for child in bundle.children:
                if not followed(child.birth, today):
                    continue
                summary = surveillance_summary(child.birth, child.events, today)
                summaries.append(
                    ChildSurveillance(
                        person_id=child.person_id,
                        household_id=household_id,
                        overdue_count=summary.overdue,
                        due_count=summary.due,
                        done_count=summary.done,
                        missed_count=summary.missed,
                        overdue_kinds=",".join(summary.overdue_kinds),
                        oldest_overdue_on=summary.oldest_overdue_on,
                        computed_on=today,
                    )
                )
        with transaction.atomic():
            _record_changes(chunk, assignments, summaries, now, today)
            TierAssignment.objects.bulk_create(
                assignments,
                batch_size=500,
                update_conflicts=True,
                unique_fields=["household"],
                update_fields=[
                    "tier",
                    "reasons",
                    "epsdt",
                    "computed_at",
                    "rules_version",
                    "latest_positive_screen_at",
                    "last_contact_at",
                    "positive_rank",
                    "contact_rank",
                ],
            )
            # Children who aged out (or moved) leave the surveillance tables.
            ChildSurveillance.objects.filter(household_id__in=chunk).exclude(
                person_id__in=[s.person_id for s in summaries]
            ).delete()
            ChildSurveillance.objects.bulk_create(
                summaries,
                batch_size=500,
                update_conflicts=True,
                unique_fields=["person"],
                update_fields=[
                    "household",
                    "overdue_count",
                    "due_count",
                    "done_count",
                    "missed_count",
                    "overdue_kinds",
                    "oldest_overdue_on",
                    "computed_on",
                ],
            )
        written += len(assignments)
    return written


def _record_changes(
    household_ids: Sequence[uuid.UUID],
    assignments: Sequence[TierAssignment],
    summaries: Sequence[ChildSurveillance],
    now: datetime,
    today: date,
) -> None:
    """History rows for what this recompute changes (read before the new values are written)."""
    before = {
        household_id: (tier, reasons)
        for household_id, tier, reasons in TierAssignment.objects.filter(household_id__in=household_ids).values_list(
            "household_id", "tier", "reasons"
        )
    }
    TierChange.objects.bulk_create(
        [
            TierChange(
                household_id=a.household_id,
                from_tier=before[a.household_id][0] if a.household_id in before else None,
                to_tier=a.tier,
                reasons=a.reasons,
                rules_version=a.rules_version,
                changed_at=now,
            )
            for a in assignments
            if before.get(a.household_id) != (a.tier, a.reasons)
        ],
        batch_size=500,
    )
    overdue_before = {
        person_id: (count, kinds)
        for person_id, count, kinds in ChildSurveillance.objects.filter(household_id__in=household_ids).values_list(
            "person_id", "overdue_count", "overdue_kinds"
        )
    }
    SurveillanceChange.objects.bulk_create(
        [
            SurveillanceChange(
                person_id=s.person_id,
                household_id=s.household_id,
                from_overdue=overdue_before[s.person_id][0] if s.person_id in overdue_before else None,
                to_overdue=s.overdue_count,
                overdue_kinds=s.overdue_kinds,
                changed_on=today,
                changed_at=now,
            )
            for s in summaries
            if overdue_before.get(s.person_id) != (s.overdue_count, s.overdue_kinds)
        ],
        batch_size=500,
    )


def tiers_recompute_all(*, today: date | None = None, progress: Callable[[int, int], None] | None = None) -> int:
    """Every household, in batches, reporting ``progress(done, total)`` after each batch."""
    rules = active_rules()
    ids = list(Household.objects.order_by("pk").values_list("pk", flat=True))
    done = 0
    for start in range(0, len(ids), BATCH):
        done += household_tier_recompute(ids[start : start + BATCH], today=today, rules=rules)
        if progress:
            progress(done, len(ids))
    return done


def _audit_write(user: User, membership: Membership, household: Household, category: str, detail: str) -> None:
    audit_reads(
        user=user,
        membership=membership,
        household_ids=[household.pk],
        categories=[category],
        purpose=Purpose.CARE_COORDINATION,
        action=AuditEntry.Action.WRITE,
        detail=detail,
    )


def epsdt_record(
    *, acting_user: User, membership: Membership | None, person: Person, reason: str, recorded_on: date | None = None
) -> EpsdtNecessity:
    """A clinician records that a child has an EPSDT medically necessary need. From then on the
    family's tier is comprehensive (3) whatever the rules say, until a clinician ends it.

    Raises CareError when the user is not a clinician, the person is not a child or the reason is
    empty; Http404 when the policy does not let the clinician change this family's clinical record."""
    if membership is None or membership.role != Role.CLINICIAN:
        raise CareError("__all__", "Only clinicians can record EPSDT medical necessity.")
    household = person.household
    if not decide(
        user=acting_user,
        membership=membership,
        household=household,
        category=DataCategory.CLINICAL,
        purpose=Purpose.CARE_COORDINATION,
        person=person,
        write=True,
    ):
        raise Http404
    if person.relationship != Person.Relationship.CHILD:
        raise CareError("person", "EPSDT medical necessity is recorded for a child.")
    reason = (reason or "").strip()
    if not reason:
        raise CareError("reason", "Say why the service is medically necessary.")
    if len(reason) > 2000:
        raise CareError("reason", "Keep the reason under 2,000 characters.")
    with transaction.atomic():
        record = EpsdtNecessity.objects.create(
            person=person,
            household=household,
            reason=reason,
            recorded_by=acting_user,
            recorded_in=membership.organization,
            recorded_on=recorded_on or timezone.localdate(),
        )
        _audit_write(acting_user, membership, household, DataCategory.CLINICAL, "EPSDT medical necessity recorded")
        household_tier_recompute([household.pk])
    return record


def epsdt_end(*, acting_user: User, membership: Membership | None, record: EpsdtNecessity) -> EpsdtNecessity:
    """A clinician ends an EPSDT medical necessity (the need was met); the row stays as history."""
    if membership is None or membership.role != Role.CLINICIAN:
        raise CareError("__all__", _("Only clinicians can end EPSDT medical necessity."))
    with transaction.atomic():
        record = EpsdtNecessity.objects.select_for_update().select_related("household", "person").get(pk=record.pk)
        if not decide(
            user=acting_user,
            membership=membership,
            household=record.household,
            category=DataCategory.CLINICAL,
            purpose=Purpose.CARE_COORDINATION,
            person=record.person,
            write=True,
        ):
            raise Http404
        if record.ended_at is not None:
            raise CareError("__all__", _("This EPSDT record has already ended."))
        record.ended_at, record.ended_by = timezone.now(), acting_user
        record.save(update_fields=["ended_at", "ended_by"])
        _audit_write(acting_user, membership, record.household, DataCategory.CLINICAL, "EPSDT medical necessity ended")
        household_tier_recompute([record.household_id])
    return record


@dataclass(frozen=True)
class EncounterFacts:
    """What an encounter adds to a contact: every field may stay empty (a quick attempt from the
    worklist has none). ``links``: the chosen ids of each registered encounter link kind."""

    minutes: int | None = None
    participants: Sequence[uuid.UUID] = ()
    topics: Sequence[str] = ()
    topics_other: str = ""
    interpreter_used: bool = False
    interpreter_language: str = ""
    needs: Sequence[uuid.UUID] = ()
    funding: str = ""
    note: str = ""
    links: Mapping[str, Sequence[str]] = field(default_factory=dict)


NO_FACTS = EncounterFacts()
TOPICS_OTHER_MAX = 200
ENCOUNTER_NOTE_MAX = 4000
# Who counts as the caregiver and the child of a dyadic encounter.
DYAD_CAREGIVERS = frozenset({Person.Relationship.CAREGIVER, Person.Relationship.LEGAL_GUARDIAN})


def _checked_facts(household: Household, facts: EncounterFacts) -> tuple[list[Person], list[IdentifiedNeed]]:
    """The participants and needs the facts name, all of this family; CareError on the first field at fault."""
    if facts.minutes is not None and not 1 <= facts.minutes <= MINUTES_MAX:
        raise CareError("minutes", _("Minutes go from 1 to %(max)d.") % {"max": MINUTES_MAX})
    unknown_topics = [t for t in facts.topics if t not in Topic.values]
    if unknown_topics:
        raise CareError("topics", _("Choose the topics from the list."))
    if len(facts.topics_other) > TOPICS_OTHER_MAX:
        raise CareError("topics_other", _("Keep the other topic under 200 characters."))
    if facts.interpreter_used and facts.interpreter_language not in Language.values:
        raise CareError("interpreter_language", _("Say in which language the interpreter worked."))
    if not facts.interpreter_used and facts.interpreter_language:
        raise CareError("interpreter_language", _("Leave the language empty when no interpreter was used."))
    if facts.funding and facts.funding not in Funding.values:
        raise CareError("funding", _("Choose the funding source from the list."))
    if len(facts.note) > ENCOUNTER_NOTE_MAX:
        raise CareError("note", _("Keep the note under 4,000 characters."))
    wanted_people = {str(p) for p in facts.participants}
    people = list(Person.objects.filter(household=household, pk__in=list(wanted_people)))
    if len(people) != len(wanted_people):
        raise CareError("participants", _("Choose the participants among the family's members."))
    wanted_needs = {str(n) for n in facts.needs}
    needs = list(IdentifiedNeed.objects.filter(household=household, pk__in=list(wanted_needs)))
    if len(needs) != len(wanted_needs):
        raise CareError("needs", _("Choose the needs among the family's needs."))
    known = {kind.key for kind in encounter_link_kinds()}
    for key in facts.links:
        if key not in known:
            raise CareError(key, _("This encounter cannot be linked to that."))
    return people, needs


def is_dyadic(people: Iterable[Person]) -> bool:
    """A caregiver and a child of the family took part together."""
    relationships = {p.relationship for p in people}
    return Person.Relationship.CHILD in relationships and bool(relationships & DYAD_CAREGIVERS)


def contact_record(
    *,
    acting_user: User,
    membership: Membership | None,
    household: Household,
    method: str,
    outcome: str,
    facts: EncounterFacts = NO_FACTS,
) -> Contact:
    """A coordinator records reaching, or trying to reach, the family: how (``Contact.Method``)
    and what came of it (``Contact.Outcome``), with the encounter's facts when there are some. Only
    a contact that reached the family moves it down the worklist and closes its open "contact due"
    task; a failed attempt is kept in its history. The encounter's links (goals, pathways: the
    registered ``encounter_links`` kinds) are saved in the same transaction: a link that fails
    leaves nothing written. Raises CareError naming the field (nothing written), Http404 when the
    user may not write the family's case notes."""
    if method not in Contact.Method.values:
        raise CareError("method", _("Choose how you contacted the family."))
    if outcome not in Contact.Outcome.values:
        raise CareError("outcome", _("Say whether you reached the family, or why not."))
    reached = outcome in CONTACT_REACHED
    if membership is None or not decide(
        user=acting_user,
        membership=membership,
        household=household,
        category=DataCategory.CASE_NOTES,
        purpose=Purpose.CARE_COORDINATION,
        write=True,
    ):
        raise Http404
    people, needs = _checked_facts(household, facts)
    kinds = {kind.key: kind for kind in encounter_link_kinds()}
    with transaction.atomic():
        contact = Contact.objects.create(
            household=household,
            method=method,
            outcome=outcome,
            reached=reached,
            by=acting_user,
            organization=membership.organization,
            minutes=facts.minutes,
            dyadic=is_dyadic(people),
            topics_other=facts.topics_other.strip(),
            interpreter_used=facts.interpreter_used,
            interpreter_language=facts.interpreter_language if facts.interpreter_used else "",
            funding=facts.funding,
            note=facts.note.strip(),
        )
        if people:
            contact.participants.set(people)
        if needs:
            contact.needs.set(needs)
        ContactTopic.objects.bulk_create([ContactTopic(contact=contact, topic=t) for t in dict.fromkeys(facts.topics)])
        for key, ids in facts.links.items():
            if not ids:
                continue
            try:
                kinds[key].save(contact, [str(i) for i in ids], acting_user)
            except ValueError as error:
                raise CareError(key, str(error)) from error
        _audit_write(acting_user, membership, household, DataCategory.CASE_NOTES, f"contact {contact.pk} recorded")
        if reached:
            CareTask.objects.filter(household=household, kind=CareTask.Kind.CONTACT_DUE, done_at__isnull=True).update(
                done_at=contact.at, done_by=acting_user
            )
            if not TierAssignment.objects.filter(household=household).update(
                last_contact_at=contact.at, contact_rank=contact.at
            ):
                household_tier_recompute([household.pk])  # a family enters the worklist with its first tier
    return contact


def care_event_record(
    *, acting_user: User, membership: Membership | None, person: Person, kind: str, day: date
) -> CareEvent:
    """Record a visit, screening or check done for a child (counts in the surveillance)."""
    if kind not in CareEventKind.values:
        raise CareError("kind", "Choose what was done.")
    if day > timezone.localdate():
        raise CareError("date", "The date cannot be in the future.")
    if day < person.date_of_birth:
        raise CareError("date", "The date is before the child's birth.")
    household = person.household
    if membership is None or not decide(
        user=acting_user,
        membership=membership,
        household=household,
        category=DataCategory.CARE_PLAN,
        purpose=Purpose.CARE_COORDINATION,
        person=person,
        write=True,
    ):
        raise Http404
    if person.relationship != Person.Relationship.CHILD:
        raise CareError("person", "Visits and screenings are recorded for a child.")
    with transaction.atomic():
        event = CareEvent.objects.create(
            person=person,
            household=household,
            kind=kind,
            date=day,
            source=CareEvent.Source.RECORDED,
            recorded_by=acting_user,
        )
        _audit_write(acting_user, membership, household, DataCategory.CARE_PLAN, "care event recorded")
        household_tier_recompute([household.pk])
    return event
