"""Saves that meet: when two people write the same rows at the same moment and the database
gives up on one of them (SQLite still locked after its busy timeout; PostgreSQL's
serialization failures, deadlocks and lock timeouts; a unique row created twice at once),
the loser is told that someone else was saving and that nothing of theirs was written,
never shown a server error. The transaction was rolled back whole: nothing is half-saved.

Conflicts the views foresee (a stale version) are answered by the views themselves, with
the other person's values; this is the net under everything else.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import IntegrityError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse

from cchc.redirects import safe_target

logger = logging.getLogger(__name__)

# SQLSTATE codes of PostgreSQL that mean "another transaction was in the way".
RETRYABLE_CODES = {"40001", "40P01", "55P03", "23505"}
SQLITE_MESSAGES = ("database is locked", "database table is locked", "UNIQUE constraint failed")


def is_simultaneous_save(error: BaseException) -> bool:
    if not isinstance(error, OperationalError | IntegrityError):
        return False
    cause = error.__cause__
    if getattr(cause, "pgcode", None) in RETRYABLE_CODES:
        return True
    return any(message in str(error) for message in SQLITE_MESSAGES)


class SimultaneousSaveMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, error: Exception) -> HttpResponse | None:
        if not is_simultaneous_save(error):
            return None
        logger.warning("simultaneous save refused on %s: %s", request.path, error)
        htmx = request.headers.get("HX-Request") == "true"
        template = "partials/conflict.html" if htmx else "conflict.html"
        back = safe_target(request, request.headers.get("Referer"), reverse("home"))
        response = HttpResponse(
            render_to_string(template, {"back": back}, request=request), status=409
        )
        if htmx:  # into the page's notice area; the form the person typed in stays as it is
            response["HX-Retarget"] = "#notices"
            response["HX-Reswap"] = "innerHTML"
        return response
