"""The care app's sections: the tier, well-child care and the designated coordinator on the
family page, the tier on the family's screenings page, the care record in the export, and the
coordinator's home card."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from ecwhub.accounts.home import HomeCard, register_home_card
from ecwhub.accounts.models import Membership, Role, User
from ecwhub.consent.models import DataCategory, Purpose
from ecwhub.consent.policy import decide
from ecwhub.consent.sections import (
    ExportSection,
    PageSection,
    Readable,
    ReadableEntry,
    SectionContext,
    TimelineEvent,
    TimelineSource,
    as_moment,
    choice_label,
    register_export_section,
    register_page_section,
    register_timeline_source,
    row_category,
    span,
    when,
)
from ecwhub.consent.selectors import rows_visible
from ecwhub.core.languages import Language
from ecwhub.families.display import person_name
from ecwhub.screening.models import IdentifiedNeed

from .coordinators import (
    SUGGESTIONS_SHOWN,
    coordinator_history,
    coordinator_suggestions,
    current_designation,
    may_designate,
)
from .encounter_links import encounter_link_kinds
from .forms import TaskForm
from .models import (
    CareEvent,
    CareEventKind,
    CareTask,
    Contact,
    EpsdtNecessity,
    Funding,
    Tier,
    TierAssignment,
    Topic,
)
from .selectors import REASON_CATEGORIES, WorklistFilters, care_panel, overdue_page, tier_view, worklist_page
from .surveillance import MISSED, UPCOMING

PANEL_ROLES = frozenset({Role.COORDINATOR, Role.CLINICIAN, Role.PROVIDER_STAFF})
PANEL_CATEGORIES = (*REASON_CATEGORIES, DataCategory.CLINICAL)
HOME_ROWS = 5
# Upcoming points shown per child, after everything done, due or overdue.
UPCOMING_SHOWN = 3
# Contacts shown on the family page (the export has them all).
CONTACTS_SHOWN = 20
# Care tasks done shown on the family page.
TASKS_DONE_SHOWN = 5


def _panel(context: SectionContext) -> dict[str, Any] | None:
    opened = context.opened
    panel = care_panel(opened)
    if panel is None:
        return None
    children = []
    for child, items in panel.children:
        shown = [i for i in items if i.status not in (MISSED, UPCOMING)]
        shown += [i for i in items if i.status == UPCOMING][:UPCOMING_SHOWN]
        children.append((child, shown))
    panel.children = children
    context.show(*panel.shown)
    membership = opened.membership
    return {
        "panel": panel,
        "household": opened.household,
        "may_record_event": membership is not None
        and membership.role != Role.PROVIDER_STAFF
        and opened.may_see(DataCategory.DEMOGRAPHICS),
        "event_kinds": CareEventKind.choices,
        "today": timezone.localdate(),
    }


def _may_write_notes(context: SectionContext) -> bool:
    opened = context.opened
    membership = opened.membership
    if membership is None or membership.role not in (Role.COORDINATOR, Role.CLINICIAN):
        return False
    return bool(
        decide(
            user=opened.user,
            membership=membership,
            household=opened.household,
            category=DataCategory.CASE_NOTES,
            purpose=Purpose.CARE_COORDINATION,
            write=True,
        )
    )


def _contacts(context: SectionContext) -> dict[str, Any] | None:
    """The family's contacts and encounters, newest first, in words: how, what came of it, and the
    encounter's facts (who took part among the members the viewer may see, topics, interpreter,
    the needs the viewer may see, what else it worked on, funding, the note)."""
    opened = context.opened
    may_record = _may_write_notes(context)
    contacts = list(
        rows_visible(opened, Contact.objects.select_related("organization"))
        .prefetch_related("participants", "needs", "topics")
        .order_by("-at", "-id")[:CONTACTS_SHOWN]
    )
    if not contacts and not may_record:
        return None
    if contacts:
        context.show(DataCategory.CASE_NOTES)
    names = {p.pk: person_name(p) for p in opened.members}
    need_ids = {n.pk for c in contacts for n in c.needs.all()}
    needs_seen = {n.pk: n for n in rows_visible(opened, IdentifiedNeed.objects.filter(pk__in=need_ids))}
    if needs_seen:
        context.show(*{n.category for n in needs_seen.values()})
    kinds = encounter_link_kinds()
    shown = []
    for contact in contacts:
        facts = {
            "minutes": contact.minutes,
            "people": [names[p.pk] for p in contact.participants.all() if p.pk in names],
            "topics": [choice_label(Topic.choices, t.topic) for t in contact.topics.all()]
            + ([contact.topics_other] if contact.topics_other else []),
            "interpreter": choice_label(Language.choices, contact.interpreter_language)
            if contact.interpreter_used
            else "",
            "needs": [str(needs_seen[n.pk].get_need_display()) for n in contact.needs.all() if n.pk in needs_seen],
            "funding": choice_label(Funding.choices, contact.funding) if contact.funding else "",
            "links": [(kind.label(), linked) for kind in kinds if (linked := kind.shown(contact))],
        }
        shown.append((contact, facts))
    return {"contacts": shown, "household": opened.household, "may_record": may_record}


def _tasks(context: SectionContext) -> dict[str, Any] | None:
    """The family's open care tasks (and the last ones done), and a form to add one."""
    opened = context.opened
    membership = opened.membership
    may_write = membership is not None and membership.role == Role.COORDINATOR and _may_write_notes(context)
    tasks = rows_visible(opened, CareTask.objects.select_related("owner", "done_by"))
    open_tasks = list(tasks.filter(done_at__isnull=True).order_by("due", "id"))
    done_tasks = list(tasks.filter(done_at__isnull=False).order_by("-done_at", "-id")[:TASKS_DONE_SHOWN])
    if not open_tasks and not done_tasks and not may_write:
        return None
    if open_tasks or done_tasks:
        context.show(DataCategory.CASE_NOTES)
    return {
        "household": opened.household,
        "open_tasks": open_tasks,
        "done_tasks": done_tasks,
        "may_write": may_write,
        "task_form": TaskForm(initial={"due": timezone.localdate()}),
        "today": timezone.localdate(),
    }


