"""Reads of family data, through the access policy, each leaving its audit entry.

Views, API handlers and exports read families only through these functions.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Model, Prefetch, Q, QuerySet, prefetch_related_objects

from ecwhub.accounts.models import Membership, Organization, Role, User
from ecwhub.core.errors import NotFound
from ecwhub.core.rows import FamilyRow
from ecwhub.core.text import accent_pattern
from ecwhub.families.models import SENSITIVE_NOTE_CATEGORIES, Household, Person, SensitiveNote

from .audit import audit_append, audit_line
from .models import AuditEntry, DataCategory
from .policy import FamilyAccess, households_visible, members_hidden


def audit_reads(
    *,
    user: User,
    membership: Membership | None,
    household_ids: Iterable[uuid.UUID],
    categories: Sequence[str],
    purpose: str,
    action: str = AuditEntry.Action.READ,
    detail: str = "",
) -> None:
    audit_append(
        audit_line(
            user,
            membership,
            action,
            household_id=household_id,
            categories=categories,
            purpose=purpose,
            detail=detail,
        )
        for household_id in household_ids
    )


@dataclass(frozen=True)
class OpenedHousehold:
    """A family opened by one user, for one purpose: what they may see of it.

    ``categories`` are the categories shown about the family as a whole (and about every member,
    by default); ``people`` maps each member the user may see to the categories shown about that
    member (a young person's own consent can add to them; a young person who keeps their
    information from a family member is not there at all). Rows of family data are read through
    ``rows_visible``, members through ``members_visible``; nothing else filters them."""

    household: Household
    categories: tuple[str, ...]
    break_glass: bool
    user: User
    membership: Membership | None
    purpose: str
    people: Mapping[uuid.UUID, frozenset[str]] = field(default_factory=dict)
    members: tuple[Person, ...] = ()

    def may_see(self, category: str, person: Person | uuid.UUID | None = None) -> bool:
        if person is None:
            return category in self.categories
        person_id = person.pk if isinstance(person, Person) else person
        return category in self.people.get(person_id, frozenset())


def _people(
    *,
    access: FamilyAccess,
    categories: Sequence[str],
    candidates: Sequence[str],
    members: Sequence[Person],
) -> dict[uuid.UUID, frozenset[str]]:
    """What may be seen about each member. Per-person decisions are asked only where they can
    differ from the family's: a young person's restriction (family members) or a consent about one
    person (staff); everyone else gets the family's categories."""
    family = frozenset(categories)
    if not members:
        return {}
    membership = access.membership
    if membership is not None and membership.role == Role.FAMILY_MEMBER:
        hidden = members_hidden(user=access.user, membership=membership)
        return {m.pk: family for m in members if m.pk not in hidden}
    # Only a consent in force about one person (for this purpose and organization) can make an
    # answer about that person differ from the family's; the policy read those consents already.
    special = access.people_with_own_consent()
    result: dict[uuid.UUID, frozenset[str]] = {}
    for person in members:
        if person.pk not in special:
            result[person.pk] = family
            continue
        decisions = access.decide_many(candidates, person=person)
        allowed = frozenset(c for c in candidates if decisions[str(c)])
        if allowed:
            result[person.pk] = allowed
    return result


def own_household_id(user: User) -> uuid.UUID | None:
    """The household a family member's sign-in is linked to (None: not linked yet). The id alone
    discloses nothing; the family is then opened, audited, with ``household_open``."""
    people = Person.objects.filter(account=user)
    # An existence check discloses nothing; the household id is read only when there is one (and
    # that read is followed by the audited opening).
    if not people.exists():
        return None
    return people.values_list("household_id", flat=True).first()


