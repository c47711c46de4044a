"""Writes to the directory: providers keep their own listing current; every change leaves a trace."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import time

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from ecwhub.accounts.models import Role, User
from ecwhub.core.languages import Language
from ecwhub.core.needs import Need

from . import models as m
from .signals import announce_services_changed

WEEKDAYS = [choice for choice, _ in m.Schedule.Weekday.choices]


def service_languages_sync(*, service_ids: Iterable[uuid.UUID]) -> None:
    """Rebuild the ServiceLanguage index of these services from their HSDS language rows.

    The dialect is kept in the HSDS ``note``; a language the hub does not list is recorded as
    ``other`` with its name as the dialect, so nothing the provider wrote is dropped.
    """
    from .hsds import hub_language

    ids = list(service_ids)
    if not ids:
        return
    wanted: dict[tuple[uuid.UUID, str, str], None] = {}
    for service_id, code, name, note in m.DirectoryLanguage.objects.filter(service_id__in=ids).values_list(
        "service_id", "code", "name", "note"
    ):
        language = hub_language(code, name)
        dialect = (note if language != Language.OTHER else (name or code or note)).strip()[:100]
        wanted[(service_id, language, dialect)] = None
    # Only the differences are written, so a sync that changes nothing writes (and signals) nothing.
    current = {
        (service_id, language, dialect): pk
        for pk, service_id, language, dialect in m.ServiceLanguage.objects.filter(service_id__in=ids).values_list(
            "pk", "service_id", "language", "dialect"
        )
    }
    stale = [pk for key, pk in current.items() if key not in wanted]
    if stale:
        m.ServiceLanguage.objects.filter(pk__in=stale).delete()
    m.ServiceLanguage.objects.bulk_create(
        m.ServiceLanguage(service_id=service_id, language=language, dialect=dialect)
        for service_id, language, dialect in wanted
        if (service_id, language, dialect) not in current
    )


# --- Who may edit a listing ------------------------------------------------------------------------


def services_editable_by(user: User) -> QuerySet[m.Service]:
    """Services whose listing this person keeps: provider staff and organization administrators of the owner."""
    if not user.is_authenticated:
        return m.Service.objects.none()
    memberships = user.active_memberships().filter(Q(role=Role.PROVIDER_STAFF) | Q(is_org_admin=True))
    return m.Service.objects.filter(organization_id__in=memberships.values("organization_id"))


def service_get_for_editor(*, user: User, service_id: uuid.UUID) -> m.Service:
    """The service if this person may edit it; Http404 both when it is missing and when it is not theirs."""
    service = services_editable_by(user).filter(pk=service_id).first()
    if service is None:
        raise Http404
    return service


# --- Editing ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hours:
    """Opening hours on one weekday (HSDS schedule: freq WEEKLY, byday, opens_at, closes_at)."""

    day: str
    opens_at: time
    closes_at: time

    def __str__(self) -> str:
        return f"{self.day} {self.opens_at:%H:%M}-{self.closes_at:%H:%M}"

    @property
    def day_label(self) -> str:
        return str(dict(m.Schedule.Weekday.choices)[self.day])


@dataclass(frozen=True)
class PhoneEdit:
    """One of the service's phone numbers (HSDS ``phone`` of the service)."""

    number: str
    description: str = ""

    def __str__(self) -> str:
        return f"{self.number} ({self.description})" if self.description else self.number


@dataclass(frozen=True)
class NewLocation:
    """A place the service is offered that the directory does not list yet: added to the organization's
    locations (HSDS ``location`` with a physical ``address``) and linked to the service."""

    address_1: str
    city: str
    postal_code: str
    name: str = ""
    state_province: str = "CA"


@dataclass(frozen=True)
class ListingEdit:
    """What a provider may change on their listing. ``None`` leaves a part unchanged."""

    description: str | None = None
    accepting_referrals: bool | None = None
    typical_wait_days: int | None = None
    clear_typical_wait_days: bool = False
    open_slots: int | None = None
    clear_open_slots: bool = False
    accepts_electronic_referrals: bool | None = None
    languages: Sequence[tuple[str, str]] | None = None  # (hub language code, dialect)
    needs: Sequence[str] | None = None
    hours: Sequence[Hours] | None = None
    eligibility: str | None = None
    min_age_months: int | None = None
    clear_min_age_months: bool = False
    max_age_months: int | None = None
    clear_max_age_months: bool = False
    is_free: bool | None = None
    fees_description: str | None = None
    phones: Sequence[PhoneEdit] | None = None
    location_ids: Sequence[uuid.UUID] | None = None  # the organization's locations the service is offered at
    new_location: NewLocation | None = None


