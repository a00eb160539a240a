"""The service index (Quyết định 766/QĐ-TTg) from dossier records: its table as data, the
points of each indicator, versions, the page with its files and the command, the units
below ranked, the portal's published figure and the index as a criteria input."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from dossiers.models import PortalFigure, ServiceIndexIndicator, ServiceIndexVersion
from dossiers.periods import Period
from dossiers.reports import dossier_inputs_for
from dossiers.service_index import (
    GROUPS,
    ensure_default_table,
    index_report,
    score_indicators,
    unit_index,
)
from tests.conftest import client_for
from tests.factories import make_unit
from tests.record_files import import_rows, record

D = datetime.date


def two_indicator_version() -> ServiceIndexVersion:
    version = ServiceIndexVersion.objects.create(name="Thử", valid_from=D(2030, 1, 1))
    for code, numerator, denominator in [
        ("A", "online", "new_received"),
        ("B", "satisfied", "rated"),
    ]:
        ServiceIndexIndicator.objects.create(
            version=version,
            group_code="1",
            group_name="Nhóm thử",
            code=code,
            name=code,
            numerator=numerator,
            denominator=denominator,
            points=Decimal(10),
            threshold=Decimal(80),
        )
    return version


def test_points_are_full_at_the_threshold_in_proportion_below_and_none_without_a_denominator(db):
    version = two_indicator_version()
    index = score_indicators(
        version, {"online": 40, "new_received": 100, "satisfied": 9, "rated": 10}
    )
    a, b = index.groups[0].indicators
    assert (a.ratio, a.points) == (Decimal("40.00"), Decimal("5.00"))  # 40% of 80%: half
    assert (b.ratio, b.points) == (Decimal("90.00"), Decimal("10.00"))  # above: full
    assert index.score == Decimal("75.00")
    nothing_rated = score_indicators(version, {"online": 40, "new_received": 100})
    assert not nothing_rated.groups[0].indicators[1].applicable
    assert nothing_rated.applicable_points == 10 and nothing_rated.score == Decimal("50.00")
    assert score_indicators(version, {}).score is None


def test_the_default_table_has_the_decisions_five_groups_and_100_points(db):
    ensure_default_table()
    version = ServiceIndexVersion.objects.get()
    totals: dict[str, Decimal] = {}
    for indicator in version.indicators.all():
        indicator.full_clean()  # every count it names exists
        totals[indicator.group_code] = (
            totals.get(indicator.group_code, Decimal(0)) + indicator.points
        )
    assert totals == {code: points for code, (_name, points) in GROUPS.items()}
    assert sum(totals.values()) == 100


RECORDS = [
    record(
        "I1",
        channel="Trực tuyến toàn trình",
        paid_online="có",
        digitised="có",
        electronic_result="có",
        rating="5",
        returned_at="07/03/2024 15:00",
    ),
    record("I2", channel="Trực tuyến một phần", digitised="có", rating="2"),
    record("I3", closed_at="12/03/2024 10:00"),  # late
    record(
        "I4",
        unit="19348",
        channel="Trực tuyến toàn trình",
        rating="4",
        digitised="có",
        electronic_result="có",
    ),
]


def test_the_index_of_a_unit_from_its_records_and_a_changed_threshold_changes_it(world):
    import_rows(RECORDS)
    march = (D(2024, 3, 1), D(2024, 3, 31))
    index = unit_index(world.commune_a, *march)
    assert index is not None
    by_code = {i.code: i for group in index.groups for i in group.indicators}
    assert (by_code["2.1"].numerator_count, by_code["2.1"].denominator_count) == (2, 3)
    assert by_code["2.1"].points == Decimal("8.00")  # 66.67% of 100%: 2/3 of 12 points
    assert by_code["4.2"].ratio == Decimal("33.33") and by_code["4.2"].points == Decimal("5.33")
    assert not by_code["2.2"].applicable  # nothing in progress at the end of March
    before = index.score
    indicator = ServiceIndexIndicator.objects.get(code="4.2")
    indicator.threshold = Decimal(100)
    indicator.save()
    after = unit_index(world.commune_a, *march)
    assert after is not None and after.score is not None and before is not None
    changed = {i.code: i for group in after.groups for i in group.indicators}["4.2"]
    assert changed.points == Decimal("2.67") and after.score < before


def test_a_new_version_applies_from_its_day(world):
    import_rows(RECORDS)
    ensure_default_table()
    newer = two_indicator_version()
    newer.valid_from = D(2024, 3, 1)
    newer.save()
    assert unit_index(world.commune_a, D(2024, 3, 1), D(2024, 3, 31)).version == newer  # type: ignore[union-attr]
    assert unit_index(world.commune_a, D(2024, 2, 1), D(2024, 2, 29)).version != newer  # type: ignore[union-attr]


def test_the_page_its_files_and_the_command_show_the_same_index(world, tmp_path):
    import_rows(RECORDS)
    client = client_for(world.leader)
    query = {"unit": "Vĩnh Linh", "unit_1": world.district.pk, "start": "2024-03", "end": "2024-03"}
    page = client.get(reverse("service_index"), query)
    text = page.content.decode()
    report = index_report(world.district, Period.parse("2024-03"), Period.parse("2024-03"))
    assert report.index.score is not None
    assert page.status_code == 200 and f"{report.index.score:.2f}".replace(".", ",") in text
    assert [child.code for child, _index in report.children] == ["19348", "19375"]  # ranked
    data = client.get(reverse("service_index"), {**query, "format": "json"}).json()
    assert data["score"] == float(report.index.score) and data["units"][0]["unit_code"] == "19348"
    out = tmp_path / "chi-so.json"
    call_command("service_index", "--unit", "464", "--from", "2024-03", "--output", str(out))
    assert json.loads(out.read_text(encoding="utf-8")) == data
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("service_index"), {**query, "format": "xlsx"}).content)
    )
    assert workbook.active["B2"].value == float(report.index.score)  # type: ignore[index]
    assert workbook["Đơn vị"]["B2"].value == "19348"
    call_command(
        "service_index",
        "--unit",
        "464",
        "--from",
        "2024-03",
        "--format",
        "xlsx",
        "--output",
        str(tmp_path / "x.xlsx"),
    )
    assert load_workbook(tmp_path / "x.xlsx").active["B2"].value == float(report.index.score)  # type: ignore[index]


def test_the_portals_figure_is_entered_and_its_difference_shown(world):
    import_rows(RECORDS)
    officer = client_for(world.officer_a)
    saved = officer.post(
        reverse("portal_figure_save", args=[world.commune_a.pk]),
        {"period": "2024-03", "score": "70,5"},
    )
    assert saved.status_code == 302
    assert PortalFigure.objects.get().score == Decimal("70.5")
    ours = unit_index(world.commune_a, D(2024, 3, 1), D(2024, 3, 31))
    assert ours is not None and ours.score is not None
    page = officer.get(
        reverse("service_index"),
        {"unit": "x", "unit_1": world.commune_a.pk, "start": "2024-03", "end": "2024-03"},
    )
    difference = f"{ours.score - Decimal('70.5'):.2f}".replace(".", ",")
    assert "70,50" in page.content.decode() and difference in page.content.decode()
    assert (
        client_for(world.leader)
        .post(
            reverse("portal_figure_save", args=[world.commune_a.pk]),
            {"period": "2024-03", "score": "1"},
        )
        .status_code
        == 403
    )
    assert (
        client_for(world.officer_b)
        .post(
            reverse("portal_figure_save", args=[world.commune_a.pk]),
            {"period": "2024-03", "score": "1"},
        )
        .status_code
        == 404
    )


def test_the_page_runs_the_same_queries_however_many_units_are_below(world):
    client = client_for(world.leader)
    query = {"unit": "Vĩnh Linh", "unit_1": world.district.pk, "start": "2024-03", "end": "2024-03"}
    import_rows(RECORDS)
    ensure_default_table()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("service_index"), query).status_code == 200
        return len(captured)

    few = queries()
    rows = []
    for number in range(12):
        commune = make_unit(f"Xã thử {number}", parent=world.district, code=f"2{number:04d}")
        rows.append(record(f"N{number}", unit=commune.code))
    import_rows(rows)
    assert queries() == few


def test_the_index_is_a_criteria_input_of_a_unit_with_records(world):
    import_rows(RECORDS)
    values, _counts = dossier_inputs_for(world.commune_a, 2024)
    expected = unit_index(world.commune_a, D(2024, 1, 1), D(2024, 12, 31))
    assert expected is not None
    assert values["chi_so_phuc_vu"] == expected.score
    assert values["chi_so_phuc_vu_nhom_2"] == expected.groups[1].points
    assert "chi_so_phuc_vu" not in dossier_inputs_for(world.other_commune, 2024)[0]


def test_the_table_page_lists_the_versions(world):
    page = client_for(world.officer_a).get(reverse("service_index_table"))
    assert page.status_code == 200 and "Tỷ lệ hồ sơ trực tuyến toàn trình" in page.content.decode()
