"""The commands a province runs the cycle with, without the pages: publish a criteria set,
open the self-assessment, publish results under a decision, load a past year's results.
Each checks what the page checks."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from scoring.models import Assessment, CriteriaSet, Decision, PublishedResult
from scoring.models.assessments import AssessmentState as S
from tests.conftest import client_for
from tests.factories import make_unit
from tests.ranking_fixtures import TEN_POINTS, publish, result, ten_point_set
from tests.spreadsheet_files import xlsx_bytes

D = Decimal


def draft_set(world) -> CriteriaSet:
    import io

    from cchc.spreadsheets import read_table
    from scoring.criteria.sets import SetDetails, import_criteria_set

    criteria_set, _ = import_criteria_set(
        read_table(io.BytesIO(xlsx_bytes(TEN_POINTS)), "s.xlsx"),
        SetDetails(year=2023, title="Bộ 2023", scope=world.district, declared_total=D(10)),
    )
    return criteria_set


def test_publish_a_set_then_open_the_self_assessment(world):
    criteria_set = draft_set(world)
    with pytest.raises(CommandError, match="không quản trị"):
        call_command("publish_criteria", f"--set={criteria_set.pk}", "--user=leader")
    call_command("publish_criteria", "--year=2023", "--scope=464", "--user=province_admin")
    criteria_set.refresh_from_db()
    assert criteria_set.is_published
    with pytest.raises(CommandError, match="đã được công bố"):
        call_command("publish_criteria", f"--set={criteria_set.pk}")
    with pytest.raises(CommandError, match="dd/mm/yyyy"):
        call_command("open_assessments", f"--set={criteria_set.pk}", "--deadline=ngày mai")
    call_command("open_assessments", f"--set={criteria_set.pk}", "--deadline=31/12/2030 17:00")
    assessments = Assessment.objects.filter(criteria_set=criteria_set)
    assert {a.unit.code for a in assessments} == {"19375", "19348"}
    deadline = assessments.first().deadline  # type: ignore[union-attr]
    assert deadline.astimezone(datetime.UTC) == datetime.datetime(
        2030, 12, 31, 10, 0, tzinfo=datetime.UTC
    )


def test_publish_results_checks_what_the_page_checks(world, capsys):
    criteria_set = ten_point_set(world.district, 2022)
    result(criteria_set, world.commune_a, 5, 3)
    result(criteria_set, world.commune_b, 6, 4, state=S.APPRAISED)
    arguments = [
        f"--set={criteria_set.pk}",
        "--number=4867/QĐ-UBND",
        "--date=2022-12-29",
        "--signer=Trần Văn Bình",
        "--user=province_admin",
    ]
    with pytest.raises(CommandError, match="Vĩnh Thái"):
        call_command("publish_results", *arguments)
    assert not Decision.objects.exists()
    Assessment.objects.filter(unit=world.commune_b).update(state=S.APPROVED)
    with pytest.raises(CommandError, match="không quản trị"):
        call_command("publish_results", *arguments[:-1], "--user=leader")
    call_command("publish_results", *arguments)
    decision = Decision.objects.get()
    assert decision.issuing_body == "ỦY BAN NHÂN DÂN HUYỆN VĨNH LINH"
    assert decision.results.count() == 2
    with pytest.raises(CommandError, match="--correction"):
        call_command("publish_results", *arguments)
    call_command(
        "publish_results",
        *arguments[:1],
        "--number=12/QĐ-UBND",
        *arguments[2:],
        "--correction=Sai số",
    )
    assert Decision.objects.get(number="12/QĐ-UBND").supersedes == decision


PAST_HEADER = [
    "Mã đơn vị",
    "Điểm",
    "Điểm tối đa",
    "Xếp hạng",
    "Xếp loại",
    "Lĩnh vực 1",
    "Tối đa lĩnh vực 1",
]


def _past_file(tmp_path, rows):
    path = tmp_path / "ket-qua-2021.xlsx"
    path.write_bytes(xlsx_bytes([PAST_HEADER, *rows]))
    return path


def test_a_past_years_results_become_its_published_record(world, tmp_path):
    third = make_unit("Vĩnh Hà", parent=world.district)
    path = _past_file(
        tmp_path,
        [
            ["19348", 90, 100, "1/3", "Tốt", 18, 20],
            ["19375", "83,5", 100, "2", "Khá", 16, 20],
            [third.code, 70, 100, 3, "Trung bình", "", ""],
        ],
    )
    call_command(
        "import_results",
        str(path),
        "--year=2021",
        "--scope=464",
        "--decision=5120/QĐ-UBND",
        "--decision-date=2021-12-28",
    )
    decision = Decision.objects.get(number="5120/QĐ-UBND")
    assert decision.imported
    vinh_long = PublishedResult.objects.get(unit=world.commune_a)
    assert (vinh_long.total, vinh_long.index, vinh_long.rank_text) == (D("83.5"), D("83.50"), "2/3")
    assert vinh_long.field_index("1") == D("80.00")
    page = client_for(world.officer_a).get(reverse("ranking"), {"year": "2021"})
    assert [str(r.rank) for r in page.context["ranking"].rows] == ["1/3", "2/3", "3/3"]
    # The next year compares against it.
    new = ten_point_set(world.district, 2022)
    result(new, world.commune_a, 6, 3)  # 90
    result(new, world.commune_b, 5, 4)  # 90
    result(new, third, 4, 3)
    publish(new, world.admin)
    page = client_for(world.officer_a).get(reverse("ranking"), {"year": "2022"})
    row = next(r for r in page.context["ranking"].rows if r.unit_code == "19375")
    assert row.change == D("6.50")


def test_a_past_years_file_with_errors_writes_nothing_and_lists_every_row(world, tmp_path):
    third = make_unit("Vĩnh Hà", parent=world.district)
    path = _past_file(
        tmp_path,
        [
            ["19348", 80, 100, "1", "Khá", "", ""],
            ["19375", 90, 100, "2", "Tốt", "", ""],  # ranked below a lower score
            [third.code, 70, 100, "3/5", "", "", ""],  # ranked among 5 in a file of 4
            ["99999", 70, 100, "4", "", "", ""],  # no such unit
        ],
    )
    with pytest.raises(CommandError, match="3 lỗi"):
        call_command(
            "import_results",
            str(path),
            "--year=2021",
            "--scope=464",
            "--decision=1/QĐ",
            "--decision-date=2021-12-28",
        )
    assert not Decision.objects.exists() and not CriteriaSet.objects.exists()
