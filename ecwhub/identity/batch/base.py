"""What the steps of a batch linkage share: the thresholds, a scored pair, the result and the error."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

LINK_PROBABILITY = 0.95
REVIEW_PROBABILITY = 0.5
# Splink's candidate pairs at or above this probability are re-scored with the hub's own model
# (which knows households: another member of the same family is not the same person).
RESCORE_FLOOR = 0.05

Progress = Callable[[str], None]


class LinkageError(Exception):
    """The linkage cannot run as asked (engine missing, unreadable file); the message says why."""


@dataclass
class BatchResult:
    records: int = 0
    incoming: int = 0
    pairs: int = 0
    links: int = 0
    reviews: int = 0
    clusters: int = 0
    trained: bool = False
    seconds: dict[str, float] = field(default_factory=dict)
    matches: list[tuple[str, str, float]] = field(default_factory=list)  # (file record, person id, probability)


# A scored pair: (left id, right id, probability, match weight, left source, right source)
Pair = tuple[str, str, float, float, str, str]


def left_id(row: Pair) -> str:
    """The hub person's id in a file-to-hub pair."""
    return row[0] if row[4] == "people" else row[1]


def right_id(row: Pair) -> str:
    return row[1] if row[4] == "people" else row[0]


def say(progress: Progress | None, message: str) -> None:
    if progress:
        progress(message)
