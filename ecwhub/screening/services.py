"""Writes: starting a screen, answering, completing it (scoring, findings, needs, alerts), and the
family's say on its needs. Each function is one transaction and checks permission itself.

Who may write is the access policy's answer (``decide(write=True)``) for the row's category and
the person it is about: a staff member whose role, relationship, agreement and the family's consent
allow it; a family member about themselves and, as a parent or guardian, the family's children
(never another adult, never a young person who keeps their information private), and only in
self-administered screens. Anything else is ``ScreeningError("household")``, which views turn into
a 404.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ecwhub.accounts.models import Membership, Role, User
from ecwhub.consent.audit import audit_write
from ecwhub.consent.models import DataCategory, Purpose, Relationship, RelationshipKind
from ecwhub.consent.policy import Decision, decide
from ecwhub.core.models import Channel
from ecwhub.core.outbox import notify
from ecwhub.families.models import Household, Person

from . import scoring
from .catalog import answer_category, instrument_category, need_category, rule_category
from .models import (
    Finding,
    IdentifiedNeed,
    NeedStatusChange,
    ScreeningAlert,
    ScreeningAnswer,
    ScreeningResponse,
    ScreeningResult,
)
from .protocols import PROTOCOL_FOR_KIND
from .scoring import DECLINED, Declined, Instrument, InstrumentError

AnswerInput = Sequence[str] | Declined


class ScreeningError(Exception):
    """A request that cannot be carried out; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


def _is_family(membership: Membership | None) -> bool:
    return membership is not None and membership.role == Role.FAMILY_MEMBER


def write_decision(
    *, user: User, membership: Membership | None, household: Household, category: str, person: Person | None = None
) -> Decision:
    """The policy's answer, with its reason, to "may this user record ``category`` about ``person``"."""
    return decide(
        user=user,
        membership=membership,
        household=household,
        category=category,
        purpose=Purpose.CARE_COORDINATION,
        person=person,
        write=True,
    )


def may_write(
    *, user: User, membership: Membership | None, household: Household, category: str, person: Person | None = None
) -> bool:
    """May this user record screening data of ``category`` about ``person`` (or the family)?"""
    return bool(write_decision(user=user, membership=membership, household=household, category=category, person=person))


def _instrument(response: ScreeningResponse) -> Instrument:
    instrument = scoring.load_instrument(response.instrument)
    if instrument.version != response.instrument_version:
        # Answers are meaningful only against the version they were given to.
        raise ScreeningError(
            "instrument",
            _("This screen was started with version %(old)s of the questionnaire; the hub now has %(new)s.")
            % {"old": response.instrument_version, "new": instrument.version},
        )
    return instrument


def answers_of(response: ScreeningResponse) -> dict[str, scoring.Answer]:
    """The stored answers as ``scoring.score`` takes them."""
    instrument = scoring.load_instrument(response.instrument)
    grouped: dict[str, list[ScreeningAnswer]] = {}
    for row in response.answers.all():
        grouped.setdefault(row.link_id, []).append(row)
    result: dict[str, scoring.Answer] = {}
    for link_id, rows in grouped.items():
        if any(r.declined for r in rows):
            result[link_id] = DECLINED
            continue
        codes = [r.answer_code for r in rows]
        try:
            repeats = instrument.item(link_id).repeats
        except KeyError:
            continue
        result[link_id] = tuple(codes) if repeats else codes[0]
    return result


def screening_start(
    *,
    acting_user: User,
    membership: Membership | None,
    household: Household,
    person: Person,
    instrument_id: str,
    language: str,
    mode: str | None = None,
    respondent: Person | None = None,
) -> ScreeningResponse:
    """Start a screen of ``person`` with the current version of the instrument. A family member
    always self-administers; staff take it with the family unless ``mode`` says self."""
    if person.household_id != household.pk:
        raise ScreeningError("person", _("This person is not a member of this family."))
    try:
        instrument = scoring.load_instrument(instrument_id)
    except InstrumentError:
        raise ScreeningError("instrument", _("Choose one of the hub's instruments.")) from None
    if language not in scoring.LANGUAGES:
        raise ScreeningError("language", _("Choose English or Spanish."))
    category = instrument_category(instrument)
    if not may_write(user=acting_user, membership=membership, household=household, category=category, person=person):
        raise ScreeningError("household", _("No such family."))
    if _is_family(membership):
        mode = ScreeningResponse.Mode.SELF
        respondent = getattr(acting_user, "person", None)
    mode = mode or ScreeningResponse.Mode.WITH_COORDINATOR
    if mode not in ScreeningResponse.Mode.values:
        raise ScreeningError("mode", _("Choose self-administered or with a coordinator."))
    if respondent is not None and respondent.household_id != household.pk:
        raise ScreeningError("respondent", _("The respondent must be a member of this family."))
    response = ScreeningResponse.objects.create(
        household=household,
        person=person,
        respondent=respondent,
        instrument=instrument.id,
        instrument_version=instrument.version,
        language=language,
        mode=mode,
        category=category,
        taken_by=acting_user,
        organization_id=membership.organization_id if membership else None,
    )
    audit_write(
        user=acting_user,
        membership=membership,
        household_id=household.pk,
        person_id=person.pk,
        categories=[category],
        detail=f"screen {response.pk} started ({instrument.id})",
    )
    return response