def _coordinator(context: SectionContext) -> dict[str, Any] | None:
    """The family's designated coordinator, the history of assignments (with their notes when the
    viewer may read case notes) and, for those who may choose, the ranked suggestions."""
    opened = context.opened
    household = opened.household
    membership = opened.membership
    current = current_designation(household)
    notes = opened.may_see(DataCategory.CASE_NOTES)
    history = coordinator_history(household)
    if notes and history:
        context.show(DataCategory.CASE_NOTES)
    may_choose = membership is not None and may_designate(user=opened.user, membership=membership, household=household)
    suggestions = []
    if may_choose:
        exclude = current.user if current is not None else None
        suggestions = coordinator_suggestions(household, exclude=exclude)[:SUGGESTIONS_SHOWN]
    return {
        "household": household,
        "current": current,
        "history": history,
        "show_notes": notes,
        "may_choose": may_choose,
        "suggestions": suggestions,
    }


def _screenings_tier(context: SectionContext) -> dict[str, Any] | None:
    """The family's risk tier (computed after each screen), with the reasons the viewer may see."""
    opened = context.opened
    if not opened.may_see(DataCategory.CARE_PLAN):
        return None
    view = tier_view(rows_visible(opened, TierAssignment.objects.all()).first(), set(opened.categories))
    context.show(DataCategory.CARE_PLAN, *{r.category for r in view.reasons})
    return {"tier": {"label": Tier(view.tier).label, "reasons": view.reason_texts, "hidden": view.hidden}}


