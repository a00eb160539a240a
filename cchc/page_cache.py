"""Pages that change rarely (a published ranking, a criteria set): their costly part is kept
in the shared cache, keyed by what it shows, and the whole page carries a tag of what it
shows to its reader, so that a browser asking again gets 304 Not Modified.

Nothing is ever invalidated by hand: a key names the content it holds (a decision with its
moment of publication, a criteria set with its criteria version, the rows of the page and what
was attached to them, the language and the release's templates, code and translations). When
any of that changes, the next read asks for another key and the old entry ages out of the
cache. The cache is the database's (``settings.CACHES``), so every app server reads and fills
the same entries.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cache as once
from pathlib import Path
from typing import TypeVar, cast

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from cchc.context_processors import navigation

T = TypeVar("T")

# How long an entry stays unread before the cache may drop it: long enough for a deadline
# week, short enough that the entries of old keys do not pile up.
FRAGMENT_SECONDS = 7 * 24 * 3600


@once
def release_digest() -> str:
    """A digest of what makes a page look as it does besides its data: the project's
    templates, code and translations. A new release that changes any of them changes every
    key and tag, on every app server alike."""
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    folders = [Path(folder) for folder in cast(list[str], settings.TEMPLATES[0]["DIRS"])]
    folders += [base / app for app in ("cchc", "scoring", "dossiers", "surveys")]
    folders += [Path(folder) for folder in settings.LOCALE_PATHS]
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file() and path.suffix in {".html", ".txt", ".py", ".po", ".mo"}:
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _digest(parts: tuple[object, ...]) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def fragment_key(*parts: object) -> str:
    """The cache key of a piece of page showing ``parts`` (plain values: strings, numbers,
    tuples), in the reader's language and the current release."""
    return "page:" + _digest((release_digest(), get_language(), *parts))


def kept(key: str, make: Callable[[], T]) -> T:
    """The value kept under ``key`` (plain data: the HTML of a piece of page, its counts),
    made and kept when it is not there yet."""
    value = cache.get(key)
    if value is None:
        value = make()
        cache.set(key, value, timeout=FRAGMENT_SECONDS)
    return value


def cached_fragment(key: str, render: Callable[[], str]) -> SafeString:
    """The HTML kept under ``key``, rendered (and kept) when it is not there yet."""
    return mark_safe(kept(key, lambda: str(render())))  # our templates escaped it


def _csrf_secret(request: HttpRequest) -> str:
    get_token(request)
    return str(request.META.get("CSRF_COOKIE", ""))


def reader_tag(request: HttpRequest, *parts: object) -> str | None:
    """The entity tag of a page showing ``parts`` to this reader: it also names what every
    page shows around its content (who is signed in, their menus, the language, the secret
    behind the page's forms, the templates). None where the page shows something only once
    (a message waiting), which a browser must not be told it already holds."""
    if len(get_messages(request)):  # counts without marking the messages as shown
        return None
    user = request.user
    reader = (
        user.pk,
        user.get_username(),
        str(user),
        user.is_staff,
        tuple(sorted(navigation(request).items())),
        # The secret behind the page's forms (made now if the browser has none yet, the one
        # the page will carry): a page kept from before a sign-in has a stale one.
        _csrf_secret(request),
    )
    return _digest((release_digest(), get_language(), reader, *parts))
