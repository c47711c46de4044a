"""Request-scoped log context.

Log lines carry the request id, the route name and opaque user ids, never names, e-mail
addresses, phone numbers, query strings or form values.
"""

import contextvars
import logging

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record emitted while a request is being served."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class RedactRequestFilter(logging.Filter):
    """Django's error records carry the request and its full path (query string included); keep
    the status and the request id, drop the rest, so an error log cannot carry personal data."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if request is not None:
            match = getattr(request, "resolver_match", None)
            record.route = match.view_name if match else None
            record.request = None
            record.msg = "request failed" if record.levelno >= logging.ERROR else "request refused"
            record.args = ()
        return True
