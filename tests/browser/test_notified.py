"""The officer is told: the bell's count rises on the open page when the appraiser returns
items, the notification leads to the explanation page, and its countdown runs."""

from __future__ import annotations

import datetime

from django.utils import timezone

from scoring.appraisal.items import return_items
from scoring.assessment.workflow import move_assessment
from tests.assessment_fixtures import criterion


def bell_count(page) -> int:
    count = page.locator("#bell .bell-count")
    return int(count.inner_text()) if count.count() else 0


def test_the_bell_count_rises_when_items_are_returned_and_the_countdown_runs(
    world, submitted, open_session
):
    officer = open_session(world.officer_a)
    page = officer.go(f"/danh-gia/{submitted.pk}/")
    page.wait_for_selector("#bell[aria-label]")  # the count loads after the page (htmx)
    before = bell_count(page)
    move_assessment(submitted, "start", world.appraiser)
    return_items(
        submitted,
        {criterion(submitted, "1.1"): "Kế hoạch ban hành ngày nào?"},
        world.appraiser,
        timezone.now() + datetime.timedelta(days=2, hours=3),
    )
    page.wait_for_function(
        "n => Number(document.querySelector('#bell .bell-count')?.textContent || 0) > n",
        arg=before,
        timeout=15000,
    )
    assert bell_count(page) == before + 1
    assert "chưa đọc" in page.locator("#bell").get_attribute("aria-label")
    officer.shot("bell-count")
    page.locator("#bell").click()
    page.get_by_role("link", name="Xã Vĩnh Long: 1 tiêu chí được trả lại để giải trình").click()
    page.wait_for_url(f"**/danh-gia/{submitted.pk}/giai-trinh/")
    countdown = page.locator(".countdown-line")
    assert "Hạn giải trình" in countdown.inner_text()
    assert (
        "còn 2 ngày 2 giờ" in countdown.inner_text() or "còn 2 ngày 3 giờ" in countdown.inner_text()
    )
    officer.shot("explanation-countdown")
    assert bell_count(page) == before  # opening it marked it read
    assert officer.accessibility_problems() == []
