"""Who takes intakes."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ecwhub.accounts.models import Membership, Role

from .input import IntakeError

INTAKE_ROLES = frozenset({Role.COORDINATOR, Role.CLINICIAN})


def intake_membership_check(membership: Membership | None) -> Membership:
    """The membership, when it may take intakes; IntakeError otherwise."""
    if membership is None or membership.role not in INTAKE_ROLES or not membership.is_active:
        raise IntakeError({"__all__": [_("Only care coordinators and clinicians take intakes.")]})
    return membership