def _locked(response: ScreeningResponse, acting_user: User, membership: Membership | None) -> ScreeningResponse:
    locked = ScreeningResponse.objects.select_for_update().select_related("household").get(pk=response.pk)
    if not may_write(
        user=acting_user,
        membership=membership,
        household=locked.household,
        category=locked.category,
        person=locked.person,
    ):
        raise ScreeningError("household", _("No such family."))
    if _is_family(membership) and locked.mode != ScreeningResponse.Mode.SELF:
        raise ScreeningError("household", _("No such family."))
    if locked.status != ScreeningResponse.Status.IN_PROGRESS:
        raise ScreeningError("status", _("This screen is already completed."))
    return locked


def screening_answer(
    *,
    acting_user: User,
    membership: Membership | None,
    response: ScreeningResponse,
    link_id: str,
    answer: AnswerInput,
) -> list[ScreeningAlert]:
    """Record (or replace) the answer to one item: option codes, or ``DECLINED`` for "prefer not
    to answer", which is stored as declined and never read as a "no". Progress is saved at once,
    so a partial screen can be resumed. A positive self-harm or safety answer raises its alert
    now, not at completion. Returns the alerts raised by this answer."""
    with transaction.atomic():
        response = _locked(response, acting_user, membership)
        instrument = _instrument(response)
        try:
            item = instrument.item(link_id)
        except KeyError:
            raise ScreeningError("link_id", _("This question is not part of the screen.")) from None
        value: scoring.Answer
        if answer is DECLINED:
            value = DECLINED
        else:
            codes = [str(c) for c in answer]  # type: ignore[union-attr]
            if not codes:
                raise ScreeningError("answer", _("Choose an answer, or “Prefer not to answer”."))
            value = tuple(codes) if item.repeats else (codes[0] if len(codes) == 1 else tuple(codes))
        try:
            scoring._check_answers(instrument, {link_id: value})
        except scoring.AnswerError as exc:
            # The scoring module says exactly what is wrong, in terms of codes; the person gets a sentence.
            raise ScreeningError("answer", _("Choose one of the answers offered for this question.")) from exc
        answers = answers_of(response)
        answers[link_id] = value
        if link_id not in scoring.enabled_items(instrument, answers):
            raise ScreeningError("link_id", _("This question is not asked, given the earlier answers."))
        response.answers.filter(link_id=link_id).delete()
        rows = ScreeningAnswer.objects.bulk_create(answer_rows(instrument, response, link_id, value))
        alerts = _raise_alerts(response, scoring.score(instrument, answers).urgent)
        audit_write(
            user=acting_user,
            membership=membership,
            household_id=response.household_id,
            person_id=response.person_id,
            categories=sorted({r.category for r in rows} | {a.category for a in alerts}),
            detail=f"screen {response.pk} answered {link_id}",
        )
        return alerts


def answer_rows(
    instrument: Instrument, response: ScreeningResponse, link_id: str, value: scoring.Answer, at: datetime | None = None
) -> list[ScreeningAnswer]:
    item = instrument.item(link_id)
    common = {
        "response": response,
        "link_id": link_id,
        "question_system": item.code.system,
        "question_code": item.code.code,
        "category": answer_category(instrument, link_id),
        "answered_at": at or timezone.now(),
    }
    if value is DECLINED:
        return [ScreeningAnswer(declined=True, **common)]
    codes = (value,) if isinstance(value, str) else tuple(value)
    rows = []
    for code in codes:
        option = item.option(code)
        rows.append(
            ScreeningAnswer(
                answer_system=option.system if option else "",
                answer_code=code,
                value=option.score if option else None,
                declined=bool(option and option.declines),
                **common,
            )
        )
    return rows


