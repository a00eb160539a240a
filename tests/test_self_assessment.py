"""The self-assessment workflow: opening, recording each method, not applicable, dossier
figures filling ratios, lost updates, submission, reopening, deadlines, bulk import."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from cchc.models import Unit
from cchc.spreadsheets import ImportRefused, read_table
from scoring.assessment.evidence import link_evidence
from scoring.assessment.loading import score_self_assessment
from scoring.assessment.score_imports import import_scores
from scoring.assessment.self_assessment import (
    AssessmentLocked,
    SelfInput,
    StaleItem,
    extend_deadline,
    open_assessments,
    record_self_assessment,
    reopen_assessment,
    submission_problems,
    submit_assessment,
)
from scoring.assessment.sign_off import sign_off
from scoring.models import Assessment, AssessmentItem, AuditEntry, StateChange
from scoring.models.assessments import AssessmentState
from tests.assessment_fixtures import criterion
from tests.dossier_factories import figures
from tests.factories import commune_leader, make_unit
from tests.spreadsheet_files import csv_bytes
from tests.test_evidence import evidence_for

D = Decimal


def record(assessment, code, user, version=None, **typed):
    return record_self_assessment(
        assessment, criterion(assessment, code), SelfInput(**typed), user, version
    ).item


def test_opening_creates_one_assessment_per_unit_of_the_scored_kinds_in_force(world, assessment):
    units = set(
        Assessment.objects.filter(criteria_set=assessment.criteria_set).values_list(
            "unit__code", flat=True
        )
    )
    assert units == {"19375", "19348"}  # the district's communes, not the district itself
    closed = make_unit(
        "Xã đã sáp nhập", parent=world.district, valid_to=datetime.date(2021, 12, 31)
    )
    opened, existing = open_assessments(
        assessment.criteria_set, timezone.now() + datetime.timedelta(days=1), world.admin
    )
    assert (opened, existing) == (0, 2)
    assert not Assessment.objects.filter(unit=closed).exists()


def test_a_draft_set_cannot_be_opened(world, assessment):
    from scoring.criteria.sets import copy_criteria_set

    draft = copy_criteria_set(assessment.criteria_set, 2023, "Bộ 2023")
    with pytest.raises(ValidationError):
        open_assessments(draft, timezone.now() + datetime.timedelta(days=1), world.admin)


def test_each_method_records_its_inputs_and_score(world, assessment):
    officer = world.officer_a
    assert record(assessment, "1.1", officer, answer=True).self_score == D(2)
    assert record(
        assessment, "1.2", officer, value=D("1.5"), explanation="9/12 nhiệm vụ"
    ).self_score == D("1.5")
    assert record(assessment, "1.3", officer, level="1–2 hình thức").self_score == D(1)
    assert record(assessment, "1.4", officer, value=D(5)).self_score == D(2)
    typed = record(
        assessment, "2.1", officer, numbers={"ket_qua_dien_tu": D(16), "da_giai_quyet": D(100)}
    )
    assert typed.self_score == D("0.16")
    assert record(assessment, "3.1", officer, value=D(1)).self_score == D(1)
    result = score_self_assessment(assessment)
    assert result.total == D("2") + D("1.5") + D("1") + D("2") + D("0.16") + D(1)


def test_each_save_keeps_the_stored_result_in_step(world, assessment):
    """The stored result (what rankings read) follows every save: created at the first,
    updated with its moment at each one after."""
    from scoring.models import AssessmentResult

    record(assessment, "1.1", world.officer_a, answer=True)
    first = AssessmentResult.objects.get(assessment=assessment)
    assert (first.self_total, first.total) == (D(2), D(2))
    record(assessment, "1.2", world.officer_a, value=D("1.5"))
    record(assessment, "1.1", world.officer_a, answer=False, version=1)
    now = AssessmentResult.objects.get(assessment=assessment)
    assert now.pk == first.pk and (now.self_total, now.total) == (D("1.5"), D("1.5"))
    assert now.self_index == score_self_assessment(assessment).index
    assert now.computed_at > first.computed_at


@pytest.mark.parametrize(
    ("code", "typed", "field", "message"),
    [
        ("1.2", {"value": D("2.5")}, "value", "Giá trị 2,5 nằm ngoài khoảng 0–2."),
        ("1.2", {"value": D("0.3")}, "value", "0,3 không phải là bội của bước chấm 0,5."),
        ("1.1", {}, "answer", "Hãy chọn có hoặc không."),
        ("1.3", {"level": "Năm hình thức"}, "level", "Hãy chọn một mức."),
        ("1.4", {"value": D("1.5")}, "value", "Số lượng phải là số nguyên từ 0 trở lên."),
        ("2.1", {"numbers": {"ket_qua_dien_tu": D(5)}}, "numbers", "Thiếu số liệu da_giai_quyet."),
    ],
)
def test_values_outside_the_method_are_refused_in_plain_vietnamese(
    world, assessment, code, typed, field, message
):
    with pytest.raises(ValidationError) as error:
        record(assessment, code, world.officer_a, **typed)
    assert error.value.message_dict == {field: [message]}
    assert not AssessmentItem.objects.filter(self_score__isnull=False).exists()


def test_not_applicable_only_where_allowed_and_with_a_reason(world, assessment):
    with pytest.raises(ValidationError) as error:
        record(assessment, "1.1", world.officer_a, not_applicable=True, not_applicable_reason="x")
    assert "not_applicable" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        record(assessment, "2.2", world.officer_a, not_applicable=True)
    assert "not_applicable_reason" in error.value.message_dict
    item = record(
        assessment,
        "2.2",
        world.officer_a,
        not_applicable=True,
        not_applicable_reason="Không có hồ sơ trễ hạn",
    )
    assert item.self_score is None and item.is_scored
    result = score_self_assessment(assessment)
    assert result.max_total == D(11)  # 12 without the 1 point of 2.2


def test_dossier_figures_fill_a_ratio_and_win_over_typed_ones(world, assessment):
    figures(world.commune_a, "2022", resolved_on_time=90, resolved_late=10, electronic_results=45)
    item = record(
        assessment, "2.1", world.officer_a, numbers={"ket_qua_dien_tu": D(1), "da_giai_quyet": D(1)}
    )
    assert item.self_score == D("0.45")


def test_a_save_from_an_old_page_is_refused_and_nothing_is_overwritten(world, assessment):
    first = record(assessment, "1.2", world.officer_a, value=D(1))
    record(assessment, "1.2", world.admin, version=first.version, value=D(2))
    with pytest.raises(StaleItem) as stale:
        record(assessment, "1.2", world.officer_a, version=first.version, value=D("0.5"))
    assert stale.value.current.self_score == D(2)
    assert AssessmentItem.objects.get(pk=first.pk).self_score == D(2)


def complete(assessment, user, evidence_file=True, sign=True):
    record(assessment, "1.1", user, answer=True)
    record(assessment, "1.2", user, value=D(2), explanation="12/12 nhiệm vụ, xem báo cáo")
    record(assessment, "1.3", user, level="Không")
    record(assessment, "1.4", user, value=D(2))
    record(assessment, "2.1", user, numbers={"ket_qua_dien_tu": D(1), "da_giai_quyet": D(1)})
    record(
        assessment, "2.2", user, not_applicable=True, not_applicable_reason="Không có hồ sơ trễ hạn"
    )
    if evidence_file:
        evidence = evidence_for(assessment.unit, user)
        for code in ("1.1", "1.4", "2.1"):
            link_evidence(
                AssessmentItem.objects.get(assessment=assessment, criterion__code=code),
                evidence,
                user,
            )
    if sign:
        sign_off(assessment, commune_leader(assessment.unit))
        assessment.refresh_from_db()


def test_submission_lists_everything_missing_and_changes_nothing(world, assessment):
    record(assessment, "1.1", world.officer_a, answer=True)
    record(assessment, "1.2", world.officer_a, value=D(2), explanation="đủ")
    problems = submit_assessment(assessment, world.officer_a)
    assert problems == [
        "Lãnh đạo đơn vị chưa phê duyệt bản tự đánh giá (lãnh đạo mở trang này và phê duyệt)",
        "1.1 Ban hành kế hoạch: có điểm nhưng chưa có tài liệu kiểm chứng; hãy đính kèm tài liệu hoặc giải trình lý do",
        "1.3 Tuyên truyền: chưa chấm điểm",
        "1.4 Sáng kiến: chưa chấm điểm",
        "2.1 Kết quả điện tử: chưa chấm điểm",
        "2.2 Xin lỗi khi trễ hạn: chưa chấm điểm",
    ]
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.DRAFT


def test_submitting_locks_the_self_assessment(world, assessment):
    complete(assessment, world.officer_a)
    assert submission_problems(assessment) == []
    assert submit_assessment(assessment, world.officer_a) == []
    assessment.refresh_from_db()
    assert (
        assessment.state == AssessmentState.SUBMITTED and assessment.submitted_by == world.officer_a
    )
    with pytest.raises(AssessmentLocked):
        record(assessment, "1.1", world.officer_a, version=1, answer=False)


def test_nothing_changes_after_the_deadline(world):
    from tests.assessment_fixtures import make_open_assessment

    assessment = make_open_assessment(world)
    Assessment.objects.filter(pk=assessment.pk).update(
        deadline=timezone.now() - datetime.timedelta(minutes=1)
    )
    assessment.refresh_from_db()
    with pytest.raises(AssessmentLocked):
        record(assessment, "1.1", world.officer_a, answer=True)
    with pytest.raises(AssessmentLocked):
        submit_assessment(assessment, world.officer_a)


def test_an_administrator_reopens_one_unit_with_a_reason_and_a_new_deadline(world, assessment):
    complete(assessment, world.officer_a)
    submit_assessment(assessment, world.officer_a)
    with pytest.raises(ValidationError):
        reopen_assessment(assessment, world.admin, "   ", None)
    new_deadline = timezone.now() + datetime.timedelta(days=3)
    reopen_assessment(assessment, world.admin, "Bổ sung tài liệu 1.2", new_deadline)
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.DRAFT and assessment.deadline == new_deadline
    change = StateChange.objects.filter(assessment=assessment).last()
    assert change is not None
    assert (change.from_state, change.to_state, change.reason, change.changed_by) == (
        "submitted",
        "draft",
        "Bổ sung tài liệu 1.2",
        world.admin,
    )
    other = Assessment.objects.get(unit=world.commune_b, criteria_set=assessment.criteria_set)
    assert other.state == AssessmentState.DRAFT and other.deadline != new_deadline


def test_extending_the_deadline_of_one_unit(world, assessment):
    later = assessment.deadline + datetime.timedelta(days=7)
    extend_deadline(assessment, world.admin, later, "Mất điện")
    assessment.refresh_from_db()
    assert assessment.deadline == later
    with pytest.raises(ValidationError):
        extend_deadline(assessment, world.admin, later - datetime.timedelta(days=1), "x")


SCORE_HEADER = ["Mã đơn vị", "Mã tiêu chí", "Điểm", "Ghi chú"]


def score_table(rows):
    return read_table(io.BytesIO(csv_bytes([SCORE_HEADER, *rows])), "scores.csv")


def test_bulk_scores_open_missing_assessments_and_map_scores_to_inputs(world, assessment):
    Assessment.objects.filter(unit=world.commune_b).delete()
    rows = [
        ["19375", "1.1", "2", ""],
        ["19375", "1.3", "1", "hai hình thức"],
        ["19375", "1.4", "2", ""],
        ["19375", "2.1", "0,84", "theo số liệu năm"],
        ["19348", "1.2", "1,5", ""],
    ]
    written, opened = import_scores(score_table(rows), 2022, world.admin)
    assert (written, opened) == (5, 1)
    items = {
        i.criterion.code: i
        for i in AssessmentItem.objects.filter(assessment=assessment).select_related("criterion")
    }
    assert items["1.1"].self_answer is True
    assert (
        items["1.3"].self_level == "1–2 hình thức" and items["1.3"].explanation == "hai hình thức"
    )
    assert items["1.4"].self_value == D(2)
    assert items["2.1"].self_points == D("0.84") and items["2.1"].self_score == D("0.84")
    assert Assessment.objects.get(unit=world.commune_b).items.get().self_score == D("1.5")


def test_bulk_scores_list_every_error_and_write_nothing(world, assessment):
    rows = [
        ["19375", "1.1", "1", ""],
        ["19375", "1.3", "1,5", ""],
        ["99999", "1.1", "2", ""],
        ["19375", "9.9", "1", ""],
        ["19375", "2.3", "2", ""],
        ["19375", "1.2", "3", ""],
        ["19375", "1.2", "1", ""],
    ]
    with pytest.raises(ImportRefused) as refused:
        import_scores(score_table(rows), 2022, world.admin)
    assert [str(e) for e in refused.value.errors] == [
        "Dòng 2 (đơn vị 19375), cột Điểm: tiêu chí có/không chỉ nhận 0 hoặc 2 điểm",
        "Dòng 3 (đơn vị 19375), cột Điểm: không có mức nào bằng 1,5 điểm",
        "Dòng 4 (đơn vị 99999), cột Mã đơn vị: không có đơn vị mã 99999",
        "Dòng 5 (đơn vị 19375), cột Mã tiêu chí: bộ tiêu chí không có tiêu chí thành phần 9.9",
        "Dòng 6 (đơn vị 19375), cột Mã tiêu chí: 2.3 không do đơn vị tự chấm",
        "Dòng 7 (đơn vị 19375), cột Điểm: giá trị 3 nằm ngoài khoảng 0–2",
        "Dòng 8 (đơn vị 19375), cột Mã tiêu chí: 1.2 của đơn vị này đã có ở dòng 7",
    ]
    assert not AssessmentItem.objects.exists()


def test_import_scores_command(world, assessment, tmp_path):
    good = tmp_path / "scores.csv"
    good.write_bytes(csv_bytes([SCORE_HEADER, ["19375", "1.1", "2", ""]]))
    call_command("import_scores", str(good), "--year=2022", "--stage=self")
    assert AssessmentItem.objects.get().self_answer is True
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([SCORE_HEADER, ["19375", "1.1", "7", ""]]))
    with pytest.raises(CommandError, match="1 lỗi"):
        call_command("import_scores", str(bad), "--year=2022")


def test_units_in_other_scopes_are_not_scored_by_the_set(world, assessment):
    assert not Assessment.objects.filter(unit__in=Unit.objects.filter(code="19411")).exists()


def test_a_ratio_filled_from_dossier_statistics_needs_no_other_evidence(world, assessment):
    from scoring.assessment.self_assessment import submission_problems

    record(
        assessment, "2.1", world.officer_a, numbers={"ket_qua_dien_tu": D(1), "da_giai_quyet": D(2)}
    )
    assert any(
        p.startswith("2.1 ") and "tài liệu kiểm chứng" in p for p in submission_problems(assessment)
    )
    figures(world.commune_a, "2022", resolved_on_time=10, electronic_results=5)
    assert not any(p.startswith("2.1 ") for p in submission_problems(assessment))


def test_figures_entered_after_an_item_was_saved_update_its_score_at_submission(world, assessment):
    figures(world.commune_a, "2022-Q1", resolved_on_time=10, electronic_results=5)
    complete(assessment, world.officer_a)
    item = assessment.items.get(criterion__code="2.1")
    assert item.self_score == D("0.5")  # 5 of 10 results electronic, of 1 point
    figures(world.commune_a, "2022-Q2", resolved_on_time=10, electronic_results=10)
    assert score_self_assessment(assessment).score_of("2.1") == D("0.75")  # live: 15 of 20
    assert submit_assessment(assessment, world.officer_a) == []
    item.refresh_from_db()
    assert item.self_score == D("0.75")  # stored, so the appraisal keeps what the unit saw
    entry = AuditEntry.objects.filter(item=item).latest("pk")
    assert (entry.old_value, entry.new_value) == ("0,5", "0,75")  # as shown in Vietnamese
    assert "số liệu hồ sơ" in entry.reason


def test_an_item_whose_inputs_no_longer_fit_its_method_counts_as_unscored(world, assessment):
    item = record(assessment, "1.2", world.officer_a, value=D(2))
    AssessmentItem.objects.filter(pk=item.pk).update(
        self_value=None
    )  # e.g. an older version of the data
    result = score_self_assessment(assessment)
    assert "1.2" in result.unscored and result.total == 0


def test_progress_counts_the_required_sub_criteria_only(world, assessment):
    from scoring.assessment.self_assessment import Progress, progress_of
    from scoring.criteria.trees import criteria_rows

    rows = criteria_rows(assessment.criteria_set)
    assert progress_of(assessment, rows) == Progress(required=6, scored=0, without_evidence=0)
    record(assessment, "3.1", world.officer_a, value=D(1))  # a bonus: claimed, not required
    record(assessment, "1.1", world.officer_a, answer=True)  # scored, without a file yet
    record(assessment, "1.2", world.officer_a, value=D(1))
    assert progress_of(assessment, rows) == Progress(required=6, scored=2, without_evidence=2)
    link_evidence(
        AssessmentItem.objects.get(assessment=assessment, criterion=criterion(assessment, "1.1")),
        evidence_for(assessment.unit, world.officer_a),
        world.officer_a,
    )
    assert progress_of(assessment, rows) == Progress(required=6, scored=2, without_evidence=1)


def test_the_progress_from_the_pages_items_is_the_progress_read_from_the_database(
    world, assessment, evidence_storage
):
    """The page and a save's answer count the progress from the items they loaded (with
    their evidence); that count is the one the database gives, evidence missing included."""
    from scoring.assessment.loading import items_of, with_links
    from scoring.assessment.self_assessment import progress_of
    from scoring.criteria.trees import criteria_rows

    def both():  # type: ignore[no-untyped-def]
        criteria = criteria_rows(assessment.criteria_set)
        loaded = with_links(assessment, items_of(assessment))  # as the page loads them
        return progress_of(assessment, criteria, None, loaded), progress_of(assessment, criteria)

    from_items, from_database = both()
    assert from_items == from_database and from_items.scored == 0
    complete(assessment, world.officer_a, evidence_file=False, sign=False)
    from_items, from_database = both()
    assert from_items == from_database and from_items.without_evidence > 0
    lacking = from_items.without_evidence
    evidence = evidence_for(assessment.unit, world.officer_a)
    link_evidence(
        AssessmentItem.objects.get(assessment=assessment, criterion__code="1.1"),
        evidence,
        world.officer_a,
    )
    from_items, from_database = both()
    assert from_items == from_database and from_items.without_evidence == lacking - 1
