"""The header offers each role the everyday pages it uses, and every link it offers opens."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from ecwhub.accounts.models import Role, User
from ecwhub.accounts.services import membership_add
from tests.conftest import Network, signed_in

pytestmark = pytest.mark.django_db

HEADER = re.compile(r'<header class="site-header">(.*?)</header>', re.DOTALL)
LINK = re.compile(r'<a href="(/[^"]*)"')
EVERYDAY = {"/care/worklist/", "/families/intake/", "/care/overdue/", "/care/rates/"}


def _header_links(client: Client) -> set[str]:
    match = HEADER.search(client.get("/").content.decode())
    assert match is not None
    return set(LINK.findall(match.group(1)))


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.COORDINATOR, EVERYDAY),
        (Role.CLINICIAN, {"/care/overdue/", "/care/rates/"}),
        (Role.ANALYST, {"/care/rates/"}),
        (Role.PROVIDER_STAFF, set()),
        (Role.HUB_ADMIN, set()),
        (Role.FAMILY_MEMBER, set()),
    ],
)
def test_each_role_is_offered_its_everyday_pages_and_each_link_opens(
    network: Network, role: str, expected: set[str]
) -> None:
    user = User.objects.create_user(f"{role}@example.org", "x", first_name="Test")
    org = network.hub if role == Role.HUB_ADMIN else network.frc
    membership_add(acting_user=None, user=user, organization=org, role=role)
    client = signed_in(Client(), user)
    links = _header_links(client)
    assert links & EVERYDAY == expected
    for path in links:
        if path.startswith("/admin/"):
            continue
        assert client.get(path).status_code == 200, path


def test_the_current_page_is_marked_once(network: Network) -> None:
    html = signed_in(Client(), network.alice).get("/care/overdue/").content.decode()
    header = HEADER.search(html)
    assert header is not None
    assert header.group(1).count('aria-current="page"') == 1
    assert '<a href="/care/overdue/" aria-current="page">Overdue</a>' in header.group(1)
