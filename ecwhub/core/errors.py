"""The hub's domain errors, shared by every app.

``NotFound`` is the one answer for "this does not exist" and "you may not see or change it": the
pages and the API both turn it into 404, so a refusal never confirms that a record exists.
"""

from __future__ import annotations

from django.http import Http404


class NotFound(Http404):
    """Missing, or not visible to the acting user: the caller cannot tell which."""
