"""The widgets written in Python (cchc/form_renderer.py) are byte for byte what Django's
widget templates write, for generated widgets: names, values and labels with characters to
escape, safe text, numbers and lazy text, attributes true, false, empty or numbers, choices
in groups, several selected. Whatever the renderer does not write itself (a file input,
the widgets of several parts, a form) goes to the templates."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc.form_renderer import WidgetRenderer

FAST, TEMPLATES = WidgetRenderer(), TemplatesSetting()

text = st.text(alphabet=st.sampled_from(list("ab <>&\"'=é1.,\n")), max_size=8)
scalar = st.one_of(
    st.none(),
    text,
    text.map(mark_safe),
    st.integers(-20000, 20000),
    st.decimals(min_value=-9999, max_value=9999, places=2, allow_nan=False),
    st.just(gettext_lazy("Yes")),
    st.just(datetime.date(2026, 12, 3)),
)
attribute = st.one_of(st.booleans(), st.none(), text, text.map(mark_safe), st.integers(0, 9))
attrs = st.dictionaries(
    st.sampled_from(["id", "class", "rows", "required", "disabled", "data-x", "aria-label"]),
    attribute,
    max_size=4,
)
label = st.one_of(text, st.integers(0, 5000), st.just(gettext_lazy("No")), text.map(mark_safe))
key = st.one_of(text, st.integers(0, 9), st.booleans())
flat = st.lists(st.tuples(key, label), max_size=4)
grouped = st.lists(st.one_of(st.tuples(key, label), st.tuples(text, flat)), max_size=4)

INPUTS = [
    forms.TextInput,
    forms.NumberInput,
    forms.HiddenInput,
    forms.EmailInput,
    forms.PasswordInput,
    forms.DateInput,
    forms.TimeInput,
    forms.URLInput,
]
CHOICES = [forms.Select, forms.SelectMultiple, forms.RadioSelect, forms.CheckboxSelectMultiple]


def both(widget: forms.Widget, name: str, value: Any, extra: dict[str, Any]) -> tuple[str, str]:
    return (
        widget.render(name, value, attrs=extra, renderer=FAST),
        widget.render(name, value, attrs=extra, renderer=TEMPLATES),
    )


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    kind=st.sampled_from(INPUTS),
    name=text,
    value=scalar,
    given_attrs=attrs,
    extra=attrs,
    english=st.booleans(),
)
def test_inputs_are_written_as_their_templates_write_them(
    kind, name, value, given_attrs, extra, english
):
    with override("en" if english else "vi"):
        fast, slow = both(kind(attrs=given_attrs), name, value, extra)
    assert fast == slow


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(name=text, value=scalar, given_attrs=attrs, check=st.booleans())
def test_text_areas_and_check_boxes(name, value, given_attrs, check):
    widget = forms.CheckboxInput(attrs=given_attrs) if check else forms.Textarea(attrs=given_attrs)
    fast, slow = both(widget, name, value, {})
    assert fast == slow


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    kind=st.sampled_from(CHOICES),
    name=text,
    choices=grouped,
    chosen=st.one_of(key, st.lists(key, max_size=3)),
    given_attrs=attrs,
    extra=attrs,
)
def test_lists_and_choices_in_groups(kind, name, choices, chosen, given_attrs, extra):
    widget = kind(attrs=given_attrs, choices=choices)
    fast, slow = both(widget, name, chosen, extra)
    assert fast == slow


def test_the_forms_of_the_pages_render_the_same(world, assessment):
    """The officer's sub-criterion forms, bound with errors and unbound."""
    from scoring.criteria.parameters import spec_from_json
    from scoring.forms.assessment import ItemForm

    for criterion in assessment.criteria_set.criteria.exclude(method=""):
        spec = spec_from_json(criterion.method, criterion.parameters)
        for data in (None, {f"c{criterion.pk}-value": "<b>x</b>", f"c{criterion.pk}-answer": "?"}):
            form = ItemForm(data, criterion=criterion, spec=spec, dossier={})
            form.is_valid() if data else None
            for field in form:
                fast = field.as_widget()
                form.renderer = TEMPLATES
                assert fast == field.as_widget(), (criterion.code, field.name)
                form.renderer = FAST


@pytest.mark.parametrize(
    "widget",
    [forms.ClearableFileInput(), forms.SplitDateTimeWidget(), forms.SelectDateWidget()],
)
def test_other_widgets_go_to_the_templates(widget):
    fast = widget.render("when", None, renderer=FAST)
    assert fast == widget.render("when", None, renderer=TEMPLATES) and fast


def test_a_form_and_its_errors_go_to_the_templates():
    class Form(forms.Form):
        name = forms.CharField()

    form = Form({"name": ""}, renderer=FAST)
    assert str(form) == str(Form({"name": ""}, renderer=TEMPLATES))
    assert 'class="errorlist"' in str(form.errors)


def test_the_project_renders_forms_with_it():
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), WidgetRenderer)
    assert FAST._written  # Django's own widget templates: written in Python


def test_a_template_that_reads_otherwise_is_rendered_by_the_engine(monkeypatch):
    """An overridden (or newer) widget template is the engine's: its writer steps aside, and
    so do the writers that include it."""
    from cchc import form_renderer

    def not_the_engine(widget: dict[str, Any]) -> str:
        raise AssertionError("written in Python, not by the engine")

    monkeypatch.setitem(form_renderer.SOURCES, "input_option", "0" * 16)
    monkeypatch.setitem(form_renderer._WRITERS, "django/forms/widgets/radio.html", not_the_engine)
    renderer = WidgetRenderer()
    written = set(renderer._written)
    assert "django/forms/widgets/radio.html" not in written
    assert "django/forms/widgets/text.html" in written
    radio = forms.RadioSelect(choices=[("yes", "Có")])
    assert radio.render("a", "yes", renderer=renderer) == radio.render(
        "a", "yes", renderer=TEMPLATES
    )
