"""The Jinja2 partials (cchc/jinja.py) write what Django's templates write: each value
localized, in the local time and escaped alike; the page's CSRF token; every text translated."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from pathlib import Path

import jinja2
import polib
import pytest
from django.template import Context, Template, engines
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc.templatetags.cchc_jinja import render_partial
from tests.assessment_fixtures import criterion

ROOT = Path(__file__).resolve().parent.parent
PARTIALS = ROOT / "templates" / "jinja2"
UTC = datetime.UTC


def jinja(source: str, **context: object) -> str:
    return str(engines["jinja2"].from_string(source).render(context))


def django(source: str, **context: object) -> str:
    return Template("{% load cchc_format %}" + source).render(Context(context))


def same_markup(text: str) -> str:
    """Jinja2 writes a quote as &#34; and an apostrophe as &#39;, Django as &quot; and &#x27;:
    the same characters to every browser."""
    return text.replace("&#34;", "&quot;").replace("&#39;", "&#x27;")


VALUES = [
    0,
    7,
    -12,
    123456789,
    True,
    None,
    Decimal("1.5"),
    Decimal("-0.25"),
    Decimal("1234567.891"),
    2.25,
    datetime.date(2022, 12, 29),
    datetime.datetime(2022, 12, 31, 20, 30, tzinfo=UTC),  # 1 January in Vietnam
    datetime.time(7, 5),
    "a < b & \"c\" 'd'",
    mark_safe("<b>kept</b>"),
    gettext_lazy("Save"),
    ["x", 1],
]


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_a_value_is_written_as_django_writes_it(value, language):
    with translation.override(language):
        assert same_markup(jinja("{{ v }}", v=value)) == same_markup(django("{{ v }}", v=value))


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.integers(),
        st.decimals(allow_nan=False, allow_infinity=False, places=3),
        st.text(),
        st.dates(),
        st.datetimes(timezones=st.just(UTC)),
    ),
    st.sampled_from(["vi", "en"]),
)
def test_any_value_is_written_as_django_writes_it(value, language):
    with translation.override(language):
        assert same_markup(jinja("{{ v }}", v=value)) == same_markup(django("{{ v }}", v=value))


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_filters_are_djangos(language):
    moment = datetime.datetime(2022, 12, 31, 20, 30, tzinfo=UTC)
    with translation.override(language):
        for figure in (Decimal("84.655"), 3, None, ""):
            assert jinja("{{ v|number(2) }}", v=figure) == django("{{ v|number:2 }}", v=figure)
            assert jinja("{{ v|number }}", v=figure) == django("{{ v|number }}", v=figure)
        for size in (0, 1023, 20480, 5 * 1024 * 1024):
            assert jinja("{{ v|filesizeformat }}", v=size) == django(
                "{{ v|filesizeformat }}", v=size
            )
        for value, names in (
            (moment, ("SHORT_DATE_FORMAT", "SHORT_DATETIME_FORMAT")),
            (moment.date(), ("SHORT_DATE_FORMAT",)),
            (None, ("SHORT_DATE_FORMAT",)),
        ):
            for name in names:
                assert jinja(f'{{{{ v|date("{name}") }}}}', v=value) == django(
                    f'{{{{ v|date:"{name}" }}}}', v=value
                )
    with translation.override("vi"):
        assert jinja('{{ v|date("SHORT_DATE_FORMAT") }}', v=moment) == "01/01/2023"


def test_a_name_the_partial_does_not_have_is_an_error_not_a_blank():
    with pytest.raises(jinja2.UndefinedError):
        jinja("{{ missing }}")
    with pytest.raises(jinja2.UndefinedError):
        render_partial("scoring/partials/appraisal_row.html", {"criterion": object()})


def test_texts_and_urls_are_djangos():
    with translation.override("vi"):
        assert jinja('{{ _("Save") }}') == "Lưu"
        assert jinja('{{ _("Question (round %(round)s)")|format(round=2) }}') == "Câu hỏi (vòng 2)"
    assert jinja('{{ url("evidence_download", 5) }}') == "/tai-lieu/5/"


def _texts_of_the_partials() -> set[str]:
    found = set()
    for path in PARTIALS.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'_\("([^"]+)"\)', text)) | set(re.findall(r"_\('([^']+)'\)", text))
    return found


def test_every_text_of_the_partials_is_in_the_catalog_and_translated():
    """makemessages reads _("…") in these files as in Django templates: a text it missed
    would fall out of the catalog (obsolete) on the next run and show in English."""
    catalog = polib.pofile(str(ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po"))
    translated = {entry.msgid for entry in catalog if entry.msgstr and not entry.obsolete}
    texts = _texts_of_the_partials()
    assert len(texts) > 30
    assert sorted(texts - translated) == []


def test_makemessages_finds_the_texts_of_the_partials():
    from django.utils.translation.template import templatize

    for path in PARTIALS.rglob("*.html"):
        source = path.read_text(encoding="utf-8")
        extracted = templatize(source, origin=str(path))
        for text in re.findall(r'_\("([^"]+)"\)', source):
            assert f'_("{text}")' in extracted or f"_('{text}')" in extracted, (path, text)


def test_the_page_writes_one_token_and_a_save_with_it_passes_the_csrf_check(world, assessment):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.officer_a)
    page = client.get(reverse("assessment_page", args=[assessment.pk])).content.decode()
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page))
    assert len(tokens) == 1
    item = criterion(assessment, "1.1")
    assert f'name="c{item.pk}-version"' in page  # not scored yet: the version is empty
    response = client.post(
        reverse("item_save", args=[assessment.pk, item.pk]),
        {
            f"c{item.pk}-answer": "yes",
            "csrfmiddlewaretoken": tokens.pop(),
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "notice-ok" in response.content.decode()
    refused = client.post(
        reverse("item_save", args=[assessment.pk, item.pk]),
        {f"c{item.pk}-answer": "no", "csrfmiddlewaretoken": "x" * 64},
        HTTP_HX_REQUEST="true",
    )
    assert refused.status_code == 403


def test_a_local_time_is_the_one_django_shows():
    moment = datetime.datetime(2022, 12, 31, 20, 30, tzinfo=UTC)
    assert jinja("{{ v }}", v=moment) == django("{{ v }}", v=moment)
    assert timezone.localtime(moment).day == 1


def _routes_with_parts() -> list[tuple[str, int]]:
    """Every named route of the project with the number of its parts."""
    from django.urls import get_resolver

    found = []
    for name, entries in get_resolver().reverse_dict.lists():
        if isinstance(name, str):
            for possibilities, _pattern, _defaults, _converters in entries:
                for _template, params in possibilities:
                    found.append((name, len(params)))
    return sorted(set(found))


@settings(max_examples=60, deadline=None)
@given(numbers=st.lists(st.integers(0, 10**12), min_size=4, max_size=4))
def test_addresses_are_those_django_reverses_for_every_route(numbers):
    """``url(…)`` in a partial formats a kept shape instead of reversing: for every named
    route of the project and whole numbers of any size, the address is Django's."""
    from cchc.jinja import Addresses

    url = Addresses()
    routes = _routes_with_parts()
    assert len(routes) > 50
    for name, count in routes:
        args = tuple(numbers[:count])
        try:
            expected = reverse(name, args=args)
        except Exception as error:  # a route whose parts are not whole numbers
            with pytest.raises(type(error)):
                url(name, *args)
        else:
            assert url(name, *args) == expected, name