MAX_AGE_MONTHS = 1200  # a hundred years: services for adults list no upper age, or a real one
_PHONE = re.compile(r"^[0-9+().\- ]{7,24}(?:\s*(?:x|ext\.?)\s*\d{1,6})?$", re.IGNORECASE)
_ZIP_CODE = re.compile(r"^\d{5}(?:-\d{4})?$")


class ListingError(ValueError):
    def __init__(self, fields: dict[str, list[str]]):
        self.fields = fields
        super().__init__("; ".join(f"{k}: {', '.join(v)}" for k, v in fields.items()))


def _check(edit: ListingEdit) -> None:
    errors: dict[str, list[str]] = {}
    if edit.description is not None and not edit.description.strip():
        errors.setdefault("description", []).append(
            gettext("Write a description: coordinators and families read it to choose a service.")
        )
    for name in ("min_age_months", "max_age_months"):
        value = getattr(edit, name)
        if value is not None and not 0 <= value <= MAX_AGE_MONTHS:
            errors.setdefault(name, []).append(
                gettext("Give an age between 0 and %(max)d months.") % {"max": MAX_AGE_MONTHS}
            )
    if (
        edit.min_age_months is not None
        and edit.max_age_months is not None
        and edit.min_age_months > edit.max_age_months
    ):
        errors.setdefault("max_age_months", []).append(gettext("The oldest age must not be below the youngest."))
    for phone in edit.phones or ():
        if not _PHONE.match(phone.number.strip()):
            errors.setdefault("phones", []).append(
                gettext("“%(number)s” is not a phone number: use digits, spaces, ( ) - + and an extension.")
                % {"number": phone.number[:40]}
            )
        if len(phone.description) > 200:
            errors.setdefault("phones", []).append(gettext("A phone's note has at most 200 characters."))
    if edit.new_location is not None:
        place = edit.new_location
        if not place.address_1.strip():
            errors.setdefault("new_location", []).append(gettext("Give the new location's street address."))
        if not place.city.strip():
            errors.setdefault("new_location", []).append(gettext("Give the new location's city."))
        if not _ZIP_CODE.match(place.postal_code.strip()):
            errors.setdefault("new_location", []).append(gettext("Give the new location's five-digit ZIP code."))
    for name in ("typical_wait_days", "open_slots"):
        value = getattr(edit, name)
        if value is not None and not 0 <= value <= 10000:
            errors.setdefault(name, []).append(gettext("Give a number between 0 and 10000."))
    for code, dialect in edit.languages or ():
        if code not in Language.values:
            errors.setdefault("languages", []).append(gettext("Unknown language “%(code)s”.") % {"code": code})
        if len(dialect) > 100:
            errors.setdefault("languages", []).append(gettext("A dialect has at most 100 characters."))
    for need in edit.needs or ():
        if need not in Need.values:
            errors.setdefault("needs", []).append(gettext("Unknown need “%(code)s”.") % {"code": need})
    for hours in edit.hours or ():
        if hours.day not in WEEKDAYS:
            errors.setdefault("hours", []).append(gettext("Unknown weekday “%(code)s”.") % {"code": hours.day})
        elif hours.closes_at <= hours.opens_at:
            errors.setdefault("hours", []).append(
                gettext("%(day)s: the closing time must be after the opening time.")
                % {"day": m.Schedule.Weekday(hours.day).label}
            )
    if errors:
        raise ListingError(errors)


def _hours_of(service: m.Service) -> list[Hours]:
    rows = service.schedules.filter(freq=m.Schedule.Freq.WEEKLY, opens_at__isnull=False, closes_at__isnull=False)
    hours = []
    for row in rows:
        for day in row.byday.split(","):
            if day.strip() in WEEKDAYS:
                hours.append(Hours(day.strip(), row.opens_at, row.closes_at))  # type: ignore[arg-type]
    return sorted(hours, key=lambda h: (WEEKDAYS.index(h.day), h.opens_at))


def service_hours(service: m.Service) -> list[Hours]:
    return _hours_of(service)


def _text(values: Iterable[object]) -> str:
    return ", ".join(sorted(str(v) for v in values))


def _own_phones(service: m.Service) -> QuerySet[m.Phone]:
    """The service's own numbers: not those of one of its locations or contacts."""
    return service.phones.filter(service_at_location__isnull=True, location__isnull=True, contact__isnull=True)


def service_phones(service: m.Service) -> list[PhoneEdit]:
    """The service's own numbers, its main number first (HSDS phones have no order of their own)."""
    phones = sorted((PhoneEdit(p.number, p.description) for p in _own_phones(service)), key=str)
    if service.phone and all(p.number != service.phone for p in phones):
        phones.insert(0, PhoneEdit(service.phone))  # a main number with no HSDS phone row
    return sorted(phones, key=lambda p: p.number != service.phone)


