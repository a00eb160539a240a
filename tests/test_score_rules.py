"""One table of cases run through the pages and through the score imports: an import refuses
exactly what the self-assessment and appraisal forms refuse, and accepts what they accept."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse

from cchc.spreadsheets import ImportRefused, read_table
from scoring.appraisal.score_imports import import_appraisal
from scoring.assessment.score_imports import import_scores
from scoring.assessment.workflow import move_assessment
from scoring.models import AssessmentItem
from tests.assessment_fixtures import criterion
from tests.conftest import client_for
from tests.spreadsheet_files import csv_bytes

D = Decimal

# (code, what the officer types in the form, the score a file gives, refused?)
SELF_CASES = [
    ("1.2", {"value": "2,5"}, "2.5", True),  # above the maximum
    ("1.2", {"value": "0,3"}, "0.3", True),  # not on the 0,5 step
    ("1.2", {"value": "-1"}, "-1", True),
    ("1.2", {"value": "1,255"}, "1.255", True),  # three decimals
    ("1.2", {"value": "1,5"}, "1.5", False),
    ("1.4", {"value": "1,5"}, "1.5", True),  # half an item
    ("1.4", {"value": "2"}, "2", False),
    ("3.1", {"value": "1,5"}, "1.5", True),  # a bonus above its cap
    ("2.3", {"value": "1"}, "1", True),  # the survey is not self-assessed
    ("1.1", {"answer": "yes"}, "2", False),
    ("1.3", {"level": "1–2 hình thức"}, "1", False),
]


def _form_refuses(world, assessment, code, typed) -> bool:
    target = criterion(assessment, code)
    data = {f"c{target.pk}-{name}": value for name, value in typed.items()}
    client_for(world.officer_a).post(
        reverse("item_save", args=[assessment.pk, target.pk]), data, headers={"HX-Request": "true"}
    )
    item = AssessmentItem.objects.filter(assessment=assessment, criterion=target).first()
    return item is None or item.self_score is None


def _import_refuses(table_rows, importer, year, user) -> bool:
    table = read_table(io.BytesIO(csv_bytes(table_rows)), "diem.csv")
    try:
        importer(table, year, user)
    except ImportRefused:
        return True
    return False


@pytest.mark.parametrize(("code", "typed", "score", "refused"), SELF_CASES)
def test_self_scores_the_form_and_the_import_agree(world, assessment, code, typed, score, refused):
    assert _form_refuses(world, assessment, code, typed) is refused
    rows = [["Mã đơn vị", "Mã tiêu chí", "Điểm", "Ghi chú"], ["19375", code, score, ""]]
    assert _import_refuses(rows, import_scores, 2022, world.admin) is refused


# (code, appraised score, reason, refused?) — on commune A's submitted self-assessment:
# 1.2 self 2 (step 0,5); 1.3 self 0 of 2; 2.2 declared not applicable; 2.3 the survey.
APPRAISAL_CASES = [
    ("1.2", "1", "", True),  # lowered without the reason the unit will read
    ("1.2", "1", "Thiếu 3 nhiệm vụ", False),
    ("1.2", "3", "x", True),  # above the maximum
    ("1.2", "0.3", "x", True),  # not on the step
    ("1.2", "1.255", "x", True),  # three decimals
    ("1.3", "2", "", True),  # raised above the self score without a reason
    ("1.3", "2", "Có tọa đàm ngày 5/9", False),
    ("2.2", "1", "", True),  # scoring what the unit declared not applicable, without a reason
    ("2.2", "1", "Có 2 hồ sơ trễ hạn", False),
    ("2.3", "1.5", "", False),  # the survey score needs no reason
    ("2.3", "2.5", "", True),
]


def _appraisal_form_refuses(world, assessment, code, score, reason) -> bool:
    target = criterion(assessment, code)
    before = AssessmentItem.objects.filter(assessment=assessment, criterion=target).first()
    version = before.appraisal_version if before else 0
    client_for(world.appraiser).post(
        reverse("appraise", args=[assessment.pk, target.pk]),
        {"score": score.replace(".", ","), "reason": reason, "version": str(version)},
        headers={"HX-Request": "true"},
    )
    after = AssessmentItem.objects.filter(assessment=assessment, criterion=target).first()
    return after is None or after.appraisal_version == version


@pytest.mark.parametrize(("code", "score", "reason", "refused"), APPRAISAL_CASES)
def test_appraised_scores_the_form_and_the_import_agree(
    world, submitted, code, score, reason, refused
):
    move_assessment(submitted, "start", world.appraiser)
    assert _appraisal_form_refuses(world, submitted, code, score, reason) is refused
    AssessmentItem.objects.filter(assessment=submitted).update(
        appraised_score=None, appraisal_reason="", appraisal_version=0
    )
    rows = [["Mã đơn vị", "Mã tiêu chí", "Điểm", "Lý do trừ điểm"], ["19375", code, score, reason]]
    assert _import_refuses(rows, import_appraisal, 2022, world.admin) is refused
