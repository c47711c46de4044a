"""What else an encounter (a ``Contact``) worked on, from apps above care.

An encounter links to the family's needs (care knows them) and to things other apps own: the
care plan's goals, the Pathways. Those apps register a link kind in ``AppConfig.ready()``; the
encounter form offers one multiple choice per kind and, in the transaction that writes the
encounter, calls ``save`` with the chosen ids; the family page shows ``shown``. Care never
imports those apps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ecwhub.accounts.models import Membership, User
from ecwhub.families.models import Household

if TYPE_CHECKING:
    from .models import Contact


@dataclass(frozen=True)
class EncounterLinkKind:
    key: str  # the form field's name, e.g. "goals"
    order: int
    label: Callable[[], str]  # translated, e.g. "Goals worked on"
    # The family's open items the user may link: (id as text, translated label).
    choices: Callable[[Household, User, Membership], list[tuple[str, str]]]
    # Link the chosen ids to the encounter; runs inside the encounter's transaction; raises
    # ValueError naming the id when one is not the family's.
    save: Callable[[Contact, list[str], User], None]
    # What the encounter is linked to, in words, for the family page.
    shown: Callable[[Contact], list[str]]


_KINDS: dict[str, EncounterLinkKind] = {}


def register_encounter_link(kind: EncounterLinkKind) -> None:
    if kind.key in _KINDS and _KINDS[kind.key] != kind:
        raise ValueError(f"two encounter link kinds are called {kind.key!r}")
    _KINDS[kind.key] = kind


def encounter_link_kinds() -> list[EncounterLinkKind]:
    return sorted(_KINDS.values(), key=lambda k: (k.order, k.key))
