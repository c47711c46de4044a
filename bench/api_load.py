"""The API under load: the hub served by gunicorn on PostgreSQL, driven by wrk from another process.

    SECRET_KEY=x DATABASE_URL=postgres://postgres@127.0.0.1:5432/ecwhub python bench/api_load.py
    SECRET_KEY=x DATABASE_URL=... python bench/api_load.py --clients 20 --seconds 10   # a quick run

It needs PostgreSQL and wrk (Debian: ``apt-get install wrk``). The benchmark uses a database of its
own: ``ecwhub_bench_api`` on the server that ``DATABASE_URL`` points at (created through that
server's ``postgres`` database; the database named in the URL is never opened). The first run
migrates it and seeds the demo network (``seed_demo --families N``, seed 2026); later runs with the
same ``--families`` reuse it, and ``--fresh`` rebuilds it.

It starts ``gunicorn ecwhub.wsgi`` (``--workers`` × ``--threads``, as ``./hub run`` serves the hub)
in the embedded mode on 127.0.0.1, with the request budget lifted (it measures the hub, not its rate
limit), creates a bearer token for the demo care coordinator, and for each endpoint runs wrk with
``--clients`` connections for ``--seconds`` after a short warm-up:

- ``me``: ``GET /api/v1/me`` (authentication and one membership read: the floor);
- ``families``: ``GET /api/v1/families`` (the access policy, a page of 25 families, their audit);
- ``search``: ``GET /api/v1/directory/search?q=…`` (not audited: the directory is public).

Each line gives requests per second, p50, p95 and p99 latency in milliseconds, and the responses
that were not 2xx. With ``--verify-during`` (the default), ``manage.py audit_verify`` runs while
the families endpoint is under load, and its verdict is printed: it must say the log is intact.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from _setup import ROOT, BenchDatabase

POSTGRES_NAME = "ecwhub_bench_api"
VAR_DIR = ROOT / "var" / "bench" / "api_load"
# Synthetic data only: a fixed key so that reruns can read what the first run encrypted.
BENCH_FIELD_KEY = "YmVuY2gtb25seS1maWVsZC1rZXktbm90LXByb2QtMzI="
ENDPOINTS = {
    "me": "/api/v1/me",
    "families": "/api/v1/families",
    "search": "/api/v1/directory/search?q=food",
}
WRK_SCRIPT = """
wrk.headers["Authorization"] = "Bearer %(token)s"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), e.status,
    e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass
class Figures:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    not_2xx: int
    socket_errors: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def server_env(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        ECWHUB_MODE="embedded",
        DATABASE_URL=url,
        ECWHUB_VAR_DIR=str(VAR_DIR),
        FIELD_ENCRYPTION_KEYS=BENCH_FIELD_KEY,
        ECWHUB_HTTPS="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        RATE_LIMIT_API="100000000/m",
        RATE_LIMIT_API_ANONYMOUS="100000000/m",
        SECRET_KEY=os.environ.get("SECRET_KEY") or "bench-only-secret-key",
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def wait_until_up(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    sys.exit("gunicorn did not answer /health/ in time")


@contextmanager
def served(env: dict[str, str], port: int, workers: int, threads: int, log_path: Path) -> Iterator[None]:
    """``gunicorn ecwhub.wsgi`` as production runs it, on 127.0.0.1:``port``, its log in ``log_path``;
    up (``/health/`` answers) inside the block, stopped after it."""
    with log_path.open("w") as server_log:
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "ecwhub.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
            stdout=server_log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_up(port)
            yield
        finally:
            server.terminate()
            server.wait(30)


def run_wrk(script: Path, url: str, clients: int, seconds: int) -> Figures:
    threads = str(min(clients, 2))
    done = subprocess.run(
        ["wrk", "-t", threads, "-c", str(clients), "-d", f"{seconds}s", "--timeout", "10s", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"^RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$", done.stdout, re.MULTILINE)
    if not found:
        sys.exit(f"wrk printed no result:\n{done.stdout}\n{done.stderr}")
    requests, micros, p50, p95, p99, status, socket = (int(v) for v in found.groups())
    return Figures(requests, micros / 1e6, p50 / 1000, p95 / 1000, p99 / 1000, status, socket)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", type=int, default=500, help="demo families to seed (default 500)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent connections (default 50)")
    parser.add_argument("--seconds", type=int, default=20, help="seconds of load per endpoint (default 20)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--only", choices=sorted(ENDPOINTS), action="append", help="measure only these endpoints")
    parser.add_argument("--no-verify-during", dest="verify_during", action="store_false")
    parser.add_argument("--fresh", action="store_true", help="rebuild the database")
    args = parser.parse_args()

    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (the benchmark measures the production set-up).")
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian: apt-get install wrk).")
    database = BenchDatabase.named(POSTGRES_NAME)
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    env = server_env(database.url)
    database.create(fresh=args.fresh)
    manage(env, "migrate", "--no-input", "-v", "0")
    # Seeds only an empty database (a run stopped half-way leaves one: --fresh starts again).
    manage(env, "seed_demo", "--if-empty", "--families", str(args.families), "--seed", "2026")
    token = manage(env, "create_api_token", "coordinator@demo.ecwhub.example", "api-load bench", "--days", "1").strip()
    sizes = manage(
        env,
        "shell",
        "--no-imports",
        "-c",
        "from ecwhub.families.models import Household, Person; from ecwhub.consent.models import AuditEntry; "
        "print(Household.objects.count(), Person.objects.count(), AuditEntry.objects.count())",
    ).split()[-3:]
    print(
        f"data: {sizes[0]} households, {sizes[1]} people, {sizes[2]} audit entries before the run; "
        f"gunicorn {args.workers} workers x {args.threads} threads; wrk {args.clients} connections, "
        f"{args.seconds} s per endpoint; {os.cpu_count()} CPUs"
    )

    # The server's own log (a JSON line per request, as in production) goes to a file.
    with (
        served(env, args.port, args.workers, args.threads, VAR_DIR / "gunicorn.log"),
        tempfile.TemporaryDirectory() as folder,
    ):
        script = Path(folder) / "bench.lua"
        script.write_text(WRK_SCRIPT % {"token": token})
        for name in args.only or list(ENDPOINTS):
            target = f"http://127.0.0.1:{args.port}{ENDPOINTS[name]}"
            run_wrk(script, target, min(args.clients, 10), 3)  # warm-up: connections, caches
            verifier = None
            if name == "families" and args.verify_during:
                verifier = subprocess.Popen(
                    [sys.executable, str(ROOT / "manage.py"), "audit_verify"],
                    env=env,
                    cwd=ROOT,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                )
            figures = run_wrk(script, target, args.clients, args.seconds)
            print(
                f"{name:9s} {figures.per_second:8.1f} req/s  p50 {figures.p50_ms:7.1f} ms  "
                f"p95 {figures.p95_ms:7.1f} ms  p99 {figures.p99_ms:7.1f} ms  "
                f"({figures.requests} requests, {figures.not_2xx} not 2xx, {figures.socket_errors} socket errors)",
                flush=True,
            )
            if verifier is not None:
                output, _ = verifier.communicate(timeout=600)
                verdict = output.strip().splitlines()[-1] if output.strip() else "(no output)"
                print(f"          audit_verify during the load: exit {verifier.returncode}: {verdict}")


if __name__ == "__main__":
    main()
