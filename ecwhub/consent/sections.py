"""The family page and the family export, assembled from sections that each app registers.

The families app owns the page (``/families/<id>/``) and this app the export, but the facts come
from every app: screening, care, later referrals and care plans. Neither the page nor the export
imports another app's models; each app adds its sections in its ``AppConfig.ready()``:

- a page section names the optional categories it may show; the page opens the family once
  (``household_open``) with the union of them (the export opens every category the reader may see);
- it reads only through the opened family (``rows_visible``, ``members_visible``), so the policy
  decides every row;
- it says which categories it actually showed (``SectionContext.show``); the page writes one audit
  entry with them, the export one EXPORT entry.

Rendering never queries: a section's ``build`` runs in the view, and its template only formats.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from django.db.models import Model
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext

from ecwhub.accounts.models import Role

from .models import Purpose
from .selectors import OpenedHousehold

EVERY_ROLE = frozenset(Role)


@dataclass
class SectionContext:
    """What a section is given: the opened family, the request (pages only), and the categories
    the sections showed so far."""

    opened: OpenedHousehold
    request: HttpRequest | None = None
    shown: set[str] = field(default_factory=set)

    def show(self, *categories: str) -> None:
        """Record that these categories were shown (they go into the audit entry)."""
        for category in categories:
            if category not in self.opened.categories and not any(
                category in cats for cats in self.opened.people.values()
            ):
                raise ValueError(f"a section showed {category!r}, which the family was not opened for")
            self.shown.add(str(category))


@dataclass(frozen=True)
class PageSection:
    """A part of a family's page. ``build`` returns the template's context, or None to show
    nothing; ``template`` formats it (no queries)."""

    key: str
    order: int
    template: str
    build: Callable[[SectionContext], dict[str, Any] | None]
    categories: tuple[str, ...] = ()
    roles: frozenset[str] = EVERY_ROLE
    purposes: frozenset[str] = frozenset({Purpose.CARE_COORDINATION})
    # Which page of the family the section belongs to: the family page, or its screenings page.
    page: str = "family"


@dataclass(frozen=True)
class ReadableEntry:
    """One thing in the printable export: a title, labelled facts and lines, all in words."""

    title: str = ""
    facts: tuple[tuple[str, str], ...] = ()
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Readable:
    """A part of the printable export, under its heading; ``empty`` is said when it has no entry."""

    heading: str
    entries: tuple[ReadableEntry, ...] = ()
    empty: str = ""


@dataclass(frozen=True)
class ExportSection:
    """A part of the family export: ``build`` returns the keys it adds to the export's data (codes
    and ISO dates, for programs); ``readable`` the same facts in words, in the reader's language,
    for the printable page. Both read through the opened family."""

    key: str
    order: int
    build: Callable[[SectionContext], dict[str, Any]]
    readable: Callable[[SectionContext], list[Readable]] | None = None


@dataclass(frozen=True)
class TimelineEvent:
    """One thing that happened to the family, for its timeline: when, what kind, what, and the
    consent category of the row it comes from (the page's audit entry names it)."""

    at: datetime
    kind: str
    text: str
    category: str


@dataclass(frozen=True)
class TimelineSource:
    """An app's events for the family's timeline, read through the opened family (``rows_visible``)."""

    key: str
    categories: tuple[str, ...]
    events: Callable[[SectionContext], list[TimelineEvent]]


TIMELINE_SECTION = "timeline"

_PAGE: dict[str, PageSection] = {}
_EXPORT: dict[str, ExportSection] = {}
_TIMELINE: dict[str, TimelineSource] = {}


def register_timeline_source(source: TimelineSource) -> None:
    """Add an app's events to the family's timeline; the timeline section opens the family with
    every source's categories, whichever app registered first."""
    if source.key in _TIMELINE and _TIMELINE[source.key] != source:
        raise ValueError(f"two timeline sources are called {source.key!r}")
    _TIMELINE[source.key] = source
    section = _PAGE.get(TIMELINE_SECTION)
    if section is not None:
        _PAGE[TIMELINE_SECTION] = replace(section, categories=timeline_categories())


def timeline_sources() -> list[TimelineSource]:
    return sorted(_TIMELINE.values(), key=lambda s: s.key)


def timeline_categories() -> tuple[str, ...]:
    return tuple(dict.fromkeys(c for s in timeline_sources() for c in s.categories))


def row_category(row: Model) -> str:
    """The consent category of a family row (``FAMILY_ROW`` on its model: fixed, or a field)."""
    spec = row.FAMILY_ROW  # type: ignore[attr-defined]
    if not spec.category_field:
        return str(spec.category)
    value: Any = row
    for part in spec.category_field.split("__"):
        value = getattr(value, part)
    return str(value)


def as_moment(value: date | datetime) -> datetime:
    """A date as the start of that day in the hub's time zone, so dates and times sort together."""
    if isinstance(value, datetime):
        return value
    return timezone.make_aware(datetime.combine(value, datetime.min.time()))


def register_page_section(section: PageSection) -> None:
    if section.key == TIMELINE_SECTION:  # its categories are the sources', registered before or after
        _PAGE[section.key] = replace(section, categories=timeline_categories())
        return
    if section.key in _PAGE and _PAGE[section.key] != section:
        raise ValueError(f"two family page sections are called {section.key!r}")
    _PAGE[section.key] = section


def register_export_section(section: ExportSection) -> None:
    if section.key in _EXPORT and _EXPORT[section.key] != section:
        raise ValueError(f"two export sections are called {section.key!r}")
    _EXPORT[section.key] = section


def page_sections(*, role: str, purpose: str, page: str = "family") -> list[PageSection]:
    return sorted(
        (s for s in _PAGE.values() if s.page == page and role in s.roles and purpose in s.purposes),
        key=lambda s: (s.order, s.key),
    )


def export_sections() -> list[ExportSection]:
    return sorted(_EXPORT.values(), key=lambda s: (s.order, s.key))


def categories_of(sections: Iterable[PageSection]) -> list[str]:
    """The union of the sections' categories, in a stable order."""
    return list(dict.fromkeys(c for s in sections for c in s.categories))


def build_page(context: SectionContext, sections: Iterable[PageSection]) -> list[SafeString]:
    """Each section built and rendered, in order (sections with nothing to show are left out).
    The sections' reads are done before any template runs: templates only format."""
    built = [(section, section.build(context)) for section in sections]
    return [
        SafeString(render_to_string(section.template, data, request=context.request))
        for section, data in built
        if data is not None
    ]


# --- Words for the printable export ---------------------------------------------------------------


def when(value: date | datetime | None) -> str:
    """A date, or a moment in the hub's time zone, as the reader's language writes it."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    return date_format(value, "DATE_FORMAT")


def span(start: date | datetime | None, end: date | datetime | None) -> str:
    """ "3 March 2026 – 4 May 2026", or the start alone while it lasts."""
    return f"{when(start)} – {when(end)}" if end else when(start)


def choice_label(choices: Iterable[tuple[Any, Any]], value: Any) -> str:
    """The label of a stored choice (a code the reader never sees)."""
    return str(dict(choices).get(value, value))


def yes_no(value: bool) -> str:
    return gettext("Yes") if value else gettext("No")


def field_facts(instance: Model, names: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """The named fields of a row as (label, value) in words: each field's own label, choices by
    their label, yes/no, dates as the reader writes them; empty fields are left out."""
    facts = []
    for name in names:
        field = instance._meta.get_field(name)
        value = getattr(instance, name)
        if value is None or value == "":
            continue
        choices = getattr(field, "choices", None)
        if isinstance(value, bool):
            text = yes_no(value)
        elif choices:
            text = choice_label(choices, value)
        elif isinstance(value, date | datetime):
            text = when(value)
        else:
            text = str(value)
        facts.append((capfirst(str(getattr(field, "verbose_name", name))), text))
    return tuple(facts)
