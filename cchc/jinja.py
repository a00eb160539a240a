"""The Jinja2 environment of the pages' hottest partials (a field's groups and
sub-criteria on the officer's page, the rows of the appraisal page): written once per
criterion, dozens of times a page, where Django's template engine spends most of the page's
time. Jinja2 compiles a template to Python code and writes the same HTML in a fraction of
that time.

The partials read like Django templates and write what Django would write:

- every value passes through ``localize`` and the time zone as Django writes a variable
  (``finalize``), and is escaped (autoescape);
- ``_("…")`` is Django's ``gettext`` (``makemessages`` reads ``_("…")`` in these files as it
  does in Django templates); a translated text with a value is
  ``_("… %(name)s …")|format(name=…)``;
- ``url(name, *args)`` is ``{% url %}``; ``csrf_input`` is ``{% csrf_token %}``, the token of
  the page that includes the partial; ``static(path)`` is ``{% static %}``; ``language()`` and
  ``languages`` are ``{% get_current_language %}`` and ``{% get_available_languages %}``;
- the filters ``number``, ``date``, ``filesizeformat`` are Django's (``cchc_format``'s
  ``number``; ``date`` in the local time);
- an undefined name is an error (``StrictUndefined``), never a silent blank.

Django templates include a partial with ``{% jinja "name" %}`` (``cchc_jinja``), passing their
whole context as ``{% include %}`` does.
"""

from __future__ import annotations

import functools
from typing import Any

import jinja2
from django.conf import settings
from django.template import defaultfilters
from django.templatetags.static import static
from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.urls.converters import IntConverter
from django.utils import formats
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]
from django.utils.translation import get_language, gettext, trans_real

from cchc.numbers import format_number


def _finalize(value: Any) -> Any:
    """What Django's ``render_value_in_context`` does to a value before escaping it."""
    kind = type(value)
    if value is None or kind is str or hasattr(value, "__html__"):
        return value
    if kind is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)  # what localize writes for a whole number without grouping
    return formats.localize(template_localtime(value))


def _date(value: Any, format_name: str | None = None) -> str:
    """Django's ``date`` filter, in the local time as a Django template gives it."""
    return str(defaultfilters.date(template_localtime(value), format_name))


class Addresses:
    """``url(name, *args)``, Django's ``{% url name *args %}``, for one rendering: the script
    prefix and the URL configuration, part of every address, are read once (reading them
    costs more than writing an address). An address whose arguments are all whole numbers of
    0 or more, on a route whose parts are all ``<int:…>``, is formatted from the route's kept
    shape; any other is reversed by Django."""

    __slots__ = ("prefix", "urlconf")

    def __init__(self) -> None:
        self.prefix = get_script_prefix()
        self.urlconf = get_urlconf() or settings.ROOT_URLCONF

    def __call__(self, name: str, *args: Any) -> str:
        if all(type(arg) is int and arg >= 0 for arg in args):
            shape = _whole_number_route(name, len(args), self.prefix, self.urlconf)
            if shape is not None:
                return shape.format(*args)
        return reverse(name, args=args)


class Translations:
    """``_("…")`` for one rendering: Django's ``gettext`` with the active catalog read once
    (reading it costs more than the lookup, and a page of rows translates hundreds of
    texts). A text Django treats apart (empty, with a carriage return, marked safe) goes to
    Django's ``gettext``."""

    __slots__ = ("lookup",)

    def __init__(self) -> None:
        self.lookup = trans_real.catalog().gettext

    def __call__(self, message: str) -> str:
        if type(message) is not str or not message or "\r" in message:
            return gettext(message)
        return str(self.lookup(message))


def _url(name: str, *args: Any) -> str:
    return Addresses()(name, *args)


@functools.lru_cache(maxsize=1024)
def _whole_number_route(name: str, count: int, prefix: str, urlconf: str) -> str | None:
    """The address of ``name`` as a format string with one ``{}`` per part, where its route
    has exactly ``count`` parts and all are ``<int:…>``; None for any other route. Django's
    ``reverse`` matches the route's pattern against the arguments on every call (15–45 µs;
    a page writes such an address several times per sub-criterion); a whole number of 0 or
    more always matches ``<int:…>``, so formatting the kept shape writes the same address.
    Kept per script prefix and URL configuration, which are part of every address."""
    if ":" in name:
        return None
    entries = get_resolver(urlconf).reverse_dict.getlist(name)
    if len(entries) != 1:
        return None
    possibilities, _pattern, defaults, converters = entries[0]
    if len(possibilities) != 1 or defaults:
        return None
    _template, params = possibilities[0]
    if len(params) != count or not all(
        type(converters.get(param)) is IntConverter for param in params
    ):
        return None
    markers = [str(_MARKER + number) for number in range(count)]
    address = reverse(name, urlconf, args=markers).replace("{", "{{").replace("}", "}}")
    for marker in markers:
        if address.count(marker) != 1:
            return None
        address = address.replace(marker, "{}")
    return address


_MARKER = 7_340_912_658_000  # digits that no route's fixed text holds


def _number(value: Any, places: int | str | None = None) -> str:
    return format_number(value, int(places) if places not in (None, "") else None)


def environment(**options: Any) -> jinja2.Environment:
    options.update(undefined=jinja2.StrictUndefined, finalize=_finalize, keep_trailing_newline=True)
    env = jinja2.Environment(**options)
    env.globals.update(
        _=gettext,
        url=_url,
        static=static,
        language=get_language,
        languages=settings.LANGUAGES,
    )
    env.filters.update(
        number=_number,
        date=_date,
        filesizeformat=defaultfilters.filesizeformat,
    )
    return env
