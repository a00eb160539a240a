"""Appraisal: moves by role and state, reasons, explanation rounds, the audit trail,
concurrent edits, publication, remediation, the appraisal import."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cchc.models import Role
from cchc.spreadsheets import ImportRefused, read_table
from scoring.appraisal.items import (
    StaleAppraisal,
    answer_question,
    appraise_item,
    return_items,
)
from scoring.appraisal.score_imports import import_appraisal
from scoring.assessment.self_assessment import (
    AssessmentLocked,
    SelfInput,
    record_self_assessment,
)
from scoring.assessment.workflow import IllegalMove, move_assessment
from scoring.models import (
    AssessmentItem,
    AuditEntry,
    ExplanationRequest,
    RemediationTask,
    StateChange,
)
from scoring.models.assessments import AssessmentState as S
from scoring.publication.published import PublicationRefused
from scoring.publication.remediation import sync_remediation_tasks
from tests.assessment_fixtures import criterion
from tests.factories import make_user
from tests.ranking_fixtures import publish
from tests.spreadsheet_files import csv_bytes

D = Decimal


def state(assessment):
    assessment.refresh_from_db()
    return assessment.state


def appraise(assessment, code, user, score, reason="", version=None):
    item = AssessmentItem.objects.filter(assessment=assessment, criterion__code=code).first()
    if version is None:
        version = item.appraisal_version if item else 0
    return appraise_item(
        assessment,
        criterion(assessment, code),
        None if score is None else D(score),
        reason,
        user,
        version,
    ).item


def to_appraised(assessment, world):
    move_assessment(assessment, "start", world.appraiser)
    appraise(assessment, "2.3", world.appraiser, 2)  # the survey score
    move_assessment(assessment, "finish", world.appraiser)
    return assessment


@pytest.mark.parametrize(
    ("who", "outcome"),
    [
        ("appraiser", S.UNDER_APPRAISAL),
        ("officer_a", PermissionDenied),
        ("leader", PermissionDenied),
        ("admin", PermissionDenied),
    ],
)
def test_only_an_appraiser_starts_the_appraisal(world, submitted, who, outcome):
    user = getattr(world, who)
    if outcome is PermissionDenied:
        with pytest.raises(PermissionDenied):
            move_assessment(submitted, "start", user)
        assert state(submitted) == S.SUBMITTED
    else:
        move_assessment(submitted, "start", user)
        assert state(submitted) == outcome


def test_an_illegal_move_is_refused_with_the_reason(world, assessment):
    with pytest.raises(IllegalMove) as error:
        move_assessment(assessment, "start", world.appraiser)
    assert error.value.messages == [
        "Không thể bắt đầu thẩm định: kết quả đang ở trạng thái “Tự đánh giá”."
    ]
    with pytest.raises(IllegalMove):
        move_assessment(assessment, "publish", world.admin)
    assert state(assessment) == S.DRAFT


def test_finishing_needs_the_survey_scores(world, submitted):
    move_assessment(submitted, "start", world.appraiser)
    with pytest.raises(IllegalMove) as error:
        move_assessment(submitted, "finish", world.appraiser)
    assert "2.3" in error.value.messages[0]
    appraise(submitted, "2.3", world.appraiser, "1.5")
    move_assessment(submitted, "finish", world.appraiser)
    assert state(submitted) == S.APPRAISED and submitted.appraised_by == world.appraiser


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("council", True),
        ("admin", True),
        ("appraiser", False),
        ("officer_a", False),
        ("leader", False),
    ],
)
def test_approval_is_for_the_council_not_the_appraiser(world, submitted, council, who, allowed):
    to_appraised(submitted, world)
    user = council if who == "council" else getattr(world, who)
    if allowed:
        move_assessment(submitted, "approve", user)
        assert state(submitted) == S.APPROVED and submitted.approved_by == user
    else:
        with pytest.raises(PermissionDenied):
            move_assessment(submitted, "approve", user)
        assert state(submitted) == S.APPRAISED


def publish_whole_set(assessment, admin):
    """The other commune of the set approved too, then the set published by a decision."""
    assessment.criteria_set.assessments.exclude(pk=assessment.pk).update(state=S.APPROVED)
    return publish(assessment.criteria_set, admin)


def test_the_council_may_send_back_and_only_a_decision_publishes(world, submitted, council):
    to_appraised(submitted, world)
    move_assessment(submitted, "send_back", council)
    assert state(submitted) == S.UNDER_APPRAISAL
    move_assessment(submitted, "finish", world.appraiser)
    move_assessment(submitted, "approve", council)
    for user in (council, world.appraiser, world.officer_a, world.leader, world.admin):
        with pytest.raises(IllegalMove):  # no one publishes a unit alone
            move_assessment(submitted, "publish", user)
    with pytest.raises(PublicationRefused) as refused:  # commune B is not approved yet
        publish(submitted.criteria_set, world.admin)
    assert "Vĩnh Thái" in refused.value.messages[0]
    for user in (council, world.appraiser, world.leader):
        with pytest.raises(PermissionDenied):
            publish(submitted.criteria_set, user)
    publish_whole_set(submitted, world.admin)
    assert state(submitted) == S.PUBLISHED and submitted.published_at is not None


def test_after_publication_nothing_changes_until_an_administrator_reopens_with_a_reason(
    world, submitted, council
):
    to_appraised(submitted, world)
    move_assessment(submitted, "approve", council)
    publish_whole_set(submitted, world.admin)
    with pytest.raises(IllegalMove):
        appraise(submitted, "1.1", world.appraiser, 0, "x")
    with pytest.raises(AssessmentLocked):
        record_self_assessment(
            submitted, criterion(submitted, "1.1"), SelfInput(answer=False), world.officer_a, 1
        )
    with pytest.raises(PermissionDenied):
        move_assessment(submitted, "reopen", world.appraiser, "sai sót")
    with pytest.raises(IllegalMove):
        move_assessment(submitted, "reopen", world.admin, "  ")
    move_assessment(submitted, "reopen", world.admin, "Sai sót khi cộng điểm")
    assert state(submitted) == S.UNDER_APPRAISAL
    change = StateChange.objects.filter(assessment=submitted).last()
    assert change is not None and (change.to_state, change.reason, change.changed_by) == (
        S.UNDER_APPRAISAL,
        "Sai sót khi cộng điểm",
        world.admin,
    )


@pytest.mark.parametrize(
    ("score", "reason", "field"),
    [("1", "", "reason"), ("3", "", "score"), ("0.3", "x", "score")],
)
def test_a_lowered_score_needs_its_reason_and_scores_stay_in_range(
    world, submitted, score, reason, field
):
    move_assessment(submitted, "start", world.appraiser)
    with pytest.raises(ValidationError) as error:
        appraise(submitted, "1.2", world.appraiser, score, reason)  # self score 2, step 0,5
    assert field in error.value.message_dict


def test_raising_needs_a_reason_too_and_the_self_score_is_the_default(world, submitted):
    move_assessment(submitted, "start", world.appraiser)
    with pytest.raises(ValidationError) as error:
        appraise(submitted, "1.3", world.appraiser, 2)  # self: level "Không" = 0
    assert error.value.message_dict["reason"] == ["Hãy ghi lý do nâng điểm cao hơn điểm tự chấm."]
    item = appraise(submitted, "1.3", world.appraiser, 2, "Có 3 hình thức, đơn vị khai thiếu")
    assert item.final_score == D(2)
    same = appraise(
        submitted, "1.4", world.appraiser, 2
    )  # equal to the self score: nothing to explain
    assert same.appraised_score is None and same.final_score == D(2)


def test_rounds_of_explanation_keep_every_question_and_answer(world, submitted):
    move_assessment(submitted, "start", world.appraiser)
    return_items(
        submitted,
        {criterion(submitted, "1.2"): "Báo cáo không nêu nhiệm vụ đã hoàn thành?"},
        world.appraiser,
    )
    assert state(submitted) == S.RETURNED and submitted.explanation_round == 1
    first = ExplanationRequest.objects.get()
    with pytest.raises(IllegalMove):
        move_assessment(submitted, "resend", world.officer_a)  # not answered yet
    with pytest.raises(PermissionDenied):
        answer_question(first, "x", world.appraiser)
    answer_question(first, "Đã bổ sung báo cáo chi tiết", world.officer_a)
    move_assessment(submitted, "resend", world.officer_a)
    assert state(submitted) == S.RESUBMITTED
    return_items(
        submitted,
        {
            criterion(submitted, "1.2"): "Báo cáo bổ sung chưa có chữ ký?",
            criterion(submitted, "1.1"): "Ngày ban hành?",
        },
        world.appraiser,
    )
    submitted.refresh_from_db()
    assert submitted.explanation_round == 2
    for request in ExplanationRequest.objects.filter(round=2):
        answer_question(request, "Trả lời vòng 2", world.officer_a)
    move_assessment(submitted, "resend", world.officer_a)
    history = list(
        ExplanationRequest.objects.order_by("round", "item__criterion__code").values_list(
            "round", "question", "answer"
        )
    )
    assert history == [
        (1, "Báo cáo không nêu nhiệm vụ đã hoàn thành?", "Đã bổ sung báo cáo chi tiết"),
        (2, "Ngày ban hành?", "Trả lời vòng 2"),
        (2, "Báo cáo bổ sung chưa có chữ ký?", "Trả lời vòng 2"),
    ]
    with pytest.raises(IllegalMove):
        return_items(submitted, {criterion(submitted, "1.1"): "   "}, world.appraiser)


def test_the_audit_trail_of_a_score_changed_three_times(world, submitted, council):
    move_assessment(submitted, "start", world.appraiser)
    appraise(submitted, "1.2", world.appraiser, "1.5", "Thiếu 1 nhiệm vụ")
    appraise(submitted, "1.2", world.appraiser, "1", "Thiếu 2 nhiệm vụ")
    appraise(submitted, "1.2", council, "2", "Đã đủ sau giải trình")
    entries = AuditEntry.objects.filter(
        criterion_code="1.2", kind=AuditEntry.Kind.APPRAISED_SCORE
    ).order_by("changed_at", "pk")
    assert [(e.old_value, e.new_value, e.reason, e.changed_by) for e in entries] == [
        ("2", "1,5", "Thiếu 1 nhiệm vụ", world.appraiser),
        ("1,5", "1", "Thiếu 2 nhiệm vụ", world.appraiser),
        ("1", "2", "", council),
    ]
    self_entries = AuditEntry.objects.filter(criterion_code="1.2", kind=AuditEntry.Kind.SELF_SCORE)
    assert [e.new_value for e in self_entries] == ["2"]
    with pytest.raises(PermissionError):
        entries[0].delete()


def test_a_second_appraiser_cannot_overwrite_silently(world, submitted):
    other = make_user("appraiser_2", Role.APPRAISER, world.district)
    move_assessment(submitted, "start", world.appraiser)
    appraise(submitted, "1.2", world.appraiser, "1.5", "Thiếu", version=0)
    with pytest.raises(StaleAppraisal) as stale:
        appraise(submitted, "1.2", other, "1", "Thiếu nhiều", version=0)
    assert stale.value.current.appraised_score == D("1.5")
    assert AssessmentItem.objects.get(
        assessment=submitted, criterion__code="1.2"
    ).appraised_score == D("1.5")


def test_publishing_creates_one_remediation_task_per_lost_sub_criterion_once(
    world, submitted, council
):
    move_assessment(submitted, "start", world.appraiser)
    appraise(submitted, "1.2", world.appraiser, "1", "Thiếu 2 nhiệm vụ")
    appraise(submitted, "2.3", world.appraiser, "1.5")
    move_assessment(submitted, "finish", world.appraiser)
    move_assessment(submitted, "approve", council)
    decision = publish_whole_set(submitted, world.admin)
    tasks = {t.code: t for t in RemediationTask.objects.filter(assessment=submitted)}
    # 1.2 lowered; 1.3 self-scored 0 of 2; 2.1 scored 1 of 1 → none; 2.3 survey 1,5 of 2
    assert set(tasks) == {"1.2", "1.3", "2.3"}
    assert tasks["1.2"].points_lost == D(1) and tasks["1.2"].problem == "Thiếu 2 nhiệm vụ"
    assert sync_remediation_tasks(decision) == 0
    assert RemediationTask.objects.filter(assessment=submitted).count() == 3


APPRAISAL_HEADER = ["Mã đơn vị", "Mã tiêu chí", "Điểm", "Lý do trừ điểm"]


def appraisal_table(rows):
    return read_table(io.BytesIO(csv_bytes([APPRAISAL_HEADER, *rows])), "thamdinh.csv")


def test_appraisal_import_ends_appraised_with_its_history(world, submitted):
    written, units = import_appraisal(
        appraisal_table(
            [
                ["19375", "1.2", "1,5", "Thiếu 1 nhiệm vụ"],
                ["19375", "2.3", "1,75", ""],
                ["19375", "1.1", "2", ""],
            ]
        ),
        2022,
        world.admin,
    )
    assert (written, units) == (3, 1)
    assert state(submitted) == S.APPRAISED
    assert AssessmentItem.objects.get(
        assessment=submitted, criterion__code="2.3"
    ).appraised_score == D("1.75")
    assert (
        AuditEntry.objects.filter(assessment=submitted, source="import").count() == 4
    )  # 3 scores + the state


def test_appraisal_import_refuses_a_lowered_score_without_reason_and_writes_nothing(
    world, submitted
):
    with pytest.raises(ImportRefused) as refused:
        import_appraisal(
            appraisal_table(
                [["19375", "1.2", "1", ""], ["19375", "1.1", "5", "x"], ["19348", "1.1", "0", "x"]]
            ),
            2022,
            world.admin,
        )
    assert [str(e) for e in refused.value.errors] == [
        "Dòng 2 (đơn vị 19375), cột Lý do trừ điểm: hãy ghi lý do trừ điểm so với điểm tự chấm (nội dung này được gửi cho đơn vị)",
        "Dòng 3 (đơn vị 19375), cột Điểm: điểm phải từ 0 đến 2",
        "Dòng 4 (đơn vị 19348), cột Mã đơn vị: kết quả đang ở trạng thái “Tự đánh giá” nên không thể nhập kết quả thẩm định từ tệp",
    ]
    assert state(submitted) == S.SUBMITTED
    assert not AssessmentItem.objects.filter(appraised_score__isnull=False).exists()
