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