def screening_complete(
    *, acting_user: User, membership: Membership | None, response: ScreeningResponse
) -> scoring.ScoreResult:
    """Score the screen and write, all or nothing: one result row per rule (totals such as the
    EPDS score), the findings with their evidence, the identified needs (a need the family already
    has for this person gains the new evidence instead of a duplicate), and any alert not yet raised. Every asked
    item must be answered or declined; raises ScreeningError naming the unanswered ones."""
    with transaction.atomic():
        response = _locked(response, acting_user, membership)
        instrument = _instrument(response)
        answers = answers_of(response)
        enabled = scoring.enabled_items(instrument, answers)
        missing = [link_id for link_id in enabled if link_id not in answers]
        if missing:
            raise ScreeningError("answers", _("Not answered yet: %(questions)s.") % {"questions": ", ".join(missing)})
        # Answers to questions that later answers skipped are not part of the screen (FHIR enableWhen).
        response.answers.exclude(link_id__in=enabled).delete()
        result = scoring.score(instrument, answers)
        now = timezone.now()
        _write_results(instrument, response, result, now, acting_user)
        _raise_alerts(response, result.urgent)
        response.status = ScreeningResponse.Status.COMPLETED
        response.completed_at = now
        response.save(update_fields=["status", "completed_at"])
        audit_write(
            user=acting_user,
            membership=membership,
            household_id=response.household_id,
            person_id=response.person_id,
            categories=sorted(
                set(response.results.values_list("category", flat=True))
                | set(response.findings.values_list("category", flat=True))
                | {response.category}
            ),
            detail=f"screen {response.pk} completed",
        )
        return result


def result_rows(
    instrument: Instrument, response: ScreeningResponse, result: scoring.ScoreResult, at: datetime
) -> tuple[list[ScreeningResult], list[Finding]]:
    """The coded results and findings of a scored response, as unsaved rows (the demo writes them in bulk too)."""
    results = [
        ScreeningResult(
            response=response,
            household_id=response.household_id,
            person_id=response.person_id,
            rule=fact.rule,
            code_system=fact.code.system if fact.code else "",
            code=fact.code.code if fact.code else "",
            status=fact.status,
            total=fact.total,
            value_system=fact.value.system if fact.value else "",
            value_code=fact.value.code if fact.value else "",
            category=rule_category(instrument, fact.rule),
            observed_at=at,
        )
        for fact in result.facts.values()
    ]
    findings = [
        Finding(
            response=response,
            household_id=response.household_id,
            person_id=response.person_id,
            rule=finding.rule,
            system=finding.system,
            code=finding.code,
            display=finding.display,
            also=[{"system": c.system, "code": c.code, "display": c.display} for c in finding.also],
            evidence=evidence_json(response.instrument, finding.evidence),
            score=result.totals.get(finding.rule),
            category=rule_category(instrument, finding.rule),
            found_at=at,
        )
        for finding in result.findings
    ]
    return results, findings


def _write_results(
    instrument: Instrument, response: ScreeningResponse, result: scoring.ScoreResult, now: datetime, acting_user: User
) -> None:
    results, findings = result_rows(instrument, response, result, now)
    ScreeningResult.objects.bulk_create(results)
    Finding.objects.bulk_create(findings)
    for identified in result.needs:
        evidence = evidence_json(response.instrument, identified.evidence)
        need = (
            IdentifiedNeed.objects.select_for_update()
            .filter(household_id=response.household_id, person_id=response.person_id, need=identified.need.value)
            .exclude(status=IdentifiedNeed.Status.ADDRESSED)
            .first()
        )
        if need is None:
            need = IdentifiedNeed.objects.create(
                household_id=response.household_id,
                person_id=response.person_id,
                need=identified.need.value,
                category=need_category(identified.need.value),
                source_response=response,
                evidence=evidence,
                identified_at=now,
                updated_at=now,
            )
            from_status = ""
        else:
            need.evidence = need.evidence + [e for e in evidence if e not in need.evidence]
            need.source_response = response
            need.updated_at = now
            need.save(update_fields=["evidence", "source_response", "updated_at"])
            from_status = need.status
        NeedStatusChange.objects.create(
            need=need,
            from_status=from_status,
            to_status=need.status,
            priority=need.priority,
            changed_by=acting_user,
            changed_at=now,
            source_response=response,
        )


