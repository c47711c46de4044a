"""`manage.py demo_totp EMAIL` prints the two-factor code of demo accounts, and of nobody else."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ecwhub.accounts.models import Role, User
from ecwhub.accounts.services import membership_add
from tests.conftest import Network, totp_device

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_it_prints_the_current_code_of_a_demo_account() -> None:
    call_command("seed_demo", "--families", "0", "--seed", "2026", stdout=StringIO())
    out = StringIO()
    call_command("demo_totp", "coordinator@demo.ecwhub.example", stdout=out)
    code = out.getvalue().strip()
    assert re.fullmatch(r"\d{6}", code)
    assert totp_device(User.objects.get(email="coordinator@demo.ecwhub.example")).verify_token(code)


@pytest.mark.parametrize(
    "email",
    [
        "alice@example.org",
        "alice@demo.ecwhub.example.org",  # the demo domain inside another one
        "alice@evil-demo.ecwhub.example",
        "alice@sub.demo.ecwhub.example",
    ],
)
def test_it_refuses_anyone_who_is_not_a_demo_account(network: Network, email: str) -> None:
    # A real staff account with a confirmed authenticator: without the refusal its code would print.
    user = network.alice if email == "alice@example.org" else User.objects.create_user(email, "x" * 16)
    if user is not network.alice:
        membership_add(acting_user=None, user=user, organization=network.frc, role=Role.COORDINATOR)
    totp_device(user)
    out = StringIO()

    with pytest.raises(CommandError, match="demo accounts only") as refused:
        call_command("demo_totp", email, stdout=out)

    assert refused.value.returncode == 1
    assert "@demo.ecwhub.example" in str(refused.value)
    assert out.getvalue() == "", "no code is printed"


def test_the_refusal_ends_the_command_with_exit_status_1() -> None:
    """As the person at the terminal meets it: a message on stderr and a non-zero exit status.
    The refusal comes before any database query, so the process needs no database."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ecwhub.settings"}
    result = subprocess.run(
        [sys.executable, "manage.py", "demo_totp", "alice@example.org"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "demo_totp shows the codes of demo accounts only" in result.stderr
    assert result.stdout == ""
