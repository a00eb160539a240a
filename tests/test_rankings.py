"""Rankings: figures and ties by hand, both rules, provisional results, change across a
merger, exports that agree with the page, the PDF decision, the command, publication."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from scoring.models import Decision
from scoring.models.assessments import AssessmentState as S
from scoring.publication.decisions import decision_pdf
from scoring.publication.rankings import NoRanking, RankingRequest, build_ranking, open_ranking
from tests.conftest import client_for
from tests.factories import make_unit
from tests.ranking_fixtures import merged_after_2024, publish, result, ten_point_set

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
    publish(criteria_set, world.admin)
    return criteria_set


def ranking_of(criteria_set, **options):
    return build_ranking(criteria_set, None, **options)


def test_ranking_and_ties_as_computed_by_hand(world, district_2022):
    ranking = ranking_of(district_2022)
    rows = [(r.unit_name, r.score, r.index, str(r.rank), r.classification) for r in ranking.rows]
    assert rows == [
        ("Vĩnh Thái", D("9.50"), D("95.00"), "1/4", "Tốt"),
        ("Vĩnh Hà", D("8.25"), D("82.50"), "2/4", "Khá"),  # ties: by name
        ("Vĩnh Long", D("8.25"), D("82.50"), "2/4", "Khá"),
        ("Vĩnh Khê", D("7.00"), D("70.00"), "4/4", "Trung bình"),
    ]
    long = next(r for r in ranking.rows if r.unit_name == "Vĩnh Long")
    assert (long.field_index("1"), long.field_index("2")) == (D("91.67"), D("68.75"))
    assert ranking.average_index == D("82.50")
    assert ranking.classification_counts == [("Tốt", 1), ("Khá", 2), ("Trung bình", 1)]


def test_a_decisions_rows_read_again_are_the_same_and_each_read_is_its_own(world, district_2022):
    from scoring.publication import rankings

    first = ranking_of(district_2022)
    decision = first.decision
    key = (decision.pk, decision.number, decision.published_at.isoformat())
    assert key in rankings._PUBLISHED_ROWS  # kept for the next reader
    first.rows[0].warnings = ["sửa trên bản đọc thứ nhất"]
    second = ranking_of(district_2022)
    assert [(r.unit_id, r.rank, r.score) for r in second.rows] == [
        (r.unit_id, r.rank, r.score) for r in first.rows
    ]
    assert second.rows[0].warnings == []  # what one reader attaches is not another's
    # A key reused with another publication (a restored database) is never read from memory.
    Decision.objects.filter(pk=decision.pk).update(number="9999/QĐ-UBND")
    decision.refresh_from_db()
    assert (decision.pk, decision.number, decision.published_at.isoformat()) not in (
        rankings._PUBLISHED_ROWS
    )


def test_dense_ranking_rule(world):
    criteria_set = ten_point_set(world.district, 2022, dense=True)
    result(criteria_set, world.commune_a, 6, 4)
    result(criteria_set, world.commune_b, 6, 4)
    result(criteria_set, make_unit("Vĩnh Hà", parent=world.district), 5, 4)
    publish(criteria_set, world.admin)
    assert [str(r.rank) for r in ranking_of(criteria_set).rows] == [
        "1/3",
        "1/3",
        "2/3",
    ]


def test_provisional_results_are_for_appraisers_and_administrators_only(world):
    criteria_set = ten_point_set(world.district, 2022)
    result(criteria_set, world.commune_a, 5, 3)
    result(criteria_set, world.commune_b, 6, 4, state=S.APPRAISED)
    result(criteria_set, make_unit("Vĩnh Sơn", parent=world.district), 1, 1, state=S.SUBMITTED)
    for user in (world.appraiser, world.admin):
        ranking, _choices = open_ranking(user, RankingRequest(year=2022))
        assert ranking is not None and ranking.provisional and ranking.show_self
        assert [str(r.rank) for r in ranking.rows] == ["1/2", "2/2"]  # all appraised units
        assert [a.unit.name for a in ranking.not_ranked] == ["Vĩnh Sơn"]
    for user in (world.leader, world.officer_a):
        assert open_ranking(user, RankingRequest(year=2022))[0] is None
        with pytest.raises(NoRanking):
            open_ranking(user, RankingRequest(year=2022, set_pk=criteria_set.pk))
    page = client_for(world.officer_a).get(reverse("ranking"), {"year": "2022"})
    assert page.status_code == 200 and page.context["ranking"] is None


def test_change_against_the_previous_year_across_a_merger(world):
    merged = merged_after_2024(world)
    new = ten_point_set(world.province, 2025)
    result(new, merged, 6, 3)  # 90
    publish(new, world.admin, "34/QĐ-UBND")
    from cchc.models import Role
    from tests.factories import make_user

    province_leader = make_user("province_leader", Role.LEADER, world.province)
    # the district's leader holds no role on a unit the 2025 decision covers
    assert open_ranking(world.leader, RankingRequest(year=2025))[0] is None
    ranking, _choices = open_ranking(province_leader, RankingRequest(year=2025))
    assert ranking is not None
    row = ranking.rows[0]
    assert row.previous is not None
    assert row.previous.index == D(85)
    assert sorted(row.previous.via_predecessors) == [
        ("Xã Vĩnh Long", D("80.00")),
        ("Xã Vĩnh Thái", D("90.00")),
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
    assert len(page.context["page"].object_list) == 4
    shown = [
        (str(r.rank), r.unit_code, float(r.score), float(r.index), r.classification)
        for r in page.context["page"].object_list
    ]
    response = client.get(reverse("ranking"), {"unit": "464", "year": "2022", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "4867/QĐ-UBND" in rows[0][0]
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
    ranking = ranking_of(district_2022)
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
        "của 4 đơn vị",
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
    data = json.loads(out.read_text())
    assert data["decision"] == {"number": "4867/QĐ-UBND", "date": "2022-12-29"}
    assert data["provisional"] is False
    rows = data["results"]
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
        "warnings": [],
    }
    xlsx, pdf = tmp_path / "r.xlsx", tmp_path / "r.pdf"
    call_command("ranking", "--parent=464", "--year=2022", "--format=xlsx", f"--output={xlsx}")
    call_command("ranking", "--parent=464", "--year=2022", "--format=pdf", f"--output={pdf}")
    assert load_workbook(xlsx).active.cell(4, 2).value == "19348"
    assert pdf.read_bytes().startswith(b"%PDF")


def test_the_publication_page_needs_every_unit_approved_and_records_the_decision(world):
    from scoring.models import Assessment

    criteria_set = ten_point_set(world.district, 2022)
    result(criteria_set, world.commune_a, 5, 3)
    waiting = result(criteria_set, world.commune_b, 6, 4, state=S.APPRAISED)
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
    url = reverse("publish_results", args=[criteria_set.pk])
    refused = client_for(world.admin).post(url, data)
    assert refused.status_code == 200 and "Vĩnh Thái" in refused.content.decode()
    assert not Decision.objects.exists()
    Assessment.objects.filter(pk=waiting.pk).update(state=S.APPROVED)
    response = client_for(world.admin).post(url, data)
    assert response.status_code == 302
    assert set(
        Assessment.objects.filter(criteria_set=criteria_set).values_list("state", flat=True)
    ) == {S.PUBLISHED}
    assert Decision.objects.get().number == "1/QĐ-UBND"
    for reader in (world.leader, world.appraiser, world.officer_a):
        assert client_for(reader).get(url).status_code == 403
        assert client_for(reader).post(url, {**data, "number": "2/QĐ"}).status_code == 403
    assert Decision.objects.count() == 1


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
    assert card.decision is not None and card.decision.number == "4867/QĐ-UBND"
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
    Unit.objects.create_in_tree(
        [
            Unit(
                code=f"C{n:05d}",
                name=f"Xã {n}",
                kind=UnitKind.COMMUNE,
                parent=world.province,
                valid_from=datetime.date(2020, 1, 1),
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
                state=S.APPROVED,
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
        response = client.get(reverse("ranking"), {"year": "2024"})
    assert len(response.context["ranking"].rows) == 3321
    assert response.context["ranking"].provisional
    assert len(response.context["page"].object_list) == 100


def test_a_published_decisions_pdf_is_made_once_and_answers_304_when_unchanged(
    world, district_2022
):
    from scoring.publication import decisions

    client = client_for(world.leader)
    url = reverse("ranking")
    params = {"year": 2022, "bo": district_2022.pk, "format": "pdf"}
    first = client.get(url, params)
    assert first.status_code == 200 and first.content.startswith(b"%PDF")
    tag = first["ETag"]
    made = []
    original = decisions.decision_pdf

    def counted(ranking):
        made.append(ranking)
        return original(ranking)

    decisions.decision_pdf = counted
    try:
        again = client.get(url, params)
        assert again.content == first.content and made == []  # read from the shared cache
        unchanged = client.get(url, params, HTTP_IF_NONE_MATCH=tag)
        assert unchanged.status_code == 304 and unchanged.content == b""
    finally:
        decisions.decision_pdf = original
    # The provisional table is made each time and carries no tag.
    provisional = client_for(world.admin).get(url, {**params, "tam_thoi": "1"})
    assert provisional.status_code == 200 and "ETag" not in provisional
