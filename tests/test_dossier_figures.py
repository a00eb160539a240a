"""Dossier figures: periods, the rules between counts (form, import, database), import and history."""

from __future__ import annotations

import datetime
import io

import pytest
from django.db import IntegrityError, transaction

from cchc.spreadsheets import ImportRefused, read_table
from dossiers.figures import rule_violations
from dossiers.imports import COLUMNS, import_dossiers
from dossiers.models import DossierChange, DossierStatistics
from dossiers.periods import Period, PeriodKind
from tests.dossier_factories import figures
from tests.factories import make_user
from tests.spreadsheet_files import csv_bytes, xlsx_bytes

HEADER = [*COLUMNS, "Đã giải quyết"]


def row(
    unit="19375",
    period="2023-Q1",
    new=100,
    carried=0,
    full=10,
    partial=5,
    postal=1,
    early=30,
    on_time=60,
    late=5,
    pending=5,
    overdue=0,
    returned=0,
    paid=3,
    electronic=40,
    digitised=50,
    resolved="",
):
    return [
        unit,
        period,
        new,
        carried,
        full,
        partial,
        postal,
        early,
        on_time,
        late,
        pending,
        overdue,
        returned,
        paid,
        electronic,
        digitised,
        resolved,
    ]


def table(rows, name="figures.csv"):
    data = xlsx_bytes([HEADER, *rows]) if name.endswith(".xlsx") else csv_bytes([HEADER, *rows])
    return read_table(io.BytesIO(data), name)


@pytest.fixture
def superuser(db):
    return make_user("root", is_superuser=True)


def errors_of(rows, user):
    with pytest.raises(ImportRefused) as refused:
        import_dossiers(table(rows), user)
    assert not DossierStatistics.objects.exists()
    return [str(error) for error in refused.value.errors]


@pytest.mark.parametrize(
    ("text", "kind", "start", "end"),
    [
        ("2023", PeriodKind.YEAR, datetime.date(2023, 1, 1), datetime.date(2023, 12, 31)),
        ("2023-H2", PeriodKind.HALF, datetime.date(2023, 7, 1), datetime.date(2023, 12, 31)),
        ("2023-Q1", PeriodKind.QUARTER, datetime.date(2023, 1, 1), datetime.date(2023, 3, 31)),
        ("2024-02", PeriodKind.MONTH, datetime.date(2024, 2, 1), datetime.date(2024, 2, 29)),
    ],
)
def test_periods_parse_and_span_their_months(text, kind, start, end):
    period = Period.parse(text)
    assert (period.kind, period.start, period.end, str(period)) == (kind, start, end, text)


@pytest.mark.parametrize("text", ["2023-Q5", "2023-13", "23-Q1", "Q1/2023", "2023-H3", ""])
def test_bad_periods_are_refused(text):
    with pytest.raises(ValueError):
        Period.parse(text)


def test_vietnamese_period_labels():
    assert Period.parse("2023-Q1").label_vi() == "Quý 1/2023"
    assert Period.parse("2022-H1").label_vi() == "6 tháng đầu năm 2022"


def test_a_good_file_is_imported_and_a_second_import_updates_with_history(world, superuser):
    for name in ("figures.csv", "figures.xlsx"):
        DossierStatistics.objects.all().delete()
        summary = import_dossiers(
            table([row(), row(unit="19348", period="2023-03")], name), superuser
        )
        assert (summary.created, summary.updated) == (2, 0)
    statistics = DossierStatistics.objects.get(unit=world.commune_a)
    assert (statistics.period_start, statistics.period_end, statistics.version) == (
        datetime.date(2023, 1, 1),
        datetime.date(2023, 3, 31),
        1,
    )
    summary = import_dossiers(
        table([row(late=4, pending=6), row(unit="19348", period="2023-03")]), superuser
    )
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 1)
    statistics.refresh_from_db()
    assert (statistics.resolved_late, statistics.pending_within, statistics.version) == (4, 6, 2)
    change = statistics.changes.first()
    assert change is not None
    assert change.changed_by == superuser and change.source == DossierChange.Source.IMPORT
    assert change.before["resolved_late"] == 5 and change.after["resolved_late"] == 4


def test_the_bach_quang_row_is_rejected_for_exactly_its_inconsistency(world, superuser):
    # 445 in the period (444 new + 1 carried over); resolved 396, "of which 431 early or on time"; 14 in progress.
    bach_quang = row(
        new=444,
        carried=1,
        full=0,
        partial=1,
        postal=0,
        early=0,
        on_time=431,
        late=0,
        pending=14,
        paid=0,
        electronic=0,
        digitised=0,
        resolved=396,
    )
    errors = errors_of([bach_quang], superuser)
    assert errors == [
        "Dòng 2 (đơn vị 19375), cột Giải quyết trước hạn: số giải quyết trước hạn và đúng hạn (431) lớn hơn số đã giải quyết (396)"
    ]