def household_open(
    *,
    user: User,
    membership: Membership | None,
    household_id: uuid.UUID | str,
    purpose: str,
    required: str = DataCategory.IDENTITY_CONTACT,
    optional: Iterable[str] = (),
    detail: str = "",
    audit: bool = True,
    access: FamilyAccess | None = None,
) -> OpenedHousehold:
    """The household, if the user may see its ``required`` category for ``purpose``; ``NotFound``
    otherwise (the same answer as for a household that does not exist). Also says which
    ``optional`` categories may be shown, about the family and about each member, and audits
    exactly what was opened (``audit=False``: the caller audits what it showed, with
    ``audit_opened``, before the request ends). ``access``: the caller's ``FamilyAccess`` to this
    household for this user and purpose, when it already decided something about it in this
    request (its household is used, and the policy's facts are not read again)."""
    if access is None:
        try:
            household = Household.objects.get(pk=household_id)
        except (Household.DoesNotExist, ValueError, TypeError, ValidationError):
            raise NotFound from None
        access = FamilyAccess(user=user, membership=membership, household=household, purpose=purpose)
    elif (
        str(access.household.pk) != str(household_id)
        or access.user != user
        or access.membership != membership
        or access.purpose != purpose
    ):
        raise ValueError("the access was decided for another user, household or purpose")
    household = access.household
    candidates = [required, *dict.fromkeys(c for c in optional if c != required)]
    decisions = access.decide_many(candidates)
    decision = decisions[str(required)]
    if not decision:
        raise NotFound
    shown = [required] + [c for c in candidates[1:] if decisions[str(c)]]
    members = list(household.members.order_by("created_at", "id"))
    people = _people(access=access, categories=shown, candidates=candidates, members=members)
    opened = OpenedHousehold(
        household=household,
        categories=tuple(shown),
        break_glass=decision.break_glass,
        user=user,
        membership=membership,
        purpose=purpose,
        people=people,
        members=tuple(p for p in members if DataCategory.IDENTITY_CONTACT in people.get(p.pk, ())),
    )
    if audit:
        audit_opened(opened, shown, detail)
    return opened


def audit_opened(opened: OpenedHousehold, categories: Iterable[str], detail: str = "") -> None:
    """One audit entry: what of the opened family was shown, and why (emergency access is marked)."""
    audit_reads(
        user=opened.user,
        membership=opened.membership,
        household_ids=[opened.household.pk],
        categories=sorted(set(categories)),
        purpose=opened.purpose,
        detail=("break-glass " if opened.break_glass else "") + detail,
    )


def members_visible(opened: OpenedHousehold) -> list[Person]:
    """The members whose identity the user may see, in the order they were registered."""
    return list(opened.members)


_M = TypeVar("_M", bound=Model)


def rows_visible(opened: OpenedHousehold, queryset: QuerySet[_M]) -> QuerySet[_M]:
    """The rows of ``queryset`` that belong to the opened family and that the user may see: each
    row's consent category (``FAMILY_ROW`` on its model) must be shown about the person it is
    about, or about the family for a row about no one in particular. The one filter of family
    rows: pages, the API, exports and other apps' sections all read through it."""
    spec: FamilyRow | None = getattr(queryset.model, "FAMILY_ROW", None)
    if spec is None:
        raise TypeError(f"{queryset.model.__name__} does not declare FAMILY_ROW (ecwhub.core.rows)")

    def in_categories(categories: Iterable[str]) -> Q:
        allowed = sorted(set(categories))
        if spec.category_field:
            return Q(**{f"{spec.category_field}__in": allowed})
        return Q() if spec.category in allowed else Q(pk__in=[])

    queryset = queryset.filter(**{spec.household: opened.household.pk})
    if spec.person is None:
        return queryset.filter(in_categories(opened.categories))
    condition = Q(**{f"{spec.person}__isnull": True}) & in_categories(opened.categories)
    groups: dict[frozenset[str], list[uuid.UUID]] = {}
    for person_id, categories in opened.people.items():
        groups.setdefault(categories, []).append(person_id)
    for categories, ids in groups.items():
        condition |= Q(**{f"{spec.person}__in": ids}) & in_categories(categories)
    return queryset.filter(condition)


def households_page(
    *,
    user: User,
    membership: Membership | None,
    purpose: str,
    page_number: int | str = 1,
    per_page: int = 25,
    category: str = DataCategory.IDENTITY_CONTACT,
    postal_code: str = "",
    name: str = "",
) -> Page[Household]:
    """One page of the households the user may see, filtered in the database; audits the rows
    shown. Each household's ``visible_members`` are the members the user may see (in the order
    they were registered): a young person who keeps their information from a family member is
    not among them."""
    queryset = households_visible(user=user, membership=membership, category=category, purpose=purpose)
    if postal_code:
        queryset = queryset.filter(postal_code=postal_code)
    if name.strip():
        queryset = queryset.filter(_name_q(name, members_hidden(user=user, membership=membership)))
    page: Page[Household] = Paginator(queryset.order_by("-updated_at", "id"), per_page).get_page(page_number)
    households = list(page.object_list)
    if households:
        hidden = members_hidden(user=user, membership=membership)
        members = Person.objects.exclude(pk__in=hidden).order_by("created_at", "id")
        prefetch_related_objects(households, Prefetch("members", queryset=members, to_attr="visible_members"))
        page.object_list = households
    audit_reads(
        user=user,
        membership=membership,
        household_ids=[h.pk for h in page.object_list],
        categories=[category],
        purpose=purpose,
        detail="list",
    )
    return page


