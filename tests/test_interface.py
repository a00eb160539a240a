"""Sign in and out, password change, language switch and Vietnamese formats."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from pathlib import Path

import polib
import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from tests.conftest import client_for

ROOT = Path(__file__).resolve().parent.parent


def test_sign_in_page_is_vietnamese_by_default(client, db):
    page = client.get(reverse("login")).content.decode()
    assert "Đăng nhập" in page
    assert 'lang="vi"' in page


def test_sign_in_and_sign_out(client, world):
    response = client.post(
        reverse("login"), {"username": "officer_a", "password": "pw-for-tests-123"}
    )
    assert response.status_code == 302
    home = client.get(reverse("home")).content.decode()
    assert "Công chức cấp xã" in home and "Vĩnh Long" in home
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_keeps_the_username_and_says_why(client, world):
    response = client.post(reverse("login"), {"username": "officer_a", "password": "wrong"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="officer_a"' in page
    assert "Vui lòng điền vào Tên đăng nhập và mật khẩu chính xác" in page


def test_password_change(world):
    client = client_for(world.officer_a)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "pw-for-tests-123",
            "new_password1": "Mat-khau-moi-2026",
            "new_password2": "Mat-khau-moi-2026",
        },
    )
    assert response.status_code == 302
    world.officer_a.refresh_from_db()
    assert world.officer_a.check_password("Mat-khau-moi-2026")


def test_english_is_available_through_the_switch(world):
    client = client_for(world.officer_a)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("home")).content.decode()
    assert "Your roles" in page and 'lang="en"' in page


def test_navigation_follows_roles(world):
    admin_page = client_for(world.admin).get(reverse("home")).content.decode()
    officer_page = client_for(world.officer_a).get(reverse("home")).content.decode()
    assert reverse("unit_import") in admin_page
    assert reverse("unit_import") not in officer_page


def _menu(page):
    found = re.search(r"<nav aria-label=[^>]*>.*?</nav>", page, re.S)
    return found.group(0) if found else ""


def test_the_top_bar_shows_each_role_its_menu_and_the_user_their_links(world):
    world.admin.is_staff = True  # Django's administration too
    world.admin.save()
    officer = client_for(world.officer_a).get(reverse("home")).content.decode()
    admin = client_for(world.admin).get(reverse("home")).content.decode()
    for page in (officer, admin):
        assert f'href="{reverse("ranking")}">Xếp hạng</a>' in _menu(page)
        assert f'hx-get="{reverse("notification_bell")}"' in page and "Đăng xuất" in page
    assert reverse("audit_search") not in _menu(officer)
    assert reverse("appraisal_list") not in _menu(officer)
    assert reverse("audit_search") in _menu(admin) and reverse("appraisal_list") in _menu(admin)
    assert f'<span class="who">{world.officer_a}</span>' in officer
    assert reverse("admin:index") in _menu(admin) and reverse("admin:index") not in _menu(officer)
    assert '<option value="vi" selected>Tiếng Việt</option>' in officer


def test_the_top_bar_without_a_user_or_a_request(client, db):
    from django.template.loader import render_to_string

    page = client.get(reverse("login") + '?next=/"><script>x</script>').content.decode()
    assert not _menu(page) and "Đăng xuất" not in page
    assert '<option value="vi" selected>' in page and "<script>x</script>" not in page
    assert "&#34;&gt;&lt;script&gt;" in page or "&quot;&gt;&lt;script&gt;" in page
    alone = render_to_string("base.html")  # an e-mail or a PDF has no request
    assert 'class="topbar"' in alone and not _menu(alone)
    assert 'name="next" type="hidden" value=""' in alone


@pytest.mark.parametrize(
    ("value", "places", "vi", "en"),
    [
        (Decimal("84.66"), 2, "84,66", "84.66"),
        (8525, None, "8.525", "8,525"),
        (Decimal("1234567.5"), 1, "1.234.567,5", "1,234,567.5"),
    ],
)
def test_numbers_in_vietnamese_and_english_format(value, places, vi, en):
    template = Template("{% load cchc_format %}{{ value|number:places }}")
    with translation.override("vi"):
        assert template.render(Context({"value": value, "places": places})) == vi
    with translation.override("en"):
        assert template.render(Context({"value": value, "places": places})) == en


def test_dates_in_vietnamese_format():
    template = Template('{{ day|date:"SHORT_DATE_FORMAT" }}')
    with translation.override("vi"):
        assert template.render(Context({"day": datetime.date(2022, 12, 29)})) == "29/12/2022"


def test_the_vietnamese_catalog_is_complete():
    catalog = polib.pofile(str(ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po"))
    assert catalog.untranslated_entries() == []
    assert catalog.fuzzy_entries() == []


def test_an_english_browser_still_gets_vietnamese_until_the_user_switches(client, world):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="vi"' in page and "Đăng nhập" in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert 'lang="en"' in page and "Sign in" in page


def test_a_request_in_english_does_not_leave_the_thread_in_english(client, world):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    client.get(reverse("login"))
    assert translation.get_language() == "vi"
