"""A first-time user: the explanation typed and sent in one go arrives; irreversible actions
ask first, saying what will happen; leaving typed text asks first; the ranking opens on the
latest year with results; no identifier with an underscore on the officer's page or the
ranking; screenshots of the main pages at 390 and 1366 px with no sideways scrolling."""

from __future__ import annotations

import re

from scoring.appraisal.items import return_items
from scoring.assessment.workflow import move_assessment
from scoring.models import ExplanationRequest
from scoring.models.assessments import AssessmentState as S
from tests.assessment_fixtures import criterion
from tests.browser.conftest import PHONE, pretty
from tests.ranking_fixtures import publish, result, ten_point_set

WIDE = {"width": 1366, "height": 900}
IDENTIFIER = re.compile(r"\b[a-z]+_[a-z_]+\b")


def no_sideways_scrolling(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_the_explanation_typed_and_sent_in_one_go_arrives(world, submitted, open_session):
    move_assessment(submitted, "start", world.appraiser)
    return_items(submitted, {criterion(submitted, "1.1"): "Ban hành ngày nào?"}, world.appraiser)
    officer = open_session(world.officer_a, PHONE)
    page = officer.go(f"/danh-gia/{submitted.pk}/giai-trinh/")
    page.get_by_label("Giải trình").fill("Ngày 20/12/2021, bản chụp kèm theo")
    assert no_sideways_scrolling(page)
    officer.shot("explanation-typed-390")
    page.get_by_role("button", name="Gửi giải trình").click()
    page.wait_for_selector("text=Đã gửi giải trình.")
    assert officer.dialogs == [
        "Gửi giải trình của Xã Vĩnh Long cho cơ quan thẩm định? Sau khi gửi không sửa được nữa."
    ]
    assert ExplanationRequest.objects.get().answer == "Ngày 20/12/2021, bản chụp kèm theo"
    submitted.refresh_from_db()
    assert submitted.state == S.RESUBMITTED


def test_submitting_asks_first_and_declining_changes_nothing(world, assessment, open_session):
    from tests.test_self_assessment import complete

    complete(assessment, world.officer_a)
    officer = open_session(world.officer_a)
    page = officer.go(f"/danh-gia/{assessment.pk}/")
    page.remove_listener("dialog", officer._agree)
    declined = []

    def decline(dialog):
        declined.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", decline)
    page.get_by_role("button", name="Nộp kết quả tự đánh giá").click()
    page.wait_for_timeout(300)
    assert declined == [
        "Nộp bản tự đánh giá của Xã Vĩnh Long? Sau khi nộp, đơn vị không sửa được nữa."
    ]
    assessment.refresh_from_db()
    assert assessment.state == S.DRAFT


def test_leaving_a_page_with_typed_text_asks_first(world, assessment, open_session):
    officer = open_session(world.officer_a)
    page = officer.go(f"/danh-gia/{assessment.pk}/")
    page.locator(f"#item-{criterion(assessment, '1.2').pk}").get_by_label(
        "Cách tính điểm, giải trình"
    ).fill("Đang viết dở")
    kinds = []
    page.remove_listener("dialog", officer._agree)

    def stay(dialog):
        kinds.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.close(run_before_unload=True)
    page.wait_for_timeout(500)
    assert kinds == ["beforeunload"]


def test_the_ranking_opens_on_the_latest_year_with_results_and_reads_without_identifiers(
    world, open_session
):
    for year, number in ((2021, "1/QĐ-UBND"), (2022, "2/QĐ-UBND")):
        criteria_set = ten_point_set(world.district, year)
        result(criteria_set, world.commune_a, 4, 4)
        result(criteria_set, world.commune_b, 3, 2)
        publish(criteria_set, world.admin, number)
    leader = open_session(world.leader, PHONE)
    page = leader.go("/xep-hang/")
    assert "năm 2022" in page.locator("h1").inner_text()
    assert "2021" in page.locator("nav.years").inner_text()
    text = page.inner_text("main")
    assert not IDENTIFIER.findall(text), IDENTIFIER.findall(text)
    assert no_sideways_scrolling(page)
    leader.shot("ranking-390")
    assert leader.accessibility_problems() == [], pretty(leader.accessibility_problems())


def test_the_main_pages_at_390_and_1366_px(world, submitted, open_session):
    from tests.assessment_fixtures import make_open_assessment

    draft = make_open_assessment(world, year=2023)
    move_assessment(submitted, "start", world.appraiser)
    pages = [
        (world.officer_a, f"/danh-gia/{draft.pk}/", "officer"),
        (world.appraiser, f"/tham-dinh/{submitted.pk}/", "appraiser"),
        (world.leader, "/", "leader"),
    ]
    for user, path, name in pages:
        for viewport, width in ((PHONE, 390), (WIDE, 1366)):
            session = open_session(user, viewport)
            page = session.go(path)
            if name == "officer":
                text = page.inner_text("main")
                assert not IDENTIFIER.findall(text), IDENTIFIER.findall(text)
            assert no_sideways_scrolling(page), f"{name} at {width} px scrolls sideways"
            session.shot(f"{name}-{width}")
            assert session.accessibility_problems() == [], pretty(session.accessibility_problems())
            session.close()
