"""Operations on agreements, consents, relationships and emergency access.

Each runs in one transaction, checks its input (raising ``ConsentError`` naming the field), and
appends its event to the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from ecwhub.accounts.models import Membership, Organization, Role, User
from ecwhub.core.errors import NotFound
from ecwhub.families.models import Household, Person, SensitiveNote

from .audit import audit_append, audit_line
from .models import (
    Agreement,
    AgreementCategory,
    AgreementPurpose,
    AuditEntry,
    BreakGlass,
    Consent,
    ConsentCategory,
    ConsentPurpose,
    DataCategory,
    Purpose,
    Relationship,
    RelationshipKind,
    YouthRestriction,
)
from .policy import BREAK_GLASS_ROLES, YOUTH_AGE_YEARS, decide
from .policy import SENSITIVE as SENSITIVE_CATEGORIES


class ConsentError(ValueError):
    """Bad input for a consent operation. ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _check_choices(field: str, values: Iterable[str], allowed: Iterable[str]) -> list[str]:
    chosen = sorted(set(values))
    if not chosen:
        raise ConsentError(field, "Choose at least one.")
    unknown = sorted(set(chosen) - set(allowed))
    if unknown:
        raise ConsentError(field, f"Unknown value: {', '.join(unknown)}.")
    return chosen


def _require_hub_admin(membership: Membership | None) -> None:
    if membership is None or membership.role != Role.HUB_ADMIN or not membership.organization.is_hub:
        raise ConsentError("__all__", "Only a hub administrator records or ends agreements.")


@transaction.atomic
def agreement_create(
    *,
    acting_user: User,
    membership: Membership | None,
    title: str,
    parties: Iterable[Organization],
    categories: Iterable[str],
    purposes: Iterable[str],
    effective_from: date,
    effective_until: date | None,
    signed_document: str,
) -> Agreement:
    """Record a data sharing agreement. Raises ConsentError naming the bad field."""
    _require_hub_admin(membership)
    party_list = list({p.pk: p for p in parties}.values())
    if len(party_list) < 2:
        raise ConsentError("parties", "An agreement needs at least two parties.")
    if not title.strip():
        raise ConsentError("title", "Give the agreement a title.")
    if not signed_document.strip():
        raise ConsentError("signed_document", "Say where the signed copy is kept.")
    if effective_until is not None and effective_until < effective_from:
        raise ConsentError("effective_until", "The end date is before the start date.")
    chosen_categories = _check_choices("categories", categories, DataCategory.values)
    chosen_purposes = _check_choices("purposes", purposes, Purpose.values)
    agreement = Agreement.objects.create(
        title=title.strip(),
        effective_from=effective_from,
        effective_until=effective_until,
        signed_document=signed_document.strip(),
        created_by=acting_user,
    )
    agreement.parties.set(party_list)
    AgreementCategory.objects.bulk_create(AgreementCategory(agreement=agreement, category=c) for c in chosen_categories)
    AgreementPurpose.objects.bulk_create(AgreementPurpose(agreement=agreement, purpose=p) for p in chosen_purposes)
    audit_append(
        [audit_line(acting_user, membership, AuditEntry.Action.AGREEMENT_CREATED, detail=f"agreement {agreement.pk}")]
    )
    return agreement


@transaction.atomic
def agreement_terminate(
    *, acting_user: User, membership: Membership | None, agreement: Agreement, reason: str
) -> Agreement:
    """End an agreement now. The access it gave stops with this transaction."""
    _require_hub_admin(membership)
    if not reason.strip():
        raise ConsentError("reason", "Say why the agreement ends.")
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.terminated_at is not None:
        raise ConsentError("__all__", "This agreement has already been terminated.")
    agreement.terminated_at = timezone.now()
    agreement.terminated_by = acting_user
    agreement.termination_reason = reason.strip()
    agreement.save(update_fields=["terminated_at", "terminated_by", "termination_reason"])
    audit_append(
        [
            audit_line(
                acting_user, membership, AuditEntry.Action.AGREEMENT_TERMINATED, detail=f"agreement {agreement.pk}"
            )
        ]
    )
    return agreement


