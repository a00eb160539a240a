"""Rankings: figures and ties by hand, both rules, provisional results, change across a
merger, exports that agree with the page, the PDF decision, the command, publication."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from cchc.reorganisation import merge_units
from scoring.decisions import decision_pdf, publish_set
from scoring.forms import DecisionForm
from scoring.models import Decision
from scoring.models.assessments import AssessmentState as S
from scoring.rankings import build_ranking
from tests.conftest import client_for
from tests.factories import make_unit
from tests.ranking_fixtures import result, ten_point_set

D = Decimal


@pytest.fixture
def district_2022(world):
    """Four communes, 2022: 9,5 / 8,25 / 8,25 / 7 points of 10."""
    criteria_set = ten_point_set(world.district, 2022)
    extra = [
        make_unit("Vĩnh Hà", parent=world.district),
        make_unit("Vĩnh Khê", parent=world.district),
    ]
    result(criteria_set, world.commune_a, "5.5", "2.75")  # 8,25
    result(criteria_set, world.commune_b, "6", "3.5")  # 9,5
    result(criteria_set, extra[0], "5", "3.25")  # 8,25
    result(criteria_set, extra[1], "4", "3")  # 7
    return criteria_set


def test_ranking_and_ties_as_computed_by_hand(world, district_2022):
    ranking = build_ranking(world.district, 2022, world.leader)
    rows = [(r.unit_name, r.score, r.index, str(r.rank), r.classification) for r in ranking.rows]
    assert rows == [
        ("Vĩnh Thái", D("9.50"), D("95.00"), "1/4", "Tốt"),
        ("Vĩnh Long", D("8.25"), D("82.50"), "2/4", "Khá"),  # ties: by unit code
        ("Vĩnh Hà", D("8.25"), D("82.50"), "2/4", "Khá"),
        ("Vĩnh Khê", D("7.00"), D("70.00"), "4/4", "Trung bình"),
    ]
    long = next(r for r in ranking.rows if r.unit_name == "Vĩnh Long")
    assert (long.field_index("1"), long.field_index("2")) == (D("91.67"), D("68.75"))
    assert ranking.average_index == D("82.50")
    assert ranking.classification_counts == [("Tốt", 1), ("Khá", 2), ("Trung bình", 1)]


def test_dense_ranking_rule(world):
    criteria_set = ten_point_set(world.district, 2022, dense=True)
    result(criteria_set, world.commune_a, 6, 4)
    result(criteria_set, world.commune_b, 6, 4)
    result(criteria_set, make_unit("Vĩnh Hà", parent=world.district), 5, 4)
    assert [str(r.rank) for r in build_ranking(world.district, 2022, world.leader).rows] == [
        "1/3",
        "1/3",
        "2/3",
    ]


def test_provisional_results_are_for_appraisers_and_administrators_only(world, district_2022):
    result(district_2022, make_unit("Vĩnh Sơn", parent=world.district), 6, 4, state=S.APPRAISED)
    assert len(build_ranking(world.district, 2022, world.leader).rows) == 4
    assert not build_ranking(world.district, 2022, world.leader).provisional
    for user in (world.appraiser, world.admin):
        ranking = build_ranking(world.district, 2022, user)
        assert len(ranking.rows) == 5 and ranking.provisional and ranking.show_self
    officer_page = client_for(world.officer_a).get(
        reverse("ranking"), {"unit": "19375", "year": "2022"}
    )
    assert [r.unit_code for r in officer_page.context["page"].object_list] == ["19375"]


def test_change_against_the_previous_year_across_a_merger(world):
    old = ten_point_set(world.district, 2024)
    result(old, world.commune_a, 6, 2)  # 80
    result(old, world.commune_b, 5, 4)  # 90
    for unit in (world.district,):
        unit.valid_to = datetime.date(2025, 6, 30)
        unit.save()
    merged = merge_units(
        ["19375", "19348"],
        new_code="45101",
        new_name="Vĩnh Linh",
        new_kind="xa",
        parent_code="45",
        effective=datetime.date(2025, 7, 1),
    )
    new = ten_point_set(world.province, 2025)
    result(new, merged, 6, 3)  # 90
    from cchc.models import Role
    from tests.factories import make_user

    province_leader = make_user("province_leader", Role.LEADER, world.province)
    assert (
        build_ranking(world.province, 2025, world.leader).rows == []
    )  # the district's leader does not see it
    row = build_ranking(world.province, 2025, province_leader).rows[0]
    assert row.previous is not None
    assert row.previous.index == D(85)
    assert sorted(row.previous.via_predecessors) == [
        ("Vĩnh Long", D("80.00")),
        ("Vĩnh Thái", D("90.00")),
    ]
    assert row.change == D(5)
    page = (
        client_for(world.admin)
        .get(reverse("ranking"), {"unit": "45", "year": "2025"})
        .content.decode()
    )
    assert "so với đơn vị tiền thân" in page


def test_the_xlsx_agrees_with_the_page_figure_for_figure(world, district_2022):
    client = client_for(world.leader)
    page = client.get(reverse("ranking"), {"unit": "464", "year": "2022"})
    shown = [
        (str(r.rank), r.unit_code, float(r.score), float(r.index), r.classification)
        for r in page.context["page"].object_list
    ]
    response = client.get(reverse("ranking"), {"unit": "464", "year": "2022", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][:7] == (
        "Hạng",
        "Mã đơn vị",
        "Đơn vị",
        "Điểm",
        "Điểm tối đa",
        "Chỉ số (%)",
        "Xếp loại",
    )
    assert [(r[0], r[1], r[3], r[5], r[6]) for r in rows[3:]] == shown
    assert isinstance(rows[3][3], float)


def test_the_pdf_contains_every_unit_score_and_rank_in_vietnamese(world, district_2022):
    form = DecisionForm(
        {
            "number": "4867/QĐ-UBND",
            "date": "2022-12-29",
            "place": "Vĩnh Linh",
            "issuing_body": "ỦY BAN NHÂN DÂN HUYỆN VĨNH LINH",
            "signing_capacity": "TM. ỦY BAN NHÂN DÂN",
            "signer_title": "CHỦ TỊCH",
            "signer_name": "Trần Văn Bình",
            "legal_bases": "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
            "proposal": "Theo đề nghị của Trưởng phòng Nội vụ.",
            "recipients": "Như Điều 3;\nLưu: VT.",
        },
        criteria_set=district_2022,
    )
    assert form.is_valid(), form.errors
    decision = form.save(commit=False)
    decision.criteria_set = district_2022
    decision.save()
    ranking = build_ranking(world.district, 2022, world.leader)
    text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(decision_pdf(ranking))).pages
    )
    for expected in (
        "QUYẾT ĐỊNH",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Số: 4867/QĐ-UBND",
        "Vĩnh Linh, ngày 29 tháng 12 năm 2022",
        "Căn cứ Luật Tổ chức chính quyền địa phương",
        "Nơi nhận",
        "Trần Văn Bình",
        "PHỤ LỤC",
    ):
        assert expected in text, expected
    for row in ranking.rows:
        assert (
            f"{row.unit_label}" in text
            and f"{row.score:.2f}".replace(".", ",") in text
            and str(row.rank) in text
        )


def test_the_command_writes_the_json_of_the_page(world, district_2022, tmp_path):
    out = tmp_path / "ranking.json"
    call_command("ranking", "--parent=464", "--year=2022", "--format=json", f"--output={out}")
    rows = json.loads(out.read_text())
    assert rows[0] == {
        "unit_code": "19348",
        "unit_name": "Vĩnh Thái",
        "score": 9.5,
        "max_score": 10.0,
        "index_percent": 95.0,
        "rank": 1,
        "rank_of": 4,
        "classification": "Tốt",
        "fields": {"1": 6.0, "2": 3.5},
    }
    xlsx, pdf = tmp_path / "r.xlsx", tmp_path / "r.pdf"
    call_command("ranking", "--parent=464", "--year=2022", "--format=xlsx", f"--output={xlsx}")
    call_command("ranking", "--parent=464", "--year=2022", "--format=pdf", f"--output={pdf}")
    assert load_workbook(xlsx).active.cell(4, 2).value == "19348"
    assert pdf.read_bytes().startswith(b"%PDF")


def test_publication_needs_every_unit_approved_and_records_the_decision(world, district_2022):
    from scoring.models import Assessment

    Assessment.objects.filter(criteria_set=district_2022).update(state=S.APPROVED)
    first = Assessment.objects.filter(criteria_set=district_2022).first()
    assert first is not None
    Assessment.objects.filter(pk=first.pk).update(state=S.APPRAISED)
    data = {
        "number": "1/QĐ-UBND",
        "date": "2023-01-05",
        "place": "Vĩnh Linh",
        "issuing_body": "UBND",
        "signing_capacity": "TM",
        "signer_title": "CHỦ TỊCH",
        "signer_name": "A",
        "legal_bases": "Căn cứ X;",
        "proposal": "",
        "recipients": "Lưu",
    }
    form = DecisionForm(data, criteria_set=district_2022)
    assert form.is_valid()
    with pytest.raises(ValidationError):
        publish_set(district_2022, form, world.admin)
    assert not Decision.objects.exists()
    Assessment.objects.filter(pk=first.pk).update(state=S.APPROVED)
    response = client_for(world.admin).post(
        reverse("publish_results", args=[district_2022.pk]), data
    )
    assert response.status_code == 302
    assert set(
        Assessment.objects.filter(criteria_set=district_2022).values_list("state", flat=True)
    ) == {S.PUBLISHED}
    assert Decision.objects.get().number == "1/QĐ-UBND"
    assert (
        client_for(world.leader)
        .get(reverse("publish_results", args=[district_2022.pk]))
        .status_code
        == 403
    )


def test_scorecard_shows_fields_against_peers_and_where_the_points_are(world, district_2022):
    from scoring.models import Assessment

    assessment = Assessment.objects.get(unit=world.commune_a, criteria_set=district_2022)
    response = client_for(world.officer_a).get(reverse("scorecard", args=[assessment.pk]))
    card = response.context["card"]
    assert str(card.rank) == "2/4" and card.index == D("82.50")
    assert [(f.code, f.index, f.peer_average) for f in card.fields] == [
        ("1", D("91.67"), D("85.42")),
        ("2", D("68.75"), D("78.13")),
    ]
    assert [(o.code, o.lost) for o in card.opportunities] == [("2.1", D("1.25")), ("1.1", D("0.5"))]
    assert (
        client_for(world.officer_b).get(reverse("scorecard", args=[assessment.pk])).status_code
        == 404
    )
    pdf = client_for(world.officer_a).get(
        reverse("scorecard", args=[assessment.pk]), {"format": "pdf"}
    )
    assert pdf.content.startswith(b"%PDF")


def test_ranking_page_for_3321_units_runs_a_bounded_number_of_queries(
    world, django_assert_max_num_queries
):
    from cchc.models import Unit, UnitKind
    from scoring.models import Assessment, AssessmentResult

    criteria_set = ten_point_set(world.province, 2024)
    Unit.objects.bulk_create(
        [
            Unit(
                code=f"C{n:05d}",
                name=f"Xã {n}",
                kind=UnitKind.COMMUNE,
                parent=world.province,
                valid_from=datetime.date(2020, 1, 1),
                path=f"{world.province.path}C{n:05d}/",
                depth=1,
            )
            for n in range(3321)
        ]
    )
    units = list(Unit.objects.filter(code__startswith="C"))
    Assessment.objects.bulk_create(
        [
            Assessment(
                unit=u,
                criteria_set=criteria_set,
                state=S.PUBLISHED,
                deadline=datetime.datetime(2024, 12, 31, tzinfo=datetime.UTC),
            )
            for u in units
        ]
    )
    AssessmentResult.objects.bulk_create(
        [
            AssessmentResult(
                assessment=a,
                total=D(n % 100) / 10,
                max_total=D(10),
                index=D(n % 100),
                classification="Khá",
                fields={"1": [str(D(n % 60) / 10), "6"], "2": ["4", "4"]},
                self_total=None,
            )
            for n, a in enumerate(Assessment.objects.filter(criteria_set=criteria_set))
        ]
    )
    client = client_for(world.admin)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("ranking"), {"unit": "45", "year": "2024"})
    assert len(response.context["ranking"].rows) == 3321
    assert len(response.context["page"].object_list) == 100
