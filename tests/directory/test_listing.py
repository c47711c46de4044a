"""Providers keep their own listing: who may edit, what the history keeps, when a listing goes stale."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.http import Http404
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ecwhub.directory import models as m
from ecwhub.directory.services import Hours, ListingEdit, ListingError, service_update, service_verify
from ecwhub.directory.signals import services_changed
from tests.conftest import Network, signed_in
from tests.directory.conftest import PANTRY_LOCATION_ID, Listings


def _form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "description": "Groceries every Saturday",
        "accepting_referrals": "on",
        "typical_wait_days": "3",
        "open_slots": "",
        "accepts_electronic_referrals": "on",
        "needs": ["food-insecurity", "material-hardship"],
        "lang_es": "on",
        "lang_yue": "on",
        "dialect_yue": "Taishanese",
        "lang_vi": "on",
        "opens_SA": "09:00",
        "closes_SA": "13:00",
        "opens_TU": "17:00",
        "closes_TU": "20:00",
        # What the page posts for the parts these tests leave as they are (free, at the warehouse).
        "is_free": "on",
        "locations": [str(PANTRY_LOCATION_ID)],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.django_db
def test_provider_staff_edit_their_listing_and_every_change_is_kept(
    client: Client, network: Network, listings: Listings
) -> None:
    bob = signed_in(client, network.bob)
    url = f"/directory/services/{listings.pantry.pk}/edit/"
    page = bob.get(url)
    assert page.status_code == 200 and "Saturday pantry" in page.content.decode()
    response = bob.post(url, _form())
    assert response.status_code == 302

    pantry = m.Service.objects.get(pk=listings.pantry.pk)
    assert pantry.typical_wait_days == 3 and pantry.open_slots is None
    assert pantry.description == "Groceries every Saturday"
    assert set(pantry.needs.values_list("need", flat=True)) == {"food-insecurity", "material-hardship"}
    assert set(pantry.languages.values_list("language", "dialect")) == {("es", ""), ("yue", "Taishanese"), ("vi", "")}
    assert set(pantry.hsds_languages.values_list("code", "note")) == {("es", ""), ("yue", "Taishanese"), ("vi", "")}
    assert sorted(pantry.schedules.values_list("byday", "opens_at", "closes_at")) == [
        ("SA", time(9), time(13)),
        ("TU", time(17), time(20)),
    ]
    changes = {c.field: c for c in m.ServiceChange.objects.filter(service=pantry)}
    assert set(changes) == {"description", "typical_wait_days", "open_slots", "needs", "languages", "hours"}
    assert (changes["typical_wait_days"].old_value, changes["typical_wait_days"].new_value) == ("2", "3")
    assert (changes["open_slots"].old_value, changes["open_slots"].new_value) == ("12", "")
    assert changes["hours"].old_value == "SA 09:00-13:00"
    assert changes["hours"].new_value == "TU 17:00-20:00; SA 09:00-13:00"
    assert all(c.changed_by == network.bob and c.kind == "edit" for c in changes.values())
    assert not pantry.is_stale and pantry.last_verified_at > timezone.now() - timedelta(minutes=1)

    # Saving the same values again records nothing new.
    bob.post(url, _form())
    assert m.ServiceChange.objects.filter(service=pantry).count() == 6
    history = bob.get(url).content.decode()
    assert "Taishanese" in history and "Bob Baker" in history


@pytest.mark.django_db
def test_staff_of_another_organization_cannot_edit_or_verify(
    client: Client, network: Network, listings: Listings
) -> None:
    # Alice administers the FRC; the pantry belongs to the food bank.
    alice = signed_in(client, network.alice)
    assert alice.get(f"/directory/services/{listings.pantry.pk}/edit/").status_code == 404
    assert alice.post(f"/directory/services/{listings.pantry.pk}/edit/", _form()).status_code == 404
    assert alice.post(f"/directory/services/{listings.pantry.pk}/verify/").status_code == 404
    assert not m.ServiceChange.objects.exists()
    # Her own organization's listing is hers to edit (organization administrator).
    assert alice.get(f"/directory/services/{listings.playgroup.pk}/edit/").status_code == 200
    with pytest.raises(Http404):
        service_update(acting_user=network.carla, service_id=listings.playgroup.pk, edit=ListingEdit(open_slots=1))
    with pytest.raises(Http404):
        service_verify(acting_user=network.oscar, service_id=listings.pantry.pk)


@pytest.mark.django_db
def test_bad_values_are_refused_with_the_field_named(client: Client, network: Network, listings: Listings) -> None:
    bob = signed_in(client, network.bob)
    url = f"/directory/services/{listings.pantry.pk}/edit/"
    response = bob.post(url, _form(typical_wait_days="-4", opens_MO="10:00", closes_MO="09:00", opens_WE="10:00"))
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"typical_wait_days", "closes_MO", "closes_WE"}
    assert not m.ServiceChange.objects.exists()
    with pytest.raises(ListingError) as caught:
        service_update(
            acting_user=network.bob,
            service_id=listings.pantry.pk,
            edit=ListingEdit(languages=[("xx", "")], needs=["hunger"], hours=[Hours("MO", time(10), time(9))]),
        )
    assert set(caught.value.fields) == {"languages", "needs", "hours"}
    assert m.ServiceNeed.objects.filter(service=listings.pantry).count() == 1


@pytest.mark.django_db
def test_verifying_clears_the_stale_flag_and_is_recorded(client: Client, network: Network, listings: Listings) -> None:
    assert listings.diapers.is_stale and not listings.pantry.is_stale
    assert list(m.Service.objects.stale()) == [listings.diapers]
    never = m.Service.objects.create(organization=network.food_bank, name="New listing")
    assert never.is_stale
    bob = signed_in(client, network.bob)
    detail = bob.get(f"/directory/services/{listings.diapers.pk}/").content.decode()
    assert "Not verified in 6 months" in detail
    stale_page = bob.get("/directory/services/?stale=1").content.decode()
    assert "Diaper bank" in stale_page and "Saturday pantry" not in stale_page

    received: list[list] = []

    def listener(sender: object, service_ids: list, **kwargs: object) -> None:
        received.append(service_ids)

    services_changed.connect(listener)
    try:
        with TestCase.captureOnCommitCallbacks(execute=True):
            bob.post(f"/directory/services/{listings.diapers.pk}/verify/")
    finally:
        services_changed.disconnect(listener)
    diapers = m.Service.objects.get(pk=listings.diapers.pk)
    assert not diapers.is_stale
    change = m.ServiceChange.objects.get(service=diapers)
    assert change.kind == "verify" and change.changed_by == network.bob
    assert received == [[diapers.pk]]
    assert "Not verified in 6 months" not in bob.get(f"/directory/services/{diapers.pk}/").content.decode()


@pytest.mark.django_db
def test_a_listing_goes_stale_after_180_days(listings: Listings) -> None:
    service = listings.pantry
    service.last_verified_at = timezone.now() - timedelta(days=179)
    assert not service.is_stale
    service.last_verified_at = timezone.now() - timedelta(days=181)
    assert service.is_stale


@pytest.mark.django_db
def test_directory_pages_for_any_member(client: Client, network: Network, listings: Listings) -> None:
    alice = signed_in(client, network.alice)
    index = alice.get("/directory/").content.decode()
    assert "Valley Food Bank" in index and "Casa Familia FRC" in index
    assert "Update Playgroup" in index  # her organization's listing
    detail = alice.get(f"/directory/services/{listings.pantry.pk}/").content.decode()
    for text in (
        "Saturday pantry",
        "Accepting referrals",
        "Cantonese (Taishanese)",
        "100 S Main St",
        "91801",
        "Food insecurity",
    ):
        assert text in detail
    assert "Update this listing" not in detail
    org = alice.get(f"/directory/organizations/{listings.food_org.pk}/").content.decode()
    assert "Diaper bank" in org and "Playgroup" not in org
    filtered = alice.get("/directory/services/?need=parenting-support").content.decode()
    assert "Playgroup" in filtered and "Saturday pantry" not in filtered
    assert client.get(f"/directory/services/{listings.pantry.pk}/").status_code == 200
    assert Client().get("/directory/").status_code == 302  # anonymous: sent to sign in


@pytest.mark.django_db
def test_directory_pages_in_spanish(client: Client, network: Network, listings: Listings) -> None:
    alice = signed_in(client, network.alice)
    alice.cookies["django_language"] = "es"
    page = alice.get(f"/directory/services/{listings.pantry.pk}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'lang="es"' in page
    assert "Falta de alimentos" in page and "Acepta referidos" in page  # the shared vocabulary, in Spanish
    assert "Cantonés (Taishanese)" in page or "Cantonese (Taishanese)" in page


@pytest.mark.django_db
def test_directory_chrome_in_spanish(client: Client, network: Network, listings: Listings) -> None:
    """The directory pages read in Spanish for a Spanish-speaking user."""
    alice = signed_in(client, network.alice)
    alice.cookies["django_language"] = "es"
    page = alice.get(f"/directory/services/{listings.pantry.pk}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "¿Puede recibir un referido ahora?" in page
    assert "Última verificación" in page
    index = alice.get("/directory/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Directorio" in index


@pytest.mark.django_db
def test_editing_capacity_keeps_a_day_with_two_opening_ranges(
    client: Client, network: Network, listings: Listings
) -> None:
    pantry = listings.pantry
    m.Schedule.objects.create(service=pantry, freq="WEEKLY", byday="TU", opens_at=time(8), closes_at=time(17))
    m.Schedule.objects.create(service=pantry, freq="WEEKLY", byday="TU,TH", opens_at=time(17, 30), closes_at=time(20))
    bob = signed_in(client, network.bob)
    url = f"/directory/services/{pantry.pk}/edit/"
    form = bob.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value not in (None, False, "")}
    data = {k: (v.strftime("%H:%M") if isinstance(v, time) else v) for k, v in data.items()}
    data["lang_es"], data["lang_yue"] = "on", "on"
    data["accepting_referrals"], data["accepts_electronic_referrals"] = "on", "on"
    data["open_slots"] = "4"
    assert bob.post(url, data).status_code == 302
    assert [c.field for c in m.ServiceChange.objects.filter(service=pantry)] == ["open_slots"]


def _bearer(user: object) -> dict[str, str]:
    from ecwhub.accounts.services import api_token_create

    _, token = api_token_create(acting_user=user, name="listing")  # type: ignore[arg-type]
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.mark.django_db
def test_the_listing_api_uses_the_same_rules_as_the_page(network: Network, listings: Listings) -> None:
    url = f"/api/v1/directory/services/{listings.pantry.pk}/listing"
    bob = _bearer(network.bob)
    response = Client().patch(
        url,
        data={
            "open_slots": None,
            "accepting_referrals": False,
            "hours": [{"day": "SA", "opens_at": "08:00", "closes_at": "12:00"}],
        },
        content_type="application/json",
        **bob,
    )
    assert response.status_code == 200, response.content
    assert {c["field"]: (c["old_value"], c["new_value"]) for c in response.json()} == {
        "accepting_referrals": ("True", "False"),
        "open_slots": ("12", ""),
        "hours": ("SA 09:00-13:00", "SA 08:00-12:00"),
    }
    pantry = m.Service.objects.get(pk=listings.pantry.pk)
    assert pantry.open_slots is None and pantry.typical_wait_days == 2  # not sent: unchanged

    bad = Client().patch(
        url, data={"needs": ["hunger"], "typical_wait_days": -1}, content_type="application/json", **bob
    )
    assert bad.status_code == 422 and "typical_wait_days" in bad.json()["error"]["fields"]
    bad = Client().patch(url, data={"needs": ["hunger"]}, content_type="application/json", **bob)
    assert bad.status_code == 422 and bad.json()["error"]["fields"] == {"needs": ["Unknown need “hunger”."]}

    alice = _bearer(network.alice)
    assert Client().patch(url, data={"open_slots": 3}, content_type="application/json", **alice).status_code == 404
    assert Client().post(f"/api/v1/directory/services/{listings.pantry.pk}/verify", **alice).status_code == 404
    verified = Client().post(f"/api/v1/directory/services/{listings.pantry.pk}/verify", **bob)
    assert verified.status_code == 200 and verified.json()["kind"] == "verify"
    assert m.ServiceChange.objects.filter(service=listings.pantry).count() == 4


@pytest.mark.django_db
def test_list_pages_and_the_api_list_do_not_grow_queries_with_services(
    client: Client, network: Network, listings: Listings
) -> None:
    alice = signed_in(client, network.alice)
    paths = [
        "/directory/",
        "/directory/services/",
        f"/directory/organizations/{listings.food_org.pk}/",
        "/api/hsds/services",
    ]

    def counts() -> list[int]:
        result = []
        for path in paths:
            with CaptureQueriesContext(connection) as captured:
                assert alice.get(path).status_code == 200
            result.append(len(captured))
        return result

    counts()  # the first API request also opens the user's request-budget window
    before = counts()
    for number in range(6):
        service = m.Service.objects.create(
            organization=network.food_bank, directory_organization=listings.food_org, name=f"Extra {number}"
        )
        m.ServiceNeed.objects.create(service=service, need="food-insecurity")
        m.ServiceLanguage.objects.create(service=service, language="es")
    assert counts() == before


@pytest.mark.django_db
def test_edits_in_the_admin_site_are_kept_in_the_history(client: Client, network: Network, listings: Listings) -> None:
    admin = signed_in(client, network.admin)
    url = f"/admin/directory/service/{listings.pantry.pk}/change/"
    page = admin.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data: dict[str, object] = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or value is False:
            continue
        if isinstance(value, datetime):  # the admin splits date and time into two inputs
            local = timezone.localtime(value)
            data[f"{name}_0"], data[f"{name}_1"] = local.date().isoformat(), local.time().isoformat()
        else:
            data[name] = "on" if value is True else (value.isoformat() if hasattr(value, "isoformat") else value)
    # The needs and languages inlines are sent back unchanged.
    for formset in page.context["inline_admin_formsets"]:
        prefix = formset.formset.prefix
        initial_forms = formset.formset.initial_forms
        data[f"{prefix}-TOTAL_FORMS"] = str(len(initial_forms))
        data[f"{prefix}-INITIAL_FORMS"] = str(len(initial_forms))
        for index, inline in enumerate(initial_forms):
            data[f"{prefix}-{index}-id"] = inline.instance.pk
            for name in inline.fields:
                value = inline.initial.get(name)
                if value is not None and name != "id":
                    data[f"{prefix}-{index}-{name}"] = getattr(value, "pk", value)
    data["typical_wait_days"] = "9"
    response = admin.post(url, data)
    assert response.status_code == 302, [f.formset.errors for f in response.context["inline_admin_formsets"]]
    change = m.ServiceChange.objects.get(service=listings.pantry)
    assert (change.old_value, change.new_value, change.changed_by) == ("2", "9", network.admin)