def location_label(location: m.Location) -> str:
    """A location as a provider recognises it: its name and street address."""
    address = next(iter(location.addresses.all()), None)
    where = f"{address.address_1}, {address.city}" if address else ""
    if location.name and where:
        return f"{location.name} — {where}"
    return location.name or where or gettext("Unnamed location")


def locations_choosable(service: m.Service) -> QuerySet[m.Location]:
    """The places a provider may offer this service at: their organization's locations, and any the
    service is already offered at."""
    return (
        m.Location.objects.filter(
            Q(organization_id=service.directory_organization_id, organization__isnull=False)
            | Q(service_at_locations__service=service)
        )
        .distinct()
        .prefetch_related("addresses")
        .order_by("name", "id")
    )


def _locations_update(service: m.Service, edit: ListingEdit, record: Callable[[str, object, object], None]) -> None:
    current = {
        sal.location_id: sal
        for sal in service.service_at_locations.select_related("location").prefetch_related("location__addresses")
    }
    wanted = list(dict.fromkeys(edit.location_ids)) if edit.location_ids is not None else list(current)
    choosable = {loc.pk: loc for loc in locations_choosable(service)}
    unknown = [str(pk) for pk in wanted if pk not in choosable]
    if unknown:
        raise ListingError({"locations": [gettext("Choose among your organization's locations.")]})
    created: m.Location | None = None
    if edit.new_location is not None:
        place = edit.new_location
        if service.directory_organization_id is None:
            raise ListingError({"new_location": [gettext("This service has no organization to add a location to.")]})
        created = m.Location.objects.create(organization_id=service.directory_organization_id, name=place.name.strip())
        m.Address.objects.create(
            location=created,
            address_1=place.address_1.strip(),
            city=place.city.strip(),
            state_province=place.state_province.strip() or "CA",
            postal_code=place.postal_code.strip(),
            country="US",
            address_type=m.LocationType.PHYSICAL,
        )
        choosable[created.pk] = created
        wanted.append(created.pk)
    if set(wanted) == set(current):
        return
    old = sorted(location_label(sal.location) for sal in current.values())
    service.service_at_locations.exclude(location_id__in=wanted).delete()
    m.ServiceAtLocation.objects.bulk_create(
        m.ServiceAtLocation(service=service, location_id=pk) for pk in wanted if pk not in current
    )
    new = sorted(
        location_label(choosable[pk]) if pk != (created.pk if created else None) else _new_label(edit.new_location)
        for pk in wanted
    )
    record("locations", "; ".join(old), "; ".join(new))


def _new_label(place: NewLocation | None) -> str:
    assert place is not None
    where = f"{place.address_1.strip()}, {place.city.strip()}"
    return f"{place.name.strip()} — {where}" if place.name.strip() else where


