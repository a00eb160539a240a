"""Who is asking, as far as the network tells: the client's address (behind the load
balancer, the first one it forwards), and keyed hashes that let the product recognise a
returning device or address without keeping either."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return str(request.META.get("REMOTE_ADDR", ""))


def keyed_hash(kind: str, value: str) -> str:
    """A value that cannot be turned back into ``value`` without the site's secret key."""
    key = f"{settings.SECRET_KEY}:{kind}".encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]
