"""The public survey form on a cheap phone (390 px): opened without signing in from the
unit's address, answered by touch, sent; readable without sideways scrolling and without a
serious or critical accessibility problem."""

from __future__ import annotations

import pytest

from surveys.models import Response, UnitLink
from surveys.questionnaires import import_questionnaire
from surveys.responses import open_survey
from tests.browser.conftest import ARTIFACTS, PHONE, inject_axe, pretty
from tests.test_surveys import workbook


def axe_problems(page) -> list[str]:
    inject_axe(page)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.django_db(transaction=True)
def test_a_resident_answers_the_survey_on_a_phone(world, assessment, browser, live_server):
    questionnaire = import_questionnaire(workbook(), "phieu.xlsx", assessment.criteria_set)
    open_survey(questionnaire)
    link = UnitLink.objects.get(questionnaire=questionnaire, unit=world.commune_a)
    folder = ARTIFACTS / "survey_form"
    folder.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=PHONE, locale="vi-VN")  # the page has no script
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/khao-sat/{link.slug}/")
        assert "Vĩnh Long" in page.inner_text("header")
        assert axe_problems(page) == [], pretty(axe_problems(page))
        page.screenshot(path=str(folder / "01-groups.png"), full_page=True)
        page.get_by_role("link", name="Người dân").click()
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        problems = axe_problems(page)
        assert problems == [], pretty(problems)
        page.get_by_role("button", name="Gửi phiếu").click()  # nothing chosen: told what to do
        assert "Hãy chọn một phương án." in page.inner_text("main")
        page.locator("#cau-Q1").get_by_text("Rất hài lòng").click()
        page.locator("#cau-Q2").get_by_text("Hài lòng", exact=True).click()
        page.screenshot(path=str(folder / "02-form.png"), full_page=True)
        page.get_by_role("button", name="Gửi phiếu").click()
        assert "Cảm ơn bạn đã trả lời" in page.inner_text("main")
        page.screenshot(path=str(folder / "03-thanks.png"), full_page=True)
    finally:
        context.close()
    response = Response.objects.get()
    assert response.status == Response.Status.COUNTED
    assert sorted(response.answers.values_list("question__code", "choice__code")) == [
        ("Q1", "A"),
        ("Q2", "B"),
    ]
