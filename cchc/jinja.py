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
  the page that includes the partial;
- the filters ``number``, ``date``, ``filesizeformat`` are Django's (``cchc_format``'s
  ``number``; ``date`` in the local time);
- an undefined name is an error (``StrictUndefined``), never a silent blank.

Django templates include a partial with ``{% jinja "name" %}`` (``cchc_jinja``), passing their
whole context as ``{% include %}`` does.
"""

from __future__ import annotations

from typing import Any

import jinja2
from django.conf import settings
from django.template import defaultfilters
from django.urls import reverse
from django.utils import formats
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]
from django.utils.translation import gettext

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


def _url(name: str, *args: Any) -> str:
    return reverse(name, args=args)


def _number(value: Any, places: int | str | None = None) -> str:
    return format_number(value, int(places) if places not in (None, "") else None)


def environment(**options: Any) -> jinja2.Environment:
    options.update(undefined=jinja2.StrictUndefined, finalize=_finalize, keep_trailing_newline=True)
    env = jinja2.Environment(**options)
    env.globals.update(_=gettext, url=_url)
    env.filters.update(
        number=_number,
        date=_date,
        filesizeformat=defaultfilters.filesizeformat,
    )
    return env
