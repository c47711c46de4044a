"""The README's first command, as a newcomer runs it: set up, seed, serve; then again."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="the quick start always uses its own SQLite database; it runs once, in the SQLite pass",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(env: dict[str, str]) -> tuple[subprocess.Popen[str], list[str]]:
    process = subprocess.Popen(
        ["./hub", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    deadline = time.monotonic() + 300
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "ECW Hub at http://" in line:
            return process, lines
    _stop(process)
    raise AssertionError("the hub did not start:\n" + "".join(lines[-40:]))


def _stop(process: subprocess.Popen[str]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def _get(url: str, attempts: int = 100) -> tuple[int, str]:
    for _ in range(attempts):
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback only)
                return response.status, response.read().decode()
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"no answer from {url}")


def _sign_in_as_the_demo_coordinator(port: int, env: dict[str, str]) -> None:
    """Sign in as a browser would (CSRF cookie and token), with the password and then the TOTP
    code that `./hub totp` prints, and open the coordinator's home page."""
    import http.cookiejar
    import urllib.parse

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{port}"
    email = "coordinator@demo.ecwhub.example"

    def post(path: str, fields: dict[str, str]) -> str:
        form = opener.open(f"{base}{path}", timeout=10).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
        assert token, form[:500]
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), **fields}).encode()
        request = urllib.request.Request(f"{base}{path}", data=data, headers={"Referer": f"{base}/"})  # noqa: S310
        with opener.open(request, timeout=10) as response:
            assert response.status == 200
            return str(response.read().decode())

    page = post("/accounts/sign-in/", {"username": email, "password": "hub-demo-2026"})
    assert "Two-factor sign-in" in page
    code = (
        subprocess.run(
            ["./hub", "totp", email], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    home = post("/accounts/two-factor/?next=/", {"code": code, "next": "/"})
    assert "Welcome," in home and 'action="/accounts/sign-out/"' in home


def test_hub_run_sets_up_seeds_serves_and_reuses_everything(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SECRET_KEY", "ECWHUB_HTTPS", "DJANGO_SETTINGS_MODULE", "DATABASE_URL")
    }
    env.update({"ECWHUB_PORT": str(port), "DATABASE_URL": f"sqlite:///{tmp_path / 'hub.sqlite3'}"})

    process, lines = _start(env)
    try:
        output = "".join(lines)
        for email in ("admin@", "coordinator@", "provider@", "clinician@", "analyst@", "family@"):
            assert f"{email}demo.ecwhub.example" in output
        assert "./hub totp" in output
        status, body = _get(f"http://127.0.0.1:{port}/health/")
        assert status == 200 and '"status": "ok"' in body
        status, page = _get(f"http://127.0.0.1:{port}/accounts/sign-in/")
        assert status == 200
        stylesheet = re.search(r'href="(/static/css/hub\.[0-9a-f]+\.css)"', page)
        assert stylesheet, "static files are served with hashed names"
        assert _get(f"http://127.0.0.1:{port}{stylesheet.group(1)}")[0] == 200
        _sign_in_as_the_demo_coordinator(port, env)
    finally:
        _stop(process)

    started = time.monotonic()
    process, lines = _start(env)
    try:
        elapsed = time.monotonic() - started
        output = "".join(lines)
        assert "creating" not in output.lower() or "virtual environment" not in output
        assert "coordinator@demo.ecwhub.example" in output
        # Nothing re-seeded: the second start only prints the existing sign-ins.
        assert "Seeded" not in output
        assert elapsed < 60, f"second start took {elapsed:.1f} s"
        assert _get(f"http://127.0.0.1:{port}/health/")[0] == 200
    finally:
        _stop(process)
