"""Care sections placed in other apps' pages with one include line: the coordinator's home card
and the family page's tier and surveillance. Each reads through the access policy and audits."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from ecwhub.accounts.models import Membership, Role
from ecwhub.consent.models import DataCategory, Purpose
from ecwhub.consent.policy import categories_allowed
from ecwhub.consent.selectors import audit_reads
from ecwhub.families.models import Household

from ..models import CareEventKind
from ..selectors import REASON_CATEGORIES, WorklistFilters, care_panel, worklist_page
from ..surveillance import MISSED, UPCOMING

register = template.Library()
HOME_ROWS = 5
# Upcoming points shown per child, after everything done, due or overdue.
UPCOMING_SHOWN = 3


@register.simple_tag(takes_context=True)
def care_home_worklist(context: template.Context) -> SafeString:
    request = context.get("request")
    membership: Membership | None = getattr(request, "membership", None)
    if request is None or membership is None or membership.role != Role.COORDINATOR:
        return SafeString("")
    page = worklist_page(user=request.user, membership=membership, filters=WorklistFilters(), per_page=HOME_ROWS)
    return render_to_string("care/_home_worklist_card.html", {"rows": page.object_list}, request=request)


@register.simple_tag(takes_context=True)
def care_family_panel(context: template.Context) -> SafeString:
    request = context.get("request")
    household: Household | None = context.get("household")
    membership: Membership | None = getattr(request, "membership", None)
    if request is None or household is None or membership is None:
        return SafeString("")
    if membership.role not in (Role.COORDINATOR, Role.CLINICIAN, Role.PROVIDER_STAFF):
        return SafeString("")
    wanted = [*list(REASON_CATEGORIES), DataCategory.CLINICAL]
    allowed = set(
        categories_allowed(
            user=request.user,
            membership=membership,
            household=household,
            purpose=Purpose.CARE_COORDINATION,
            categories=wanted,
        )
    )
    panel = care_panel(user=request.user, membership=membership, household=household, categories=allowed)
    children = []
    for child, items in panel.children:
        shown: list[Any] = [i for i in items if i.status not in (MISSED, UPCOMING)]
        shown += [i for i in items if i.status == UPCOMING][:UPCOMING_SHOWN]
        children.append((child, shown))
    panel.children = children
    shown_categories = {r.category for r in panel.tier.reasons} | {DataCategory.CARE_PLAN}
    if children:
        shown_categories.add(DataCategory.DEMOGRAPHICS)
    if panel.epsdt:
        shown_categories.add(DataCategory.CLINICAL)
    audit_reads(
        user=request.user,
        membership=membership,
        household_ids=[household.pk],
        categories=sorted(shown_categories),
        purpose=Purpose.CARE_COORDINATION,
        detail="care panel",
    )
    return render_to_string(
        "care/_family_panel_body.html",
        {
            "panel": panel,
            "household": household,
            "may_record_event": DataCategory.DEMOGRAPHICS in allowed and membership.role != Role.PROVIDER_STAFF,
            "event_kinds": CareEventKind.choices,
            "today": timezone.localdate(),
        },
        request=request,
    )
