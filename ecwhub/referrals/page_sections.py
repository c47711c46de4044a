"""The referrals app's parts of the family page, the timeline, the export and the home page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from ecwhub.accounts.home import HomeCard, register_home_card
from ecwhub.accounts.models import Membership, Role, User
from ecwhub.consent.models import DataCategory
from ecwhub.consent.sections import (
    ExportSection,
    PageSection,
    Readable,
    ReadableEntry,
    SectionContext,
    TimelineEvent,
    TimelineSource,
    register_export_section,
    register_page_section,
    register_timeline_source,
    row_category,
    when,
)
from ecwhub.consent.selectors import rows_visible
from ecwhub.screening.models import IdentifiedNeed

from .feedback import EVENT_LABELS as FEEDBACK_LABELS
from .models import Referral, ReferralEvent, ReferralFeedback, ReferralNeed
from .outside import EVENT_LABELS as OUTSIDE_LABELS
from .selectors import NEED_CATEGORIES, Box, box_counts, family_referrals
from .services import OPEN_NEED_STATUSES, REFERRING_ROLES
from .workflow import CLOSED, BusinessStatus, Status

SECTION_ROLES = frozenset({Role.COORDINATOR, Role.CLINICIAN, Role.PROVIDER_STAFF})
SECTION_CATEGORIES = (DataCategory.REFERRALS, *NEED_CATEGORIES)


def _needs_of(context: SectionContext, referrals: list[Referral]) -> dict[object, list[str]]:
    needs: dict[object, list[str]] = {}
    rows = rows_visible(context.opened, ReferralNeed.objects.filter(referral__in=referrals)).select_related("need")
    for row in rows:
        needs.setdefault(row.referral_id, []).append(row.need.get_need_display())
        context.show(row.need.category)
    return needs


def _section(context: SectionContext) -> dict[str, Any] | None:
    """The family's referrals and, for those who refer, the open needs with a way to refer each."""
    opened = context.opened
    if not opened.may_see(DataCategory.REFERRALS):
        return None
    referrals = family_referrals(opened)
    membership = opened.membership
    may_refer = membership is not None and membership.role in REFERRING_ROLES
    open_needs: list[IdentifiedNeed] = []
    if may_refer:
        open_needs = list(rows_visible(opened, IdentifiedNeed.objects.filter(status__in=OPEN_NEED_STATUSES)))
        for need in open_needs:
            context.show(need.category)
    if not referrals and not open_needs:
        return None
    context.show(DataCategory.REFERRALS)
    needs = _needs_of(context, referrals)
    referred = {
        rn.need_id
        for rn in ReferralNeed.objects.filter(
            referral__in=[r for r in referrals if r.status not in CLOSED], need__in=open_needs
        )
    }
    return {
        "household": opened.household,
        "rows": [(r, needs.get(r.pk, []), r.status in CLOSED) for r in referrals],
        "open_needs": [(n, n.pk in referred) for n in open_needs],
        "may_refer": may_refer,
    }


def _timeline(context: SectionContext) -> list[TimelineEvent]:
    """Each move in words: the state it reached, or the step recorded inside it."""
    statuses = dict(Status.choices)
    steps = {**dict(BusinessStatus.choices), **FEEDBACK_LABELS, **OUTSIDE_LABELS}
    events = rows_visible(context.opened, ReferralEvent.objects.select_related("referral__service")).exclude(
        action="create"
    )
    timeline = []
    for e in events:
        moved = e.from_status != e.to_status
        what = statuses.get(e.to_status, e.to_status) if moved else steps.get(e.business_status or e.action, e.action)
        text = f"{e.referral.service.name}: {what}" + (f" ({e.get_reason_display()})" if e.reason else "")
        timeline.append(TimelineEvent(at=e.at, kind=_("Referral"), text=text, category=row_category(e)))
    return timeline


