"""The hub administrator's actions on families coordinated by two or more organizations.

The administrator reads no family record: an action names a family by its household id (shown as a
short reference) and works from the flag alone. Asking the organizations to agree who leads sends
each involved organization's coordinators a notice through the outbox, with the reference and a
link to sign in, nothing else; marking the flag reviewed hides it until the set of organizations
coordinating the family changes. Each action is one ``DuplicationAction`` row, written with its
notices in one transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from ecwhub.accounts.models import Membership, Organization, Role, User
from ecwhub.core.models import Channel
from ecwhub.core.outbox import notify

from .models import DuplicationAction, Household, organization_key
from .selectors import DuplicationFlag, coordination_duplicates

NOTE_MAX_LENGTH = 1000


class DuplicationError(ValueError):
    """An action that cannot be taken; ``field`` names the input at fault. Nothing was written."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True)
class AgreementRequest:
    action: DuplicationAction
    notified: int  # people who were sent a notice
    unreached: tuple[str, ...]  # organizations with nobody to notify (no coordinator, no administrator)


def _require_hub_admin(membership: Membership | None) -> Membership:
    if membership is None or membership.role != Role.HUB_ADMIN or not membership.organization.is_hub:
        raise DuplicationError("membership", _("Only the hub administrator acts on duplicated coordination."))
    return membership


def _current_flag(household_id: uuid.UUID) -> DuplicationFlag:
    # Locks the household row: two administrators acting at once on one family write one after
    # the other, each against the flag as it is then.
    if not Household.objects.select_for_update().filter(pk=household_id).exists():
        raise DuplicationError("household", _("This family is no longer coordinated by more than one organization."))
    flags = coordination_duplicates(household_ids=[household_id])
    if not flags:
        raise DuplicationError("household", _("This family is no longer coordinated by more than one organization."))
    return flags[0]


def _people_to_notify(organization_ids: frozenset[int]) -> tuple[list[User], tuple[str, ...]]:
    """Each organization's active coordinators, or its administrators when it has no coordinator."""
    memberships = Membership.objects.filter(
        organization_id__in=organization_ids, is_active=True, user__is_active=True
    ).select_related("user")
    coordinators: dict[int, dict[int, User]] = {pk: {} for pk in organization_ids}
    admins: dict[int, dict[int, User]] = {pk: {} for pk in organization_ids}
    for membership in memberships:
        if membership.role == Role.COORDINATOR:
            coordinators[membership.organization_id][membership.user_id] = membership.user
        if membership.is_org_admin and membership.role != Role.FAMILY_MEMBER:
            admins[membership.organization_id][membership.user_id] = membership.user
    people: dict[int, User] = {}
    unreached = []
    for pk in sorted(organization_ids):
        found = coordinators[pk] or admins[pk]
        people.update({user_id: user for user_id, user in found.items() if user.email})
        if not found:
            unreached.append(pk)
    names = dict(Organization.objects.filter(pk__in=unreached).values_list("pk", "name"))
    return sorted(people.values(), key=lambda u: u.pk), tuple(sorted(names[pk] for pk in unreached))


def _sign_in_link() -> str:
    # SITE_URL (the public address) when the deployment sets it; otherwise the path alone.
    base = str(getattr(settings, "SITE_URL", "")).rstrip("/")
    return f"{base}{reverse('accounts:login')}?next={reverse('families:duplication')}"


def duplication_agreement_request(
    *, acting_user: User, membership: Membership | None, household_id: uuid.UUID
) -> AgreementRequest:
    """Ask the organizations coordinating one family to agree who leads.

    Records the request (who, when, which organizations) and queues, in the same transaction, one
    e-mail to each coordinator of each involved organization (its administrators when it has no
    coordinator), in that person's language. The notice carries the family's reference and a
    sign-in link: no name, no detail of the family. Raises ``DuplicationError`` when the acting
    membership is not the hub administrator's or the family is no longer flagged."""
    membership = _require_hub_admin(membership)
    with transaction.atomic():
        flag = _current_flag(household_id)
        action = DuplicationAction.objects.create(
            household_id=household_id,
            kind=DuplicationAction.Kind.ASKED,
            organization_key=organization_key(flag.organization_ids),
            acted_by=acting_user,
            acted_in=membership.organization,
        )
        people, unreached = _people_to_notify(flag.organization_ids)
        link = _sign_in_link()
        for person in people:
            language = person.preferred_language or settings.LANGUAGE_CODE
            with translation.override(language):
                subject = _("ECW Hub: agree who coordinates a family")
                body = _(
                    "More than one organization coordinates the same family in ECW Hub "
                    "(reference %(reference)s). The hub asks your organizations to agree which one leads.\n\n"
                    "Sign in to see the families concerned: %(link)s\n"
                ) % {"reference": flag.reference, "link": link}
            notify(
                channel=Channel.EMAIL,
                recipient=person.email,
                subject=subject,
                body=body,
                language=language,
                key=f"duplication-asked:{action.pk}:user:{person.pk}",
            )
    return AgreementRequest(action=action, notified=len(people), unreached=unreached)


def duplication_mark_reviewed(
    *, acting_user: User, membership: Membership | None, household_id: uuid.UUID, note: str
) -> DuplicationAction:
    """Mark one family's flag reviewed, with a note saying why. The flag leaves the administrator's
    list until the set of organizations coordinating the family changes. Raises
    ``DuplicationError`` for an empty or too long note, a membership that is not the hub
    administrator's, or a family no longer flagged; nothing is written then."""
    membership = _require_hub_admin(membership)
    note = note.strip()
    if not note:
        raise DuplicationError("note", _("Write a short note: why no action is needed."))
    if len(note) > NOTE_MAX_LENGTH:
        raise DuplicationError("note", _("Keep the note under %(max)d characters.") % {"max": NOTE_MAX_LENGTH})
    with transaction.atomic():
        flag = _current_flag(household_id)
        return DuplicationAction.objects.create(
            household_id=household_id,
            kind=DuplicationAction.Kind.REVIEWED,
            organization_key=organization_key(flag.organization_ids),
            note=note,
            acted_by=acting_user,
            acted_in=membership.organization,
        )
