"""Published results of several communes, built through the real services."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

from django.utils import timezone

from cchc.models import Unit
from cchc.spreadsheets import read_table
from scoring.assessment.results import refresh_result
from scoring.criteria.files import COLUMNS
from scoring.criteria.sets import SetDetails, import_criteria_set, publish_criteria_set
from scoring.models import Assessment, AssessmentItem, CriteriaSet, Decision
from scoring.models.assessments import AssessmentState as S
from scoring.publication.published import publish_results
from tests.factories import merge_into_vinh_linh
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


def result(criteria_set, unit, field1, field2, state=S.APPROVED) -> Assessment:
    """An assessment of ``unit`` with appraised scores ``field1`` (of 6) and ``field2`` (of 4),
    approved by the council unless ``state`` says otherwise (``publish`` publishes them)."""
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


def decision_fields(number: str = "4867/QĐ-UBND", **extra: Any) -> Decision:
    """An unsaved decision in the form of Vĩnh Linh district's (figures.md)."""
    return Decision(
        number=number,
        date=datetime.date(2022, 12, 29),
        place="Vĩnh Linh",
        issuing_body="ỦY BAN NHÂN DÂN HUYỆN VĨNH LINH",
        signer_name="Trần Văn Bình",
        legal_bases="Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
        recipients="Như Điều 3;\nLưu: VT.",
        **extra,
    )


def publish(criteria_set: CriteriaSet, admin, number: str = "4867/QĐ-UBND", group=None, **extra):
    """Publish the set (or group) under a decision, through the real service."""
    return publish_results(criteria_set, group, decision_fields(number, **extra), admin)


def vinh_linh_decision(criteria_set: CriteriaSet, admin) -> Decision:
    """The set's results published by decision 4867/QĐ-UBND of 29/12/2022."""
    return publish(criteria_set, admin)


def merged_after_2024(world) -> Unit:
    """Vĩnh Long (80) and Vĩnh Thái (90) published for 2024 under 12/QĐ-UBND, then merged on
    1 July 2025 into Xã Vĩnh Linh (45101) of the province, the district ended: the merged
    commune, whose "last year" is its predecessors' (85)."""
    old = ten_point_set(world.district, 2024)
    result(old, world.commune_a, 6, 2)  # 80
    result(old, world.commune_b, 5, 4)  # 90
    publish(old, world.admin, "12/QĐ-UBND")
    return merge_into_vinh_linh(world)
