"""What the hub checks before a referral is sent, and how it explains it.

Two kinds of finding:

- **Blocks** (``Block``): the family's consent or an agreement in force does not cover sharing what
  the referral carries with the receiving organization. Nothing is sent until it does; a missing
  consent can be recorded on the spot.
- **Warnings** (``Warning``): the service may not fit (the need, the language, the child's age,
  insurance, whether it takes referrals, its wait). Each has a reason; the coordinator may still send.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ecwhub.consent.models import DataCategory, Purpose
from ecwhub.consent.policy import sharing_gaps
from ecwhub.core.languages import Language
from ecwhub.core.needs import Need
from ecwhub.directory.models import Service
from ecwhub.directory.search.index import insurance_required
from ecwhub.families.models import Household, Person
from ecwhub.screening.models import IdentifiedNeed

# A wait longer than this many days is worth a warning.
LONG_WAIT_DAYS = 14


@dataclass(frozen=True)
class Block:
    code: str  # "consent" or "agreement"
    categories: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class Warning:
    code: str
    text: str


@dataclass(frozen=True)
class CheckResult:
    blocks: tuple[Block, ...]
    warnings: tuple[Warning, ...]

    @property
    def consent_missing(self) -> bool:
        return any(b.code == "consent" for b in self.blocks)

    @property
    def agreement_missing(self) -> bool:
        return any(b.code == "agreement" for b in self.blocks)


def carried_categories(needs: Iterable[IdentifiedNeed]) -> list[str]:
    """What a referral shares with the receiver: who the family is and how to reach them, the
    referral itself, and the needs it is for (each in its own category)."""
    return list(
        dict.fromkeys([DataCategory.IDENTITY_CONTACT, DataCategory.REFERRALS, *(str(n.category) for n in needs)])
    )


def sharing_blocks(
    *,
    household: Household,
    person: Person | None,
    receiving_organization_id: int | None,
    needs: Sequence[IdentifiedNeed],
) -> list[Block]:
    """Consent and agreement for sharing the referral with a member organization. A service outside
    the network receives nothing through the hub (the coordinator gives the family a printed
    referral), so nothing blocks it."""
    if receiving_organization_id is None:
        return []
    labels = dict(DataCategory.choices)
    missing: dict[str, list[str]] = {}
    for gap in sharing_gaps(
        household=household,
        organization_id=receiving_organization_id,
        categories=carried_categories(needs),
        purpose=Purpose.REFERRAL,
        person=person,
    ):
        missing.setdefault(gap.missing, []).append(gap.category)
    blocks = []
    if "agreement" in missing:
        named = ", ".join(str(labels.get(c, c)) for c in missing["agreement"])
        text = _(
            "No data sharing agreement in force lets this organization receive these for referrals: "
            "%(categories)s. A hub administrator records agreements."
        ) % {"categories": named}
        blocks.append(Block("agreement", tuple(missing["agreement"]), text))
    if "consent" in missing:
        named = ", ".join(str(labels.get(c, c)) for c in missing["consent"])
        text = _(
            "The family has not consented to sharing these with this organization for referrals: %(categories)s."
        ) % {"categories": named}
        blocks.append(Block("consent", tuple(missing["consent"]), text))
    return blocks


def fit_warnings(
    *,
    service: Service,
    household: Household,
    person: Person | None,
    needs: Sequence[IdentifiedNeed],
    members: Sequence[Person],
    demographics: bool,
    insurance: bool,
) -> list[Warning]:
    """How the service may not fit this family. Facts the user may not see (demographics,
    insurance) are not used; ``members`` are the members the user may see."""
    warnings: list[Warning] = []
    if service.status != Service.Status.ACTIVE:
        warnings.append(
            Warning(
                "inactive",
                _("The listing says the service is %(status)s.") % {"status": service.get_status_display().lower()},
            )
        )
    if not service.accepting_referrals:
        warnings.append(Warning("not-accepting", _("The service is not accepting referrals right now.")))
    elif service.open_slots == 0:
        warnings.append(Warning("full", _("The service has no open places right now.")))
    if not service.accepts_electronic_referrals or service.organization_id is None:
        warnings.append(
            Warning(
                "outside-hub",
                _(
                    "This service does not take referrals through the hub: print or e-mail the referral, "
                    "and record its outcome here yourself."
                ),
            )
        )
    if service.typical_wait_days is not None and service.typical_wait_days > LONG_WAIT_DAYS:
        warnings.append(
            Warning(
                "long-wait",
                ngettext("Long wait: about %(days)d day.", "Long wait: about %(days)d days.", service.typical_wait_days)
                % {"days": service.typical_wait_days},
            )
        )
    offered = set(service.needs.values_list("need", flat=True))
    for need in needs:
        if need.need not in offered:
            warnings.append(
                Warning("need", _("The listing does not say it meets “%(need)s”.") % {"need": Need(need.need).label})
            )
    if demographics:
        warnings.extend(_language_warnings(service, household, person))
        warnings.extend(_age_warnings(service, person, members))
    if insurance and insurance_required(service.eligibility):
        covered = (
            [person] if person is not None else [m for m in members if m.relationship == Person.Relationship.CHILD]
        )
        if covered and not any(m.insurance_status == "medi_cal" for m in covered):
            warnings.append(
                Warning(
                    "insurance", _("Only for Medi-Cal members, and the person referred is not recorded with Medi-Cal.")
                )
            )
    return warnings


def _language_warnings(service: Service, household: Household, person: Person | None) -> list[Warning]:
    language = (
        person.preferred_language if person and person.preferred_language else household.preferred_language
    ) or ""
    dialect = (person.dialect if person and person.preferred_language else household.dialect).strip()
    interpreter = household.interpreter_needed or bool(person and person.interpreter_needed)
    if not language or language == "en":
        return []
    rows = list(service.languages.values_list("language", "dialect"))
    label = Language(language).label if language in Language.values else language
    spoken = [d for code, d in rows if code == language]
    interpretation = bool(service.interpretation_services.strip())
    if not spoken:
        if interpretation:
            return [
                Warning(
                    "interpreter",
                    _("Staff do not list %(language)s; the service offers interpretation.") % {"language": label},
                )
            ]
        return [
            Warning(
                "language",
                _("Staff do not list %(language)s, the family's language, and the listing offers no interpreter.")
                % {"language": label},
            )
        ]
    if dialect and not any(d and d.casefold() == dialect.casefold() for d in spoken):
        text = _("Staff speak %(language)s but do not list %(dialect)s.") % {"language": label, "dialect": dialect}
        if interpreter:
            text += " " + _("The family needs an interpreter.")
        return [Warning("dialect", text)]
    return []


def _age_warnings(service: Service, person: Person | None, members: Sequence[Person]) -> list[Warning]:
    if service.min_age_months is None and service.max_age_months is None:
        return []
    today = timezone.localdate()
    people = [person] if person is not None else [m for m in members if m.relationship == Person.Relationship.CHILD]
    if not people:
        return []
    low = service.min_age_months if service.min_age_months is not None else 0
    high = service.max_age_months if service.max_age_months is not None else 10**6
    if any(low <= p.age_in_months(today) <= high for p in people):
        return []
    if service.max_age_months is None:
        span = _("from %(low)d months") % {"low": low}
    else:
        span = _("%(low)d to %(high)d months") % {"low": low, "high": high}
    if person is not None:
        text = _("The person referred is outside the service's age range (%(range)s).") % {"range": span}
    else:
        text = _("No child in this family is in the service's age range (%(range)s).") % {"range": span}
    return [Warning("age", text)]
