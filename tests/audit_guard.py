"""The audit guard: every request that reads family records leaves an audit entry.

An autouse fixture for the whole suite (registered in ``tests/conftest.py``). While a test runs,
every HTTP request served by Django, through the test client or the live server used by the
browser tests, is traced with ``connection.execute_wrapper``:

- a **family read** is a ``SELECT`` that names ``families_household`` or ``families_person``,
  except counts (``SELECT COUNT(...``: the home page's totals are numbers, not records) and
  constant selects (``SELECT 1 AS "a"``, ``SELECT %s AS "a"``: existence checks decide, they
  disclose nothing);
- an **audit write** is an ``INSERT INTO "consent_auditentry"``.

A request that made a family read must have written an audit entry carrying its request id
(``ecwhub.core.logging.request_id_var``), and that entry must still be in the database after the
test body has run (not rolled back). Otherwise the test fails at teardown, naming the route, the
request id, the status and the start of the first such statement. The lookup runs after the test
body, so it never counts in a test's own query assertions.

Not checked, on purpose:

- refusals (401, 403, 404, 405, 410): a view that loads a household, asks the policy, and answers
  "not found" has disclosed nothing, and the product does not audit refusals;
- SQL run outside a request (test code, management commands, tasks; request id ``-``).

Limits:

- Requests are traced in the thread that serves them, so live-server threads are covered. When
  the live server shares the test's SQLite in-memory connection, two requests served at the same
  time share one list of wrappers; a statement run on another thread is skipped, so the guard can
  miss a read then, never report a false one.
- Only the ``default`` database, and only ``get_response`` (WSGI and the test client); the ASGI
  path and the body of streaming responses (consumed after the view returns, outside the request
  id) are not traced.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.handlers.base import BaseHandler
from django.db import connection
from django.http import HttpRequest, HttpResponseBase

from ecwhub.core.logging import request_id_var

NOT_IN_A_REQUEST = "-"
REFUSALS = frozenset({401, 403, 404, 405, 410})

_FAMILY_TABLE = re.compile(r"\bfamilies_(?:household|person)\b")
_COUNT = re.compile(r"^SELECT\s+COUNT\s*\(", re.IGNORECASE)
# Django writes the constant inline or as a parameter (``SELECT %s AS "a"`` with 1).
_CONSTANT = re.compile(r'^SELECT\s+(?:\(?\s*1\s*\)?|%s)\s+AS\s+"?a"?\s+FROM\b', re.IGNORECASE)
_AUDIT_INSERT = re.compile(r'^INSERT\s+INTO\s+"?consent_auditentry"?', re.IGNORECASE)


def reads_family_records(sql: str) -> bool:
    """True for a statement that fetches household or person rows (not a count, not an existence check)."""
    statement = sql.lstrip()
    if statement[:6].upper() != "SELECT":
        return False
    if not _FAMILY_TABLE.search(statement):
        return False
    return not (_COUNT.match(statement) or _CONSTANT.match(statement))


def writes_audit_entry(sql: str) -> bool:
    return bool(_AUDIT_INSERT.match(sql.lstrip()))


@dataclass(frozen=True)
class FamilyRead:
    """A request that read family records: where, and whether it wrote an audit entry."""

    route: str
    request_id: str
    status: int
    sql: str
    wrote_audit: bool

    def __str__(self) -> str:
        return f"{self.route} (request {self.request_id}, status {self.status}): {self.sql}"


@dataclass
class RequestTrace:
    """What one request did with family records, recorded by its execute wrapper."""

    thread: int
    reads: dict[str, list[str]] = field(default_factory=dict)
    audited: set[str] = field(default_factory=set)

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        request_id = request_id_var.get()
        if request_id != NOT_IN_A_REQUEST and threading.get_ident() == self.thread:
            if reads_family_records(sql):
                self.reads.setdefault(request_id, []).append(sql[:120])
            elif writes_audit_entry(sql):
                self.audited.add(request_id)
        return execute(sql, params, many, context)


def _route(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else f"unresolved {request.path_info}"


@dataclass
class AuditGuard:
    """The family reads of one test's requests, and those found without an audit entry.

    Requests only record; ``verify()`` looks the audit entries up, after the test body (so the
    lookup never counts in a test's query assertions) or when a test calls it.
    ``expect_unaudited()`` verifies and hands the findings over, for a test that reads without
    auditing on purpose.
    """

    pending: list[FamilyRead] = field(default_factory=list)
    unaudited: list[FamilyRead] = field(default_factory=list)
    requests_checked: int = 0

    def serve(
        self,
        get_response: Callable[[BaseHandler, HttpRequest], HttpResponseBase],
        handler: BaseHandler,
        request: HttpRequest,
    ) -> HttpResponseBase:
        trace = RequestTrace(thread=threading.get_ident())
        with connection.execute_wrapper(trace):
            response = get_response(handler, request)
        self.record(trace, request, response.status_code)
        return response

    def record(self, trace: RequestTrace, request: HttpRequest, status: int) -> None:
        self.requests_checked += 1
        if status in REFUSALS:
            return
        for request_id, statements in trace.reads.items():
            read = FamilyRead(_route(request), request_id, status, statements[0], request_id in trace.audited)
            self.pending.append(read)

    def verify(self) -> None:
        """Every pending read must have written an audit entry that is still there (not rolled back)."""
        pending, self.pending = self.pending, []
        if not pending:
            return
        from ecwhub.consent.models import AuditEntry

        written = {read.request_id for read in pending if read.wrote_audit}
        kept = set(AuditEntry.objects.filter(request_id__in=written).values_list("request_id", flat=True))
        self.unaudited += [read for read in pending if read.request_id not in kept]

    def expect_unaudited(self) -> list[FamilyRead]:
        self.verify()
        found, self.unaudited = self.unaudited, []
        return found

    def report(self) -> str:
        lines = "\n".join(f"  - {read}" for read in self.unaudited)
        return f"family records were read without an audit entry:\n{lines}"


@pytest.fixture(autouse=True)
def audit_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[AuditGuard]:
    """Fails the test when a request read family records and left no audit entry."""
    guard = AuditGuard()
    original = BaseHandler.get_response

    def get_response(handler: BaseHandler, request: HttpRequest) -> HttpResponseBase:
        return guard.serve(original, handler, request)

    # On the class, so every handler serves through it: the test client's and the live server's.
    monkeypatch.setattr(BaseHandler, "get_response", get_response)
    yield guard
    if guard.unaudited:
        pytest.fail(guard.report(), pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    # After the test body and before its fixtures are torn down: the test's database, and its
    # rows, are still there. A test that failed already is not checked further.
    result = yield
    guard = getattr(item, "funcargs", {}).get("audit_guard")
    if isinstance(guard, AuditGuard):
        guard.verify()
    return result
