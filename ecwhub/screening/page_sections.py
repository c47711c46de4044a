"""The screening app's part of the family export: screens with their answers, results and
findings, the identified needs, and the alerts, each row only if the reader may see it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ecwhub.consent.sections import (
    ExportSection,
    Readable,
    ReadableEntry,
    SectionContext,
    TimelineEvent,
    TimelineSource,
    choice_label,
    register_export_section,
    register_timeline_source,
    row_category,
    when,
)
from ecwhub.consent.selectors import rows_visible
from ecwhub.core.needs import Need
from ecwhub.families.display import person_name

from . import scoring
from .display import answer_label, answers_by_item, finding_title, result_views
from .models import ROW_CATEGORIES, IdentifiedNeed, ScreeningAlert, ScreeningResponse
from .selectors import answers_shown, findings_of, responses_of, results_of


def _value(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _export(context: SectionContext) -> dict[str, Any]:
    opened = context.opened
    screenings = []
    for r in responses_of(opened).order_by("started_at", "id"):
        screenings.append(
            {
                "id": str(r.pk),
                "person": str(r.person_id),
                "instrument": r.instrument,
                "version": r.instrument_version,
                "language": r.language,
                "mode": r.mode,
                "status": r.status,
                "started_at": r.started_at.isoformat(),
                "completed_at": _value(r.completed_at),
                "answers": [
                    {
                        "question": a.link_id,
                        "code": a.question_code,
                        "answer": a.answer_code,
                        "value": a.value,
                        "declined": a.declined,
                    }
                    for a in answers_shown(opened, r)
                ],
                "results": [
                    {"rule": x.rule, "code": x.code, "status": x.status, "total": x.total}
                    for x in results_of(opened, r)
                ],
                "findings": [
                    {"code": f"{x.system}|{x.code}", "display": x.display, "score": x.score}
                    for x in findings_of(opened, r)
                ],
            }
        )
    return {
        "screenings": screenings,
        "needs": [
            {
                "need": n.need,
                "person": str(n.person_id) if n.person_id else None,
                "status": n.status,
                "family_priority": n.priority,
                "identified_at": n.identified_at.isoformat(),
            }
            for n in rows_visible(opened, IdentifiedNeed.objects.all()).order_by("identified_at", "id")
        ],
        "alerts": [
            {"kind": a.kind, "raised_at": a.raised_at.isoformat(), "acknowledged_at": _value(a.acknowledged_at)}
            for a in rows_visible(opened, ScreeningAlert.objects.all()).order_by("raised_at")
        ],
    }


def _readable(context: SectionContext) -> list[Readable]:
    opened = context.opened
    language = get_language() or "en"
    names = {p.pk: person_name(p) for p in opened.members}
    screens = []
    for r in responses_of(opened).order_by("started_at", "id"):
        try:
            instrument = scoring.load_instrument(r.instrument)
        except scoring.InstrumentError:
            continue
        answers = answers_by_item(opened, r)
        facts = [
            (_("About"), names.get(r.person_id, "")),
            (_("Status"), choice_label(ScreeningResponse.Status.choices, r.status)),
        ]
        facts += [
            (result.label, f"{result.outcome} ({result.score})" if result.score != "—" else result.outcome)
            for result in result_views(instrument, opened, r, answers, language)
        ]
        facts += [(_("Finding"), finding_title(instrument, f.rule, f.code, language)) for f in findings_of(opened, r)]
        lines = tuple(
            f"{item.text.get(language)} — {answer_label(item, answers[item.link_id], language)}"
            for item in instrument.items
            if item.link_id in answers
        )
        screens.append(
            ReadableEntry(
                title=f"{instrument.title.get(language)}, {when(r.started_at)}", facts=tuple(facts), lines=lines
            )
        )
    needs = tuple(
        f"{choice_label(Need.choices, n.need)}: {choice_label(IdentifiedNeed.Status.choices, n.status)}"
        + (" " + _("(priority %(priority)s)") % {"priority": n.priority} if n.priority else "")
        for n in rows_visible(opened, IdentifiedNeed.objects.all()).order_by("identified_at", "id")
    )
    alerts = tuple(
        f"{when(a.raised_at)}: {choice_label(ScreeningAlert.Kind.choices, a.kind)}"
        for a in rows_visible(opened, ScreeningAlert.objects.all()).order_by("raised_at")
    )
    parts = [
        Readable(_("Screenings"), tuple(screens), _("No screening yet.")),
        Readable(_("Needs"), (ReadableEntry(lines=needs),) if needs else (), _("None recorded.")),
    ]
    if alerts:
        parts.append(Readable(_("Alerts"), (ReadableEntry(lines=alerts),)))
    return parts


def _timeline(context: SectionContext) -> list[TimelineEvent]:
    opened = context.opened
    language = get_language() or "en"
    names = {p.pk: person_name(p) for p in opened.members}
    events = []
    for r in responses_of(opened).filter(status=ScreeningResponse.Status.COMPLETED):
        try:
            title = scoring.load_instrument(r.instrument).title.get(language)
        except scoring.InstrumentError:
            continue
        events.append(
            TimelineEvent(
                at=r.completed_at or r.started_at,
                kind=_("Screen"),
                text=f"{title} ({names.get(r.person_id, '')})",
                category=row_category(r),
            )
        )
    events += [
        TimelineEvent(
            at=n.identified_at,
            kind=_("Need"),
            text=f"{n.get_need_display()}: {n.get_status_display()}",
            category=row_category(n),
        )
        for n in rows_visible(opened, IdentifiedNeed.objects.all())
    ]
    events += [
        TimelineEvent(at=a.raised_at, kind=_("Alert"), text=a.get_kind_display(), category=row_category(a))
        for a in rows_visible(opened, ScreeningAlert.objects.all())
    ]
    return events


def register() -> None:
    from ecwhub.accounts.home import HomeCard, register_home_card
    from ecwhub.accounts.models import Role

    from .views import home_alerts_card

    register_export_section(ExportSection("screening", 50, _export, _readable))
    register_timeline_source(TimelineSource("screening", ROW_CATEGORIES, _timeline))
    register_home_card(
        HomeCard(
            "screening-alerts",
            5,
            "screening/_home_alerts_card.html",
            home_alerts_card,
            # The families' safety and self-harm alerts, for whoever works with them first.
            roles=frozenset({Role.COORDINATOR, Role.CLINICIAN}),
        )
    )
