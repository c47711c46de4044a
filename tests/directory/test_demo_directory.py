"""The demo network's directory: every service placed, scheduled and described; it round-trips through HSDS."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest
from django.core.management import call_command

from ecwhub.demo.generator import demo_seed
from ecwhub.directory import hsds
from ecwhub.directory import models as m
from ecwhub.directory.hsds.importer import directory_import

TODAY = date(2026, 11, 30)


@pytest.fixture
def demo(db: None) -> None:
    demo_seed(families=0, today=TODAY)


def test_every_demo_service_has_places_hours_languages_and_capacity(demo: None) -> None:
    services = list(m.Service.objects.prefetch_related("service_at_locations__location__addresses", "schedules"))
    assert len(services) > 80
    for service in services:
        assert service.directory_organization.member_id == service.organization_id
        sites = list(service.service_at_locations.all())
        assert sites, service.name
        for site in sites:
            assert site.location.latitude is not None and site.location.longitude is not None
            assert 33.9 < float(site.location.latitude) < 34.2 and -118.25 < float(site.location.longitude) < -117.9
            assert site.location.addresses.get().postal_code.startswith("9")
        assert service.schedules.exists(), service.name
        assert service.last_verified_at is not None
    stale = m.Service.objects.stale(now=None).count()
    assert 0 < stale < len(services) * 0.3
    days = set(m.Schedule.objects.values_list("byday", flat=True))
    assert any("SA" in d for d in days)  # weekend hours
    assert m.Schedule.objects.filter(closes_at__gte=time(19)).exists()  # evening hours
    zips = set(m.Address.objects.values_list("postal_code", flat=True))
    assert {"91801", "91803", "91754", "91776", "91770", "91731", "91733"} <= zips
    dialects = set(m.DirectoryLanguage.objects.exclude(note="").values_list("code", "note"))
    assert ("yue", "Taishanese") in dialects and any(code == "mix" for code, _ in dialects)
    assert set(m.ServiceLanguage.objects.values_list("service_id", "language", "dialect")) == {
        (s, c, n) for s, c, n in m.DirectoryLanguage.objects.values_list("service_id", "code", "note")
    }
    assert m.CostOption.objects.exists() and m.Service.objects.filter(open_slots__isnull=False).exists()
    assert m.Service.objects.filter(minimum_age__isnull=False).exists()
    assert not m.Service.objects.filter(alternate_name="").exclude(name="Grupo de apoyo para madres").exists()


def test_the_demo_directory_exports_and_reimports_without_loss(demo: None, tmp_path: Path) -> None:
    before = hsds.canonical(hsds.rows_from_database())
    members = dict(m.Service.objects.values_list("pk", "organization_id"))
    call_command("export_hsds", str(tmp_path))
    for table in reversed(list(hsds.TABLES.values())):
        table.model.objects.all().delete()  # type: ignore[attr-defined]
    assert not m.Service.objects.exists() and not m.ServiceNeed.objects.exists()
    [result] = directory_import(acting_user=None, path=tmp_path)
    assert result.ok, [str(e) for e in result.errors[:5]]
    assert hsds.canonical(hsds.rows_from_database()) == before
    # The hub's own links come back too: member organizations (identifier) and needs (attributes).
    assert dict(m.Service.objects.values_list("pk", "organization_id")) == members
    assert m.ServiceNeed.objects.count() > 100


def test_the_demo_directory_is_browsable_and_providers_edit_their_own(demo: None, client) -> None:  # type: ignore[no-untyped-def]
    from ecwhub.accounts.models import Membership, Role
    from tests.conftest import signed_in

    staff = Membership.objects.filter(role=Role.PROVIDER_STAFF, organization__services__isnull=False).first()
    assert staff is not None
    browser = signed_in(client, staff.user)
    assert "Directory" in browser.get("/directory/").content.decode()
    listing = browser.get("/directory/services/?page=2")
    assert listing.status_code == 200 and listing.context["page"].number == 2
    own = m.Service.objects.filter(organization=staff.organization).first()
    other = m.Service.objects.exclude(organization=staff.organization).first()
    page = browser.get(f"/directory/services/{own.pk}/").content.decode()
    assert own.name in page and "Update this listing" in page
    assert own.alternate_name and own.alternate_name in page  # the Spanish name
    assert own.service_at_locations.first().location.addresses.get().postal_code in page
    assert browser.get(f"/directory/services/{own.pk}/edit/").status_code == 200
    assert "Update this listing" not in browser.get(f"/directory/services/{other.pk}/").content.decode()
    assert browser.get(f"/directory/services/{other.pk}/edit/").status_code == 404
    stale = browser.get("/directory/services/?stale=1")
    assert stale.context["page"].paginator.count == m.Service.objects.stale().count()
