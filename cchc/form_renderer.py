"""Form widgets written in Python, byte for byte as Django's own widget templates write them.

Every `{{ field }}` of a form renders its widget through the template engine: a text box is
three templates (text, input, attrs), a yes/no choice eight. On the officer's page that was
a fifth of the page's time (a dozen sub-criteria, each with its form). This renderer writes
the plain widgets (inputs, text areas, lists, radio buttons and check boxes) directly, with
the templates' own rules for escaping, `None`, `True` and `False`; anything else (file
inputs, widgets of several parts, the admin's, forms and error lists, and any of these
templates that reads otherwise than written here: overridden, or changed by a newer
Django) is rendered by the templates as before.

`tests/test_form_renderer.py` compares both renderers on thousands of generated widgets.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.forms.renderers import TemplatesSetting
from django.template import Context
from django.template.base import render_value_in_context
from django.template.loader import get_template
from django.utils.functional import cached_property
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

WIDGETS = "django/forms/widgets/"
_CONTEXT = Context(autoescape=True)  # what a widget template's variables are written with


def _shown(value: Any) -> str:
    """``{{ value }}``."""
    if isinstance(value, str):
        return conditional_escape(value)
    return render_value_in_context(value, _CONTEXT)


def _as_string(value: Any) -> str:
    """``{{ value|stringformat:'s' }}``: safe text stays as it is."""
    if isinstance(value, tuple):
        value = str(value)
    try:
        text = "%s" % value  # noqa: UP031 - exactly what the filter does
    except (ValueError, TypeError):
        return ""
    return mark_safe(text) if isinstance(value, SafeData) else text


def _attrs(attrs: dict[str, Any]) -> str:
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {_shown(name)}")
        else:
            parts.append(f' {_shown(name)}="{conditional_escape(_as_string(value))}"')
    return "".join(parts)


def _input(widget: dict[str, Any]) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{conditional_escape(_as_string(value))}"'
    return (
        f'<input type="{_shown(widget["type"])}" name="{_shown(widget["name"])}"'
        f"{shown}{_attrs(widget['attrs'])}>"
    )


def _textarea(widget: dict[str, Any]) -> str:
    value = widget["value"]
    return (
        f'<textarea name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{_shown(value) if value else ''}</textarea>"
    )


# An included template brings its file's last line break along: the options below end
# with theirs, as the lists that include them show.


def _select_option(option: dict[str, Any]) -> str:
    return (
        f'<option value="{conditional_escape(_as_string(option["value"]))}"'
        f"{_attrs(option['attrs'])}>{_shown(option['label'])}</option>\n"
    )


def _input_option(option: dict[str, Any]) -> str:
    written = f"{_input(option)}\n"
    if not option.get("wrap_label"):
        return f"{written}\n"
    id_ = option["attrs"].get("id", "")
    label_for = f' for="{_shown(id_)}"' if id_ else ""
    return f"<label{label_for}>{written} {_shown(option['label'])}</label>\n"


def _choice_option(option: dict[str, Any]) -> str:
    """radio_option.html and checkbox_option.html: input_option.html included."""
    return f"{_input_option(option)}\n"


def _select(widget: dict[str, Any]) -> str:
    parts = [f'<select name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_shown(group_name)}">')
        for option in group_choices:
            parts.append(f"\n  {_OPTIONS[option['template_name']](option)}")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _multiple_input(widget: dict[str, Any]) -> str:
    attrs = widget["attrs"]
    id_, class_ = attrs.get("id", ""), attrs.get("class", "")
    parts = [
        "<div",
        f' id="{_shown(id_)}"' if id_ else "",
        f' class="{_shown(class_)}"' if class_ else "",
        ">",
    ]
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f"\n  <div><label>{_shown(group)}</label>")
        for option in options:
            parts.append(f"<div>\n    {_OPTIONS[option['template_name']](option)}</div>")
        if group:
            parts.append("\n  </div>")
    parts.append("\n</div>")
    return "".join(parts)


_INPUTS = [
    "checkbox",
    "color",
    "date",
    "datetime",
    "email",
    "hidden",
    "input",
    "number",
    "password",
    "search",
    "tel",
    "text",
    "time",
    "url",
]
_OPTIONS: dict[str, Callable[[dict[str, Any]], str]] = {
    f"{WIDGETS}select_option.html": _select_option,
    f"{WIDGETS}radio_option.html": _choice_option,
    f"{WIDGETS}checkbox_option.html": _choice_option,
    f"{WIDGETS}input_option.html": _input_option,
}
_WRITERS: dict[str, Callable[[dict[str, Any]], str]] = {
    **{f"{WIDGETS}{name}.html": _input for name in _INPUTS},
    f"{WIDGETS}textarea.html": _textarea,
    f"{WIDGETS}select.html": _select,
    f"{WIDGETS}radio.html": _multiple_input,
    f"{WIDGETS}checkbox_select.html": _multiple_input,
    f"{WIDGETS}multiple_input.html": _multiple_input,
}
# The templates each writer stands for, with those they include.
_READS = {
    **{f"{WIDGETS}{name}.html": [name, "input", "attrs"] for name in _INPUTS},
    f"{WIDGETS}textarea.html": ["textarea", "attrs"],
    f"{WIDGETS}select.html": ["select", "attrs", "select_option"],
    f"{WIDGETS}radio.html": [
        "radio",
        "multiple_input",
        "radio_option",
        "input_option",
        "input",
        "attrs",
    ],
    f"{WIDGETS}checkbox_select.html": [
        "checkbox_select",
        "multiple_input",
        "checkbox_option",
        "input_option",
        "input",
        "attrs",
    ],
    f"{WIDGETS}multiple_input.html": ["multiple_input", "input_option", "input", "attrs"],
}
# The first hex digits of the SHA-256 of each template as written here (Django 5.2): a
# template that differs (overridden by the project or an app, or changed by a newer Django)
# is rendered by the engine instead.
_INCLUDES_INPUT = "7d7a5bc4ccc075bb"  # {% include "django/forms/widgets/input.html" %}
SOURCES = {
    **{name: _INCLUDES_INPUT for name in _INPUTS},
    "input": "770cf3acba1c18b6",
    "attrs": "f729483efe44660f",
    "textarea": "02fd58fa1a57514d",
    "select": "ed4d11ce3784486f",
    "select_option": "37fa6c7742580aa3",
    "multiple_input": "8f111646a577d9ae",
    "radio": "fa86f6eaeaa6beb1",
    "checkbox_select": "fa86f6eaeaa6beb1",
    "radio_option": "536745b405ef3a7f",
    "checkbox_option": "536745b405ef3a7f",
    "input_option": "3f244d9fd96613d0",
}


class WidgetRenderer(TemplatesSetting):
    """The project's form renderer: templates from TEMPLATES, plain widgets from Python."""

    @cached_property
    def _written(self) -> dict[str, Callable[[dict[str, Any]], str]]:
        """The writers whose templates (and those they include) read as written here."""

        def same(part: str) -> bool:
            source = get_template(f"{WIDGETS}{part}.html").template.source  # type: ignore[attr-defined]
            return hashlib.sha256(source.encode()).hexdigest()[:16] == SOURCES[part]

        return {
            name: writer
            for name, writer in _WRITERS.items()
            if all(same(part) for part in _READS[name])
        }

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        writer = self._written.get(template_name)
        widget = context.get("widget")
        if writer is None or not isinstance(widget, dict) or not self._options_known(widget):
            return super().render(template_name, context, request=request)
        return writer(widget).strip()

    @staticmethod
    def _options_known(widget: dict[str, Any]) -> bool:
        return all(
            option.get("template_name") in _OPTIONS
            for _group, options, _index in widget.get("optgroups", ())
            for option in options
        )
