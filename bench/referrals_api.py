"""The referral API under load: the hub served by gunicorn on PostgreSQL, driven by wrk from another
process, with 50 connections (concurrent users that never pause).

    SECRET_KEY=x DATABASE_URL=postgres://postgres@127.0.0.1:5432/ecwhub python bench/referrals_api.py
    SECRET_KEY=x DATABASE_URL=... python bench/referrals_api.py --seconds 10 --only reads   # a quick run

It needs PostgreSQL and wrk (Debian: ``apt-get install wrk``). Like ``api_load.py`` (whose server
set-up it reuses) it works in a database of its own, ``ecwhub_bench_referrals`` on the server
``DATABASE_URL`` points at: migrated and seeded with the demo network (``seed_demo --families N``,
seed 2026, which carries months of referral history) on the first run, reused afterwards (``--fresh``
rebuilds it). It starts ``gunicorn ecwhub.wsgi`` as production runs it, creates bearer tokens for
the demo care coordinator (who refers from the main family resource center) and the demo provider
(who answers in the main food bank's inbox), and measures:

- ``reads``: ``GET /api/v1/referrals/{id}`` over the referrals each of them may open (the
  coordinator's sent ones, the provider's received ones), with the family, needs and events;
- ``inbox``: ``GET /api/v1/referrals?box=received`` (the provider's open tab, a page of 25);
- ``writes``: ``POST /api/v1/referrals`` (sent at once, a new ``Idempotency-Key`` each) by the
  coordinator, for families and food needs that consent and agreements let them refer to the food
  bank, each followed by the provider's ``accept``, ``start`` and ``complete`` transitions
  (``POST …/transitions`` with the version the previous answer returned): one create, three moves.

Each line gives requests per second, p50/p95/p99 latency in milliseconds and the answers that were
not 2xx; targets: reads and inbox 400 requests/s, writes 150 requests/s, p95 under 100 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from _setup import ROOT, BenchDatabase
from api_load import Figures, manage, run_wrk, served, server_env

POSTGRES_NAME = "ecwhub_bench_referrals"
COORDINATOR = "coordinator@demo.ecwhub.example"
PROVIDER = "provider@demo.ecwhub.example"
TARGETS = {"reads": (400, 100), "inbox": (400, 100), "writes": (150, 100)}

# What the run needs from the database, found as the hub itself finds it: the referrals each user
# may open (their lists), and what the coordinator may refer to the food bank (consent and
# agreement cover it: ``sharing_gaps`` is empty).
PREPARE = """
import json
from ecwhub.accounts.models import Membership
from ecwhub.consent.models import DataCategory, Purpose
from ecwhub.consent.policy import households_visible, sharing_gaps
from ecwhub.directory.models import Service
from ecwhub.referrals import selectors
from ecwhub.referrals.checks import carried_categories
from ecwhub.referrals.models import Referral, ReferralEvent
from ecwhub.families.models import Household
from ecwhub.consent.models import AuditEntry
from ecwhub.screening.models import IdentifiedNeed

def member(email):
    return Membership.objects.select_related("user", "organization").get(user__email=email, is_active=True)

coordinator, provider = member(%(coordinator)r), member(%(provider)r)
reads = {}
for who, box in ((coordinator, "sent"), (provider, "received")):
    page = selectors.referrals_page(user=who.user, membership=who, box=box, tab="all", per_page=100)
    reads[box] = [str(r.pk) for r in page.object_list]
pantry = list(
    Service.objects.filter(
        organization=provider.organization, accepts_electronic_referrals=True, needs__need="food-insecurity"
    ).order_by("id")
)
visible = households_visible(
    user=coordinator.user, membership=coordinator, category=DataCategory.REFERRALS,
    purpose=Purpose.CARE_COORDINATION, write=True,
)
creates = []
needs = IdentifiedNeed.objects.filter(
    household__in=visible, need="food-insecurity", status__in=["identified", "wants_help"]
).select_related("household", "person").order_by("id")
for need in needs[:200]:
    if pantry and not sharing_gaps(
        household=need.household, organization_id=provider.organization_id,
        categories=carried_categories([need]), purpose=Purpose.REFERRAL, person=need.person,
    ):
        service = pantry[len(creates) %% len(pantry)]
        creates.append({"household_id": str(need.household_id), "service_id": str(service.pk),
                        "need_ids": [str(need.pk)], "person_id": str(need.person_id) if need.person_id else None})
