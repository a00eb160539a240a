"""``{% jinja "name" %}``: a partial of the Jinja2 engine (``cchc/jinja.py``) included in a
Django template with the whole context, as ``{% include %}`` would."""

from __future__ import annotations

from typing import Any

from django import template
from django.template import engines
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from cchc.jinja import Addresses, Translations

register = template.Library()


def csrf_input(token: Any) -> str:
    """What ``{% csrf_token %}`` writes for ``token``."""
    if not token or token == "NOTPROVIDED":
        return ""
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)


def render_partial(name: str, context: dict[str, Any]) -> SafeString:
    """The Jinja2 partial ``name`` written with ``context``: a Django context's names, with
    ``csrf_input`` the page's ``{% csrf_token %}``, and ``url`` and ``_`` writing addresses
    and translating for this rendering."""
    partial = engines["jinja2"].env.get_template(name)  # type: ignore[attr-defined]
    # Jinja2 escaped every value it wrote.
    return mark_safe(partial.render({**context, "url": Addresses(), "_": Translations()}))


@register.simple_tag(takes_context=True)
def jinja(context: template.Context, name: str) -> SafeString:
    # One token input per page, as Django's {% csrf_token %} writes one token per page.
    page = context.render_context
    if "csrf_input" not in page:
        page["csrf_input"] = csrf_input(context.get("csrf_token"))
    names: dict[str, Any] = context.flatten()  # type: ignore[assignment]
    return render_partial(name, {**names, "csrf_input": page["csrf_input"]})
