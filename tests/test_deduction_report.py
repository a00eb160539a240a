"""The deduction report reproduces the published result of xã Vĩnh Long, 2022 (decision
4867/QĐ-UBND of 29/12/2022): 84,66 points, ranked 8 of 18, and its deductions line by line."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from cchc.spreadsheets import read_table
from scoring.assessment.results import refresh_result
from scoring.assessment.workflow import move_assessment
from scoring.criteria.sets import SetDetails, import_criteria_set, publish_criteria_set
from scoring.models import Assessment, AssessmentItem
from scoring.models.assessments import AssessmentState as S
from scoring.publication.deduction_report import (
    deduction_report_pdf,
    provisional_report,
    published_report,
    published_result_of,
)
from tests.conftest import client_for
from tests.factories import make_unit
from tests.ranking_fixtures import publish
from tests.test_criteria_sets import FIXTURE

D = Decimal
# (code, appraised score, reason) — figures.md, plus 1,5 points the article does not itemise.
VINH_LONG = [
    (
        "1.1.3",
        "1.5",
        "Báo cáo năm không liệt kê các nhiệm vụ đã hoàn thành nên không xác định được 33/33 nhiệm vụ",
    ),
    ("1.4.2", "1", "Không tổ chức hội thi, tọa đàm, sân khấu hóa hay hình thức tuyên truyền mới"),
    ("1.5.4", "1", "Có 1 sáng kiến được công nhận, cần 2"),
    ("2.2.1", "0", "Kế hoạch rà soát ban hành chung một văn bản với các kế hoạch khác"),
    ("2.3", "0", "Không tổ chức triển khai trong năm"),
    ("3.11.2", "0.16", "Tỷ lệ 16%"),
    ("3.12.1", "0", "Năm 2022 chưa chấm"),
    ("3.12.2", "0", "Không phát sinh giao dịch"),
    ("3.12.3", "0", "Không chấm"),
    ("3.13.2", "0", "Không có hồ sơ trực tuyến toàn trình"),
    ("5.4", "1.5", "Các điểm trừ khác không nêu trong bài báo"),
    ("6.2", "0", "Không có tài liệu kiểm chứng"),
    ("6.3", "0", "Giải ngân vốn đầu tư phát triển chưa đạt"),
]
# The other 17 communes: 7 above, 10 below Vĩnh Long.
OTHERS = [95, 93, 91, 90, 89, 88, 86, 84, 83, 82, 81, 80, 79, 78, 77, 76, 75]


def _full_items(assessment, leaves):
    AssessmentItem.objects.bulk_create(
        [
            AssessmentItem(assessment=assessment, criterion=c, appraised_score=c.max_score)
            for c in leaves
        ]
    )


def _lower(assessment, deficit):
    """Take ``deficit`` points off the survey and digital-government items."""
    for code, maximum in (("8.1", 10), ("8.2", 8), ("7.1", 5), ("7.4", 3)):
        taken = min(D(maximum), D(deficit))
        if taken:
            AssessmentItem.objects.filter(assessment=assessment, criterion__code=code).update(
                appraised_score=D(maximum) - taken, appraisal_reason="Trừ điểm"
            )
        deficit -= taken


def approved_district(world):
    """Vĩnh Long and the 17 other communes and towns of the district, approved by the council."""
    criteria_set, _ = import_criteria_set(
        read_table(FIXTURE),
        SetDetails(
            year=2022, title="Bộ tiêu chí cấp xã 2022", scope=world.district, declared_total=D(100)
        ),
    )
    publish_criteria_set(criteria_set)
    leaves = [
        c for c in criteria_set.criteria.all() if c.method and c.method not in ("bonus", "penalty")
    ]
    deadline = timezone.now() + datetime.timedelta(days=1)
    units = [world.commune_b] + [make_unit(f"Xã {n}", parent=world.district) for n in range(16)]
    for unit, total in zip(units, OTHERS, strict=True):
        other = Assessment.objects.create(
            unit=unit, criteria_set=criteria_set, deadline=deadline, state=S.APPROVED
        )
        _full_items(other, leaves)
        _lower(other, 100 - total)
    vinh_long = Assessment.objects.create(
        unit=world.commune_a, criteria_set=criteria_set, deadline=deadline, state=S.APPROVED
    )
    _full_items(vinh_long, leaves)
    for code, score, reason in VINH_LONG:
        AssessmentItem.objects.filter(assessment=vinh_long, criterion__code=code).update(
            appraised_score=D(score), appraisal_reason=reason
        )
    for assessment in Assessment.objects.filter(criteria_set=criteria_set):
        refresh_result(assessment)
    return vinh_long


def published_district(world):
    vinh_long = approved_district(world)
    publish(vinh_long.criteria_set, world.admin)
    return vinh_long


def report_of(assessment):
    published = published_result_of(assessment)
    assert published is not None
    return published_report(assessment, published)


def test_the_report_matches_the_published_result_line_by_line(world):
    report = report_of(published_district(world))
    assert report.total == D("84.66")
    assert str(report.rank) == "8/18"
    assert report.headline() == "Xã Vĩnh Long đạt 84,66 điểm, xếp 8/18"
    lines = [str(line) for line in report.lines]
    assert lines[0] == (
        "Mục 1.1.3. Mức độ thực hiện Kế hoạch CCHC (-0,5đ/2đ): Báo cáo năm không liệt kê các nhiệm vụ đã hoàn thành "
        "nên không xác định được 33/33 nhiệm vụ"
    )
    assert (
        lines[5]
        == "Mục 3.11.2. Tỷ lệ hồ sơ TTHC có cấp kết quả giải quyết điện tử (-0,84đ/1đ): Tỷ lệ 16%"
    )
    assert [line.code for line in report.lines] == [code for code, _, _ in VINH_LONG]
    assert [line.lost for line in report.lines] == [
        D("0.5"),
        D(1),
        D(1),
        D(2),
        D(2),
        D("0.84"),
        D(1),
        D("0.5"),
        D("0.5"),
        D("0.5"),
        D("1.5"),
        D(2),
        D(2),
    ]
    assert report.total_lost == D("15.34") == D(100) - D("84.66")


def test_the_report_as_a_pdf(world):
    pdf = deduction_report_pdf(report_of(published_district(world)))
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 2000


def test_the_page_is_for_the_unit_and_leaders_once_published(world):
    vinh_long = approved_district(world)
    url = reverse("deduction_report", args=[vinh_long.pk])
    assert client_for(world.officer_a).get(url).status_code == 404  # not published yet
    assert client_for(world.leader).get(url).status_code == 404
    provisional = client_for(world.appraiser).get(url).content.decode()
    assert "chưa công bố" in provisional and "xếp 8/18" in provisional
    publish(vinh_long.criteria_set, world.admin)
    page = client_for(world.officer_a).get(url).content.decode()
    assert "Xã Vĩnh Long đạt 84,66 điểm, xếp 8/18" in page
    assert "Mục 6.3. Giải ngân vốn đầu tư phát triển (-2đ/2đ)" in page
    assert "4867/QĐ-UBND" in page
    assert client_for(world.leader).get(url).status_code == 200
    assert client_for(world.officer_b).get(url).status_code == 404
    response = client_for(world.leader).get(url + "?format=pdf")
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_a_reopened_unit_still_reads_the_published_decision_until_a_correction(world):
    vinh_long = published_district(world)
    move_assessment(vinh_long, "reopen", world.admin, "Cộng sai điểm mục 6.3")
    url = reverse("deduction_report", args=[vinh_long.pk])
    for user in (world.officer_a, world.leader, world.appraiser):
        assert "xếp 8/18" in client_for(user).get(url).content.decode()


def test_before_appraisal_nothing_is_a_deduction_and_reasons_are_the_appraisers(world):
    """An item not yet appraised is not a deduction, and the unit's own note is never quoted
    as the reason of one."""
    vinh_long = approved_district(world)
    Assessment.objects.filter(pk=vinh_long.pk).update(state=S.UNDER_APPRAISAL)
    AssessmentItem.objects.filter(assessment=vinh_long).update(
        appraised_score=None, appraised_at=None, self_score=D(0), explanation="Ghi chú của xã"
    )
    vinh_long.refresh_from_db()
    report = provisional_report(vinh_long)
    assert report.lines == []
    assert len(report.not_appraised) > 20
    AssessmentItem.objects.filter(assessment=vinh_long, criterion__code="1.1.1").update(
        appraised_at=timezone.now()
    )
    report = provisional_report(vinh_long)
    assert [(line.code, line.reason) for line in report.lines] == [("1.1.1", "")]