def evidence_json(instrument_id: str, evidence: Sequence[scoring.Evidence]) -> list[dict[str, object]]:
    return [
        {
            "instrument": instrument_id,
            "link_id": e.link_id,
            "answer": e.answer if isinstance(e.answer, str) else list(e.answer),
        }
        for e in evidence
    ]


# Alerts -----------------------------------------------------------------------------------------


def alert_recipients(household: Household) -> list[User]:
    """The family's designated coordinators; when it has none, the coordinators of the
    organization that registered it."""
    now = timezone.now()
    ids = Relationship.objects.filter(
        household=household,
        kind=RelationshipKind.DESIGNATED_COORDINATOR,
        user__isnull=False,
        ended_at__isnull=True,
        started_at__lte=now,
    ).values_list("user_id", flat=True)
    users = list(User.objects.filter(pk__in=ids, is_active=True))
    if not users and household.registered_by_id:
        users = list(
            User.objects.filter(
                is_active=True,
                memberships__organization_id=household.registered_by_id,
                memberships__role=Role.COORDINATOR,
                memberships__is_active=True,
            ).distinct()
        )
    return users


def _raise_alerts(response: ScreeningResponse, flags: Sequence[scoring.UrgentFlag]) -> list[ScreeningAlert]:
    raised = []
    for kind in dict.fromkeys(flag.kind for flag in flags):
        alert, created = ScreeningAlert.objects.get_or_create(
            response=response,
            kind=kind,
            defaults={
                "household_id": response.household_id,
                "protocol": PROTOCOL_FOR_KIND[kind],
                "category": DataCategory.INTERPERSONAL_SAFETY
                if kind == "interpersonal-safety"
                else DataCategory.BEHAVIORAL_HEALTH,
            },
        )
        if created:
            raised.append(alert)
            _notify(alert)
    return raised


def _notify(alert: ScreeningAlert) -> None:
    """An e-mail that says only that a screen needs attention, with a link of ids: no name, no
    answer, not even the kind of alert (a mailbox is not covered by the family's consent).
    Queued in the alert's own transaction: the alert and its e-mails commit together."""
    household = Household.objects.get(pk=alert.household_id)
    # SITE_URL (the public address) when the deployment sets it; otherwise the path alone.
    link = str(getattr(settings, "SITE_URL", "")).rstrip("/") + reverse(
        "screening:alert", args=[alert.household_id, alert.pk]
    )
    for user in alert_recipients(household):
        if user.email:
            notify(
                channel=Channel.EMAIL,
                recipient=user.email,
                subject="ECW Hub: a screening needs your attention",
                body=(
                    "A screening in ECW Hub needs your attention today.\n\n"
                    f"Open it here (sign-in required): {link}\n\n"
                    "Follow the protocol shown on that page.\n"
                ),
                language="en",  # the alert text is not translated yet
                key=f"screening-alert:{alert.pk}:user:{user.pk}",
            )


def alert_acknowledge(*, acting_user: User, membership: Membership | None, alert: ScreeningAlert) -> ScreeningAlert:
    """A coordinator confirms they have followed up. Only staff who may see the alert's household."""
    with transaction.atomic():
        alert = ScreeningAlert.objects.select_for_update().select_related("response__person").get(pk=alert.pk)
        household = Household.objects.get(pk=alert.household_id)
        if _is_family(membership) or not may_write(
            user=acting_user,
            membership=membership,
            household=household,
            category=alert.category,
            person=alert.response.person,
        ):
            raise ScreeningError("household", _("No such family."))
        if alert.acknowledged_at is None:
            alert.acknowledged_by = acting_user
            alert.acknowledged_at = timezone.now()
            alert.save(update_fields=["acknowledged_by", "acknowledged_at"])
            audit_write(
                user=acting_user,
                membership=membership,
                household_id=household.pk,
                person_id=alert.response.person_id,
                categories=[alert.category],
                detail=f"alert {alert.pk} followed up",
            )
        return alert


# The family's say on its needs -----------------------------------------------------------------