@transaction.atomic
def service_update(*, acting_user: User, service_id: uuid.UUID, edit: ListingEdit) -> list[m.ServiceChange]:
    """Apply a provider's edit to their listing and record one ServiceChange per changed field.

    Raises Http404 when the person may not edit this service (or it does not exist) and ListingError
    (naming each field) when a value is out of range; in both cases nothing is written. Saving a
    listing also counts as verifying it.
    """
    _check(edit)
    service = service_get_for_editor(user=acting_user, service_id=service_id)
    service = m.Service.objects.select_for_update().get(pk=service.pk)
    now = timezone.now()
    changes: list[m.ServiceChange] = []

    def record(field: str, old: object, new: object) -> None:
        changes.append(
            m.ServiceChange(
                service=service,
                changed_by=acting_user,
                changed_at=now,
                kind=m.ServiceChange.Kind.EDIT,
                field=field,
                old_value="" if old is None else str(old),
                new_value="" if new is None else str(new),
            )
        )

    scalar = {
        "description": None if edit.description is None else edit.description.strip(),
        "accepting_referrals": edit.accepting_referrals,
        "typical_wait_days": None if edit.clear_typical_wait_days else edit.typical_wait_days,
        "open_slots": None if edit.clear_open_slots else edit.open_slots,
        "accepts_electronic_referrals": edit.accepts_electronic_referrals,
        "eligibility": None if edit.eligibility is None else edit.eligibility.strip(),
        "min_age_months": None if edit.clear_min_age_months else edit.min_age_months,
        "max_age_months": None if edit.clear_max_age_months else edit.max_age_months,
        "is_free": edit.is_free,
        "fees_description": None if edit.fees_description is None else edit.fees_description.strip(),
    }
    clears = {
        "typical_wait_days": edit.clear_typical_wait_days,
        "open_slots": edit.clear_open_slots,
        "min_age_months": edit.clear_min_age_months,
        "max_age_months": edit.clear_max_age_months,
    }
    # The age range as it will be, checked against what is kept when only one end is sent.
    low = (
        service.min_age_months
        if edit.min_age_months is None and not edit.clear_min_age_months
        else scalar["min_age_months"]
    )
    high = (
        service.max_age_months
        if edit.max_age_months is None and not edit.clear_max_age_months
        else scalar["max_age_months"]
    )
    if low is not None and high is not None and low > high:  # type: ignore[operator]
        raise ListingError({"max_age_months": [gettext("The oldest age must not be below the youngest.")]})
    updated: list[str] = []
    for name, value in scalar.items():
        clearing = clears.get(name, False)
        if value is None and not clearing:
            continue
        old = getattr(service, name)
        if old != value:
            record(name, old, value)
            setattr(service, name, value)
            updated.append(name)

    if edit.languages is not None:
        old_languages = {(lang.language, lang.dialect) for lang in service.languages.all()}
        new_languages = {(code, dialect.strip()) for code, dialect in edit.languages}
        if old_languages != new_languages:
            record(
                "languages",
                _text(f"{c} {d}".strip() for c, d in old_languages),
                _text(f"{c} {d}".strip() for c, d in new_languages),
            )
            labels = dict(Language.choices)
            service.hsds_languages.all().delete()
            m.DirectoryLanguage.objects.bulk_create(
                m.DirectoryLanguage(service=service, code=code, name=str(labels[code]), note=dialect)
                for code, dialect in sorted(new_languages)
            )
            service_languages_sync(service_ids=[service.pk])

    if edit.needs is not None:
        old_needs = set(service.needs.values_list("need", flat=True))
        new_needs = set(edit.needs)
        if old_needs != new_needs:
            record("needs", _text(old_needs), _text(new_needs))
            service.needs.exclude(need__in=new_needs).delete()
            m.ServiceNeed.objects.bulk_create(m.ServiceNeed(service=service, need=n) for n in new_needs - old_needs)

    if edit.hours is not None:
        old_hours = _hours_of(service)
        new_hours = sorted(edit.hours, key=lambda h: (WEEKDAYS.index(h.day), h.opens_at))
        if [str(h) for h in old_hours] != [str(h) for h in new_hours]:
            record("hours", "; ".join(map(str, old_hours)), "; ".join(map(str, new_hours)))
            service.schedules.filter(freq=m.Schedule.Freq.WEEKLY).delete()
            m.Schedule.objects.bulk_create(
                m.Schedule(
                    service=service,
                    freq=m.Schedule.Freq.WEEKLY,
                    byday=h.day,
                    opens_at=h.opens_at,
                    closes_at=h.closes_at,
                    description=str(h),
                )
                for h in new_hours
            )

    if edit.phones is not None:
        old_phones = [str(p) for p in service_phones(service)]
        new_phones = list(
            dict.fromkeys(PhoneEdit(p.number.strip(), p.description.strip()) for p in edit.phones if p.number.strip())
        )
        # The service's main number (shown on search results) is the first one given.
        main = new_phones[0].number[:32] if new_phones else ""
        if old_phones != [str(p) for p in new_phones] or service.phone != main:
            record("phones", "; ".join(old_phones), "; ".join(str(p) for p in new_phones))
            _own_phones(service).delete()
            m.Phone.objects.bulk_create(
                m.Phone(service=service, number=p.number, description=p.description, type="voice") for p in new_phones
            )
            if service.phone != main:
                service.phone = main
                updated.append("phone")

    if edit.location_ids is not None or edit.new_location is not None:
        _locations_update(service, edit, record)

    if changes:
        service.last_modified = now
        service.last_verified_at = now
        service.save(update_fields=[*updated, "last_modified", "last_verified_at"])
        m.ServiceChange.objects.bulk_create(changes)
        announce_services_changed([service.pk], sender=service_update)
    return changes


@transaction.atomic
def service_verify(*, acting_user: User, service_id: uuid.UUID) -> m.ServiceChange:
    """The provider confirms the listing is current: resets the staleness clock and records who did it.

    Raises Http404 when the person may not edit this service.
    """
    service = service_get_for_editor(user=acting_user, service_id=service_id)
    now = timezone.now()
    old = service.last_verified_at
    service.last_verified_at = now
    service.save(update_fields=["last_verified_at"])
    change = m.ServiceChange.objects.create(
        service=service,
        changed_by=acting_user,
        changed_at=now,
        kind=m.ServiceChange.Kind.VERIFY,
        field="last_verified_at",
        old_value="" if old is None else old.isoformat(),
        new_value=now.isoformat(),
    )
    announce_services_changed([service.pk], sender=service_verify)
    return change
