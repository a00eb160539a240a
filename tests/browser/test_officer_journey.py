"""A commune officer fills the self-assessment in a real browser, is refused while something
is missing, fixes it and submits."""

from __future__ import annotations

from pathlib import Path

from scoring.models import Assessment
from scoring.models.assessments import AssessmentState as S
from tests.browser.conftest import pretty
from tests.dossier_factories import figures
from tests.factories import commune_leader

PDF = Path("/tmp/cchc-ke-hoach.pdf")


def item(page, code):
    return page.locator("li.item").filter(has=page.locator(f"span.code:text-is('{code}')")).first


def save(page, code):
    current = item(page, code)
    current.get_by_role("button", name=f"Lưu {code}").click()
    page.wait_for_function(
        "code => [...document.querySelectorAll('li.item')].some(li => li.querySelector('span.code')?.textContent === code && li.querySelector('.notice'))",
        arg=code,
    )


def test_officer_fills_the_self_assessment_and_submits(world, assessment, open_session):
    from tests.test_evidence import PDF as PDF_BYTES

    PDF.write_bytes(PDF_BYTES)
    figures(world.commune_a, "2022", resolved_on_time=84, resolved_late=16, electronic_results=21)
    officer = open_session(world.officer_a)
    page = officer.go(f"/danh-gia/{assessment.pk}/")
    assert "Đã chấm 0/6 tiêu chí" in page.locator("#assessment-summary").inner_text()
    assert officer.accessibility_problems() == [], pretty(officer.accessibility_problems())
    officer.shot("officer-empty")

    # The fields open one at a time: the second is loaded when the officer opens it.
    assert page.locator("li.item").count() == 4
    page.locator("#field-2 > summary").click()
    page.wait_for_selector("#field-2 li.item")

    # A yes/no, a level, a not-applicable with its reason.
    item(page, "1.1").get_by_label("Có").check()
    save(page, "1.1")
    item(page, "1.3").get_by_label("Mức đạt được").select_option("1–2 hình thức")
    save(page, "1.3")
    item(page, "2.2").get_by_label("Không áp dụng với đơn vị").check()
    item(page, "2.2").get_by_label("Lý do không áp dụng").fill("Trong năm không có hồ sơ trễ hạn")
    save(page, "2.2")
    # The ratio comes from the dossier statistics: shown with its source, saved as it is.
    ratio = item(page, "2.1")
    assert (
        "Hồ sơ có kết quả điện tử: 21 " in ratio.inner_text()  # a count: no decimals
        and "lấy từ số liệu hồ sơ TTHC năm 2022" in ratio.inner_text()
    )
    save(page, "2.1")
    summary = page.locator("#assessment-summary").inner_text()
    assert "Đã chấm 4/6 tiêu chí" in summary and "Tổng điểm tự đánh giá: 3,21" in summary

    # Evidence for 1.1.
    uploader = item(page, "1.1")
    uploader.get_by_text("Thêm tài liệu kiểm chứng").click()
    uploader.locator("input[type=file]").set_input_files(str(PDF))
    uploader.get_by_role("button", name="Tải lên").click()
    page.wait_for_selector("text=Đã tải lên cchc-ke-hoach.pdf")
    officer.shot("officer-partly-filled")

    # Refused while 1.2 and 1.4 are missing and 1.3's score has neither evidence nor explanation.
    page.get_by_role("button", name="Nộp kết quả tự đánh giá").click()
    problems = page.locator("#problems").inner_text()
    assert (
        "1.2 Thực hiện kế hoạch: chưa chấm điểm" in problems
        and "1.4 Sáng kiến: chưa chấm điểm" in problems
    )
    assert "1.3 Tuyên truyền: có điểm nhưng chưa có tài liệu kiểm chứng" in problems
    assert "Lãnh đạo đơn vị chưa phê duyệt" in problems
    officer.shot("officer-refused")
    assert Assessment.objects.get(pk=assessment.pk).state == S.DRAFT

    # An error keeps what was typed.
    manual = item(page, "1.2")
    manual.get_by_label("Điểm tự chấm (0–2)").fill("1,3")
    manual.get_by_label("Cách tính điểm, giải trình").fill("9/12 nhiệm vụ")
    manual.get_by_role("button", name="Lưu 1.2").click()
    page.wait_for_selector("text=1,3 không phải là bội của bước chấm 0,5.")
    assert (
        item(page, "1.2").get_by_label("Cách tính điểm, giải trình").input_value()
        == "9/12 nhiệm vụ"
    )
    item(page, "1.2").get_by_label("Điểm tự chấm (0–2)").fill("1,5")
    save(page, "1.2")
    item(page, "1.4").get_by_label("Số lượng").fill("2")
    item(page, "1.4").get_by_label("Cách tính điểm, giải trình").fill(
        "Quyết định công nhận số 12 và 15 (bản giấy)"
    )
    save(page, "1.4")
    item(page, "1.3").get_by_label("Cách tính điểm, giải trình").fill(
        "Pano và loa truyền thanh; ảnh lưu tại xã"
    )
    save(page, "1.3")
    # The commune's chairman approves what is now there; then the officer submits.
    chairman = open_session(commune_leader(assessment.unit))
    leader_page = chairman.go(f"/danh-gia/{assessment.pk}/")
    leader_page.get_by_role("button", name="Phê duyệt bản tự đánh giá").click()
    leader_page.wait_for_selector("text=Đã phê duyệt.")
    chairman.shot("leader-approved")
    page = officer.go(f"/danh-gia/{assessment.pk}/")
    assert "đã phê duyệt lúc" in page.locator("#sign-off").inner_text()
    page.get_by_role("button", name="Nộp kết quả tự đánh giá").click()
    page.wait_for_selector("text=Đã nộp. Kết quả tự đánh giá không thể sửa nữa.")
    officer.shot("officer-submitted")
    assert Assessment.objects.get(pk=assessment.pk).state == S.SUBMITTED
