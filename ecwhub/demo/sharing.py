"""Agreements, relationships, consents and family sign-ins for the demo network.

Written as rows in bulk (the services write one at a time), with the same rules: consents are
given by a caregiver or guardian, sensitive categories only when named, every state change
in the audit log.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta

from ecwhub.accounts.models import Organization, OrganizationKind, Role, User
from ecwhub.consent.audit import AuditLine, audit_append
from ecwhub.consent.models import (
    DEFAULT_CONSENT_CATEGORIES,
    Agreement,
    AgreementCategory,
    AgreementPurpose,
    AuditEntry,
    Consent,
    ConsentCategory,
    ConsentPurpose,
    DataCategory,
    Purpose,
    Relationship,
    RelationshipKind,
)
from ecwhub.families.models import Household, Person, SensitiveNote

from .clock import reference_time

CONSENT_TEXT_VERSION = "2026-1"
CARE = (Purpose.CARE_COORDINATION, Purpose.REFERRAL)
NON_SENSITIVE = tuple(DEFAULT_CONSENT_CATEGORIES)


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _agreement(
    rng: random.Random,
    *,
    title: str,
    parties: list[Organization],
    categories: tuple[str, ...],
    purposes: tuple[str, ...],
    start: date,
    until: date | None,
    admin: User,
    terminated: bool = False,
) -> tuple[Agreement, list[AgreementCategory], list[AgreementPurpose]]:
    agreement = Agreement(
        id=_uuid(rng),
        title=title,
        effective_from=start,
        effective_until=until,
        signed_document=f"Shared drive / Agreements / {title}.pdf",
        created_by=admin,
        created_at=reference_time(start),
    )
    if terminated:
        agreement.terminated_at = reference_time(start + timedelta(days=120))
        agreement.terminated_by = admin
        agreement.termination_reason = "The program closed."
    agreement._parties = parties  # type: ignore[attr-defined]
    return (
        agreement,
        [AgreementCategory(agreement=agreement, category=c) for c in categories],
        [AgreementPurpose(agreement=agreement, purpose=p) for p in purposes],
    )


def seed_sharing(*, seed: int, today: date, organizations: dict[str, Organization]) -> dict[str, int]:
    """Create the network's agreements, and each family's registering relationship and consent."""
    rng = random.Random(f"{seed}:sharing")
    hub = next(o for o in organizations.values() if o.kind == OrganizationKind.HUB)
    members = [o for o in organizations.values() if o.kind != OrganizationKind.HUB]
    admin = User.objects.filter(memberships__role=Role.HUB_ADMIN).order_by("email").first()
    assert admin is not None, "accounts are seeded before sharing"
    by_kind: dict[str, list[Organization]] = {}
    for organization in members:
        by_kind.setdefault(organization.kind, []).append(organization)

    year_start = today - timedelta(days=300)
    specs = [
        _agreement(
            rng,
            title="Network data sharing agreement 2026",
            parties=[hub, *members],
            categories=NON_SENSITIVE,
            purposes=CARE,
            start=year_start,
            until=today + timedelta(days=65),
            admin=admin,
        ),
        _agreement(
            rng,
            title="Quality improvement and billing with the Medi-Cal plans",
            parties=[hub, *by_kind.get(OrganizationKind.MANAGED_CARE_PLAN, [])],
            categories=NON_SENSITIVE,
            purposes=(Purpose.QUALITY_IMPROVEMENT, Purpose.BILLING),
            start=year_start,
            until=None,
            admin=admin,
        ),
        _agreement(
            rng,
            title="Behavioral health coordination: clinics and mental health",
            parties=[*by_kind.get(OrganizationKind.CLINIC, []), *by_kind.get(OrganizationKind.MENTAL_HEALTH, [])],
            categories=(DataCategory.BEHAVIORAL_HEALTH, DataCategory.CLINICAL, DataCategory.IDENTITY_CONTACT),
            purposes=CARE,
            start=year_start,
            until=None,
            admin=admin,
        ),
        _agreement(
            rng,
            title="Legal aid pilot 2024",
            parties=[hub, *by_kind.get(OrganizationKind.LEGAL_AID, [])],
            categories=(DataCategory.IDENTITY_CONTACT, DataCategory.LEGAL),
            purposes=CARE,
            start=today - timedelta(days=700),
            until=today - timedelta(days=335),
            admin=admin,
        ),
        _agreement(
            rng,
            title="Summer meals outreach",
            parties=[hub, *by_kind.get(OrganizationKind.FOOD_BANK, [])[:1]],
            categories=(DataCategory.IDENTITY_CONTACT,),
            purposes=(Purpose.REFERRAL,),
            start=today - timedelta(days=500),
            until=None,
            admin=admin,
            terminated=True,
        ),
    ]
    agreements = [spec[0] for spec in specs]
    Agreement.objects.bulk_create(agreements)
    Agreement.parties.through.objects.bulk_create(
        Agreement.parties.through(agreement_id=a.pk, organization_id=o.pk)
        for a in agreements
        for o in a._parties  # type: ignore[attr-defined]
    )
    AgreementCategory.objects.bulk_create(row for spec in specs for row in spec[1])
    AgreementPurpose.objects.bulk_create(row for spec in specs for row in spec[2])
    audit_append(
        AuditLine(
            action=AuditEntry.Action.AGREEMENT_CREATED,
            actor_id=admin.pk,
            organization_id=hub.pk,
            role=Role.HUB_ADMIN,
            detail=f"agreement {a.pk}",
        )
        for a in agreements
    )

    households = list(Household.objects.order_by("created_at", "id").prefetch_related("members"))
    relationships = [
        Relationship(
            household=h,
            kind=RelationshipKind.REGISTERING_ORGANIZATION,
            organization_id=h.registered_by_id,
            started_at=h.created_at,
        )
        for h in households
    ]
    # Families already referred on to another member (food bank, WIC, home visiting, legal aid...).
    receivers = [
        o
        for o in members
        if o.kind
        in (
            OrganizationKind.FOOD_BANK,
            OrganizationKind.WIC,
            OrganizationKind.HOME_VISITING,
            OrganizationKind.LEGAL_AID,
            OrganizationKind.MENTAL_HEALTH,
        )
    ]
    for household in households:
        if receivers and rng.random() < 0.2:
            receiver = rng.choice(receivers)
            if receiver.pk != household.registered_by_id:
                relationships.append(
                    Relationship(
                        household=household,
                        kind=RelationshipKind.REFERRAL_RECIPIENT,
                        organization=receiver,
                        # Never after the demo's "now": a relationship from the future lets nobody in.
                        started_at=max(
                            household.created_at,
                            min(
                                household.created_at + timedelta(days=rng.randint(1, 60)),
                                reference_time(today) - timedelta(days=1),
                            ),
                        ),
                    )
                )
    Relationship.objects.bulk_create(relationships, batch_size=2000)

    recorder = {
        o.pk: User.objects.filter(memberships__organization=o, memberships__role=Role.COORDINATOR)
        .order_by("email")
        .first()
        or User.objects.filter(memberships__organization=o).order_by("email").first()
        for o in members
    }
    consents: list[Consent] = []
    categories: list[ConsentCategory] = []
    purposes: list[ConsentPurpose] = []
    scoped: list[tuple[Consent, int]] = []
    lines: list[AuditLine] = []
    for household in households:
        guardians = [
            p
            for p in household.members.all()
            if p.relationship in (Person.Relationship.CAREGIVER, Person.Relationship.LEGAL_GUARDIAN)
        ]
        roll = rng.random()
        if not guardians or roll < 0.02:
            continue  # no consent yet: the family is visible to nobody but through emergency access
        # Consents are renewed yearly: the one on file was given within the last eleven months.
        given_at = max(
            household.created_at + timedelta(minutes=10),
            reference_time(today) - timedelta(days=rng.randint(1, 330), minutes=rng.randint(0, 600)),
        )
        state_roll = rng.random()
        expires_at = given_at + timedelta(days=365)
        if state_roll < 0.03:  # an old consent that ran out
            given_at -= timedelta(days=400)
            expires_at = given_at + timedelta(days=365)
        withdrawn = 0.03 <= state_roll < 0.06
        chosen = list(NON_SENSITIVE)
        if rng.random() < 0.10:
            chosen.append(DataCategory.BEHAVIORAL_HEALTH)
        chosen_purposes = list(CARE) + ([Purpose.QUALITY_IMPROVEMENT] if rng.random() < 0.7 else [])
        method = rng.choices(
            [Consent.Method.SIGNED_ON_DEVICE, Consent.Method.PAPER_SCANNED, Consent.Method.VERBAL_WITNESSED], [6, 3, 1]
        )[0]
        registrar = household.registered_by_id
        user = recorder.get(registrar) or admin
        consent = Consent(
            id=_uuid(rng),
            household=household,
            network_wide=roll >= 0.06,
            method=method,
            text_version=CONSENT_TEXT_VERSION,
            language=household.preferred_language if household.preferred_language in ("en", "es") else "es",
            given_by=guardians[0],
            # What staff type here is a name and a file reference, the same in every language.
            witness=user.get_full_name() if method == Consent.Method.VERBAL_WITNESSED else "",
            document=f"SCAN-{household.pk.hex[:6].upper()}" if method == Consent.Method.PAPER_SCANNED else "",
            recorded_by=user,
            recorded_in_id=registrar,
            given_at=given_at,
            expires_at=expires_at,
        )
        if withdrawn:
            consent.withdrawn_at = given_at + timedelta(days=rng.randint(5, 200))
            consent.withdrawn_by = user
            consent.withdrawal_reason = "The family asked to stop sharing."
        consents.append(consent)
        if not consent.network_wide:
            scoped.append((consent, registrar))
        categories.extend(ConsentCategory(consent=consent, category=c) for c in chosen)
        purposes.extend(ConsentPurpose(consent=consent, purpose=p) for p in chosen_purposes)
        lines.append(
            AuditLine(
                action=AuditEntry.Action.CONSENT_GIVEN,
                actor_id=user.pk,
                organization_id=registrar,
                role=Role.COORDINATOR,
                household_id=household.pk,
                categories=chosen,
                detail=f"consent {consent.pk}",
            )
        )
    Consent.objects.bulk_create(consents, batch_size=2000)
    Consent.organizations.through.objects.bulk_create(
        Consent.organizations.through(consent_id=c.pk, organization_id=o) for c, o in scoped
    )
    ConsentCategory.objects.bulk_create(categories, batch_size=5000)
    ConsentPurpose.objects.bulk_create(purposes, batch_size=5000)
    audit_append(lines)
    notes = _seed_sensitive_notes(
        rng,
        consents,
        chosen_by_consent={c.consent_id for c in categories if c.category == DataCategory.BEHAVIORAL_HEALTH},
    )
    linked = _link_family_accounts(households)
    return {
        "agreements": len(agreements),
        "consents": len(consents),
        "relationships": len(relationships),
        "family_accounts": linked,
        "sensitive_notes": notes,
    }


BEHAVIORAL_NOTES = (
    "Caregiver reports feeling overwhelmed since the baby was born; EPDS follow-up planned with the clinic.",
    "Mamá comenta tristeza frecuente y poco sueño; se ofreció el grupo de apoyo perinatal.",
    "Older sibling started counseling at school; caregiver asked that the clinic coordinate with the counselor.",
)


def _seed_sensitive_notes(rng: random.Random, consents: list[Consent], *, chosen_by_consent: set[uuid.UUID]) -> int:
    """A few behavioral-health notes (stored encrypted) for families whose consent names that category."""
    rows = [
        SensitiveNote(
            id=_uuid(rng),
            household_id=consent.household_id,
            category=DataCategory.BEHAVIORAL_HEALTH,
            text=rng.choice(BEHAVIORAL_NOTES),
            recorded_by=consent.recorded_by,
            recorded_in_id=consent.recorded_in_id,
            created_at=consent.given_at + timedelta(days=3),
        )
        for consent in consents
        if consent.pk in chosen_by_consent and consent.withdrawn_at is None and rng.random() < 0.6
    ]
    SensitiveNote.objects.bulk_create(rows)
    return len(rows)


def _link_family_accounts(households: list[Household]) -> int:
    """Give each demo family-member sign-in a caregiver in a family (Spanish-speaking for the
    well-known one), and the caregiver's name, so the family pages show a real family."""
    accounts = list(User.objects.filter(memberships__role=Role.FAMILY_MEMBER).order_by("email"))
    consenting = set(Consent.objects.in_force().values_list("household_id", flat=True))
    caregivers = [
        p
        for h in households
        if h.pk in consenting
        for p in h.members.all()
        if p.relationship == Person.Relationship.CAREGIVER
    ]
    spanish = [p for p in caregivers if p.preferred_language == "es"]
    linked = 0
    for account in accounts:
        pool = spanish if account.email.startswith("family@") and spanish else caregivers
        person = next((p for p in pool if p.account_id is None), None)
        if person is None:
            break
        person.account = account
        person.save(update_fields=["account"])
        account.first_name, account.last_name = person.given_name, person.family_name
        account.preferred_language = "es" if person.preferred_language == "es" else "en"
        account.save(update_fields=["first_name", "last_name", "preferred_language"])
        linked += 1
    return linked