def _export(context: SectionContext) -> dict[str, Any]:
    referrals = rows_visible(context.opened, Referral.objects.select_related("service")).order_by("created_at")
    visible_needs = _needs_codes(context, list(referrals))
    answers = {
        f.referral_id: f for f in rows_visible(context.opened, ReferralFeedback.objects.filter(referral__in=referrals))
    }
    return {
        "referrals": [
            {
                "id": str(r.pk),
                "service": r.service.name,
                "status": r.status,
                "business_status": r.business_status or None,
                "reason": r.reason or None,
                "need_result": r.need_result or None,
                "needs": visible_needs.get(r.pk, []),
                "created_at": r.created_at.isoformat(),
                "closed_at": r.closed_at.isoformat() if r.closed_at else None,
                "feedback": _feedback_data(answers.get(r.pk)),
            }
            for r in referrals
        ]
    }


def _feedback_data(answer: ReferralFeedback | None) -> dict[str, Any] | None:
    if answer is None:
        return None
    return {
        "got_what_needed": answer.got_what_needed,
        "respectful": answer.respectful,
        "language_ok": answer.language_ok,
        "comment": answer.comment,
        "answered_at": answer.answered_at.isoformat(),
        "method": answer.method,
    }


def _needs_codes(context: SectionContext, referrals: list[Referral]) -> dict[object, list[str]]:
    codes: dict[object, list[str]] = {}
    for row in rows_visible(context.opened, ReferralNeed.objects.filter(referral__in=referrals)).select_related("need"):
        codes.setdefault(row.referral_id, []).append(row.need.need)
    return codes


def _readable(context: SectionContext) -> list[Readable]:
    referrals = list(rows_visible(context.opened, Referral.objects.select_related("service")).order_by("created_at"))
    needs = _needs_of(context, referrals)
    answers = {
        f.referral_id: f for f in rows_visible(context.opened, ReferralFeedback.objects.filter(referral__in=referrals))
    }
    statuses = dict(Status.choices)
    entries = tuple(
        ReadableEntry(
            title=r.service.name,
            facts=tuple(
                (label, value)
                for label, value in (
                    (_("Status"), str(statuses.get(r.status, r.status))),
                    (_("For"), ", ".join(needs.get(r.pk, []))),
                    (_("Made"), when(r.created_at)),
                    (_("Reason"), r.get_reason_display() if r.reason else ""),
                    (_("Result"), r.get_need_result_display() if r.need_result else ""),
                    (_("The family's feedback"), _feedback_words(answers.get(r.pk))),
                )
                if value
            ),
        )
        for r in referrals
    )
    return [Readable(_("Referrals"), entries, _("No referrals."))]


def _feedback_words(answer: ReferralFeedback | None) -> str:
    if answer is None:
        return ""
    parts = [
        _("got what they needed: %(answer)s") % {"answer": answer.get_got_what_needed_display().lower()},
        _("treated with respect") if answer.respectful else _("not treated with respect"),
        _("could use their language") if answer.language_ok else _("could not use their language"),
    ]
    if answer.comment:
        parts.append(f"“{answer.comment}”")
    return "; ".join(str(p) for p in parts)


def _home(request: HttpRequest, user: User, membership: Membership) -> dict[str, Any]:
    box = Box.RECEIVED if membership.role == Role.PROVIDER_STAFF else Box.SENT
    counts = box_counts(user=user, membership=membership, box=box)
    received = box_counts(user=user, membership=membership, box=Box.RECEIVED) if box == Box.SENT else counts
    return {"box": box, "counts": counts, "received_new": received["new"]}


def register() -> None:
    register_page_section(
        PageSection(
            "referrals",
            30,
            "referrals/_family_section.html",
            _section,
            categories=SECTION_CATEGORIES,
            roles=SECTION_ROLES,
        )
    )
    register_timeline_source(TimelineSource("referrals", (DataCategory.REFERRALS,), _timeline))
    register_export_section(ExportSection("referrals", 70, _export, _readable))
    register_home_card(
        HomeCard(
            "referrals",
            20,
            "referrals/_home_card.html",
            _home,
            roles=frozenset({Role.COORDINATOR, Role.CLINICIAN, Role.PROVIDER_STAFF}),
        )
    )
