"""``scoring.forms.item_fields``: the inputs of a sub-criterion's form, kept once written, are
the ones the Django form writes for the same sub-criterion, values and language."""

from __future__ import annotations

from decimal import Decimal as D
from unittest import mock

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.criteria.parameters import spec_from_json
from scoring.forms.assessment import ItemForm
from scoring.forms.item_fields import fields_html, shown_fields
from scoring.views.assessments import is_self_assessed

pytestmark = pytest.mark.django_db

STATES = [
    {},
    {
        "answer": "yes",
        "explanation": "Đã ban hành <b>kế hoạch</b> & \"báo cáo\" 'số 12'",
        "version": 3,
    },
    {"answer": "no", "version": 0},
    {"value": D("1.5"), "explanation": "", "version": 1},
    {"value": D("1.50"), "version": 1},
    {"value": D("2"), "level": "1–2 hình thức", "version": 7},
    {"not_applicable": True, "not_applicable_reason": "Không có hồ sơ trễ hạn", "version": 2},
    {"n_ket_qua_dien_tu": "12", "n_da_giai_quyet": D("40.25"), "version": 5},
]


def _fresh(criterion, initial, dossier):  # type: ignore[no-untyped-def]
    spec = spec_from_json(criterion.method, criterion.parameters)
    form = ItemForm(initial=initial, criterion=criterion, spec=spec, dossier=dossier)
    return fields_html(form)


def _criteria(assessment):  # type: ignore[no-untyped-def]
    return [c for c in assessment.criteria_set.criteria.exclude(method="") if is_self_assessed(c)]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_kept_inputs_are_the_forms_for_every_method_value_and_language(assessment, language):
    criteria = _criteria(assessment)
    assert {c.method for c in criteria} >= {"yes_no", "manual", "levels", "count", "proportional"}
    with translation.override(language):
        for criterion in criteria:
            spec = spec_from_json(criterion.method, criterion.parameters)
            for initial in STATES:
                for dossier in ({}, {"ket_qua_dien_tu": D(30)}):
                    kept = shown_fields(criterion, spec, dossier, initial)
                    assert kept == _fresh(criterion, initial, dossier), (criterion.code, initial)
                    assert shown_fields(criterion, spec, dossier, initial) is kept  # kept
    with translation.override(language):
        yes_no = next(c for c in criteria if c.method == "yes_no")
        spec = spec_from_json(yes_no.method, yes_no.parameters)
        written = shown_fields(yes_no, spec, {}, STATES[1])
    # Escaped once, as the form writes it; the chosen answer checked; the version kept.
    assert "&lt;b&gt;kế hoạch&lt;/b&gt; &amp; &#34;báo cáo&#34; &#39;số 12&#39;" in written or (
        "&lt;b&gt;kế hoạch&lt;/b&gt; &amp; &quot;báo cáo&quot; &#x27;số 12&#x27;" in written
    )
    assert f'value="yes" id="id_c{yes_no.pk}-answer_0" checked' in written
    assert f'name="c{yes_no.pk}-version" value="3"' in written
    assert ("Có" if language == "vi" else "Yes") in written


def test_values_python_finds_equal_are_written_apart(assessment):
    manual = next(c for c in _criteria(assessment) if c.method == "manual")
    spec = spec_from_json(manual.method, manual.parameters)
    with translation.override("vi"):
        short = shown_fields(manual, spec, {}, {"value": D("1.5")})
        long = shown_fields(manual, spec, {}, {"value": D("1.50")})
        assert 'value="1,5"' in short and 'value="1,50"' in long
        assert short == _fresh(manual, {"value": D("1.5")}, {})
        assert long == _fresh(manual, {"value": D("1.50")}, {})
        # The same key in another language is another form (its labels).
        in_vietnamese = shown_fields(manual, spec, {}, {})
    with translation.override("en"):
        assert shown_fields(manual, spec, {}, {}) != in_vietnamese
        assert shown_fields(manual, spec, {}, {}) == _fresh(manual, {}, {})


def test_a_changed_sub_criterion_is_written_anew(assessment):
    manual = next(c for c in _criteria(assessment) if c.method == "manual")
    spec = spec_from_json(manual.method, manual.parameters)
    with translation.override("vi"):
        before = shown_fields(manual, spec, {}, {})
        manual.max_score = D("3")  # a new version of the set keeps the key, not the maximum
        after = shown_fields(manual, spec, {}, {})
    assert before != after and "0–3" in after and "0–2" in before


def test_a_form_is_built_once_per_key(assessment):
    yes_no = next(c for c in _criteria(assessment) if c.method == "yes_no")
    spec = spec_from_json(yes_no.method, yes_no.parameters)
    initial = {"answer": "yes", "explanation": "một lần", "version": 41}
    with mock.patch("scoring.forms.item_fields.ItemForm", wraps=ItemForm) as built:
        first = shown_fields(yes_no, spec, {}, initial)
        again = shown_fields(yes_no, spec, {}, dict(initial))
    assert built.call_count == 1 and again is first


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    value=st.none() | st.decimals(min_value=0, max_value=99, places=2, allow_nan=False),
    answer=st.sampled_from([None, "yes", "no"]),
    explanation=st.text(max_size=40),
    version=st.integers(min_value=0, max_value=10**6),
    not_applicable=st.booleans(),
    language=st.sampled_from(["vi", "en"]),
)
def test_any_values_are_written_as_the_form_writes_them(  # type: ignore[no-untyped-def]
    assessment, value, answer, explanation, version, not_applicable, language
):
    initial = {
        "value": value,
        "answer": answer,
        "explanation": explanation,
        "version": version,
        "not_applicable": not_applicable,
        "not_applicable_reason": explanation if not_applicable else "",
    }
    with translation.override(language):
        for criterion in _criteria(assessment):
            spec = spec_from_json(criterion.method, criterion.parameters)
            assert shown_fields(criterion, spec, {}, initial) == _fresh(criterion, initial, {})


def test_a_form_with_long_values_is_written_anew_not_kept(assessment):
    """A long explanation is not kept (nor its key): a worker's memory stays bounded however
    much the officers write; the inputs are the form's all the same."""
    from scoring.forms import item_fields

    yes_no = next(c for c in _criteria(assessment) if c.method == "yes_no")
    spec = spec_from_json(yes_no.method, yes_no.parameters)
    long = {"answer": "no", "explanation": "Giải trình rất dài. " * 500, "version": 1}
    item_fields._kept.cache_clear()
    before = item_fields._kept.cache_info().currsize
    with translation.override("vi"):
        written = shown_fields(yes_no, spec, {}, long)
        assert written == _fresh(yes_no, long, {})
    assert item_fields._kept.cache_info().currsize == before
    short = {**long, "explanation": "Ngắn"}
    with translation.override("vi"):
        shown_fields(yes_no, spec, {}, short)
    assert item_fields._kept.cache_info().currsize == before + 1
