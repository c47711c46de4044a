"""Referral timers with moved time: business days across weekends and holidays, reminders,
escalations, follow-up tasks and expiry, each fired once."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from ecwhub.core.models import OutboxMessage
from ecwhub.referrals.models import Referral, ReferralFollowUp, ServiceReferralTerms
from ecwhub.referrals.services import ReferralInput, referral_create, referral_transition
from ecwhub.referrals.tasks import run_referral_timers
from ecwhub.referrals.timers import (
    add_business_days,
    business_days_between,
    is_business_day,
    referral_timers_run,
)
from ecwhub.referrals.workflow import Reason, Side, Status
from tests.concurrency.conftest import errors, postgresql_only, together
from tests.conftest import signed_in

from .conftest import World, member

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")


def at(day: int, month: int = 11, hour: int = 10, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LA)


def sent_at(world: World, moment: datetime, *, outside: bool = False) -> Referral:
    """A referral sent at ``moment`` (nothing has happened to it since), with no notice queued yet."""
    alice = world.network.alice
    data = ReferralInput(
        household_id=world.family.household.pk,
        service_id=(world.outside if outside else world.pantry).pk,
        need_ids=[(world.housing_need if outside else world.food_need).pk],
    )
    referral, _ = referral_create(acting_user=alice, membership=member(alice), data=data, send=True)
    Referral.objects.filter(pk=referral.pk).update(created_at=moment, sent_at=moment, updated_at=moment)
    OutboxMessage.objects.all().delete()
    return Referral.objects.get(pk=referral.pk)


def accepted_at(world: World, moment: datetime) -> Referral:
    referral = sent_at(world, moment)
    bob = world.network.bob
    referral_transition(
        acting_user=bob, membership=member(bob), referral_id=referral.pk, action="accept", version=referral.version
    )
    Referral.objects.filter(pk=referral.pk).update(answered_at=moment, updated_at=moment)
    OutboxMessage.objects.all().delete()
    return Referral.objects.get(pk=referral.pk)


def timer_notices(timer: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(dedup_key__contains=f":timer:{timer}:").order_by("recipient"))


# --- Business days ------------------------------------------------------------------------------


def test_weekends_and_california_holidays_are_not_business_days() -> None:
    assert is_business_day(date(2026, 11, 25))  # the Wednesday before Thanksgiving
    assert not is_business_day(date(2026, 11, 26))  # Thanksgiving
    assert not is_business_day(date(2026, 11, 27))  # the day after, a California state holiday
    assert not is_business_day(date(2026, 11, 28))  # Saturday
    assert not is_business_day(date(2026, 12, 25))  # Christmas
    assert not is_business_day(date(2026, 3, 31))  # Cesar Chavez Day (California)
    assert not is_business_day(date(2026, 7, 3))  # Independence Day observed (the 4th is a Saturday)
    assert is_business_day(date(2026, 12, 28))


def test_adding_business_days_skips_weekends_and_holidays_and_keeps_the_time() -> None:
    assert add_business_days(at(20), 2) == at(24)  # Friday → Tuesday
    assert add_business_days(at(25), 1) == at(30)  # Wednesday → Monday, over Thanksgiving and the day after
    assert add_business_days(at(24, 12), 1) == at(28, 12)  # Christmas Eve → Monday
    assert add_business_days(at(25), 0) == at(25)


def test_a_moment_on_a_weekend_counts_from_the_next_business_morning() -> None:
    assert add_business_days(at(21, hour=15), 1) == at(24, hour=0)  # Saturday afternoon → Tuesday 00:00
    assert add_business_days(at(26, hour=9), 0) == at(30, hour=0)  # Thanksgiving → Monday 00:00


def test_business_days_keep_the_clock_time_across_the_change_from_daylight_saving() -> None:
    # 1 November 2026: clocks go back in California.
    due = add_business_days(at(30, 10), 1)
    assert due == at(2) and due.astimezone(LA).hour == 10


def test_business_days_are_counted_from_an_aware_moment() -> None:
    with pytest.raises(ValueError):
        add_business_days(datetime(2026, 11, 25, 10), 1)


def test_business_days_between_agrees_with_adding_them() -> None:
    start = at(18, hour=8)
    # Thursday, Friday, then Monday to Wednesday; Thanksgiving and the day after do not count.
    assert business_days_between(start, at(30, hour=7)) == 5  # Monday 8:00 not reached yet
    assert business_days_between(start, at(30, hour=8)) == 6
    assert business_days_between(at(30), at(25)) == 0
    starts = [at(20, hour=9) + timedelta(hours=13 * i) for i in range(12)]
    for begin in starts:
        for hours in range(0, 24 * 20, 11):
            end = begin + timedelta(hours=hours)
            n = business_days_between(begin, end)
            assert end < add_business_days(begin, n + 1), (begin, end)
            # (A weekend start counts from Monday: add_business_days(begin, 0) may be after it.)
            assert n == 0 or add_business_days(begin, n) <= end, (begin, end)


# --- Reminder and escalation ----------------------------------------------------------------------


def test_the_reminder_waits_two_business_days_across_thanksgiving(world: World) -> None:
    referral = sent_at(world, at(25))  # Wednesday before Thanksgiving
    # Two calendar days later is a holiday, five later a Monday: one business day so far.
    assert referral_timers_run(now=at(27)).reminded == 0
    assert referral_timers_run(now=at(30, hour=17)).reminded == 0
    assert referral_timers_run(now=at(1, 12, hour=9, minute=59)).reminded == 0
    assert timer_notices("answer-reminder") == []

    assert referral_timers_run(now=at(1, 12)).reminded == 1
    [notice] = timer_notices("answer-reminder")
    assert notice.recipient == world.network.bob.email
    assert referral.reference in notice.body_text
    assert f"/referrals/{referral.pk}/" in notice.body_text
    for private in ("García", "María", "Sofía", "food", "Food"):
        assert private not in notice.body_text and private not in notice.subject
    referral.refresh_from_db()
    assert referral.answer_reminded_at == at(1, 12)
    # Not a change the receiver made: an open form still holds the right version.
    assert referral.version == 2 and referral.updated_at == at(25)


def test_the_reminder_waits_over_a_weekend(world: World) -> None:
    sent_at(world, at(20, hour=16))  # Friday afternoon
    assert referral_timers_run(now=at(23, hour=16)).reminded == 0  # Monday: one business day
    assert referral_timers_run(now=at(24, hour=16)).reminded == 1  # Tuesday


def test_the_reminder_waits_over_christmas(world: World) -> None:
    sent_at(world, at(23, 12))  # Wednesday; Christmas is on Friday
    assert referral_timers_run(now=at(26, 12)).reminded == 0
    assert referral_timers_run(now=at(28, 12, hour=9)).reminded == 0
    assert referral_timers_run(now=at(28, 12)).reminded == 1


def test_the_reminder_is_in_the_recipients_language(world: World) -> None:
    bob = world.network.bob
    bob.preferred_language = "es"
    bob.save(update_fields=["preferred_language"])
    sent_at(world, at(20))
    referral_timers_run(now=at(24))
    [notice] = timer_notices("answer-reminder")
    assert notice.language == "es"
    assert "referido" in notice.subject.lower()
    assert "referido" in notice.body_text.lower()


def test_an_answered_referral_gets_no_reminder(world: World) -> None:
    referral = sent_at(world, at(20))
    bob = world.network.bob
    referral_transition(
        acting_user=bob, membership=member(bob), referral_id=referral.pk, action="accept", version=referral.version
    )
    assert referral_timers_run(now=at(24)).reminded == 0


def test_a_referral_outside_the_network_has_no_receiver_to_remind(world: World) -> None:
    sent_at(world, at(20), outside=True)
    report = referral_timers_run(now=at(30))
    assert (report.reminded, report.escalated) == (0, 0)


def test_a_service_may_give_itself_one_business_day_to_answer(world: World) -> None:
    ServiceReferralTerms.objects.create(service=world.pantry, answer_days=1)
    sent_at(world, at(20))
    assert referral_timers_run(now=at(23, hour=9)).reminded == 0
    assert referral_timers_run(now=at(23)).reminded == 1


def test_the_hub_administrator_sets_a_services_limits_in_the_admin(world: World) -> None:
    client = signed_in(Client(), world.network.admin)
    url = "/admin/referrals/servicereferralterms/add/"
    refused = client.post(url, {"service": world.pantry.pk, "answer_days": "0", "outcome_days": ""})
    assert refused.status_code == 200 and "answer_days" in refused.context["adminform"].form.errors
    assert not ServiceReferralTerms.objects.exists()

    saved = client.post(url, {"service": world.pantry.pk, "answer_days": "1", "outcome_days": ""})
    assert saved.status_code == 302
    terms = ServiceReferralTerms.objects.get(service=world.pantry)
    assert (terms.answer_days, terms.outcome_days) == (1, None)

    # A provider's staff member has no say over the limits.
    provider = signed_in(Client(), world.network.bob)
    assert provider.get(url).status_code in (302, 403)


def test_still_no_answer_two_business_days_after_the_reminder_goes_to_the_hub(world: World) -> None:
    admin = world.network.admin
    admin.preferred_language = "es"
    admin.save(update_fields=["preferred_language"])
    referral = sent_at(world, at(30))  # Monday
    assert referral_timers_run(now=at(2, 12)).reminded == 1  # Wednesday
    report = referral_timers_run(now=at(4, 12, hour=9))
    assert (report.reminded, report.escalated) == (0, 0)

    assert referral_timers_run(now=at(4, 12)).escalated == 1  # Friday
    [notice] = timer_notices("escalation")
    assert notice.recipient == admin.email  # the hub administrator, not the family member at the hub
    assert notice.language == "es" and "referido" in notice.body_text
    assert referral.reference in notice.body_text and "García" not in notice.body_text
    referral.refresh_from_db()
    assert referral.escalated_at == at(4, 12)
    assert referral_timers_run(now=at(4, 1, year=2027)).escalated == 0


# --- Follow-up and expiry ---------------------------------------------------------------------------


def test_accepted_without_an_outcome_for_14_business_days_makes_a_follow_up_task(world: World) -> None:
    referral = accepted_at(world, at(2))  # Monday; Veterans Day (the 11th) is a holiday
    assert referral_timers_run(now=at(20, hour=17)).followed_up == 0  # 13 business days
    assert referral_timers_run(now=at(23)).followed_up == 1

    followup = ReferralFollowUp.objects.get(referral=referral)
    assert followup.assigned_to == world.network.alice
    assert followup.due == at(23) and followup.done_at is None
    [notice] = timer_notices("follow-up")
    assert notice.recipient == world.network.alice.email
    assert referral.reference in notice.body_text and "García" not in notice.body_text
    assert referral_timers_run(now=at(30)).followed_up == 0
    assert ReferralFollowUp.objects.count() == 1


def test_a_service_may_set_its_own_time_to_an_outcome(world: World) -> None:
    ServiceReferralTerms.objects.create(service=world.pantry, outcome_days=3)
    referral = accepted_at(world, at(2))
    assert referral_timers_run(now=at(5, hour=9)).followed_up == 0
    assert referral_timers_run(now=at(5)).followed_up == 1
    assert ReferralFollowUp.objects.get(referral=referral).due == at(5)


def test_a_completed_referral_needs_no_follow_up(world: World) -> None:
    referral = accepted_at(world, at(2))
    bob = world.network.bob
    referral_transition(
        acting_user=bob,
        membership=member(bob),
        referral_id=referral.pk,
        action="complete",
        version=referral.version,
        need_result="resolved",
        service_delivered="Groceries",
    )
    assert referral_timers_run(now=at(30)).followed_up == 0


def test_a_referral_with_no_activity_expires(world: World, settings: pytest.FixtureRequest) -> None:
    settings.REFERRAL_EXPIRE_DAYS = 3  # type: ignore[attr-defined]
    # The answer is due when the referral expires: both timers are due at once.
    ServiceReferralTerms.objects.create(service=world.pantry, answer_days=3)
    referral = sent_at(world, at(25))  # Wednesday before Thanksgiving
    report = referral_timers_run(now=at(2, 12, hour=9))
    assert (report.expired, report.reminded) == (0, 0)

    report = referral_timers_run(now=at(2, 12))
    assert report.expired == 1
    assert report.reminded == 0  # expired first: no reminder for a referral that is closed
    referral.refresh_from_db()
    assert referral.status == Status.CANCELLED and referral.reason == Reason.EXPIRED
    last = referral.events.order_by("-seq").first()
    assert last is not None and (last.action, last.side, last.actor) == ("expire", Side.SYSTEM, None)
    # The referrer and the receiver hear of it.
    recipients = set(OutboxMessage.objects.values_list("recipient", flat=True))
    assert recipients == {world.network.alice.email, world.network.bob.email}
    assert referral_timers_run(now=at(3, 12)).expired == 0


def test_by_default_a_referral_expires_after_30_business_days_without_activity(world: World) -> None:
    referral = accepted_at(world, at(1, 10))  # Thursday 1 October
    # 30 business days: October has no California holiday (Columbus Day is not one), November
    # has Veterans Day on the 11th.
    assert referral_timers_run(now=at(13, hour=9)).expired == 0
    assert referral_timers_run(now=at(13)).expired == 1
    referral.refresh_from_db()
    assert referral.status == Status.CANCELLED


def test_activity_postpones_expiry(world: World, settings: pytest.FixtureRequest) -> None:
    settings.REFERRAL_EXPIRE_DAYS = 3  # type: ignore[attr-defined]
    referral = sent_at(world, at(25))
    Referral.objects.filter(pk=referral.pk).update(updated_at=at(30))
    assert referral_timers_run(now=at(2, 12)).expired == 0
    assert referral_timers_run(now=at(3, 12)).expired == 1


# --- Running again, and the ways production runs it -------------------------------------------------


def test_a_second_run_fires_nothing(world: World) -> None:
    sent_at(world, at(16))
    accepted_at(world, at(2))
    assert referral_timers_run(now=at(18)).reminded == 1
    first = referral_timers_run(now=at(23))
    assert (first.reminded, first.escalated, first.followed_up) == (0, 1, 1)
    notices = OutboxMessage.objects.count()
    assert notices == 3  # bob reminded, the hub administrator told, alice asked to follow up
    again = referral_timers_run(now=at(23))
    assert (again.reminded, again.escalated, again.followed_up, again.expired, again.errors) == (0, 0, 0, 0, 0)
    assert OutboxMessage.objects.count() == notices


def test_one_failing_referral_does_not_stop_the_others(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from ecwhub.referrals import timers

    broken = sent_at(world, at(16))
    fine = sent_at(world, at(16))
    notice = timers.staff_notice

    def fail_for_one(user: object, referral: Referral, *args: object, **kwargs: object) -> None:
        if referral.pk == broken.pk:
            raise RuntimeError("mail template broke")
        notice(user, referral, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(timers, "staff_notice", fail_for_one)
    report = referral_timers_run(now=at(19))
    assert (report.reminded, report.errors) == (1, 1)
    broken.refresh_from_db()
    fine.refresh_from_db()
    assert broken.answer_reminded_at is None and fine.answer_reminded_at == at(19)


def test_the_command_prints_what_fired(world: World) -> None:
    referral = sent_at(world, timezone.now() - timedelta(days=10))
    out = StringIO()
    call_command("referral_timers", stdout=out)
    assert out.getvalue().strip() == "reminded 1, escalated 0, follow-ups 0, expired 0, errors 0"
    referral.refresh_from_db()
    assert referral.answer_reminded_at is not None


def test_the_command_fails_when_a_referral_failed(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from ecwhub.referrals import timers

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("mail template broke")

    monkeypatch.setattr(timers, "staff_notice", broken)
    sent_at(world, timezone.now() - timedelta(days=10))
    out = StringIO()
    with pytest.raises(CommandError, match="1 referral timer"):
        call_command("referral_timers", stdout=out)
    assert "reminded 0, escalated 0, follow-ups 0, expired 0, errors 1" in out.getvalue()


def test_the_task_runs_the_timers(world: World) -> None:
    sent_at(world, timezone.now() - timedelta(days=10))
    result = run_referral_timers.enqueue()
    assert result.return_value == {"reminded": 1, "escalated": 0, "followed_up": 0, "expired": 0, "errors": 0}


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_runs_at_the_same_moment_fire_each_timer_once(world: World, settings: pytest.FixtureRequest) -> None:
    settings.REFERRAL_EXPIRE_DAYS = 3  # type: ignore[attr-defined]
    waiting = [sent_at(world, at(30)) for _ in range(3)]  # reminders due on Wednesday 10:00
    idle = [accepted_at(world, at(20)) for _ in range(3)]  # idle since 20 November, long past 3 business days
    runs = 4

    outcomes = together(runs, lambda i: referral_timers_run(now=at(2, 12)))

    assert errors(outcomes) == []
    assert sum(o.value.reminded for o in outcomes) == 3
    assert sum(o.value.expired for o in outcomes) == 3
    assert len(timer_notices("answer-reminder")) == 3  # one to bob per referral
    for referral in idle:
        assert list(referral.events.values_list("action", flat=True)).count("expire") == 1
    for referral in waiting:
        referral.refresh_from_db()
        assert referral.answer_reminded_at == at(2, 12)