_WORDS = re.compile(r"[^\W_]+")  # letters and digits: "Ruiz-López" is the words "Ruiz" and "López"
NAME_FIELDS = ("given_name", "family_name", "second_family_name", "preferred_name")


def _name_q(name: str, hidden: set[uuid.UUID]) -> Q:
    """The households with a member the viewer may see whose names hold every word of ``name`` (at
    most four), ignoring case and diacritics: "garcia" finds "García", "GARCÍA" finds "Garcia".
    Neither SQLite nor a plain PostgreSQL compares without accents, so each typed letter becomes the
    class of the letters that fold to it (``core.text``) and the database matches the pattern: no
    name of a family that does not match is read."""
    condition = Q()
    for word in _WORDS.findall(name)[:4]:
        pattern = accent_pattern(word)
        if pattern:
            condition &= Q(*(Q(**{f"{f}__iregex": pattern}) for f in NAME_FIELDS), _connector=Q.OR)
    return Q(pk__in=Person.objects.filter(condition).exclude(pk__in=hidden).values("household_id"))


@dataclass(frozen=True)
class Disclosure:
    at: datetime
    action: str
    action_label: str
    who: str
    organization: str
    role: str
    categories: tuple[str, ...]
    purpose: str
    emergency: bool


def disclosures(opened: OpenedHousehold) -> list[Disclosure]:
    """Who saw or changed what about this family, and when (the accounting of disclosures), as far
    as the reader may see it: a line about a member the reader may not see is left out, and so is
    a line whose categories are all outside what the reader may see; the others show only the
    reader's categories. The family sees every line about itself (but a young person's private
    lines). The caller opened the household (``household_open``), which audited this read."""
    entries = list(AuditEntry.objects.filter(household_id=opened.household.pk).order_by("-at", "-id"))
    users = {u.pk: u for u in User.objects.filter(pk__in={e.actor_id for e in entries if e.actor_id})}
    organizations = {
        o.pk: o for o in Organization.objects.filter(pk__in={e.organization_id for e in entries if e.organization_id})
    }
    labels = dict(AuditEntry.Action.choices)
    result = []
    for entry in entries:
        written = tuple(c for c in entry.categories.split(",") if c)
        if entry.person_id is not None:
            if entry.person_id not in opened.people:
                continue
            readable = opened.people[entry.person_id]
        else:
            readable = frozenset(opened.categories)
        categories = tuple(c for c in written if c in readable)
        if written and not categories:
            continue
        user = users.get(entry.actor_id) if entry.actor_id else None
        organization = organizations.get(entry.organization_id) if entry.organization_id else None
        result.append(
            Disclosure(
                at=entry.at,
                action=entry.action,
                action_label=str(labels.get(entry.action, entry.action)),
                who=(user.get_full_name() or user.email) if user else "",
                organization=organization.name if organization else "",
                role=entry.role,
                categories=categories,
                purpose=entry.purpose,
                emergency=entry.action == AuditEntry.Action.BREAK_GLASS or entry.detail.startswith("break-glass"),
            )
        )
    return result


def sensitive_notes_open(opened: OpenedHousehold) -> dict[str, list[SensitiveNote]]:
    """The family's notes in the sensitive categories the user may see, by category (the caller
    opened the household with the sensitive categories as optional, and audits what it shows)."""
    notes: dict[str, list[SensitiveNote]] = {}
    rows = rows_visible(opened, SensitiveNote.objects.filter(category__in=SENSITIVE_NOTE_CATEGORIES))
    for note in rows.select_related("recorded_in").order_by("created_at", "id"):
        notes.setdefault(note.category, []).append(note)
    return notes
