"""Fill an empty database with the synthetic Alhambra-area demo network and print its sign-ins."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ecwhub.accounts.models import Organization
from ecwhub.demo.generator import (
    DEFAULT_FAMILIES,
    DEFAULT_SEED,
    DemoDatabaseNotEmpty,
    SeedSummary,
    database_holds_data,
    demo_seed,
    demo_sign_ins,
)

T = TypeVar("T")


def _families(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {value!r}") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {number}")
    return number


def _seed(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer, not {value!r}") from None


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a date as YYYY-MM-DD, not {value!r}") from None


def _option(value: Any, parse: Callable[[str], T], option: str) -> T:
    try:
        return parse(str(value))
    except argparse.ArgumentTypeError as exc:
        raise CommandError(f"{option} {exc}") from None


class Command(BaseCommand):
    help = "Create the demo network (organizations, services, staff, families) in an empty database."
    # ./hub run calls this right after migrate, which has just run the system checks; skipping them keeps
    # --if-empty well under a second.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--families",
            type=_families,
            default=DEFAULT_FAMILIES,
            help=f"number of households to create (default {DEFAULT_FAMILIES})",
        )
        parser.add_argument(
            "--seed",
            type=_seed,
            default=DEFAULT_SEED,
            help=f"random seed; the same seed gives the same data (default {DEFAULT_SEED})",
        )
        parser.add_argument(
            "--today",
            type=_day,
            default=None,
            help="the date children's ages are counted from, YYYY-MM-DD (default: today)",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="when the database already holds a network, create nothing and only print the sign-ins",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # call_command() hands keyword values over without running the argparse types: check them again.
        families = _option(options["families"], _families, "--families")
        seed = _option(options["seed"], _seed, "--seed")
        today = _option(options["today"], _day, "--today") if options["today"] is not None else timezone.localdate()

        if options["if_empty"] and Organization.objects.exists():
            self.stdout.write("The database already holds a network; nothing was created.")
            self._print_sign_ins()
            return
        if database_holds_data():
            raise CommandError("the database already holds data; seed_demo only fills an empty database")

        self.stdout.write(f"Seeding the demo network: {families} families, seed {seed}, ages as of {today}.")
        started = time.perf_counter()
        reported = [0]

        def progress(done: int, total: int) -> None:
            # One line each time another tenth of the families is written.
            while reported[0] < 10 and done * 10 >= total * (reported[0] + 1):
                reported[0] += 1
                self.stdout.write(f"  families: {done * 100 // total:3d}%  ({done} of {total})")

        try:
            summary = demo_seed(seed=seed, families=families, today=today, progress=progress)
        except DemoDatabaseNotEmpty as exc:
            raise CommandError(str(exc)) from exc
        self._print_summary(summary, time.perf_counter() - started)
        self._print_sign_ins()

    def _print_summary(self, summary: SeedSummary, seconds: float) -> None:
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {summary.organizations} organizations, {summary.services} services, "
                f"{summary.staff_users} staff and {summary.family_users} family-member users "
                f"({summary.memberships} memberships, {summary.totp_devices} authenticator devices), "
                f"{summary.households} households with {summary.people} people "
                f"({summary.children} children 0-8) in {seconds:.1f} s."
            )
        )
        sharing = summary.sharing
        self.stdout.write(
            f"Sharing: {sharing.get('agreements', 0)} data sharing agreements, "
            f"{sharing.get('consents', 0)} family consents, {sharing.get('relationships', 0)} relationships "
            f"(registering organization or referral), "
            f"{sharing.get('family_accounts', 0)} family sign-ins linked to a caregiver, "
            f"{sharing.get('sensitive_notes', 0)} encrypted behavioral-health notes."
        )
        referrals = summary.referrals
        self.stdout.write(
            f"Referrals: {referrals.get('referrals', 0)} with {referrals.get('events', 0)} events, "
            f"{referrals.get('followups', 0)} follow-up tasks, {referrals.get('needs_addressed', 0)} needs addressed."
        )
        caseloads = summary.caseloads
        self.stdout.write(
            f"Designated coordinators: {caseloads.get('designated', 0)} families assigned among "
            f"{caseloads.get('coordinators', 0)} coordinators, {caseloads.get('over_ceiling', 0)} over their ceiling."
        )

    def _print_sign_ins(self) -> None:
        rows = demo_sign_ins()
        if not rows:
            self.stdout.write("No demo sign-ins exist in this database.")
            return
        header = ("role", "e-mail", "password", "TOTP secret (base32)")
        table = [header, *((row.role, row.email, row.password, row.totp_secret or "-") for row in rows)]
        widths = [max(len(line[column]) for line in table) for column in range(len(header))]
        self.stdout.write("")
        self.stdout.write("Demo sign-ins")
        for number, line in enumerate(table):
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
            if number == 0:
                self.stdout.write("  ".join("-" * width for width in widths))
        self.stdout.write("")
        self.stdout.write(
            "Two-factor codes: ./hub totp EMAIL prints the current code (or add the secret to any authenticator app)"
        )
        self.stdout.write("Turn two-factor off for the demo with ECWHUB_MFA_REQUIRED=false")
