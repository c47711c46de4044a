"""Screening pages: a coordinator with the family (under /families/<id>/), and a caregiver on their
own phone (under /my-family/). Both take the same steps through the same services.

Every page opens the family through ``screening.selectors`` (the access policy, audited) and shows
only rows in the categories that opening allowed; a screen, need or alert in a category the viewer
may not see answers 404, like one that does not exist.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecwhub.accounts.acting import acting_member
from ecwhub.accounts.models import FAMILY_STAFF_ROLES, Membership, Role, User
from ecwhub.consent.models import DataCategory, Purpose
from ecwhub.consent.policy import may_change_consent, purpose_for
from ecwhub.consent.sections import SectionContext, build_page, categories_of, page_sections
from ecwhub.consent.selectors import OpenedHousehold, audit_opened, members_visible, own_household_id
from ecwhub.core.errors import NotFound
from ecwhub.families.display import person_name
from ecwhub.families.models import Person

from . import scoring, selectors, services
from .catalog import instruments_for
from .display import (
    EvidenceView,
    answer_label,
    answers_by_item,
    coding_label,
    evidence_views,
    finding_title,
    has_item,
    result_views,
)
from .models import IdentifiedNeed, ScreeningResponse
from .protocols import PROTOCOLS
from .scoring import DECLINED
from .services import ScreeningError

DECLINE_VALUE = "declined"
# What a caregiver reads right after an answer that raised an alert. The safety text does not say
# that anyone was told: the phone may not be private.
FAMILY_HELP = {
    "self-harm": gettext_lazy(
        "If you are thinking about hurting yourself, call or text 988 (Spanish: press 2) now, any time. "
        "If you are in danger right now, call 911. Your coordinator will also reach out to you."
    ),
    "interpersonal-safety": gettext_lazy(
        "If you are in danger right now, call 911. The National Domestic Violence Hotline is free and "
        "confidential, any time: 1-800-799-7233, or text START to 88788."
    ),
}


@dataclass
class Actor:
    """Who is acting, and where their links point (the family's own pages or the staff pages)."""

    user: User
    membership: Membership
    purpose: str
    family: bool
    household_id: uuid.UUID
    opened: OpenedHousehold | None = None
    urls: dict[str, str] = field(default_factory=dict)

    def url(self, name: str, **kwargs: object) -> str:
        if self.family:
            return reverse(f"screening:mine_{name}" if name != "family" else "screening:mine", kwargs=kwargs or None)
        return reverse(f"screening:{name}", kwargs={"household_id": self.household_id, **kwargs})


def _staff(request: HttpRequest, household_id: uuid.UUID) -> Actor:
    user, membership = acting_member(request, FAMILY_STAFF_ROLES)
    return Actor(user, membership, purpose_for(membership), False, household_id)


def _family(request: HttpRequest) -> Actor:
    user, membership = acting_member(request, {Role.FAMILY_MEMBER})
    household_id = own_household_id(user)
    if household_id is None:
        raise NotFound
    return Actor(user, membership, Purpose.CARE_COORDINATION, True, household_id)


def _open(actor: Actor, detail: str, *, also: tuple[str, ...] = (), audit: bool = True) -> OpenedHousehold:
    actor.opened = selectors.screenings_open(
        user=actor.user,
        membership=actor.membership,
        household_id=actor.household_id,
        purpose=actor.purpose,
        detail=detail,
        also=also,
        audit=audit,
    )
    return actor.opened


def _response(actor: Actor, response_id: uuid.UUID) -> ScreeningResponse:
    assert actor.opened is not None
    return selectors.response_get(actor.opened, response_id)


def _lang(response: ScreeningResponse) -> str:
    return response.language


# --- Lists ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NotOffered:
    """A screen that fits the person but that the user may not record now: why, and how to unlock it."""

    title: str
    reason: str
    link: str = ""
    link_text: str = ""


@dataclass(frozen=True)
class MemberOffers:
    person: Person
    name: str
    offers: list[tuple[str, str]]
    not_offered: list[NotOffered] = field(default_factory=list)


def _not_offered(actor: Actor, title: str, category: str, reason: str, consent_link: str) -> NotOffered | None:
    """The policy's reason in words, with the page that unlocks it when there is one. A family
    member is not told about screens of another adult (those are that adult's to take)."""
    what = DataCategory(category).label.lower() if category in DataCategory.values else category
    if actor.family:
        return None
    if reason == "no consent in force covers this":
        link = consent_link
        return NotOffered(
            title,
            _("Needs the family's consent to share %(category)s.") % {"category": what},
            link,
            _("Record it on the consent page") if link else "",
        )
    if reason == "no agreement in force covers this":
        return NotOffered(
            title,
            _(
                "Your organization's data sharing agreement does not cover %(category)s: "
                "the hub administrator can add it to the agreement."
            )
            % {"category": what},
        )
    if reason.startswith("the ") and " role " in reason:
        return NotOffered(title, _("Your role does not record %(category)s.") % {"category": what})
    return NotOffered(title, _("You may not record this screen for this family."))


def _members_with_offers(actor: Actor, opened: OpenedHousehold) -> list[MemberOffers]:
    """Each member the user may see, with the instruments that fit their age and role and that
    the user may record (a depression screen needs the behavioral-health consent), and the ones
    that fit but may not be recorded now, with the reason."""
    household = opened.household
    people = members_visible(opened)
    language = get_language() or "en"
    rows = []
    decisions: dict[tuple[str, uuid.UUID], tuple[bool, str]] = {}

    def decision(instrument_id: str, person: Person) -> tuple[bool, str]:
        # The policy decides per person: a caregiver on their own phone screens themselves and
        # the children, never another adult; staff need the category in the family's consent.
        key = (_instrument_category(instrument_id), person.pk)
        if key not in decisions:
            found = services.write_decision(
                user=actor.user, membership=actor.membership, household=household, category=key[0], person=person
            )
            decisions[key] = (bool(found), found.reason)
        return decisions[key]

    consent_link: list[str] = []

    def link() -> str:
        # Asked once, and only when a screen is held back by the consent.
        if not consent_link:
            allowed = may_change_consent(user=actor.user, membership=actor.membership, household=household)
            consent_link.append(
                reverse("consent:consents", kwargs={"household_id": actor.household_id}) if allowed else ""
            )
        return consent_link[0]

    for person in people:
        offers = []
        not_offered = []
        for offer in instruments_for(person, people, language):
            allowed, reason = decision(offer.instrument, person)
            if allowed:
                offers.append((offer.instrument, offer.title))
            elif not actor.family:
                category = _instrument_category(offer.instrument)
                consent = link() if reason == "no consent in force covers this" else ""
                if (why := _not_offered(actor, offer.title, category, reason, consent)) is not None:
                    not_offered.append(why)
        if offers or not_offered:
            rows.append(MemberOffers(person, person_name(person), offers, not_offered))
    return rows


def _instrument_category(instrument_id: str) -> str:
    from .catalog import instrument_category

    return instrument_category(scoring.load_instrument(instrument_id))


@dataclass(frozen=True)
class ResponseRow:
    response: ScreeningResponse
    title: str
    person: str
    link: str


def _response_rows(actor: Actor, opened: OpenedHousehold) -> list[ResponseRow]:
    names = {p.pk: person_name(p) for p in members_visible(opened)}
    language = get_language() or "en"
    rows = []
    for response in selectors.responses_of(opened):
        if response.person_id not in names:
            continue
        instrument = scoring.load_instrument(response.instrument)
        if response.status == ScreeningResponse.Status.COMPLETED:
            link = actor.url("result", response_id=response.pk)
        elif actor.family and response.mode != ScreeningResponse.Mode.SELF:
            link = ""
        else:
            link = actor.url("take", response_id=response.pk)
        rows.append(ResponseRow(response, instrument.title.get(language), names[response.person_id], link))
    return rows


def _screenings_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The screens, the open alerts and what each member may take now, then the sections other
    apps add to this page (the tier); one audit entry names every category shown."""
    sections = page_sections(role=actor.membership.role, purpose=actor.purpose, page="screenings")
    opened = _open(actor, "screenings", also=tuple(categories_of(sections)), audit=False)
    section_context = SectionContext(opened, request)
    alerts = []
    if not actor.family:
        alerts = [(a, PROTOCOLS[a.protocol]) for a in selectors.open_alerts(opened)]
        section_context.show(*{alert.category for alert, _protocol in alerts})
    responses = _response_rows(actor, opened)
    section_context.show(DataCategory.SCREENING_RESULTS, *{r.response.category for r in responses})
    if opened.may_see(DataCategory.IDENTITY_CONTACT):
        section_context.show(DataCategory.IDENTITY_CONTACT)
    context = {
        "actor": actor,
        "household": opened.household,
        "reference": str(opened.household.pk)[:8],
        "members": _members_with_offers(actor, opened),
        "responses": responses,
        "alerts": alerts,
        "start_url": actor.url("start"),
        "needs_url": actor.url("needs"),
        "screen_languages": ScreeningResponse.Language.choices,
        "default_language": (get_language() or "en")[:2] if actor.family else opened.household.preferred_language,
        "sections": build_page(section_context, sections),
    }
    audit_opened(opened, section_context.shown, "screenings")
    return render(request, "screening/family.html", context)


@login_required
def family_screenings(request: HttpRequest, household_id: uuid.UUID) -> HttpResponse:
    """A family's screens, open alerts, and the screens each member may take now."""
    return _screenings_page(request, _staff(request, household_id))


@login_required
def my_screenings(request: HttpRequest) -> HttpResponse:
    """The caregiver's own screens, and the ones they can take now on their phone."""
    return _screenings_page(request, _family(request))


# --- Start ---------------------------------------------------------------------------------------


def _start(request: HttpRequest, actor: Actor) -> HttpResponse:
    opened = _open(actor, "start screening")
    if request.method != "POST":
        return redirect(actor.url("family"))
    allowed = {m.person.pk: m for m in _members_with_offers(actor, opened)}
    try:
        person_id = uuid.UUID(request.POST.get("person", ""))
    except ValueError:
        raise Http404 from None
    member = allowed.get(person_id)
    instrument_id = request.POST.get("instrument", "")
    if member is None or instrument_id not in {i for i, _t in member.offers}:
        raise Http404
    language = request.POST.get("language", "") or (get_language() or "en")[:2]
    try:
        response = services.screening_start(
            acting_user=actor.user,
            membership=actor.membership,
            household=opened.household,
            person=member.person,
            instrument_id=instrument_id,
            language=language,
            mode=request.POST.get("mode") or None,
            respondent=getattr(actor.user, "person", None) if actor.family else _respondent(opened, member.person),
        )
    except ScreeningError as error:
        if error.field == "household":
            raise Http404 from None
        messages.error(request, error.message)
        return redirect(actor.url("family"))
    return redirect(actor.url("take", response_id=response.pk))


def _respondent(opened: OpenedHousehold, person: Person) -> Person | None:
    if person.relationship != Person.Relationship.CHILD:
        return person
    return (
        opened.household.members.filter(
            relationship__in=[Person.Relationship.CAREGIVER, Person.Relationship.LEGAL_GUARDIAN]
        )
        .order_by("created_at")
        .first()
    )


@login_required
@require_POST
def screening_start_view(request: HttpRequest, household_id: uuid.UUID) -> HttpResponse:
    return _start(request, _staff(request, household_id))


@login_required
@require_POST
def my_screening_start(request: HttpRequest) -> HttpResponse:
    return _start(request, _family(request))


# --- Take ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionView:
    code: str
    label: str
    checked: bool


def _parse_answer(item: scoring.Item, values: list[str]) -> services.AnswerInput | None:
    if not values:
        return None
    if DECLINE_VALUE in values:
        return DECLINED if values == [DECLINE_VALUE] else None
    return values


def _take(request: HttpRequest, actor: Actor, response_id: uuid.UUID) -> HttpResponse:
    opened = _open(actor, "take screening")
    response = _response(actor, response_id)
    if actor.family and response.mode != ScreeningResponse.Mode.SELF:
        raise Http404
    if response.status == ScreeningResponse.Status.COMPLETED:
        return redirect(actor.url("result", response_id=response.pk))
    if not services.may_write(
        user=actor.user,
        membership=actor.membership,
        household=opened.household,
        category=response.category,
        person=response.person,
    ):
        raise NotFound
    instrument = scoring.load_instrument(response.instrument)
    language = _lang(response)
    error = ""
    if request.method == "POST":
        if "finish" in request.POST:
            try:
                services.screening_complete(acting_user=actor.user, membership=actor.membership, response=response)
            except ScreeningError as exc:
                if exc.field == "household":
                    raise Http404 from None
                error = exc.message
            else:
                messages.success(request, _("The screen is complete. Thank you."))
                return redirect(actor.url("result", response_id=response.pk))
        else:
            link_id = request.POST.get("link_id", "")
            answer = None
            try:
                item = instrument.item(link_id)
                answer = _parse_answer(item, request.POST.getlist("answer"))
            except KeyError:
                error = _("This question is not part of the screen.")
            if answer is None and not error:
                error = _("Choose an answer, or “Prefer not to answer”.")
            if not error:
                try:
                    raised = services.screening_answer(
                        acting_user=actor.user,
                        membership=actor.membership,
                        response=response,
                        link_id=link_id,
                        answer=answer,  # type: ignore[arg-type]
                    )
                except ScreeningError as exc:
                    if exc.field == "household":
                        raise Http404 from None
                    error = exc.message
                else:
                    for alert in raised:
                        if actor.family:
                            # The caregiver gets the help lines at once, on their own screen.
                            messages.warning(request, str(FAMILY_HELP[alert.kind]))
                        else:
                            messages.warning(request, str(PROTOCOLS[alert.protocol].title))
                    return redirect(actor.url("take", response_id=response.pk))
    answers = services.answers_of(response)
    enabled = scoring.enabled_items(instrument, answers)
    asked = request.GET.get("item", "") if request.method == "GET" else request.POST.get("link_id", "")
    pending = [link_id for link_id in enabled if link_id not in answers]
    current = asked if asked in enabled else (pending[0] if pending else "")
    visible = set(selectors.answers_shown(opened, response).values_list("link_id", flat=True))
    context: dict[str, object] = {
        "actor": actor,
        "response": response,
        "title": instrument.title.get(language),
        "language": language,
        "error": error,
        "answered": len([link_id for link_id in enabled if link_id in answers]),
        "total": len(enabled),
        "family_url": actor.url("family"),
        "take_url": actor.url("take", response_id=response.pk),
    }
    if current:
        item = instrument.item(current)
        given = answers.get(current) if current in visible else None
        chosen = set() if given is None or given is DECLINED else ({given} if isinstance(given, str) else set(given))
        context.update(
            item=item,
            question=item.text.get(language),
            options=[OptionView(o.code, o.display.get(language), o.code in chosen) for o in item.options],
            declined=given is DECLINED,
            number=enabled.index(current) + 1,
            previous=enabled[enabled.index(current) - 1] if enabled.index(current) > 0 else "",
        )
    else:
        context["review"] = [
            (
                link_id,
                instrument.item(link_id).text.get(language),
                answer_label(instrument.item(link_id), answers.get(link_id), language)
                if link_id in visible
                else _("(not shown)"),
            )
            for link_id in enabled
        ]
    return render(request, "screening/take.html", context, status=400 if error else 200)


@login_required
def screening_take(request: HttpRequest, household_id: uuid.UUID, response_id: uuid.UUID) -> HttpResponse:
    """One question at a time; answers are saved at once, so a screen can be resumed any time."""
    return _take(request, _staff(request, household_id), response_id)


@login_required
def my_screening_take(request: HttpRequest, response_id: uuid.UUID) -> HttpResponse:
    return _take(request, _family(request), response_id)


# --- Result --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FindingView:
    rule: str
    display: str
    codes: list[str]
    score: int | None
    evidence: list[EvidenceView]


def _result(request: HttpRequest, actor: Actor, response_id: uuid.UUID) -> HttpResponse:
    opened = _open(actor, "screening result")
    response = _response(actor, response_id)
    if response.status != ScreeningResponse.Status.COMPLETED:
        raise Http404
    instrument = scoring.load_instrument(response.instrument)
    language = get_language() or "en"
    answers = answers_by_item(opened, response)
    findings = [
        FindingView(
            f.rule,
            finding_title(instrument, f.rule, f.code, language),
            # Codes are for staff who exchange them with clinics and payers, behind a <details>.
            []
            if actor.family
            else [coding_label(f.system, f.code)] + [coding_label(str(c["system"]), str(c["code"])) for c in f.also],
            f.score,
            evidence_views(f.evidence, language),
        )
        for f in selectors.findings_of(opened, response)
    ]
    declined = [
        instrument.item(link_id).text.get(language)
        for link_id, answer in answers.items()
        if answer is DECLINED and has_item(instrument, link_id)
    ]
    answered = [
        EvidenceView(item.text.get(language), answer_label(item, answers[item.link_id], language))
        for item in instrument.items
        if item.link_id in answers
    ]
    needs = [n for n in selectors.needs_of(opened) if n.source_response_id == response.pk]
    # The crisis lines again, on the result of a screen that raised an alert, for whoever the
    # policy lets see that alert's category (behavioral health, interpersonal safety).
    alerts = list(selectors.alerts_of(opened, response))
    context = {
        "actor": actor,
        "response": response,
        "title": instrument.title.get(language),
        "alerts": [
            (alert, PROTOCOLS[alert.protocol], actor.url("alert", alert_id=alert.pk) if not actor.family else "")
            for alert in alerts
        ],
        "family_help": [str(FAMILY_HELP[kind]) for kind in dict.fromkeys(a.kind for a in alerts)],
        "results": result_views(instrument, opened, response, answers, language),
        "findings": findings,
        "answers": answered,
        "declined": declined,
        "needs": needs,
        "family_url": actor.url("family"),
        "needs_url": actor.url("needs"),
    }
    return render(request, "screening/result.html", context)


@login_required
def screening_result(request: HttpRequest, household_id: uuid.UUID, response_id: uuid.UUID) -> HttpResponse:
    """Totals, findings with the answers that led to them, declined questions, and the needs found."""
    return _result(request, _staff(request, household_id), response_id)


@login_required
def my_screening_result(request: HttpRequest, response_id: uuid.UUID) -> HttpResponse:
    return _result(request, _family(request), response_id)


# --- Needs and the family's priorities --------------------------------------------------------------


@dataclass(frozen=True)
class NeedView:
    need: IdentifiedNeed
    label: str
    person: str
    evidence: list[EvidenceView]
    editable: bool
    # What the form shows: the values just submitted when the form comes back with an error.
    status: str = ""
    priority: str = ""
    status_error: str = ""
    priority_error: str = ""


@dataclass
class NeedsForm:
    """The needs page's answers, read and checked before anything is saved."""

    values: dict[str, tuple[str, str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    # Errors that belong to no one field (from the services), shown above the form.
    general: list[str] = field(default_factory=list)


def _read_needs_form(request: HttpRequest, actor: Actor, needs: list[IdentifiedNeed]) -> NeedsForm:
    form = NeedsForm()
    statuses = set(IdentifiedNeed.Status.values)
    if actor.family:
        statuses.discard(IdentifiedNeed.Status.ADDRESSED)
    for need in needs:
        key = str(need.pk)
        status = request.POST.get(f"status-{key}")
        if status is None or need.status == IdentifiedNeed.Status.ADDRESSED:
            continue
        rank = request.POST.get(f"priority-{key}", "").strip()
        form.values[key] = (status, rank)
        if status not in statuses:
            form.errors[f"status-{key}"] = _("Choose whether the family wants help with this need.")
        if rank and (not rank.isdigit() or int(rank) < 1):
            form.errors[f"priority-{key}"] = _("A priority is a number: 1 for the first need.")
    return form


def _needs(request: HttpRequest, actor: Actor) -> HttpResponse:
    opened = selectors.needs_open(
        user=actor.user, membership=actor.membership, household_id=actor.household_id, purpose=actor.purpose
    )
    actor.opened = opened
    household = opened.household
    names = {p.pk: person_name(p) for p in members_visible(opened)}
    needs = list(selectors.needs_of(opened))
    form = NeedsForm()
    if request.method == "POST":
        form = _read_needs_form(request, actor, needs)
        if not form.errors:
            form.general = _save_needs(actor, household, needs, form)
        if not form.errors and not form.general:
            messages.success(request, _("The family's choices are saved."))
            return redirect(actor.url("needs"))
        # Nothing was saved (one transaction): the needs as they are, with the family's choices kept.
        needs = list(selectors.needs_of(opened))
    language = get_language() or "en"
    may_see_answers = DataCategory.SCREENING_RESULTS in opened.categories or actor.family
    rows = []
    for need in needs:
        key = str(need.pk)
        status, priority = form.values.get(key, (need.status, "" if need.priority is None else str(need.priority)))
        rows.append(
            NeedView(
                need,
                need.get_need_display(),
                names.get(need.person_id, "") if need.person_id else "",
                evidence_views(need.evidence, language) if may_see_answers else [],
                services.may_write(
                    user=actor.user,
                    membership=actor.membership,
                    household=household,
                    category=need.category,
                    person=need.person,
                ),
                status,
                priority,
                form.errors.get(f"status-{key}", ""),
                form.errors.get(f"priority-{key}", ""),
            )
        )
    summary = [f"{row.label}: {error}" for row in rows for error in (row.status_error, row.priority_error) if error]
    context = {
        "actor": actor,
        "household": household,
        "needs": rows,
        "statuses": IdentifiedNeed.Status.choices,
        "errors": summary + form.general,
        "family_url": actor.url("family"),
    }
    return render(request, "screening/needs.html", context, status=400 if context["errors"] else 200)


def _save_needs(actor: Actor, household: object, needs: list[IdentifiedNeed], form: NeedsForm) -> list[str]:
    """Statuses first, then the order of the needs the family wants help with (by the rank given),
    in one transaction: an error leaves every need as it was."""
    ranks: list[tuple[int, str]] = []
    try:
        with transaction.atomic():
            for need in needs:
                key = str(need.pk)
                if key not in form.values:
                    continue
                status, rank = form.values[key]
                if status != need.status:
                    need = services.need_set_status(
                        acting_user=actor.user, membership=actor.membership, need=need, status=status
                    )
                if status == IdentifiedNeed.Status.WANTS_HELP:
                    ranks.append((int(rank) if rank else 99, key))
            ordered = [key for _rank, key in sorted(ranks)]
            if ranks:
                services.needs_prioritise(
                    acting_user=actor.user,
                    membership=actor.membership,
                    household=household,  # type: ignore[arg-type]
                    ordered=ordered,
                )
    except ScreeningError as error:
        if error.field == "household":
            raise Http404 from None
        return [error.message]
    return []


@login_required
def family_needs(request: HttpRequest, household_id: uuid.UUID) -> HttpResponse:
    """The family's needs with their evidence; the family says which they want help with, and in what order."""
    return _needs(request, _staff(request, household_id))


@login_required
def my_needs(request: HttpRequest) -> HttpResponse:
    return _needs(request, _family(request))


# --- Alerts --------------------------------------------------------------------------------------


@login_required
def alert_detail(request: HttpRequest, household_id: uuid.UUID, alert_id: uuid.UUID) -> HttpResponse:
    """The protocol to follow for an alert, and the coordinator's acknowledgement."""
    actor = _staff(request, household_id)
    opened = _open(actor, "screening alert")
    alert = selectors.alert_get(opened, alert_id)
    if request.method == "POST":
        try:
            services.alert_acknowledge(acting_user=actor.user, membership=actor.membership, alert=alert)
        except ScreeningError:
            raise Http404 from None
        messages.success(request, _("Marked as followed up."))
        return redirect(actor.url("alert", alert_id=alert.pk))
    context = {
        "actor": actor,
        "alert": alert,
        "protocol": PROTOCOLS[alert.protocol],
        "household": opened.household,
        "family_url": actor.url("family"),
        "response_url": actor.url("take", response_id=alert.response_id)
        if selectors.responses_of(opened).filter(pk=alert.response_id).exists()
        else "",
    }
    return render(request, "screening/alert.html", context)


# --- The alert inbox -----------------------------------------------------------------------------

INBOX_ROLES = FAMILY_STAFF_ROLES


@login_required
def alert_inbox(request: HttpRequest) -> HttpResponse:
    """The open alerts of the families the user may see, newest first, each with its protocol
    page and a way to mark it followed up."""
    user, membership = acting_member(request, INBOX_ROLES)
    purpose = purpose_for(membership)
    if request.method == "POST":
        try:
            household_id = uuid.UUID(request.POST.get("household", ""))
            alert_id = uuid.UUID(request.POST.get("alert", ""))
        except ValueError:
            raise Http404 from None
        actor = Actor(user, membership, purpose, False, household_id)
        alert = selectors.alert_get(_open(actor, "screening alert"), alert_id)
        try:
            services.alert_acknowledge(acting_user=user, membership=membership, alert=alert)
        except ScreeningError:
            raise Http404 from None
        messages.success(request, _("Marked as followed up."))
        return redirect("screening:inbox")
    inbox = selectors.alerts_inbox(
        user=user, membership=membership, purpose=purpose, page_number=request.GET.get("page", 1)
    )
    rows = [
        (
            row,
            PROTOCOLS[row.alert.protocol],
            reverse("screening:alert", kwargs={"household_id": row.alert.household_id, "alert_id": row.alert.pk}),
        )
        for row in inbox.rows
    ]
    return render(request, "screening/inbox.html", {"page": inbox, "rows": rows})


HOME_ALERTS = 5


def home_alerts_card(request: HttpRequest, user: User, membership: Membership) -> dict[str, object]:
    """The coordinator's home: the newest open alerts and the link to the inbox."""
    inbox = selectors.alerts_inbox(
        user=user, membership=membership, purpose=purpose_for(membership), per_page=HOME_ALERTS
    )
    return {"rows": inbox.rows, "more": inbox.has_next}