def _value(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _export(context: SectionContext) -> dict[str, Any]:
    opened = context.opened
    tier = rows_visible(opened, TierAssignment.objects.all()).first()
    allowed = set(opened.categories)
    events = rows_visible(opened, CareEvent.objects.all()).order_by("date", "id")
    contacts = (
        rows_visible(opened, Contact.objects.select_related("organization"))
        .prefetch_related("participants", "topics")
        .order_by("at", "id")
    )
    visible_people = {p.pk for p in opened.members}
    epsdt = rows_visible(opened, EpsdtNecessity.objects.all()).order_by("recorded_on", "id")
    return {
        "tier": {
            "tier": tier.tier,
            "reasons": [r["en"] for r in tier.reasons if r.get("category") in allowed],
            "computed_at": tier.computed_at.isoformat(),
        }
        if tier is not None
        else None,
        "care_events": [
            {"person": str(e.person_id), "kind": e.kind, "date": e.date.isoformat(), "source": e.source} for e in events
        ],
        "contacts": [
            {
                "at": c.at.isoformat(),
                "method": c.method,
                "reached": c.reached,
                "outcome": c.outcome or None,
                "organization": c.organization.name,
                "minutes": c.minutes,
                "participants": [str(p.pk) for p in c.participants.all() if p.pk in visible_people],
                "dyadic": c.dyadic,
                "topics": [t.topic for t in c.topics.all()],
                "topics_other": c.topics_other,
                "interpreter_language": c.interpreter_language or None,
                "funding": c.funding or None,
                "note": c.note,
            }
            for c in contacts
        ],
        "epsdt_medical_necessity": [
            {
                "person": str(x.person_id),
                "recorded_on": x.recorded_on.isoformat(),
                "reason": x.reason,
                "ended_at": _value(x.ended_at),
            }
            for x in epsdt
        ],
    }


def _readable(context: SectionContext) -> list[Readable]:
    opened = context.opened
    names = {p.pk: person_name(p) for p in opened.members}
    entries = []
    if opened.may_see(DataCategory.CARE_PLAN):
        row = rows_visible(opened, TierAssignment.objects.all()).first()
        if row is not None:
            view = tier_view(row, set(opened.categories))
            context.show(DataCategory.CARE_PLAN, *{r.category for r in view.reasons})
            entries.append(
                ReadableEntry(
                    title=_("Level of support: %(tier)s") % {"tier": Tier(view.tier).label},
                    lines=tuple(view.reason_texts),
                )
            )
    events = rows_visible(opened, CareEvent.objects.all()).order_by("date", "id")
    event_lines = tuple(
        f"{when(e.date)}: {choice_label(CareEventKind.choices, e.kind)}"
        + (f" ({names[e.person_id]})" if e.person_id in names else "")
        for e in events
    )
    if event_lines:
        entries.append(ReadableEntry(title=_("Visits and care"), lines=event_lines))
    contacts = rows_visible(opened, Contact.objects.select_related("organization")).order_by("at", "id")
    contact_lines = tuple(
        _("%(when)s: %(method)s, %(organization)s — %(outcome)s")
        % {
            "when": when(c.at),
            "method": choice_label(Contact.Method.choices, c.method),
            "organization": c.organization.name,
            "outcome": c.outcome_label,
        }
        for c in contacts
    )
    if contact_lines:
        entries.append(ReadableEntry(title=_("Contacts"), lines=contact_lines))
    epsdt_lines = tuple(
        _("%(dates)s: %(person)s — %(reason)s")
        % {"dates": span(x.recorded_on, x.ended_at), "person": names.get(x.person_id, ""), "reason": x.reason}
        for x in rows_visible(opened, EpsdtNecessity.objects.all()).order_by("recorded_on", "id")
    )
    if epsdt_lines:
        entries.append(ReadableEntry(title=_("Medical necessity (EPSDT)"), lines=epsdt_lines))
    return [Readable(_("Care"), tuple(entries), _("Nothing recorded yet."))]


def _timeline(context: SectionContext) -> list[TimelineEvent]:
    opened = context.opened
    names = {p.pk: person_name(p) for p in opened.members}
    events = [
        TimelineEvent(
            at=c.at,
            kind=_("Contact"),
            text=f"{c.get_method_display()}, {c.organization.name}: {c.outcome_label}",
            category=row_category(c),
        )
        for c in rows_visible(opened, Contact.objects.select_related("organization"))
    ]
    events += [
        TimelineEvent(
            at=as_moment(e.date),
            kind=_("Care"),
            text=f"{e.get_kind_display()}" + (f" ({names[e.person_id]})" if e.person_id in names else ""),
            category=row_category(e),
        )
        for e in rows_visible(opened, CareEvent.objects.all())
    ]
    events += [
        TimelineEvent(
            at=as_moment(x.recorded_on),
            kind=_("EPSDT"),
            text=_("Medical necessity recorded for %(person)s") % {"person": names.get(x.person_id, "")},
            category=row_category(x),
        )
        for x in rows_visible(opened, EpsdtNecessity.objects.all())
    ]
    return events


def _home_worklist(request: HttpRequest, user: User, membership: Membership) -> dict[str, Any]:
    page = worklist_page(user=user, membership=membership, filters=WorklistFilters(), per_page=HOME_ROWS)
    return {"rows": page.object_list}


def _home_my_day(request: HttpRequest, user: User, membership: Membership) -> dict[str, Any]:
    """A count only (no family is read): the user's open care tasks due today or earlier."""
    count = CareTask.objects.filter(owner=user, done_at__isnull=True, due__lte=timezone.localdate()).count()
    return {"open_tasks": count}


def _home_overdue(request: HttpRequest, user: User, membership: Membership) -> dict[str, Any]:
    """The clinician's home: the children longest overdue for a visit or a screening."""
    page = overdue_page(user=user, membership=membership, filters=WorklistFilters(), per_page=HOME_ROWS)
    kinds = dict(CareEventKind.choices)
    return {"rows": [(row, [kinds.get(k, k) for k in row.overdue_kinds]) for row in page.object_list]}


def register() -> None:
    register_page_section(
        PageSection(
            "care-panel",
            20,
            "care/_family_panel_body.html",
            _panel,
            categories=PANEL_CATEGORIES,
            roles=PANEL_ROLES,
        )
    )
    register_page_section(
        PageSection(
            "designated-coordinator",
            15,
            "care/coordinator_section.html",
            _coordinator,
            categories=(DataCategory.CASE_NOTES,),
            roles=PANEL_ROLES,
        )
    )
    register_page_section(
        PageSection(
            "contacts",
            25,
            "care/_contacts_section.html",
            _contacts,
            categories=(DataCategory.CASE_NOTES,),
            roles=PANEL_ROLES,
        )
    )
    register_page_section(
        PageSection(
            "screenings-tier",
            10,
            "care/_screenings_tier.html",
            _screenings_tier,
            categories=REASON_CATEGORIES,
            roles=PANEL_ROLES,
            page="screenings",
        )
    )
    register_page_section(
        PageSection(
            "care-tasks",
            24,
            "care/_tasks_section.html",
            _tasks,
            categories=(DataCategory.CASE_NOTES,),
            roles=PANEL_ROLES,
        )
    )
    register_export_section(ExportSection("care", 60, _export, _readable))
    register_timeline_source(
        TimelineSource("care", (DataCategory.CASE_NOTES, DataCategory.CARE_PLAN, DataCategory.CLINICAL), _timeline)
    )
    register_home_card(
        HomeCard(
            "care-worklist", 10, "care/_home_worklist_card.html", _home_worklist, roles=frozenset({Role.COORDINATOR})
        )
    )
    register_home_card(
        HomeCard("care-my-day", 5, "care/_home_my_day_card.html", _home_my_day, roles=frozenset({Role.COORDINATOR}))
    )
    register_home_card(
        HomeCard("care-overdue", 10, "care/_home_overdue_card.html", _home_overdue, roles=frozenset({Role.CLINICIAN}))
    )
