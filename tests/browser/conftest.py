"""Real Chromium (Debian's package) driven by Playwright. Never a downloaded browser."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from ecwhub.accounts.models import User
from tests.conftest import PASSWORD, current_code, totp_device

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
# axe-core from the npm registry, vendored (tests/browser/vendor/README.md says which and how).
AXE = Path(__file__).with_name("vendor") / "axe.min.js"
AXE_FAILS_ON = ("serious", "critical")
_AXE_RUN = """async (failOn) => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.filter(v => failOn.includes(v.impact)).map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
  }));
}"""
_AXE_RULES = """async ({rules, failOn}) => {
  const result = await axe.run(document, {runOnly: {type: "rule", values: rules}});
  return {
    violations: result.violations.filter(v => failOn.includes(v.impact)).map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      targets: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
    })),
    checked: result.passes.concat(result.violations).map(v => v.id),
  };
}"""
# Paths that are not pages a person reads (downloads, the API, static files).
_NOT_PAGES = (".json", "/api/", "/static/", "/health/")


def sign_in(page: Any, live_server: Any, user: User, *, password: str = PASSWORD, language: str | None = None) -> None:
    """``user`` signs in on the sign-in page, then, when their role asks for a second factor, gives
    the current code of their authenticator app; it returns once the page after sign-in is open.

    With ``language``, the pages are in that language from the sign-in page on (the language
    cookie). The fields are found by their names, so the same steps serve in every language."""
    device = totp_device(user) if user.requires_two_factor else None
    if language:
        page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.locator("input[name=username]").fill(user.email)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").first.click()
    last_field = "input[name=password]"
    if device is not None:
        page.locator("input[name=code]").fill(current_code(device))
        page.locator("main form button[type=submit]").first.click()
        last_field = "input[name=code]"
    page.locator(last_field).wait_for(state="detached")
    assert "/accounts/" not in page.url, f"{user.email} could not sign in: {page.url}"


def axe_violations(context: Any, url: str) -> list[str]:
    """The serious and critical axe violations of the page at ``url``, opened in ``context`` (so
    with its cookies, viewport and language), as readable lines."""
    page = context.new_page()
    try:
        # An init script runs outside the page's content security policy, as a test tool must.
        page.add_init_script(path=str(AXE))
        page.goto(url)
        page.wait_for_load_state("load")
        found = page.evaluate(_AXE_RUN, list(AXE_FAILS_ON))
        where = urlsplit(page.url).path
    finally:
        page.close()
    return [f"{where}: {v['id']} ({v['impact']}): {v['help']} at {v['targets']}" for v in found]


def axe_rules_on_page(page: Any, rules: list[str], fail_on: tuple[str, ...] = ("moderate", *AXE_FAILS_ON)) -> list[str]:
    """Run the axe ``rules`` on the page as it is now (a page shown after a refused POST cannot be
    opened again by its address) and return what is wrong, as readable lines: each violation of
    an impact in ``fail_on`` (moderate ones too, by default), and each rule the page gave
    nothing to check, so a test cannot pass by testing nothing."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        # Evaluated by the test tool, outside the page's content security policy.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(_AXE_RULES, {"rules": rules, "failOn": list(fail_on)})
    where = urlsplit(page.url).path
    problems = [f"{where}: {v['id']} ({v['impact']}): {v['help']} at {v['targets']}" for v in result["violations"]]
    problems += [f"{where}: {rule} had nothing to check" for rule in rules if rule not in result["checked"]]
    return problems


def _checked_by_axe(context: Any) -> Any:
    """Record every page the context's pages visit; when the test closes the context, open each
    again (same cookies, viewport, language) and fail on serious or critical axe violations."""
    visited: list[str] = []
    checking = False

    def on_page(page: Any) -> None:
        def on_navigated(frame: Any) -> None:
            if checking or frame != page.main_frame or not frame.url.startswith("http"):
                return
            path = urlsplit(frame.url).path
            if not any(part in path for part in _NOT_PAGES) and frame.url not in visited:
                visited.append(frame.url)

        page.on("framenavigated", on_navigated)

    context.on("page", on_page)
    close = context.close

    def close_after_axe(*args: Any, **kwargs: Any) -> None:
        nonlocal checking
        problems: list[str] = []
        if not checking:
            checking = True
            for url in visited:
                problems += axe_violations(context, url)
        close(*args, **kwargs)
        assert not problems, f"axe: {len(problems)} serious or critical violations:\n" + "\n".join(problems)

    context.close = close_after_axe
    return context


@pytest.fixture(scope="package", autouse=True)
def _sync_orm_beside_playwright() -> Iterator[None]:
    # Playwright's sync API keeps an event loop in the test thread; the ORM calls the tests make
    # there (and the database flush after each test) are still synchronous, so Django's guard
    # against async contexts does not apply. Package scope: set before, and removed after, every
    # fixture of the browser tests.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


# Package scope: Playwright's event loop must be gone before tests outside this folder run.
@pytest.fixture(scope="package")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is required in CI and is missing at {CHROMIUM} (apt-get install chromium)")
        pytest.skip(f"Chromium not installed at {CHROMIUM}: install Debian's chromium package to run browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        new_context = instance.new_context

        def new_checked_context(*args: Any, **kwargs: Any) -> Any:
            return _checked_by_axe(new_context(*args, **kwargs))

        instance.new_context = new_checked_context
        yield instance
        instance.close()


@pytest.fixture
def phone(browser: object) -> Iterator[object]:
    """A page the size of a small phone (360 × 740)."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-US")  # type: ignore[attr-defined]
    page = context.new_page()
    yield page
    context.close()
