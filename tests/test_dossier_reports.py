"""Dossier reports: roll-up over three levels and a reorganisation, published percentages,
the command, the page and its bounded queries, and an indicator feeding a criterion."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from cchc.models import Unit, UnitKind
from dossiers.models import DossierStatistics
from dossiers.periods import Period
from dossiers.reports import build_report, dossier_inputs_for
from scoring.engine import Band, CriteriaTree, Criterion, LeafInput, Method, MethodSpec, score_unit
from tests.conftest import client_for
from tests.dossier_factories import figures, merged_after_half_a_year
from tests.factories import make_unit

D = Decimal
P = Period.parse


def test_dan_phuong_q1_2023_comes_out_as_published(world):
    # Received 8,525; resolved 8,315: 5,138 on time, 3,076 early, 101 late; 2,351 online (level 3-4).
    figures(
        world.district,
        "2023-Q1",
        new_received=8525,
        resolved_on_time=5138,
        resolved_early=3076,
        resolved_late=101,
        pending_within=210,
        online_partial=2351,
    )
    report = build_report(world.district, P("2023-Q1"), P("2023-Q1"))
    row = report.total
    assert (row.received, row.resolved) == (8525, 8315)
    assert row.percentages["ty_le_dung_han"] == D("98.79")
    assert row.percentages["ty_le_qua_han"] == D("1.21")  # published, rounded, as 1,2%
    assert row.percentages["ty_le_truc_tuyen"] == D("27.58")


def test_nghe_an_first_half_2022_by_level_and_rolled_up_over_three_levels(db):
    province = make_unit("Nghệ An", kind=UnitKind.PROVINCE, code="40")
    district_a = make_unit("Huyện A", kind=UnitKind.DISTRICT, parent=province)
    district_b = make_unit("Huyện B", kind=UnitKind.DISTRICT, parent=province)
    commune_a = make_unit("Xã A", parent=district_a)
    commune_b = make_unit("Xã B", parent=district_b)
    figures(province, "2022-H1", resolved_on_time=82978, resolved_late=3566)
    figures(district_a, "2022-H1", resolved_on_time=46500, resolved_late=20000)
    figures(district_b, "2022-H1", resolved_late=13140)
    figures(commune_a, "2022-H1", resolved_on_time=97710)
    figures(commune_b, "2022-H1", resolved_late=14789)
    report = build_report(province, P("2022-H1"), P("2022-H1"))
    levels = {row.name: row for row in report.levels}
    assert levels["Cấp tỉnh"].percentages["ty_le_dung_han"] == D("95.88")  # published "96%"
    assert levels["Cấp tỉnh"].percentages["ty_le_qua_han"] == D(
        "4.12"
    )  # published, wrongly, as "0.4%"
    assert levels["Cấp huyện"].percentages["ty_le_dung_han"] == D("58.39")  # "58%"
    assert levels["Cấp xã"].percentages["ty_le_dung_han"] == D("86.85")  # "87%"
    assert report.total.resolved == 86544 + 79640 + 112499
    children = {row.code: row for row in report.children}
    assert children[district_a.code].resolved == 66500 + 97710  # the district and its commune
    assert children[district_b.code].resolved == 13140 + 14789


def test_a_merged_communes_year_includes_its_predecessors_months_before_the_merge(world):
    merged = merged_after_half_a_year(world)
    for month in range(7, 13):
        figures(merged, f"2025-{month:02d}", resolved_on_time=20)
    year = build_report(merged, P("2025"), P("2025"))
    assert year.total.resolved == 6 * 10 + 6 * 6 + 6 * 20
    assert year.total.includes_predecessors
    province = build_report(world.province, P("2025"), P("2025"))
    assert province.total.resolved == 6 * 10 + 6 * 6 + 6 * 20  # nothing counted twice
    merged_row = next(row for row in province.children if row.code == "45101")
    assert merged_row.resolved == 216


def test_finer_periods_are_used_where_a_unit_has_both(world):
    figures(world.commune_a, "2023-Q1", resolved_on_time=100)
    for month in (1, 2, 3):
        figures(world.commune_a, f"2023-{month:02d}", resolved_on_time=30)
    assert build_report(world.commune_a, P("2023-Q1"), P("2023-Q1")).total.resolved == 90


def test_an_indicator_feeds_a_proportional_criterion(world):
    figures(world.commune_a, "2022", resolved_on_time=80, resolved_late=20, electronic_results=16)
    inputs, counts = dossier_inputs_for(world.commune_a, 2022)
    assert (
        inputs["ket_qua_dien_tu"],
        inputs["da_giai_quyet"],
        inputs["ty_le_ket_qua_dien_tu"],
    ) == (D(16), D(100), D(16))
    assert counts["electronic_results"] == 16
    tree = CriteriaTree(
        [
            Criterion(
                "3.11.2",
                "Kết quả điện tử",
                D(1),
                MethodSpec(
                    Method.PROPORTIONAL, numerator="ket_qua_dien_tu", denominator="da_giai_quyet"
                ),
            )
        ]
    )
    result = score_unit(tree, {"3.11.2": LeafInput(numbers=inputs)})
    assert result.total == D("0.16")
    assert result.deductions[0].lost == D("0.84")  # as published for Vĩnh Long
    bands = (Band(D(98), D(4)), Band(D(80), D(2)))
    on_time = CriteriaTree(
        [
            Criterion(
                "3.2",
                "Đúng hạn",
                D(4),
                MethodSpec(Method.THRESHOLDS, value_input="ty_le_dung_han", bands=bands),
            )
        ]
    )
    assert inputs["ty_le_dung_han"] == D(80)
    assert score_unit(on_time, {"3.2": LeafInput(numbers=inputs)}).total == D(2)


def test_command_writes_json_and_xlsx(world, tmp_path):
    figures(world.commune_a, "2023-01", resolved_on_time=9, resolved_late=1, electronic_results=5)
    figures(world.commune_b, "2023-02", resolved_early=4)
    out = tmp_path / "report.json"
    call_command(
        "dossier_report",
        "--unit=464",
        "--from=2023-01",
        "--to=2023-Q1",
        "--format=json",
        f"--output={out}",
    )
    data = json.loads(out.read_text())
    rows = {row["unit_code"]: row for row in data["units"]}
    assert set(rows) == {"464", "19375", "19348"}
    assert data["total"]["resolved"] == 14 and (data["from"], data["to"]) == ("2023-01", "2023-Q1")
    assert [(level["level"], level["resolved"]) for level in data["levels"]] == [("Cấp xã", 14)]
    assert rows["464"]["resolved"] == 14 and rows["464"]["ty_le_dung_han"] == 92.86
    assert rows["19375"]["resolved_late"] == 1 and rows["19375"]["ty_le_ket_qua_dien_tu"] == 50.0
    xlsx = tmp_path / "report.xlsx"
    call_command(
        "dossier_report",
        "--unit=464",
        "--from=2023",
        "--to=2023",
        "--format=xlsx",
        f"--output={xlsx}",
    )
    from openpyxl import load_workbook

    sheet = load_workbook(xlsx).active
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert values[2][0] == "Mã đơn vị" and values[3][0] == "464" and values[3][2] == 14


def test_report_page_shows_the_rates_and_hides_other_units(world):
    figures(
        world.district,
        "2023-Q1",
        new_received=8525,
        resolved_on_time=5138,
        resolved_early=3076,
        resolved_late=101,
        pending_within=210,
    )
    page = client_for(world.leader).get(
        reverse("dossier_report"), {"unit": "464", "start": "2023-Q1", "end": "2023-Q1"}
    )
    assert page.status_code == 200
    assert "98,79%" in page.content.decode()
    other = client_for(world.officer_a).get(
        reverse("dossier_report"), {"unit": "464", "start": "2023", "end": "2023"}
    )
    assert other.status_code == 404


def test_report_xlsx_from_the_page(world):
    figures(world.commune_a, "2023-01", resolved_on_time=9)
    response = client_for(world.leader).get(
        reverse("dossier_report"), {"unit": "464", "start": "2023", "end": "2023", "format": "xlsx"}
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_report_page_for_a_province_of_3321_communes_runs_a_bounded_number_of_queries(
    world, django_assert_max_num_queries
):
    province = world.province
    start = Unit.objects.count()
    Unit.objects.create_in_tree(
        [
            Unit(
                code=f"C{n:05d}",
                name=f"Xã {n}",
                kind=UnitKind.COMMUNE,
                parent=province,
                valid_from=datetime.date(2020, 1, 1),
            )
            for n in range(3321)
        ]
    )
    communes = list(Unit.objects.filter(code__startswith="C").values_list("pk", flat=True))
    assert len(communes) == 3321 and Unit.objects.count() == start + 3321
    DossierStatistics.objects.bulk_create(
        [
            DossierStatistics(
                unit_id=pk,
                period_kind="month",
                year=2024,
                number=month,
                period_start=P(f"2024-{month:02d}").start,
                period_end=P(f"2024-{month:02d}").end,
                new_received=10,
                resolved_on_time=9,
                resolved_late=1,
            )
            for pk in communes
            for month in range(1, 13)
        ],
        batch_size=2000,
    )
    client = client_for(world.admin)
    with django_assert_max_num_queries(12):
        response = client.get(
            reverse("dossier_report"), {"unit": "45", "start": "2024", "end": "2024"}
        )
    report = response.context["report"]
    assert report.total.resolved == 3321 * 12 * 10
    assert len(report.children) == 3321


@pytest.mark.parametrize("who", ["officer_b", "leader"])
def test_figures_of_another_unit_are_404_and_history_is_shown_to_those_in_scope(world, who):
    statistics = figures(world.commune_a, "2023-01", resolved_on_time=9)
    user = getattr(world, who)
    response = client_for(user).get(reverse("figures_detail", args=[statistics.pk]))
    assert response.status_code == (404 if who == "officer_b" else 200)


def test_the_chart_starts_below_the_lowest_rate_so_differences_show(world):
    figures(world.commune_a, "2023", resolved_on_time=96, resolved_late=4)
    figures(world.commune_b, "2023", resolved_on_time=99, resolved_late=1)
    floor, bars = build_report(world.district, P("2023"), P("2023")).chart()
    assert floor == 90
    assert [(row.code, width) for row, width in bars] == [
        ("19348", D("90.0")),
        ("19375", D("60.0")),
    ]
