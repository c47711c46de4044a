"""Directory search: words, typos, Spanish, needs, language, distance, hours, eligibility, and the
index following the directory. The suite runs once on SQLite and once on PostgreSQL; the expected
orders below are fixed lists, so both engines are held to the same answer."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from ecwhub.directory.models import (
    Schedule,
    Service,
    ServiceLanguage,
)
from ecwhub.directory.search.index import hours_masks, insurance_required, search_index_rebuild
from ecwhub.directory.search.models import SearchEntry, SearchTerm
from ecwhub.directory.search.selectors import (
    SearchInputError,
    SearchParams,
    correct_word,
    directory_search,
    haversine_km,
)
from ecwhub.directory.signals import announce_services_changed
from tests.directory.search_demo import Directory

PACIFIC = ZoneInfo("America/Los_Angeles")
TUESDAY_EVENING = datetime(2026, 12, 1, 18, 30, tzinfo=PACIFIC)
TUESDAY_MORNING = datetime(2026, 12, 1, 9, 0, tzinfo=PACIFIC)


def names(params: SearchParams, **kwargs: object) -> list[str]:
    return [r.service.name for r in directory_search(params, **kwargs).results]  # type: ignore[arg-type]


def test_words_in_the_name_rank_before_words_in_the_description(directory: Directory) -> None:
    # "formula" is in two descriptions; "food" is in a name and in the needs of others.
    assert names(SearchParams(text="food")) == ["Emergency food pantry", "Sacramento food bank"]
    page = directory_search(SearchParams(text="formula"))
    # Equal scores: the lower service id first.
    assert [r.service.name for r in page.results] == ["Emergency food pantry", "Diaper bank"]
    assert page.results[0].reasons == ["“formula” is in the description"]


def test_services_using_more_of_the_words_rank_first_and_none_must_use_all(directory: Directory) -> None:
    assert names(SearchParams(text="diapers wipes"))[0] == "Diaper bank"
    # No service uses both words: each one that uses one of them is found.
    assert sorted(names(SearchParams(text="diapers rent"))) == ["Diaper bank", "Housing navigation"]


def test_it_corrects_misspelled_words_and_says_so(directory: Directory) -> None:
    page = directory_search(SearchParams(text="dentl"))
    assert page.corrections == {"dentl": "dental"}
    assert [r.service.name for r in page.results] == ["Children's dental clinic"]
    assert names(SearchParams(text="houseing navigatoin")) == ["Housing navigation"]
    assert correct_word("pantyr") == "pantry"
    assert correct_word("zzzzqx") is None


def test_words_nobody_uses_are_left_out_and_reported(directory: Directory) -> None:
    page = directory_search(SearchParams(text="diapers xqzvvk"))
    assert page.ignored_words == ["xqzvvk"]
    assert [r.service.name for r in page.results] == ["Diaper bank"]
    assert directory_search(SearchParams(text="xqzvvk")).count == 0


def test_spanish_words_and_accents(directory: Directory) -> None:
    assert names(SearchParams(text="comida")) == ["Emergency food pantry", "Sacramento food bank"]
    assert names(SearchParams(text="pañales")) == ["Diaper bank"]
    # Both words are in the Diaper bank's dialect; Housing navigation lists another Mixtec variety.
    assert names(SearchParams(text="Mixtéco Bajo")) == ["Diaper bank", "Housing navigation"]
    # The Spanish need label ("Falta de alimentos") is indexed too.
    assert "Emergency food pantry" in names(SearchParams(text="alimentos"))


def test_needs_match_any_and_rank_by_how_many_match(directory: Directory) -> None:
    page = directory_search(SearchParams(needs=("material-hardship", "food-insecurity")))
    assert [r.service.name for r in page.results] == ["Emergency food pantry", "Diaper bank", "Sacramento food bank"]
    assert page.results[0].matched_needs == ["food-insecurity", "material-hardship"]


def test_language_filter_and_dialect(directory: Directory) -> None:
    page = directory_search(SearchParams(language="mix", dialect="Mixteco de San Juan Mixtepec"))
    assert [r.service.name for r in page.results] == ["Housing navigation", "Diaper bank"]
    assert page.results[0].dialect_match is True
    assert page.results[1].dialect_match is False
    assert names(SearchParams(language="yue")) == ["Children's dental clinic"]


def test_distance_from_a_zip_code_filters_and_orders(directory: Directory) -> None:
    page = directory_search(SearchParams(needs=("food-insecurity",), location="91731", radius_km=16))
    assert [r.service.name for r in page.results] == ["Emergency food pantry"]
    assert page.results[0].distance_km == pytest.approx(0.0, abs=0.01)
    wide = directory_search(SearchParams(needs=("food-insecurity",), location="91801", radius_km=1000))
    assert [r.service.name for r in wide.results] == ["Emergency food pantry", "Sacramento food bank"]
    assert 560 < wide.results[1].distance_km < 600  # type: ignore[operator]
    assert "km" in wide.results[1].reasons[-1]


def test_an_address_is_placed_by_its_zip_code(directory: Directory) -> None:
    page = directory_search(SearchParams(text="pantry", location="1420 W Valley Blvd, Alhambra, CA 91803"))
    assert page.point is not None and page.point.postal_code == "91803"


def test_a_place_that_cannot_be_found_names_the_parameter(directory: Directory) -> None:
    with pytest.raises(SearchInputError) as error:
        directory_search(SearchParams(location="00000"))
    assert list(error.value.fields) == ["location"]


def test_child_age_free_insurance_and_accepting_filters(directory: Directory) -> None:
    assert "Diaper bank" not in names(SearchParams(child_age_months=48, needs=("material-hardship",)))
    assert "Diaper bank" in names(SearchParams(child_age_months=12, needs=("material-hardship",)))
    assert "Children's dental clinic" not in names(SearchParams(free_only=True, page_size=50))
    assert "Enhanced care management" not in names(SearchParams(insurance="uninsured", page_size=50))
    assert "Enhanced care management" in names(SearchParams(insurance="medi_cal", page_size=50))
    assert "Housing navigation" not in names(SearchParams(accepting_only=True, page_size=50))


def test_hours_open_now_evenings_and_weekends(directory: Directory) -> None:
    assert names(SearchParams(open_now=True), now=TUESDAY_EVENING) == ["Evening parent café"]
    assert names(SearchParams(open_now=True), now=TUESDAY_MORNING) == []
    assert names(SearchParams(evenings=True)) == ["Evening parent café"]
    assert names(SearchParams(weekends=True)) == ["Evening parent café"]
    result = directory_search(SearchParams(text="cafe"), now=TUESDAY_EVENING).results[0]
    assert result.open_now is True and "Open now" in result.reasons
    # Services without a schedule have unknown hours, not "closed".
    assert directory_search(SearchParams(text="pantry"), now=TUESDAY_EVENING).results[0].open_now is None


def test_hours_masks_cover_each_hour_touched() -> None:
    schedule = Schedule(freq="WEEKLY", byday="MO,SU", opens_at=time(8, 30), closes_at=time(17, 15))
    known, masks = hours_masks([schedule])
    assert known
    assert masks[0] == masks[6] == sum(1 << h for h in range(8, 18))
    assert masks[1] == 0
    assert hours_masks([Schedule(freq="MONTHLY", byday="MO", opens_at=time(8), closes_at=time(9))]) == (False, [0] * 7)


def test_a_service_is_placed_at_its_location_not_its_organization(directory: Directory) -> None:
    entry = SearchEntry.objects.get(service=directory.faraway)
    point = entry.points.get()
    assert (round(point.latitude, 4), round(point.longitude, 4)) == (38.5816, -121.4944)
    assert entry.organization_name == "Sacramento Food Network"


def test_only_medi_cal_member_wording_requires_medi_cal() -> None:
    assert insurance_required("L.A. Care Medi-Cal members who meet a population of focus.") == "medi_cal"
    assert insurance_required("Income at or below 185% of poverty or on Medi-Cal.") == ""


def test_ties_are_broken_by_service_id(directory: Directory) -> None:
    page = directory_search(SearchParams(language="en", page_size=50))
    scores = [(r.score, str(r.service.pk)) for r in page.results]
    assert scores == sorted(scores, key=lambda s: (-s[0], s[1]))


def test_paging(directory: Directory) -> None:
    first = directory_search(SearchParams(language="en", page_size=2))
    second = directory_search(SearchParams(language="en", page_size=2, page=2))
    assert first.count == second.count == 6
    assert first.pages == 3
    assert not {r.service.pk for r in first.results} & {r.service.pk for r in second.results}


def test_index_follows_edits_after_commit(directory: Directory, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        directory.pantry.name = "Community grocery pantry"
        directory.pantry.save(update_fields=["name"])
    assert names(SearchParams(text="grocery")) == ["Community grocery pantry"]
    assert SearchTerm.objects.filter(term="grocery").exists()
    with django_capture_on_commit_callbacks(execute=True):
        ServiceLanguage.objects.create(service=directory.dental, language="vi")
    assert names(SearchParams(language="vi")) == ["Children's dental clinic"]
    with django_capture_on_commit_callbacks(execute=True):
        directory.diapers.delete()
    assert names(SearchParams(text="diapers")) == []
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM directory_search_fts")
            assert cursor.fetchone()[0] == SearchEntry.objects.count()


def test_index_follows_the_directory_signal(directory: Directory, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    # Bulk writes send no model signals; the directory's services_changed covers them.
    Service.objects.filter(pk=directory.housing.pk).update(accepting_referrals=True)
    assert names(SearchParams(accepting_only=True, text="housing")) == []
    with django_capture_on_commit_callbacks(execute=True):
        announce_services_changed([directory.housing.pk], sender=None)
    assert names(SearchParams(accepting_only=True, text="housing")) == ["Housing navigation"]


def test_inactive_services_leave_the_index(directory: Directory) -> None:
    Service.objects.filter(pk=directory.cafe.pk).update(status=Service.Status.INACTIVE)
    search_index_rebuild(service_ids=[directory.cafe.pk])
    assert names(SearchParams(text="cafe")) == []


def test_rebuild_command(directory: Directory, capsys: pytest.CaptureFixture[str]) -> None:
    from django.core.management import call_command

    SearchEntry.objects.all().delete()
    call_command("rebuild_search_index")
    assert "7 services" in capsys.readouterr().out
    assert names(SearchParams(text="diapers")) == ["Diaper bank"]


def test_haversine() -> None:
    # Alhambra (91801) to downtown Sacramento, a known ~560 km.
    assert haversine_km(34.0914, -118.1293, 38.5816, -121.4944) == pytest.approx(583, abs=25)
