"""An appraiser lowers two scores with reasons and returns one item with a question; the
officer answers and adds a file; the appraiser finishes; the council approves; an
administrator publishes."""

from __future__ import annotations

from pathlib import Path

from scoring.models import Assessment, AssessmentItem, Decision, ExplanationRequest
from scoring.models.assessments import AssessmentState as S

PDF = Path("/tmp/cchc-bo-sung.pdf")


def row(page, code):
    return (
        page.locator("tr.appraisal-row")
        .filter(has=page.locator(f"td.code:text-is('{code}')"))
        .first
    )


def appraise(page, code, score, reason):
    current = row(page, code)
    current.get_by_label("Điểm thẩm định").fill(score)
    current.get_by_label("Lý do", exact=True).fill(reason)
    current.get_by_role("button", name="Lưu").click()
    page.wait_for_function(
        "code => [...document.querySelectorAll('tr.appraisal-row')].some(tr => tr.querySelector('td.code')?.textContent === code && tr.querySelector('.notice'))",
        arg=code,
    )


def test_appraisal_explanation_approval_and_publication(world, submitted, council, open_session):
    from tests.test_evidence import PDF as PDF_BYTES

    PDF.write_bytes(PDF_BYTES)
    Assessment.objects.filter(criteria_set=submitted.criteria_set).exclude(pk=submitted.pk).delete()
    appraiser = open_session(world.appraiser)
    page = appraiser.go("/tham-dinh/")
    page.get_by_role("link", name="Xã Vĩnh Long").click()
    page.get_by_role("button", name="Bắt đầu thẩm định").click()
    page.wait_for_selector("text=Đã bắt đầu thẩm định.")
    appraise(page, "1.2", "1,5", "Báo cáo chỉ nêu 9/12 nhiệm vụ")
    appraise(page, "1.4", "1", "Một sáng kiến chưa có quyết định công nhận")
    assert (
        "Tổng điểm thẩm định: 5,50 / 11,00" in page.locator("#appraisal-summary").inner_text()
    )  # 7 − 0,5 − 1
    row(page, "1.1").get_by_label("Câu hỏi").fill("Kế hoạch ban hành ngày nào?")
    page.get_by_role("button", name="Trả lại đơn vị").click()
    page.wait_for_selector("text=Đã trả lại đơn vị để giải trình.")
    appraiser.shot("appraiser-returned")
    assert appraiser.accessibility_problems() == []

    officer = open_session(world.officer_a)
    page = officer.go("/")
    page.get_by_role("link", name="Câu hỏi cần giải trình").click()
    assert "Kế hoạch ban hành ngày nào?" in page.inner_text(
        "main"
    ) and "Thực hiện kế hoạch" not in page.inner_text("main")
    page.get_by_label("Giải trình").fill("Ban hành ngày 20/12/2021, kèm bản chụp")
    page.get_by_role("button", name="Lưu giải trình").click()
    page.locator("input[type=file]").set_input_files(str(PDF))
    page.get_by_role("button", name="Tải lên").click()
    page.wait_for_selector("text=Đã tải lên cchc-bo-sung.pdf")
    officer.shot("officer-explains")
    page.get_by_role("button", name="Gửi giải trình").click()
    page.wait_for_selector("text=Đã gửi giải trình.")
    assert ExplanationRequest.objects.get().answer == "Ban hành ngày 20/12/2021, kèm bản chụp"

    page = appraiser.go(f"/tham-dinh/{submitted.pk}/")
    assert "Ban hành ngày 20/12/2021" in page.inner_text("main")
    appraise(page, "2.3", "1,5", "Theo kết quả điều tra xã hội học")
    page.get_by_role("button", name="Hoàn thành thẩm định").click()
    page.wait_for_selector("text=Đã hoàn thành thẩm định.")

    board = open_session(council)
    page = board.go(f"/tham-dinh/{submitted.pk}/")
    page.get_by_role("button", name="Phê duyệt").click()
    page.wait_for_selector("text=Đã phê duyệt.")

    admin = open_session(world.admin)
    page = admin.go(f"/bo-tieu-chi/{submitted.criteria_set.pk}/cong-bo-ket-qua/")
    page.get_by_label("Số quyết định").fill("4867/QĐ-UBND")
    page.get_by_label("Ngày quyết định").fill("2022-12-29")
    page.get_by_label("Người ký", exact=True).fill("Trần Văn Bình")
    admin.shot("admin-publishes")
    page.get_by_role("button", name="Công bố theo quyết định này").click()
    page.wait_for_selector("text=Đã công bố kết quả của 1 đơn vị theo Quyết định 4867/QĐ-UBND.")
    admin.shot("published-ranking")
    submitted.refresh_from_db()
    assert submitted.state == S.PUBLISHED and Decision.objects.get().number == "4867/QĐ-UBND"
    items = {
        i.criterion.code: i
        for i in AssessmentItem.objects.filter(assessment=submitted).select_related("criterion")
    }
    assert (
        items["1.2"].appraisal_reason == "Báo cáo chỉ nêu 9/12 nhiệm vụ"
        and items["1.4"].final_score == 1
    )