@transaction.atomic
def consent_record(
    *,
    acting_user: User,
    membership: Membership,
    household: Household,
    given_by: Person,
    method: str,
    categories: Iterable[str],
    purposes: Iterable[str],
    network_wide: bool,
    organizations: Iterable[Organization] = (),
    person: Person | None = None,
    text_version: str,
    language: str,
    witness: str = "",
    document: str = "",
    given_at: datetime | None = None,
    expires_at: datetime | None = None,
) -> Consent:
    """Record a family's consent. Raises ConsentError naming the bad field; writes nothing then."""
    if given_by.household_id != household.pk:
        raise ConsentError("given_by", "The person giving consent must belong to this family.")
    if person is not None and person.household_id != household.pk:
        raise ConsentError("person", "That person is not in this family.")
    self_consent = person is not None and given_by.pk == person.pk
    is_guardian = given_by.relationship in (Person.Relationship.CAREGIVER, Person.Relationship.LEGAL_GUARDIAN)
    if not is_guardian and not (self_consent and given_by.age_in_months() >= YOUTH_AGE_YEARS * 12):
        raise ConsentError(
            "given_by",
            "Consent is given by a caregiver or legal guardian, or by a young person 12 or older for themself.",
        )
    if method not in Consent.Method.values:
        raise ConsentError("method", "Choose how consent was given.")
    if method == Consent.Method.VERBAL_WITNESSED and not witness.strip():
        raise ConsentError("witness", "Verbal consent needs the name of a witness.")
    if method == Consent.Method.PAPER_SCANNED and not document.strip():
        raise ConsentError("document", "Say where the scanned paper form is kept.")
    chosen_categories = _check_choices("categories", categories, DataCategory.values)
    chosen_purposes = _check_choices("purposes", purposes, Purpose.values)
    organization_list = list(organizations)
    if not network_wide and not organization_list:
        raise ConsentError("organizations", "Choose the whole network or at least one organization.")
    if not text_version.strip():
        raise ConsentError("text_version", "Record which version of the consent text was used.")
    if language not in dict(settings.LANGUAGES) and len(language) > 8:
        raise ConsentError("language", "Unknown language.")
    given_at = given_at or timezone.now()
    expires_at = expires_at or given_at + timedelta(days=365)
    if expires_at <= given_at:
        raise ConsentError("expires_at", "The consent must expire after it is given.")
    consent = Consent.objects.create(
        household=household,
        person=person,
        network_wide=network_wide,
        method=method,
        text_version=text_version.strip(),
        language=language,
        given_by=given_by,
        witness=witness.strip(),
        document=document.strip(),
        recorded_by=acting_user,
        recorded_in=membership.organization,
        given_at=given_at,
        expires_at=expires_at,
    )
    if not network_wide:
        consent.organizations.set(organization_list)
    ConsentCategory.objects.bulk_create(ConsentCategory(consent=consent, category=c) for c in chosen_categories)
    ConsentPurpose.objects.bulk_create(ConsentPurpose(consent=consent, purpose=p) for p in chosen_purposes)
    audit_append(
        [
            audit_line(
                acting_user,
                membership,
                AuditEntry.Action.CONSENT_GIVEN,
                household_id=household.pk,
                person_id=person.pk if person else None,
                categories=chosen_categories,
                detail=f"consent {consent.pk}",
            )
        ]
    )
    return consent


@transaction.atomic
def consent_withdraw(*, acting_user: User, membership: Membership, consent: Consent, reason: str = "") -> Consent:
    """Withdraw a consent now; access it gave ends with this transaction. The consent is kept."""
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_at is not None:
        raise ConsentError("__all__", "This consent was already withdrawn.")
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by = acting_user
    consent.withdrawal_reason = reason.strip()
    consent.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    audit_append(
        [
            audit_line(
                acting_user,
                membership,
                AuditEntry.Action.CONSENT_WITHDRAWN,
                household_id=consent.household_id,
                person_id=consent.person_id,
                detail=f"consent {consent.pk}",
            )
        ]
    )
    return consent