def test_addresses_follow_the_script_prefix_and_other_arguments_go_to_django():
    from django.urls import NoReverseMatch, get_script_prefix, set_script_prefix

    from cchc.jinja import Addresses

    before = get_script_prefix()
    try:
        set_script_prefix("/cchc/")
        assert Addresses()("assessment_page", 7) == "/cchc/danh-gia/7/"
        set_script_prefix("/")
        assert Addresses()("assessment_page", 7) == "/danh-gia/7/"
    finally:
        set_script_prefix(before)
    url = Addresses()
    assert url("assessment_page", "7") == reverse("assessment_page", args=["7"])
    with pytest.raises(NoReverseMatch):
        url("assessment_page", -7)
    with pytest.raises(NoReverseMatch):
        url("assessment_page", True)
    with pytest.raises(NoReverseMatch):
        url("assessment_page", 7, 8)


def test_the_partials_translate_every_text_as_django_does_in_each_language():
    """``_`` in a partial reads the active catalog once per rendering; for every text of the
    catalog, in Vietnamese and in English, and for the texts Django treats apart (empty,
    with a carriage return, marked safe) it gives what Django's ``gettext`` gives."""
    from django.utils.translation import gettext

    from cchc.jinja import Translations

    catalog = polib.pofile(str(ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po"))
    texts = [entry.msgid for entry in catalog if not entry.msgid_plural and not entry.msgctxt]
    texts += ["", "Lưu\r\n", "Không có trong danh mục", mark_safe("<b>Save</b>")]
    assert len(texts) > 300
    for language in ("vi", "en"):
        with translation.override(language):
            translate = Translations()
            for text in texts:
                assert translate(text) == gettext(text), (language, text)
                assert type(translate(text)) is type(gettext(text))
    with translation.override("vi"):
        assert Translations()("Save") == "Lưu"
    with translation.override("en"):
        assert Translations()("Save") == "Save"
