"""Every main page on a phone (390 px) and a desktop: readable without sideways scrolling,
Vietnamese with no English left over, and no serious or critical accessibility problem."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import DESKTOP, PHONE, inject_axe, pretty
from tests.dossier_factories import figures
from tests.ranking_fixtures import result, ten_point_set

# Words of the English interface that must not appear in the Vietnamese one.
ENGLISH = re.compile(
    r"\b(Save|Submit|Search|Sign (in|out)|Home|Units?|Score|Ranking|Deadline|Evidence|Appraisal|"
    r"Export|Import|Download|Upload|the|and|of|not|points?|scored|Page \d)\b"
)


def pages_for(world, assessment, scorecard_id):
    return {
        "officer": (
            world.officer_a,
            [
                "/",
                f"/danh-gia/{assessment.pk}/",
                "/danh-gia/",
                "/ho-so-tthc/",
                "/ho-so-tthc/nhap-so-lieu/",
                "/don-vi/19375/",
                "/doi-mat-khau/",
            ],
        ),
        "appraiser": (
            world.appraiser,
            ["/", "/tham-dinh/", f"/tham-dinh/{assessment.pk}/", "/bo-tieu-chi/"],
        ),
        "leader": (
            world.leader,
            [
                "/",
                "/xep-hang/?unit=464&year=2021",
                f"/ket-qua/{scorecard_id}/",
                "/ho-so-tthc/bao-cao/?unit=464&start=2022&end=2022",
                "/khac-phuc/",
                "/don-vi/",
            ],
        ),
        "admin": (
            world.admin,
            [
                "/don-vi/nhap/",
                "/bo-tieu-chi/nhap/",
                "/ho-so-tthc/tai-len/",
                "/nhat-ky/",
                f"/bo-tieu-chi/{assessment.criteria_set.pk}/",
            ],
        ),
    }


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_main_pages_read_well_on_a_phone_and_a_desktop(world, assessment, open_session, viewport):
    figures(world.commune_a, "2022-01", resolved_on_time=40, resolved_late=2, electronic_results=10)
    published = ten_point_set(world.district, 2021)
    scorecard = result(published, world.commune_b, 5, 3)
    failures = []
    for role, (user, paths) in pages_for(world, assessment, scorecard.pk).items():
        session = open_session(user, viewport)
        for path in paths:
            page = session.go(path)
            assert page.title() and "Không tìm thấy" not in page.title(), path
            name = f"{role}-{path.strip('/').replace('/', '-').split('?')[0] or 'home'}"
            session.shot(f"{name}-{viewport['width']}")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 1:
                failures.append(f"{path}: {overflow}px wider than the screen")
            text = page.inner_text("body")
            english = sorted(set(m.group(0) for m in ENGLISH.finditer(text)))
            if english:
                failures.append(f"{path}: English words {english}")
            problems = session.accessibility_problems()
            if problems:
                failures.append(f"{path}: {pretty(problems)}")
    assert failures == [], "\n".join(failures)


def test_the_sign_in_page_is_accessible_and_vietnamese(world, browser, live_server):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/dang-nhap/")
    page.fill("#id_username", "officer_a")
    page.fill("#id_password", "wrong")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # keyboard only
    assert "Vui lòng điền vào Tên đăng nhập và mật khẩu chính xác" in page.inner_text("main")
    inject_axe(page)
    violations = page.evaluate(
        "async () => (await axe.run(document)).violations.filter(v => ['serious','critical'].includes(v.impact)).map(v => v.id)"
    )
    context.close()
    assert violations == []
