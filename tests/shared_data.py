"""The public data sets some tests read (FEBRL, FHIR examples, HSDS examples and schemas) live in
the shared data folder beside the project (``../shared``), never copied into it.

Where that folder is absent (a fresh clone) those tests skip, saying what they need; under
``CI=true`` they fail instead, so a CI run that lost the data cannot pass by skipping them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# ``../shared`` relative to the project folder (this file is tests/shared_data.py).
SHARED = Path(__file__).resolve().parents[2] / "shared"


def shared_path(*parts: str) -> Path:
    """The path ``parts`` inside the shared data folder (``"data", "fhir"`` or ``"data/fhir"``).

    When it does not exist: fails the calling test under ``CI=true``, skips it otherwise, with a
    reason naming the path. Call it in the test or in a fixture (not at import time).
    """
    path = SHARED.joinpath(*parts)
    if path.exists():
        return path
    relative = "/".join(Path(*parts).parts)
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true: this test needs ../shared/{relative}, which is missing at {path}")
    pytest.skip(f"needs ../shared/{relative} (the public data sets beside the project), absent at {path}")
