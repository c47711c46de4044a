"""Editing pathway definitions: the hub administrator's changes, checked field by field.

A definition edit never touches a pathway already opened: a pathway copies its steps, limits and
outcome when it opens (``services.pathway_open``); the next pathway follows the new version.
Every save writes a ``DefinitionRevision`` (the content as saved, by whom) and an audit entry.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecwhub.accounts.models import Membership, Role, User
from ecwhub.consent.audit import audit_write
from ecwhub.core.errors import NotFound
from ecwhub.core.needs import Need

from .models import (
    CONFIRM_AFTER_MAX,
    TIME_LIMIT_MAX,
    TIME_LIMIT_MIN,
    DefinitionRevision,
    PathwayDefinition,
    PathwayDefinitionNeed,
    PathwayStepDefinition,
    StepKind,
)

KEY_MAX = 60
NAME_MAX = 120
OUTCOME_MAX = 300
TITLE_MAX = 200


@dataclass
class StepInput:
    order: int | None
    title: str
    kind: str
    time_limit_days: int | None
    required: bool = True
    need: str = ""


@dataclass
class DefinitionInput:
    key: str
    name: str
    outcome: str
    time_limit_days: int | None
    source: str
    needs: list[str] = field(default_factory=list)
    description: str = ""
    confirm_after_days: int | None = 0
    active: bool = True
    steps: list[StepInput] = field(default_factory=list)


class DefinitionError(ValueError):
    """A definition refused: ``errors`` maps each field at fault (``steps-<i>-<field>`` for the
    i-th step, from 0) to its messages. Nothing was written."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


def _limit_error(value: int | None) -> str:
    if value is None:
        return _("Give the time limit in days.")
    if not TIME_LIMIT_MIN <= value <= TIME_LIMIT_MAX:
        return _("The time limit must be between %(min)d and %(max)d days.") % {
            "min": TIME_LIMIT_MIN,
            "max": TIME_LIMIT_MAX,
        }
    return ""