@transaction.atomic
def relationship_start(
    *,
    acting_user: User | None,
    membership: Membership | None = None,
    household: Household,
    kind: str,
    user: User | None = None,
    organization: Organization | None = None,
) -> Relationship:
    """The one way other parts of the hub tell the policy that someone works with a family.

    A relationship grants access, so starting one is an event: the row records who started it,
    and the audit log (which the family reads as its disclosure report) records it too.
    ``acting_user`` is None only for the hub itself (a batch job). Starting a relationship that is
    already active returns it unchanged, with no second event."""
    if kind not in RelationshipKind.values:
        raise ConsentError("kind", f"Unknown relationship {kind!r}.")
    if user is None and organization is None:
        raise ConsentError("user", "A relationship needs a person or an organization.")
    existing = (
        Relationship.objects.select_for_update()
        .filter(household=household, kind=kind, user=user, organization=organization, ended_at__isnull=True)
        # One that starts later does not give access now: a new one starts.
        .filter(started_at__lte=timezone.now())
        .first()
    )
    if existing is not None:
        return existing
    relationship = Relationship.objects.create(
        household=household, kind=kind, user=user, organization=organization, started_by=acting_user
    )
    audit_append(
        [
            audit_line(
                acting_user,
                membership,
                AuditEntry.Action.RELATIONSHIP_STARTED,
                household_id=household.pk,
                detail=f"{kind} {relationship.pk}",
            )
        ]
    )
    return relationship


@transaction.atomic
def relationship_end(
    *,
    acting_user: User | None,
    membership: Membership | None = None,
    household: Household,
    kind: str,
    user: User | None = None,
    organization: Organization | None = None,
    reason: str = "",
) -> int:
    """End the active relationships of this kind between the family and ``user`` or
    ``organization``; the access they gave ends with this transaction. Returns how many ended;
    each is an event (the row keeps who and why; the audit log records it)."""
    ended = list(
        Relationship.objects.select_for_update().filter(
            household=household, kind=kind, user=user, organization=organization, ended_at__isnull=True
        )
    )
    now = timezone.now()
    for relationship in ended:
        relationship.ended_at, relationship.ended_by = now, acting_user
        relationship.end_reason = reason.strip()[:200]
        relationship.save(update_fields=["ended_at", "ended_by", "end_reason"])
    audit_append(
        audit_line(
            acting_user,
            membership,
            AuditEntry.Action.RELATIONSHIP_ENDED,
            household_id=household.pk,
            detail=f"{kind} {relationship.pk}",
        )
        for relationship in ended
    )
    return len(ended)


BREAK_GLASS_DURATION = timedelta(hours=4)
REVIEW_NOTE_MAX = 2000


@transaction.atomic
def break_glass_open(*, acting_user: User, membership: Membership, household: Household, reason: str) -> BreakGlass:
    """Open one family's record in an emergency, for four hours, with a written reason.
    The hub administrators see it in their review list; the family sees it in its disclosure report."""
    if membership.role not in BREAK_GLASS_ROLES:
        raise ConsentError("__all__", "Only care coordinators and clinicians can use emergency access.")
    if len(reason.strip()) < 20:
        raise ConsentError("reason", "Describe the emergency in at least 20 characters.")
    # Only the key of the grant is needed: nothing of the family is read before the access exists.
    if not Household.objects.filter(pk=household.pk).exists():
        raise NotFound
    now = timezone.now()
    grant = BreakGlass.objects.create(
        user=acting_user,
        organization=membership.organization,
        household=household,
        reason=reason.strip(),
        started_at=now,
        expires_at=now + BREAK_GLASS_DURATION,
    )
    audit_append(
        [
            audit_line(
                acting_user,
                membership,
                AuditEntry.Action.BREAK_GLASS,
                household_id=household.pk,
                detail=f"break-glass {grant.pk}",
            )
        ]
    )
    return grant


