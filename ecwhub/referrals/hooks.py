"""What happens elsewhere in the referrals app when a referral moves.

Modules that build on ``services`` (the family's feedback and notices) listen here, so
``services`` announces a move without importing them. Listeners run inside the transaction of the
move: what they write commits with it or not at all.
"""

from __future__ import annotations

from collections.abc import Callable

from .models import Referral

Listener = Callable[[Referral, str], None]
_LISTENERS: list[Listener] = []

# The moves announced: sent to the service, an appointment made, completed.
SENT, APPOINTMENT, COMPLETED = "sent", "appointment", "completed"


def listen(listener: Listener) -> None:
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def announce(referral: Referral, event: str) -> None:
    for listener in list(_LISTENERS):
        listener(referral, event)