def need_set_status(
    *, acting_user: User, membership: Membership | None, need: IdentifiedNeed, status: str
) -> IdentifiedNeed:
    """Record what the family says about a need (wants help, declines help) or that it was
    addressed. Every change leaves a NeedStatusChange row. Declining or closing a need takes it
    out of the family's priorities."""
    if status not in IdentifiedNeed.Status.values:
        raise ScreeningError("status", _("Choose identified, wants help, declined help or addressed."))
    with transaction.atomic():
        need = IdentifiedNeed.objects.select_for_update().select_related("household").get(pk=need.pk)
        if not may_write(
            user=acting_user,
            membership=membership,
            household=need.household,
            category=need.category,
            person=need.person,
        ):
            raise ScreeningError("household", _("No such family."))
        if need.status == status:
            return need
        if need.status == IdentifiedNeed.Status.ADDRESSED:
            raise ScreeningError("status", _("This need was addressed; a new screen records it again if it returns."))
        previous = need.status
        need.status = status
        if status != IdentifiedNeed.Status.WANTS_HELP:
            need.priority = None
        need.updated_at = timezone.now()
        need.save(update_fields=["status", "priority", "updated_at"])
        NeedStatusChange.objects.create(
            need=need, from_status=previous, to_status=status, priority=need.priority, changed_by=acting_user
        )
        audit_write(
            user=acting_user,
            membership=membership,
            household_id=need.household_id,
            person_id=need.person_id,
            categories=[need.category],
            detail=f"need {need.pk} {previous} → {status}",
        )
        return need


def needs_prioritise(
    *, acting_user: User, membership: Membership | None, household: Household, ordered: Sequence[str]
) -> list[IdentifiedNeed]:
    """The family's order: the needs listed (ids), first = help wanted first. Listed needs become
    "wants help"; open needs left out lose their rank. A declined or addressed need cannot be
    ranked (the family said no, or it is done)."""
    with transaction.atomic():
        open_needs = {
            str(n.pk): n
            for n in IdentifiedNeed.objects.select_for_update()
            .filter(household=household)
            .exclude(status=IdentifiedNeed.Status.ADDRESSED)
        }
        if len(set(ordered)) != len(ordered):
            raise ScreeningError("ordered", _("A need is listed twice."))
        for need_id in ordered:
            need = open_needs.get(str(need_id))
            if need is None:
                raise ScreeningError("ordered", _("One of the needs is not an open need of this family."))
            if need.status == IdentifiedNeed.Status.DECLINED_HELP:
                raise ScreeningError("ordered", _("The family declined help with one of these needs."))
        for need in open_needs.values():
            if not may_write(
                user=acting_user, membership=membership, household=household, category=need.category, person=need.person
            ):
                if str(need.pk) in ordered:
                    raise ScreeningError("ordered", _("One of the needs is not an open need of this family."))
                continue
        rank = {str(need_id): i for i, need_id in enumerate(ordered, start=1)}
        now = timezone.now()
        changed = []
        for need_id, need in open_needs.items():
            if not may_write(
                user=acting_user, membership=membership, household=household, category=need.category, person=need.person
            ):
                continue
            priority = rank.get(need_id)
            status = IdentifiedNeed.Status.WANTS_HELP if priority else need.status
            if priority == need.priority and status == need.status:
                continue
            previous = need.status
            need.priority, need.status, need.updated_at = priority, status, now
            need.save(update_fields=["priority", "status", "updated_at"])
            NeedStatusChange.objects.create(
                need=need, from_status=previous, to_status=status, priority=priority, changed_by=acting_user
            )
            changed.append(need)
        if changed:
            audit_write(
                user=acting_user,
                membership=membership,
                household_id=household.pk,
                categories=sorted({n.category for n in changed}),
                detail=f"priorities of {len(changed)} needs",
            )
        return sorted(changed, key=lambda n: (n.priority is None, n.priority or 0))


def needs_mark_addressed(*, need_ids: Sequence[object], changed_by: User) -> list[IdentifiedNeed]:
    """Close needs that another part of the hub saw met (a referral completed with the need
    resolved), each with its NeedStatusChange; the caller decided, under its own rules, that the
    user may record it. Needs already addressed are left as they are. Runs in the caller's
    transaction (the status changes recompute the family's tier)."""
    closed = []
    with transaction.atomic():
        for need in IdentifiedNeed.objects.select_for_update().filter(pk__in=list(need_ids)):
            if need.status == IdentifiedNeed.Status.ADDRESSED:
                continue
            previous = need.status
            need.status, need.priority, need.updated_at = IdentifiedNeed.Status.ADDRESSED, None, timezone.now()
            need.save(update_fields=["status", "priority", "updated_at"])
            NeedStatusChange.objects.create(
                need=need, from_status=previous, to_status=need.status, priority=None, changed_by=changed_by
            )
            closed.append(need)
    return closed