sizes = {
    "households": Household.objects.count(), "referrals": Referral.objects.count(),
    "events": ReferralEvent.objects.count(), "audit": AuditEntry.objects.count(),
}
print("PREPARED " + json.dumps({"reads": reads, "creates": creates, "sizes": sizes}))
"""

READS_SCRIPT = """
local reads = {%(reads)s}
local i = 0
setup = function(thread) end
request = function()
  i = i + 1
  local r = reads[(i %% #reads) + 1]
  return wrk.format("GET", r[1], {["Authorization"] = "Bearer " .. r[2]})
end
"""

INBOX_SCRIPT = """
wrk.headers["Authorization"] = "Bearer %(provider)s"
"""

# A create answers the new referral (sent: "requested"); each answer of the provider's move carries
# the referral's id, version and status, from which the next move follows. The referrals waiting
# for their next move are queued per wrk thread; a thread creates when its queue is empty.
WRITES_SCRIPT = """
local creates = {%(creates)s}
local queue = {}
local count = 0
local next_action = {["requested"] = "accept", ["accepted"] = "start", ["in-progress"] = "complete"}
local counter = 0
setup = function(thread)
  counter = counter + 1
  thread:set("tid", counter)
end
request = function()
  local job = table.remove(queue, 1)
  local headers = {["Content-Type"] = "application/json"}
  if job then
    headers["Authorization"] = "Bearer %(provider)s"
    local body = string.format('{"action": "%%s", "version": %%d', job.action, job.version)
    if job.action == "complete" then
      body = body .. ', "need_result": "partly", "service_delivered": "Emergency food box"'
    end
    return wrk.format("POST", "/api/v1/referrals/" .. job.id .. "/transitions", headers, body .. "}")
  end
  count = count + 1
  headers["Authorization"] = "Bearer %(coordinator)s"
  headers["Idempotency-Key"] = string.format("%(run)s-%%s-%%d", tostring(tid), count)
  return wrk.format("POST", "/api/v1/referrals", headers, creates[(count %% #creates) + 1])
end
response = function(status, headers, body)
  if status ~= 200 and status ~= 201 then return end
  local id = string.match(body, '"id":%%s*"([%%x%%-]+)"')
  local version = tonumber(string.match(body, '"version":%%s*(%%d+)'))
  local state = string.match(body, '"status":%%s*{"code":%%s*"([%%a%%-]+)"')
  local action = next_action[state]
  if id and version and action then
    table.insert(queue, {id = id, version = version, action = action})
  end
end
"""

DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), e.status,
    e.connect + e.read + e.write + e.timeout))
end
"""


def lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid Lua string literal for these characters


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", type=int, default=2000, help="demo families to seed (default 2000)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent connections (default 50)")
    parser.add_argument("--seconds", type=int, default=20, help="seconds of load per workload (default 20)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--only", choices=sorted(TARGETS), action="append", help="measure only these workloads")
    parser.add_argument("--fresh", action="store_true", help="rebuild the database")
    parser.add_argument(
        "--database", default=POSTGRES_NAME, help=f"the database on the DATABASE_URL server (default {POSTGRES_NAME})"
    )
    args = parser.parse_args()

    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (the benchmark measures the production set-up).")
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian: apt-get install wrk).")
    database = BenchDatabase.named(args.database)
    env = server_env(database.url)
    database.create(fresh=args.fresh)
    manage(env, "migrate", "--no-input", "-v", "0")
    started = time.perf_counter()
    manage(env, "seed_demo", "--if-empty", "--families", str(args.families), "--seed", "2026")
    print(f"database ready in {time.perf_counter() - started:.0f} s")
    tokens = {
        email: manage(env, "create_api_token", email, "referrals bench", "--days", "1").strip().splitlines()[-1]
        for email in (COORDINATOR, PROVIDER)
    }
    output = manage(env, "shell", "--no-imports", "-c", PREPARE % {"coordinator": COORDINATOR, "provider": PROVIDER})
    prepared = json.loads(output.split("PREPARED ", 1)[1])
    sizes, creates = prepared["sizes"], prepared["creates"]
    reads = [(f"/api/v1/referrals/{pk}", tokens[COORDINATOR]) for pk in prepared["reads"]["sent"]]
    reads += [(f"/api/v1/referrals/{pk}", tokens[PROVIDER]) for pk in prepared["reads"]["received"]]
    if not reads or not creates:
        sys.exit(f"nothing to measure: {len(reads)} referrals to read, {len(creates)} needs to refer")
    print(
        f"data: {sizes['households']} households, {sizes['referrals']} referrals with {sizes['events']} events, "
        f"{sizes['audit']} audit entries before the run; reads over {len(prepared['reads']['sent'])} sent and "
        f"{len(prepared['reads']['received'])} received referrals; creates for {len(creates)} families' food needs; "
        f"gunicorn {args.workers} workers x {args.threads} threads; wrk {args.clients} connections, "
        f"{args.seconds} s per workload; {os.cpu_count()} CPUs; load average before: "
        + " ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    run = f"bench{int(time.time())}"
    scripts = {
        "reads": READS_SCRIPT % {"reads": ", ".join(f"{{{lua_string(p)}, {lua_string(t)}}}" for p, t in reads)},
        "inbox": INBOX_SCRIPT % {"provider": tokens[PROVIDER]},
        "writes": WRITES_SCRIPT
        % {
            "creates": ", ".join(lua_string(json.dumps({**body, "send": True})) for body in creates),
            "provider": tokens[PROVIDER],
            "coordinator": tokens[COORDINATOR],
            "run": run,
        },
    }
    paths = {"reads": "/", "inbox": "/api/v1/referrals?box=received", "writes": "/"}

    log_dir = ROOT / "var" / "bench" / "referrals_api"
    log_dir.mkdir(parents=True, exist_ok=True)
    with (
        served(env, args.port, args.workers, args.threads, log_dir / "gunicorn.log"),
        tempfile.TemporaryDirectory() as folder,
    ):
        for name in args.only or list(TARGETS):
            script = Path(folder) / f"{name}.lua"
            script.write_text(scripts[name] + DONE)
            target = f"http://127.0.0.1:{args.port}{paths[name]}"
            if name != "writes":
                run_wrk(script, target, min(args.clients, 10), 3)  # warm-up: connections, caches
            figures: Figures = run_wrk(script, target, args.clients, args.seconds)
            rate, p95 = TARGETS[name]
            verdict = "met" if figures.per_second >= rate and figures.p95_ms < p95 else "missed"
            print(
                f"{name:7s} {figures.per_second:8.1f} req/s  p50 {figures.p50_ms:7.1f} ms  "
                f"p95 {figures.p95_ms:7.1f} ms  p99 {figures.p99_ms:7.1f} ms  "
                f"({figures.requests} requests, {figures.not_2xx} not 2xx, {figures.socket_errors} socket errors; "
                f"target {rate} req/s and p95 < {p95} ms: {verdict})",
                flush=True,
            )
    if "writes" in (args.only or list(TARGETS)):
        after = manage(
            env,
            "shell",
            "--no-imports",
            "-c",
            "from ecwhub.referrals.models import Referral; "
            f"r = Referral.objects.filter(idempotency_key__startswith={run!r}); "
            "print('WRITES', r.count(), r.filter(status='completed').count())",
        )
        made, completed = after.split("WRITES ", 1)[1].split()
        print(f"writes: {made} referrals created, {completed} of them taken to completed")


if __name__ == "__main__":
    main()
