"""`manage.py demo_totp EMAIL` prints the two-factor code of demo accounts, and of nobody else.

The command runs as `manage.py` runs it (``ManagementUtility``), so a refusal is checked by its
exit status and message, as the person at the terminal sees them."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import ManagementUtility, call_command

from ecwhub.accounts.models import Role, User
from ecwhub.accounts.services import membership_add
from tests.conftest import Network, totp_device


def _manage(*args: str) -> int:
    try:
        ManagementUtility(["manage.py", *args]).execute()
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


@pytest.mark.django_db
def test_it_prints_the_current_code_of_a_demo_account(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("seed_demo", "--families", "0", "--seed", "2026", stdout=StringIO())
    assert _manage("demo_totp", "coordinator@demo.ecwhub.example") == 0
    code = capsys.readouterr().out.strip()
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
def test_it_refuses_anyone_who_is_not_a_demo_account(
    network: Network, capsys: pytest.CaptureFixture[str], email: str
) -> None:
    # A real staff account with a confirmed authenticator: without the refusal its code would print.
    user = network.alice if email == "alice@example.org" else User.objects.create_user(email, "x" * 16)
    if user is not network.alice:
        membership_add(acting_user=None, user=user, organization=network.frc, role=Role.COORDINATOR)
    totp_device(user)

    assert _manage("demo_totp", email) == 1
    captured = capsys.readouterr()
    assert "demo accounts only" in captured.err and "@demo.ecwhub.example" in captured.err
    assert not re.search(r"\b\d{6}\b", captured.out + captured.err), "no code is printed"