def break_glass_mark_reviewed(*, acting_user: User, grant: BreakGlass, note: str = "") -> bool:
    """Record that a hub administrator reviewed an emergency access, with their note. The first
    review stands: the conditional update (``WHERE reviewed_at IS NULL``) makes two administrators
    reviewing at once record only one of them; the other's update finds no row to change.
    Returns whether this call recorded the review."""
    if len(note) > REVIEW_NOTE_MAX:
        raise ConsentError("note", gettext_noop("Keep the note under 2,000 characters."))
    return (
        BreakGlass.objects.filter(pk=grant.pk, reviewed_at__isnull=True).update(
            reviewed_by=acting_user, reviewed_at=timezone.now(), review_note=note.strip()
        )
        == 1
    )


@transaction.atomic
def break_glass_end(*, acting_user: User, membership: Membership | None, grant: BreakGlass, note: str) -> bool:
    """A hub administrator ends an emergency access before it expires, saying why; it is reviewed
    at the same time. The family's disclosure report shows the early end. Returns whether this
    call ended it (False when it had already expired or been ended)."""
    _require_hub_admin(membership)
    now = timezone.now()
    if not BreakGlass.objects.active(now).filter(pk=grant.pk).exists():
        return False
    if len(note.strip()) < 10:
        raise ConsentError("note", gettext_noop("Say in a few words why the access ends now (at least 10 characters)."))
    if len(note) > REVIEW_NOTE_MAX:
        raise ConsentError("note", gettext_noop("Keep the note under 2,000 characters."))
    ended = BreakGlass.objects.active(now).filter(pk=grant.pk).update(revoked_at=now, revoked_by=acting_user) == 1
    if not ended:
        return False
    BreakGlass.objects.filter(pk=grant.pk, reviewed_at__isnull=True).update(
        reviewed_by=acting_user, reviewed_at=now, review_note=note.strip()
    )
    audit_append(
        [
            audit_line(
                acting_user,
                membership,
                AuditEntry.Action.BREAK_GLASS_ENDED,
                household_id=grant.household_id,
                detail=f"break-glass {grant.pk} ended",
            )
        ]
    )
    return True


@transaction.atomic
def youth_restriction_set(
    *, acting_user: User, membership: Membership, youth: Person, hidden_from: Person
) -> YouthRestriction:
    """A young person (12+) keeps their own information from a member of their family."""
    if youth.age_in_months() < YOUTH_AGE_YEARS * 12:
        raise ConsentError("youth", "Only young people 12 or older decide this for themselves.")
    if youth.household_id != hidden_from.household_id or youth.pk == hidden_from.pk:
        raise ConsentError("hidden_from", "Choose another member of the same family.")
    restriction, _ = YouthRestriction.objects.get_or_create(youth=youth, hidden_from=hidden_from, lifted_at=None)
    audit_append(
        [
            audit_line(
                acting_user,
                membership,
                AuditEntry.Action.WRITE,
                household_id=youth.household_id,
                person_id=youth.pk,
                detail="youth restriction set",
            )
        ]
    )
    return restriction


@transaction.atomic
def sensitive_note_record(
    *,
    acting_user: User,
    membership: Membership,
    household: Household,
    category: str,
    text: str,
    person: Person | None = None,
) -> SensitiveNote:
    """Record information in a sensitive category, encrypted at rest. The user must be allowed to
    change that category of this family's data (so the family's consent must name it)."""
    if category not in SENSITIVE_CATEGORIES:
        raise ConsentError("category", "Choose one of the sensitive categories.")
    if not text.strip():
        raise ConsentError("text", "Write the note.")
    if person is not None and person.household_id != household.pk:
        raise ConsentError("person", "That person is not in this family.")
    allowed = decide(
        user=acting_user,
        membership=membership,
        household=household,
        category=category,
        purpose=Purpose.CARE_COORDINATION,
        person=person,
        write=True,
    )
    if not allowed:
        raise ConsentError("category", "The family's consent or your role does not cover this category.")
    note = SensitiveNote.objects.create(
        household=household,
        person=person,
        category=category,
        text=text.strip(),
        recorded_by=acting_user,
        recorded_in=membership.organization,
    )
    audit_append(
        [
            audit_line(
                acting_user,
                membership,
                AuditEntry.Action.WRITE,
                household_id=household.pk,
                person_id=person.pk if person else None,
                categories=[category],
                purpose=Purpose.CARE_COORDINATION,
                detail="sensitive note",
            )
        ]
    )
    return note