def definition_check(data: DefinitionInput, *, instance: PathwayDefinition | None = None) -> dict[str, list[str]]:
    """Every fault of ``data``, by field (empty: the definition may be saved)."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    key = data.key.strip()
    if not key:
        add("key", _("Give the pathway a key (letters, digits and hyphens)."))
    elif len(key) > KEY_MAX or not all(c.isascii() and (c.isalnum() or c in "-_") for c in key):
        add("key", _("Use only letters, digits and hyphens, at most 60 characters."))
    elif key == "new":  # the address of the page that creates a definition
        add("key", _("This key is reserved: choose another."))
    elif PathwayDefinition.objects.filter(key=key).exclude(pk=instance.pk if instance else 0).exists():
        add("key", _("Another pathway already has this key."))
    if instance is not None and key and key != instance.key and instance.pathways.exists():
        add("key", _("Pathways were opened with this key: it cannot change."))
    if not data.name.strip():
        add("name", _("Give the pathway a name."))
    elif len(data.name.strip()) > NAME_MAX:
        add("name", _("Keep the name under 120 characters."))
    if not data.outcome.strip():
        add("outcome", _("Say what measurable outcome completes the pathway."))
    elif len(data.outcome.strip()) > OUTCOME_MAX:
        add("outcome", _("Keep the outcome under 300 characters."))
    if not data.source.strip():
        add("source", _("Say where this definition was drawn from."))
    if not data.needs:
        add("needs", _("Choose at least one need the pathway addresses."))
    elif any(n not in Need.values for n in data.needs):
        add("needs", _("Choose needs from the list."))
    if message := _limit_error(data.time_limit_days):
        add("time_limit_days", message)
    confirm = data.confirm_after_days
    if confirm is None or not 0 <= confirm <= CONFIRM_AFTER_MAX:
        add("confirm_after_days", _("Confirm after 0 to 365 days."))
    elif data.time_limit_days is not None and confirm >= data.time_limit_days:
        add("confirm_after_days", _("The outcome must be confirmable before the pathway's time limit."))
    _check_steps(data, add)
    return errors


def _check_steps(data: DefinitionInput, add: Any) -> None:
    steps = data.steps
    if not steps:
        add("steps", _("A pathway needs at least one step."))
        return
    orders = [s.order for s in steps]
    for i, step in enumerate(steps):
        prefix = f"steps-{i}-"
        if step.order is None or step.order < 1:
            add(prefix + "order", _("Give the step's place: 1, 2, 3…"))
        elif orders.count(step.order) > 1:
            add(prefix + "order", _("Two steps have the same place."))
        if not step.title.strip():
            add(prefix + "title", _("Say what the step is."))
        elif len(step.title.strip()) > TITLE_MAX:
            add(prefix + "title", _("Keep the step under 200 characters."))
        if step.kind not in StepKind.values:
            add(prefix + "kind", _("Choose the kind of step."))
        if message := _limit_error(step.time_limit_days):
            add(prefix + "time_limit_days", message)
        elif data.time_limit_days is not None and (step.time_limit_days or 0) > data.time_limit_days:
            add(prefix + "time_limit_days", _("A step's time limit cannot be longer than the pathway's."))
        if step.kind == StepKind.REFERRAL and not step.need:
            add(prefix + "need", _("A referral step needs the need it refers for."))
        elif step.need and step.need not in Need.values:
            add(prefix + "need", _("Choose a need from the list."))
    confirmations = [i for i, s in enumerate(steps) if s.kind == StepKind.CONFIRMATION]
    if not confirmations:
        add("steps", _("A pathway needs a step that confirms the outcome."))
    elif len(confirmations) > 1:
        add("steps", _("A pathway confirms its outcome in one step only."))
    else:
        last = max((s.order or 0) for s in steps)
        confirmation = steps[confirmations[0]]
        if (confirmation.order or 0) != last:
            add(f"steps-{confirmations[0]}-order", _("The step that confirms the outcome comes last."))
        elif not confirmation.required:
            add(f"steps-{confirmations[0]}-required", _("The step that confirms the outcome is required."))


def _content(data: DefinitionInput) -> dict[str, Any]:
    content = asdict(data)
    content["steps"] = sorted(content["steps"], key=lambda s: s["order"])
    return content


def may_edit_definitions(user: User, membership: Membership | None) -> bool:
    return (
        membership is not None
        and membership.is_active
        and user.is_active
        and membership.role == Role.HUB_ADMIN
        and membership.organization.is_hub
    )


def definition_save(
    *, acting_user: User, membership: Membership | None, data: DefinitionInput, instance: PathwayDefinition | None
) -> PathwayDefinition:
    """Create a definition, or save a new version of ``instance``: its fields, needs and steps
    replaced together, its version counted up, a revision and an audit entry written. Pathways
    already opened keep the steps and limits they copied. Raises ``NotFound`` for anyone but a
    hub administrator, ``DefinitionError`` (every field at fault) for bad input."""
    if not may_edit_definitions(acting_user, membership):
        raise NotFound
    errors = definition_check(data, instance=instance)
    if errors:
        raise DefinitionError(errors)
    with transaction.atomic():
        if instance is None:
            definition = PathwayDefinition(version=1)
        else:
            definition = PathwayDefinition.objects.select_for_update().get(pk=instance.pk)
            definition.version += 1
        definition.key = data.key.strip()
        definition.name = data.name.strip()
        definition.description = data.description.strip()
        definition.outcome = data.outcome.strip()
        definition.confirm_after_days = data.confirm_after_days or 0
        definition.time_limit_days = data.time_limit_days or TIME_LIMIT_MIN
        definition.source = data.source.strip()
        definition.active = data.active
        definition.updated_at = timezone.now()
        definition.updated_by = acting_user
        definition.save()
        definition.needs.all().delete()
        PathwayDefinitionNeed.objects.bulk_create(
            [PathwayDefinitionNeed(definition=definition, need=n) for n in dict.fromkeys(data.needs)]
        )
        definition.steps.all().delete()
        PathwayStepDefinition.objects.bulk_create(
            [
                PathwayStepDefinition(
                    definition=definition,
                    order=s.order or 0,
                    title=s.title.strip(),
                    kind=s.kind,
                    time_limit_days=s.time_limit_days or TIME_LIMIT_MIN,
                    required=s.required,
                    need=s.need,
                )
                for s in sorted(data.steps, key=lambda s: s.order or 0)
            ]
        )
        DefinitionRevision.objects.create(
            definition=definition, version=definition.version, saved_by=acting_user, content=_content(data)
        )
        audit_write(
            user=acting_user,
            membership=membership,
            household_id=None,
            categories=[],
            detail=f"pathway definition {definition.key} saved as version {definition.version}",
        )
    return definition


def definition_input(definition: PathwayDefinition) -> DefinitionInput:
    """The definition as an input (the edit page starts from it)."""
    return DefinitionInput(
        key=definition.key,
        name=definition.name,
        description=definition.description,
        outcome=definition.outcome,
        confirm_after_days=definition.confirm_after_days,
        time_limit_days=definition.time_limit_days,
        source=definition.source,
        active=definition.active,
        needs=[n.need for n in definition.needs.all()],
        steps=[
            StepInput(
                order=s.order,
                title=s.title,
                kind=s.kind,
                time_limit_days=s.time_limit_days,
                required=s.required,
                need=s.need,
            )
            for s in definition.steps.order_by("order")
        ],
    )
