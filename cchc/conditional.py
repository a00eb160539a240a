"""Conditional requests for content that a tag names for good (a stored file's hash, a
published decision's key): 304 to a browser that already holds it. The rules of RFC 9110
(weak tags, lists, ``*``) are Django's own ``get_conditional_response``."""

from __future__ import annotations

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import get_conditional_response


def not_modified(request: HttpRequest, tag: str) -> HttpResponseBase | None:
    """The 304 (or 412) answer when the request's conditions say the browser holds the
    version ``tag`` names; None when the content must be sent. Call it after the
    permission checks."""
    answer = get_conditional_response(request, etag=f'"{tag}"')
    if answer is not None:
        answer["ETag"] = f'"{tag}"'
    return answer


def tagged(response: HttpResponseBase, tag: str) -> HttpResponseBase:
    """``response`` with its tag; browsers keep it but ask again each time."""
    response["ETag"] = f'"{tag}"'
    response["Cache-Control"] = "private, no-cache"
    return response