@pytest.mark.parametrize(
    ("changes", "column", "rule"),
    [
        ({"late": -1}, "Giải quyết quá hạn", "số lượng không được âm"),
        ({"early": "ba"}, "Giải quyết trước hạn", "không phải là số nguyên"),
        (
            {"full": 90, "partial": 20},
            "Trực tuyến toàn trình",
            "trực tuyến toàn trình và một phần (110) lớn hơn số tiếp nhận (100)",
        ),
        (
            {"postal": 101},
            "Bưu chính công ích",
            "qua bưu chính công ích (101) lớn hơn số tiếp nhận (100)",
        ),
        (
            {"paid": 101},
            "Thanh toán trực tuyến",
            "thanh toán trực tuyến (101) lớn hơn số tiếp nhận (100)",
        ),
        ({"digitised": 150}, "Số hóa", "được số hóa (150) lớn hơn số tiếp nhận (100)"),
        (
            {"electronic": 96},
            "Kết quả điện tử",
            "có kết quả điện tử (96) lớn hơn số đã giải quyết (95)",
        ),
        (
            {"pending": 9},
            "Đang giải quyết trong hạn",
            "đã giải quyết + đang giải quyết + trả lại (104) phải bằng số tiếp nhận (100)",
        ),
        (
            {"resolved": 94},
            "Đã giải quyết",
            "số đã giải quyết (94) khác tổng trước hạn + đúng hạn + quá hạn (95)",
        ),
        ({"period": "2023-Q7"}, "Kỳ", "không phải là kỳ báo cáo"),
        ({"period": "2025-Q3"}, "Kỳ", "nằm ngoài thời gian hiệu lực của đơn vị"),
        ({"unit": "99999"}, "Mã đơn vị", "không có đơn vị mã 99999"),
    ],
)
def test_each_broken_rule_has_its_own_message(world, superuser, changes, column, rule):
    world.commune_a.valid_to = datetime.date(2025, 6, 30)
    world.commune_a.save()
    errors = errors_of([row(**changes)], superuser)
    assert len(errors) == 1, errors
    assert (
        errors[0].startswith("Dòng 2 (đơn vị ")
        and f"cột {column}: " in errors[0]
        and rule in errors[0]
    ), errors


def test_every_bad_row_is_listed_and_a_repeated_period_is_caught(world, superuser):
    errors = errors_of([row(), row(late=-1), row(unit="19348", postal=500), row()], superuser)
    assert [error.split(":")[0] for error in errors] == [
        "Dòng 3 (đơn vị 19375), cột Kỳ",
        "Dòng 3 (đơn vị 19375), cột Giải quyết quá hạn",
        "Dòng 4 (đơn vị 19348), cột Bưu chính công ích",
        "Dòng 5 (đơn vị 19375), cột Kỳ",
    ]


def test_an_officer_may_import_only_own_unit(world):
    errors = errors_of([row(), row(unit="19348")], world.officer_a)
    assert errors == [
        "Dòng 3 (đơn vị 19348), cột Mã đơn vị: bạn không được nhập số liệu cho đơn vị này"
    ]


def test_the_rules_hold_in_the_database_too(world):
    good = figures(world.commune_a, "2023-01", resolved_on_time=10)
    for field, value in [
        ("resolved_late", 5),
        ("postal", 11),
        ("electronic_results", 11),
        ("digitised", 11),
    ]:
        setattr(good, field, value)
        with pytest.raises(IntegrityError), transaction.atomic():
            good.save()
        good.refresh_from_db()
    with pytest.raises(IntegrityError), transaction.atomic():
        figures(world.commune_a, "2023-01", resolved_on_time=1)  # entered twice


def test_rule_violations_is_empty_for_consistent_figures():
    counts = dict(
        new_received=8525,
        carried_over=0,
        online_full=1000,
        online_partial=1351,
        postal=0,
        resolved_early=3076,
        resolved_on_time=5138,
        resolved_late=101,
        pending_within=210,
        pending_overdue=0,
        returned=0,
        paid_online=0,
        electronic_results=0,
        digitised=0,
    )
    assert rule_violations(counts) == []
    assert rule_violations(counts, stated_resolved=8315) == []
