"""Where a page may send the browser next: only to this site.

Every redirect whose target comes from the request (a ``next`` field, the referring page)
goes through ``safe_target``, which accepts only a path on this site (Django's
``url_has_allowed_host_and_scheme``), so nobody can make the product forward a signed-in
person to another site."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_target(request: HttpRequest, target: str | None, fallback: str) -> str:
    """``target`` when it is on this site, else ``fallback``."""
    target = (target or "").strip()
    if (
        target
        and "\\" not in target
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return fallback
