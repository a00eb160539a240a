"""Published results of several communes, built through the real services."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

from django.utils import timezone

from cchc.spreadsheets import read_table
from scoring.criteria_files import COLUMNS
from scoring.criteria_sets import SetDetails, import_criteria_set, publish_criteria_set
from scoring.models import Assessment, AssessmentItem, CriteriaSet, Decision
from scoring.models.assessments import AssessmentState as S
from scoring.results import refresh_result
from tests.spreadsheet_files import xlsx_bytes

TEN_POINTS: list[list[Any]] = [
    COLUMNS,
    ["1", "Chỉ đạo điều hành", 6, "", "", "", ""],
    ["1.1", "Kế hoạch", 6, "manual", "bước: 0,25", "", ""],
    ["2", "Thủ tục hành chính", 4, "", "", "", ""],
    ["2.1", "Một cửa", 4, "manual", "bước: 0,25", "", ""],
]


def ten_point_set(scope, year, dense=False) -> CriteriaSet:
    criteria_set, _ = import_criteria_set(
        read_table(io.BytesIO(xlsx_bytes(TEN_POINTS)), "s.xlsx"),
        SetDetails(
            year=year,
            title=f"Bộ {year}",
            scope=scope,
            declared_total=Decimal(10),
            ranking_rule="dense" if dense else "competition",
        ),
    )
    publish_criteria_set(criteria_set)
    return criteria_set


def result(criteria_set, unit, field1, field2, state=S.PUBLISHED) -> Assessment:
    """An assessment of ``unit`` with appraised scores ``field1`` (of 6) and ``field2`` (of 4)."""
    assessment = Assessment.objects.create(
        unit=unit,
        criteria_set=criteria_set,
        state=state,
        deadline=timezone.now() + datetime.timedelta(days=1),
    )
    for code, score in (("1.1", field1), ("2.1", field2)):
        AssessmentItem.objects.create(
            assessment=assessment,
            criterion=criteria_set.criteria.get(code=code),
            self_points=Decimal(str(score)),
            self_score=Decimal(str(score)),
            appraised_score=Decimal(str(score)),
        )
    refresh_result(assessment)
    return assessment


def vinh_linh_decision(criteria_set: CriteriaSet) -> Decision:
    """The published decision of Vĩnh Linh district for the set's ranking (figures.md)."""
    return Decision.objects.create(
        criteria_set=criteria_set,
        number="4867/QĐ-UBND",
        date=datetime.date(2022, 12, 29),
        place="Vĩnh Linh",
        issuing_body="ỦY BAN NHÂN DÂN HUYỆN VĨNH LINH",
        signer_name="Trần Văn Bình",
        legal_bases="Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
        recipients="Như Điều 3;\nLưu: VT.",
    )
