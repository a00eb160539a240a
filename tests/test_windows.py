"""Windows that close themselves at their deadline (the scheduler, with time moved forward),
withdrawing a submission, the leader's sign-off and the letter asking for appraisal."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from docx import Document
from pypdf import PdfReader

from cchc.models import Notification, NotificationKind
from scoring.appraisal.items import answer_question, return_items
from scoring.assessment.letters import letter_docx, letter_pdf
from scoring.assessment.self_assessment import AssessmentLocked, submit_assessment
from scoring.assessment.sign_off import sign_off
from scoring.assessment.workflow import IllegalMove, move_assessment
from scoring.models import (
    Assessment,
    AssessmentItem,
    AuditEntry,
    ExplanationRequest,
    StateChange,
    SubmissionLetter,
)
from scoring.models.assessments import AssessmentState as S
from tests.assessment_fixtures import criterion, make_open_assessment
from tests.conftest import client_for
from tests.factories import commune_leader
from tests.test_appraisal import state
from tests.test_self_assessment import complete, record

D = Decimal


def run_scheduled() -> str:
    out = io.StringIO()
    call_command("run_scheduled", stdout=out)
    return out.getvalue()


def scheduler_closings(assessment) -> int:
    return AuditEntry.objects.filter(
        assessment=assessment, kind=AuditEntry.Kind.STATE, source="scheduler"
    ).count()


def test_the_self_assessment_closes_at_its_deadline_with_nobody_saving(world):
    assessment = make_open_assessment(world, days=2)
    record(assessment, "1.1", world.officer_a, answer=True)
    deadline = assessment.deadline
    with time_machine.travel(deadline - datetime.timedelta(minutes=5)):
        run_scheduled()
        assert state(assessment) == S.DRAFT
    with time_machine.travel(deadline + datetime.timedelta(minutes=1)):
        report = run_scheduled()
        assert "thời hạn: khóa 2 bản tự đánh giá" in report  # both communes of the set
        assert state(assessment) == S.SUBMITTED
        change = StateChange.objects.filter(assessment=assessment).latest("pk")
        assert change.changed_by is None and "Hết hạn tự đánh giá" in change.reason
        assert scheduler_closings(assessment) == 1
        told = Notification.objects.filter(
            user=world.officer_a, kind=NotificationKind.WINDOW_CLOSED
        )
        assert told.count() == 1
        with pytest.raises(AssessmentLocked):
            record(assessment, "1.2", world.officer_a, value=D(1), explanation="muộn")
        run_scheduled()  # a second run does nothing more
        assert scheduler_closings(assessment) == 1
        assert told.count() == 1


def test_the_explanation_closes_at_its_deadline_noting_what_was_not_answered(world, submitted):
    move_assessment(submitted, "start", world.appraiser)
    until = timezone.now() + datetime.timedelta(days=2)
    return_items(
        submitted,
        {criterion(submitted, "1.1"): "Bản gốc?", criterion(submitted, "1.4"): "Sáng kiến nào?"},
        world.appraiser,
        until,
    )
    answer_question(
        ExplanationRequest.objects.get(item__criterion__code="1.1"), "Đã bổ sung", world.officer_a
    )
    with time_machine.travel(until + datetime.timedelta(seconds=1)):
        run_scheduled()
    assert state(submitted) == S.RESUBMITTED
    change = StateChange.objects.filter(assessment=submitted).latest("pk")
    assert scheduler_closings(submitted) == 1 and change.changed_by is None
    assert "Hết hạn giải trình" in change.reason and "Chưa trả lời: 1.4." in change.reason
    assert Notification.objects.filter(
        user=world.appraiser, kind=NotificationKind.EXPLANATION_SENT
    ).exists()


def test_an_explanation_deadline_in_the_past_is_refused_and_nothing_changes(world, submitted):
    move_assessment(submitted, "start", world.appraiser)
    with pytest.raises(IllegalMove):
        return_items(
            submitted,
            {criterion(submitted, "1.1"): "?"},
            world.appraiser,
            timezone.now() - datetime.timedelta(hours=1),
        )
    assert state(submitted) == S.UNDER_APPRAISAL
    assert not ExplanationRequest.objects.exists()


def test_reminders_three_days_and_one_day_before_come_once_each(world):
    assessment = make_open_assessment(world, days=10)
    soon = Notification.objects.filter(user=world.officer_a, kind=NotificationKind.DEADLINE_SOON)
    with time_machine.travel(assessment.deadline - datetime.timedelta(days=5)):
        run_scheduled()
    assert soon.count() == 0
    with time_machine.travel(assessment.deadline - datetime.timedelta(days=2, hours=20)):
        run_scheduled()
        run_scheduled()
    assert list(soon.values_list("title", flat=True)) == [
        "Xã Vĩnh Long: còn dưới 3 ngày để tự đánh giá"
    ]
    with time_machine.travel(assessment.deadline - datetime.timedelta(hours=20)):
        run_scheduled()
    assert soon.count() == 2
    assert set(soon.values_list("url", flat=True)) == {
        reverse("assessment_page", args=[assessment.pk])
    }


def test_the_countdown_shows_on_the_officers_and_the_appraisers_pages(world, submitted):
    draft = make_open_assessment(world, year=2023, days=3)
    page = client_for(world.officer_a).get(reverse("assessment_page", args=[draft.pk]))
    html = page.content.decode()
    assert "Hạn tự đánh giá" in html and "data-countdown" in html and "còn 2 ngày 23 giờ" in html
    move_assessment(submitted, "start", world.appraiser)
    return_items(
        submitted,
        {criterion(submitted, "1.1"): "?"},
        world.appraiser,
        timezone.now() + datetime.timedelta(hours=5, minutes=30),
    )
    for user, name in ((world.appraiser, "appraisal_page"), (world.officer_a, "explanation_page")):
        html = client_for(user).get(reverse(name, args=[submitted.pk])).content.decode()
        assert "Hạn giải trình" in html and "còn 5 giờ 29 phút" in html


def test_the_appraisers_return_form_takes_the_deadline(world, submitted):
    move_assessment(submitted, "start", world.appraiser)
    client = client_for(world.appraiser)
    item = criterion(submitted, "1.1")
    url = reverse("appraisal_return", args=[submitted.pk])
    client.post(url, {f"q_{item.pk}": "Vì sao?", "han_giai_trinh": "ngày mai"})
    assert state(submitted) == S.UNDER_APPRAISAL
    client.post(url, {f"q_{item.pk}": "Vì sao?", "han_giai_trinh": "2099-05-04T16:30"})
    submitted.refresh_from_db()
    assert submitted.state == S.RETURNED
    assert timezone.localtime(submitted.explanation_deadline).strftime("%d/%m/%Y %H:%M") == (
        "04/05/2099 16:30"
    )


def test_a_unit_withdraws_before_the_appraisal_starts_and_not_after(world, submitted):
    client = client_for(world.officer_a)
    page = client.get(reverse("assessment_page", args=[submitted.pk])).content.decode()
    assert "Rút bản đã nộp" in page
    client.post(reverse("appraisal_move", args=[submitted.pk, "withdraw"]))
    submitted.refresh_from_db()
    assert submitted.state == S.DRAFT and submitted.signed_off_at is None
    assert submit_assessment(submitted, world.officer_a)[0].startswith("Lãnh đạo đơn vị chưa")
    sign_off(submitted, commune_leader(submitted.unit))
    assert submit_assessment(submitted, world.officer_a) == []
    move_assessment(submitted, "start", world.appraiser)
    page = client.get(reverse("assessment_page", args=[submitted.pk])).content.decode()
    assert "Rút bản đã nộp" not in page
    with pytest.raises((IllegalMove, PermissionDenied)):
        move_assessment(submitted, "withdraw", world.officer_a)
    assert state(submitted) == S.UNDER_APPRAISAL


def test_the_leaders_sign_off_is_required_and_cleared_by_a_change(world, assessment):
    complete(assessment, world.officer_a, sign=False)
    problems = submit_assessment(assessment, world.officer_a)
    assert problems == [
        "Lãnh đạo đơn vị chưa phê duyệt bản tự đánh giá (lãnh đạo mở trang này và phê duyệt)"
    ]
    with pytest.raises(PermissionDenied):
        sign_off(assessment, world.leader)  # the district's leader, not the commune's
    with pytest.raises(PermissionDenied):
        sign_off(assessment, world.officer_a)
    chairman = commune_leader(assessment.unit)
    page = client_for(chairman).get(reverse("assessment_page", args=[assessment.pk]))
    assert "Phê duyệt bản tự đánh giá" in page.content.decode()
    client_for(chairman).post(reverse("assessment_sign_off", args=[assessment.pk]))
    assessment.refresh_from_db()
    assert assessment.signed_off_by == chairman
    version = AssessmentItem.objects.get(assessment=assessment, criterion__code="1.4").version
    record(assessment, "1.4", world.officer_a, version, value=D(1))  # changed after approval
    assessment.refresh_from_db()
    assert assessment.signed_off_at is None
    assert submit_assessment(assessment, world.officer_a)[0].startswith("Lãnh đạo")
    assert (
        client_for(world.leader)
        .post(reverse("assessment_sign_off", args=[assessment.pk]))
        .status_code
        == 403
    )


def test_a_set_without_sign_off_submits_without_it(world, assessment):
    assessment.criteria_set.requires_sign_off = False
    assessment.criteria_set.save(update_fields=["requires_sign_off"])
    complete(assessment, world.officer_a, sign=False)
    assert submit_assessment(assessment, world.officer_a) == []


def text_of_pdf(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)


def test_submitting_issues_the_numbered_letter_in_pdf_and_docx(world, submitted):
    letter = SubmissionLetter.objects.get(assessment=submitted)
    assert letter.number == 1 and letter.signer_name == "Chủ tịch Vĩnh Long"
    other = Assessment.objects.get(criteria_set=submitted.criteria_set, unit=world.commune_b)
    complete(other, world.officer_b)
    assert submit_assessment(other, world.officer_b) == []
    assert SubmissionLetter.objects.get(assessment=other).number == 2
    today = timezone.localdate()
    pdf = text_of_pdf(letter_pdf(letter))
    for expected in (
        "ỦY BAN NHÂN DÂN XÃ VĨNH LONG",
        "Số: 1/UBND",
        f"ngày {today:%d} tháng {today:%m} năm {today:%Y}",
        "đề nghị thẩm định",
        "Chủ tịch Vĩnh Long",
    ):
        assert expected in pdf, expected
    document = Document(io.BytesIO(letter_docx(letter)))
    words = "\n".join(p.text for p in document.paragraphs)
    cells = [[cell.text for cell in row.cells] for row in document.tables[1].rows]
    heading = document.tables[0].rows[0].cells[0].text
    assert "Số: 1/UBND" in heading and "ỦY BAN NHÂN DÂN XÃ VĨNH LONG" in heading
    assert "Chủ tịch Vĩnh Long" in words
    assert cells[0] == ["Mã", "Lĩnh vực", "Điểm tối đa", "Điểm tự đánh giá"]
    assert cells[1][:2] == ["1", "Chỉ đạo điều hành"]
    assert cells[-1][1] == "Tổng"
    # the summary in the PDF and in the .docx are the same figures
    for row in cells[1:]:
        assert f"{row[0]} {row[1]} {row[2]} {row[3]}" in pdf


def test_the_officer_and_the_appraiser_download_the_letter(world, submitted):
    letter = SubmissionLetter.objects.get(assessment=submitted)
    for user in (world.officer_a, world.appraiser):
        for fmt, start in (("pdf", b"%PDF"), ("docx", b"PK")):
            response = client_for(user).get(
                reverse("letter_download", args=[submitted.pk, letter.pk, fmt])
            )
            assert response.status_code == 200 and response.content.startswith(start)
    assert (
        client_for(world.officer_a)
        .get(reverse("letter_download", args=[submitted.pk, letter.pk, "exe"]))
        .status_code
        == 404
    )
    page = client_for(world.appraiser).get(reverse("appraisal_page", args=[submitted.pk]))
    assert (
        reverse("letter_download", args=[submitted.pk, letter.pk, "docx"]) in page.content.decode()
    )
    assert (
        client_for(world.officer_b)
        .get(reverse("letter_download", args=[submitted.pk, letter.pk, "pdf"]))
        .status_code
        == 404
    )


def test_reminders_take_the_same_queries_for_two_units_or_nine(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cchc.models import Role
    from scoring.assessment.deadlines import remind
    from tests.factories import make_unit, make_user

    def queries_for_a_reminder_run(year: int) -> tuple[int, int]:
        assessment = make_open_assessment(world, year=year, days=2)
        with CaptureQueriesContext(connection) as run:
            told = remind(timezone.now())
        Assessment.objects.filter(criteria_set=assessment.criteria_set).delete()
        return len(run.captured_queries), told

    few, told_few = queries_for_a_reminder_run(2030)
    for n in range(7):
        commune = make_unit(f"Xã thêm {n}", parent=world.district)
        make_user(f"officer_extra_{n}", Role.OFFICER, commune)
    many, told_many = queries_for_a_reminder_run(2031)
    assert (told_few, told_many) == (2, 9)  # every officer told once
    assert many == few


def test_a_letter_keeps_the_scores_it_was_issued_with(world, submitted):
    from scoring.assessment.self_assessment import reopen_assessment

    letter = SubmissionLetter.objects.get(assessment=submitted)
    before = text_of_pdf(letter_pdf(letter))
    reopen_assessment(submitted, world.admin, "Sửa 1.4", None)
    version = AssessmentItem.objects.get(assessment=submitted, criterion__code="1.4").version
    record(submitted, "1.4", world.officer_a, version, value=D(0))
    letter.refresh_from_db()
    assert text_of_pdf(letter_pdf(letter)) == before  # what was sent stays what was sent
    assert "Kết quả tự đánh giá: 7/11 điểm" in before
