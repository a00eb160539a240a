"""Dossier records: the import (layout, mappings, every bad row, all or nothing, re-import
with history), the counts of a period from records, the drill-down to the dossiers behind a
count, a unit's figures from one source only, and the Đan Phượng quarter reproduced."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cchc.models import Job, Role, UnitKind
from cchc.spreadsheets import ImportRefused, read_table
from dossiers.deadlines import WorkCalendar
from dossiers.figures import COUNT_NAMES, rule_violations
from dossiers.imports import import_dossiers
from dossiers.models import (
    CalendarDay,
    DossierRecord,
    DossierRecordChange,
    DossierStatistics,
    RecordedUnit,
    RecordMapping,
)
from dossiers.periods import Period
from dossiers.record_counts import record_counts, records_behind, statistics_counts
from dossiers.reports import build_report
from tests.conftest import client_for
from tests.dossier_factories import figures
from tests.factories import make_unit, make_user
from tests.record_files import HEADERS, import_rows, record, records_file
from tests.spreadsheet_files import csv_bytes
from tests.test_dossier_figures import HEADER, row

D = datetime.date


def test_a_good_file_imports_every_dossier_with_its_due_day_and_outcome(world):
    summary = import_rows(
        [
            record("A1"),  # 3 days from Tue 5/3/2024: due Fri 8/3; finished 7/3
            record("A2", closed_at="12/03/2024 16:00"),
            record(
                "A3",
                channel="Trực tuyến toàn trình",
                paid_online="Có",
                digitised="x",
                electronic_result="1",
                rating="Rất hài lòng",
                returned_at="08/03/2024 09:00",
            ),
            record("A4", state="Đang giải quyết", closed_at=""),
        ],
        name="ho-so.xlsx",
    )
    assert (summary.created, summary.updated, summary.unchanged) == (4, 0, 0)
    one, late, online, open_ = (DossierRecord.objects.get(code=c) for c in ["A1", "A2", "A3", "A4"])
    assert (one.due_on, one.outcome, one.received_on) == (D(2024, 3, 8), "early", D(2024, 3, 5))
    assert (late.outcome, late.overrun_days) == ("late", 2)
    assert online.channel == "online_full" and online.paid_online and online.rating == 5
    assert timezone.localtime(online.received_at).hour == 8  # Vietnam's time, stored as such
    assert open_.state == "in_progress" and open_.outcome == "" and open_.closed_on is None
    recorded = RecordedUnit.objects.get(unit=world.commune_a)
    assert (recorded.since, recorded.records) == (D(2024, 3, 1), 4)


def test_every_bad_row_is_listed_and_nothing_is_written(world):
    with pytest.raises(ImportRefused) as refused:
        import_rows(
            [
                record("B1"),
                record("B2", unit="99999"),
                record("B3", state="Đã xong rồi"),
                record("B4", closed_at="01/03/2024 10:00"),
                record("B5", state="Đang giải quyết"),
                record("B6", legal_days="", due_at=""),
                record("B7", received_at="31/02/2024"),
                record("B1"),
                record("B9", paid_online="có lẽ"),
                record("B10", pauses="hôm qua"),
                record(
                    "B11",
                    supplement_count=1,
                    pauses="05/03/2024 - 06/03/2024; 06/03/2024 - 07/03/2024",
                ),
                record("B12", received_at="05/03/2019 08:00"),  # 19375 began on 01/01/2020
            ]
        )
    by_row = {error.row: str(error) for error in refused.value.errors}
    assert sorted(by_row) == list(range(3, 14)), by_row
    assert "không có đơn vị mã 99999" in by_row[3]
    assert "“đã xong rồi” không thuộc" in by_row[4]
    assert "kết thúc trước khi tiếp nhận" in by_row[5]
    assert "đang giải quyết không có ngày có kết quả" in by_row[6]
    assert "ngày hẹn trả hoặc thời hạn" in by_row[7]
    assert "không phải là ngày" in by_row[8]
    assert "hồ sơ B1 đã có ở dòng 2" in by_row[9]
    assert "“có lẽ” không phải là có hoặc không" in by_row[10]
    assert "danh sách thời gian tạm dừng" in by_row[11]
    assert "ít hơn số lần tạm dừng" in by_row[12]
    assert "không có đơn vị nào mang mã 19375 vào ngày 05/03/2019" in by_row[13]
    assert not DossierRecord.objects.exists() and not RecordedUnit.objects.exists()


def test_a_missing_required_column_is_named(db):
    source, _name = records_file([record("C1")])
    text = source.getvalue().decode("utf-8-sig").replace("Trạng thái", "Tình trạng")
    from dossiers.record_imports import import_records
    from tests.record_files import SUPERUSER

    with pytest.raises(ImportRefused) as refused:
        import_records(io.BytesIO(text.encode()), "a.csv", SUPERUSER)
    assert "Trạng thái" in str(refused.value.errors[0]) and refused.value.errors[0].row == 1


def test_reimporting_updates_without_duplicating_and_keeps_the_history(world):
    import_rows([record("R1"), record("R2")])
    again = import_rows([record("R1"), record("R2", closed_at="12/03/2024 16:00"), record("R3")])
    assert (again.created, again.updated, again.unchanged) == (1, 1, 1)
    assert DossierRecord.objects.count() == 3
    changed = DossierRecord.objects.get(code="R2")
    assert changed.outcome == "late"
    change = DossierRecordChange.objects.get(record=changed)
    assert set(change.after) == {"closed_at"} and change.before["closed_at"].startswith(
        "2024-03-07T10:00"
    )
    assert RecordedUnit.objects.get(unit=world.commune_a).records == 3


def test_a_saved_mapping_reads_another_systems_headers_and_words(world):
    RecordMapping.objects.create(
        name="mot-cua-tinh",
        description="Một cửa điện tử tỉnh",
        columns={
            "code": "So ho so",
            "unit": "Ma co quan",
            "received_at": "Ngay nhan",
            "legal_days": "So ngay",
            "closed_at": "Ngay xong",
            "state": "Tinh trang",
            "channel": "Kenh",
        },
        values={
            "state": {"XONG": "done", "DANG XU LY": "in_progress"},
            "channel": {"DVC4": "online_full"},
        },
    )
    rows = [
        ["So ho so", "Ma co quan", "Ngay nhan", "So ngay", "Ngay xong", "Tinh trang", "Kenh"],
        ["M1", "19375", "2024-03-05 08:00", "3", "2024-03-07 09:00", "xong", "dvc4"],
        ["M2", "19375", "05/03/2024 08:00", "3", "", "Dang xu ly", ""],
    ]
    from dossiers.record_imports import import_records
    from tests.record_files import SUPERUSER
    from tests.spreadsheet_files import csv_bytes

    summary = import_records(io.BytesIO(csv_bytes(rows)), "x.csv", SUPERUSER, "mot-cua-tinh")
    assert summary.created == 2
    first = DossierRecord.objects.get(code="M1")
    assert (first.channel, first.state, first.outcome) == ("online_full", "done", "early")
    with pytest.raises(ImportRefused) as unknown:
        import_records(io.BytesIO(csv_bytes(rows)), "x.csv", SUPERUSER, "khong-co")
    assert "mot-cua-tinh" in str(unknown.value.errors[0])


def test_an_officer_imports_only_the_own_units_dossiers(world):
    with pytest.raises(ImportRefused) as refused:
        import_rows([record("O1"), record("O2", unit="19348")], user=world.officer_a)
    assert [error.row for error in refused.value.errors] == [3]
    assert "không được nhập hồ sơ của đơn vị này" in str(refused.value.errors[0])


def test_entered_figures_and_records_never_cover_the_same_days(world):
    figures(world.commune_a, "2024-02", resolved_on_time=5)
    figures(world.commune_a, "2024-03", resolved_on_time=5)
    figures(world.commune_a, "2023", resolved_on_time=9)
    with pytest.raises(ImportRefused) as refused:
        import_rows([record("E1")])
    message = str(refused.value.errors[0])
    assert "2024-03" in message and "2024-02" not in message and "01/03/2024" in message
    summary = import_rows([record("E1")], replace_entered=True)
    assert summary.replaced_statistics == ["19375 2024-03"]
    assert set(DossierStatistics.objects.values_list("number", flat=True)) == {2, 0}

    # Entering totals for a month the records cover is refused; a month after them is not.
    def entry(period: str):
        counts = dict.fromkeys(COUNT_NAMES, 0)
        counts.update(new_received=1, resolved_on_time=1)
        return client_for(world.officer_a).post(
            reverse("figures_entry"), {"unit_1": world.commune_a.pk, "period": period, **counts}
        )

    refused_entry = entry("2024-03")
    assert refused_entry.status_code == 200
    assert "từ 01/03/2024 đến 31/03/2024 được đếm từ hồ sơ" in refused_entry.content.decode()
    assert entry("2024-04").status_code == 302
    # In a file too.
    with pytest.raises(ImportRefused) as in_file:
        import_dossiers(
            read_table(io.BytesIO(csv_bytes([HEADER, row(period="2024-Q1")])), "a.csv"),
            world.admin,
        )
    assert "được đếm từ hồ sơ" in str(in_file.value.errors[0])
    # The report says where the figures come from: entered February and April, records March.
    report = build_report(world.commune_a, Period.parse("2024"), Period.parse("2024"))
    assert report.total.sources == {"records", "entered"}
    assert report.total.counts["resolved_on_time"] == 6
    assert report.total.counts["resolved_early"] == 1


# Counts from records ------------------------------------------------------------------------

SMALL = [
    record("S1", received_at="10/01/2024 08:00", legal_days=3, closed_at="12/01/2024 09:00"),
    record("S2", received_at="29/01/2024 08:00", legal_days=2, closed_at="02/02/2024 09:00"),
    record(
        "S3", received_at="26/02/2024 08:00", legal_days=5, closed_at="", state="Đang giải quyết"
    ),
    record("S4", received_at="28/12/2023 08:00", legal_days=5, closed_at="04/01/2024 09:00"),
    record("S5", received_at="05/03/2024 08:00", closed_at="06/03/2024 09:00", state="Rút hồ sơ"),
    record(
        "S6",
        received_at="11/03/2024 08:00",
        legal_days=1,
        closed_at="12/03/2024 15:00",
        channel="Trực tuyến toàn trình",
        paid_online="có",
        digitised="có",
        electronic_result="có",
    ),
    record(
        "S7", received_at="28/03/2024 08:00", legal_days=2, closed_at="", state="Đang giải quyết"
    ),
    record("S8", received_at="01/11/2023 08:00", closed_at="03/11/2023 09:00"),
]


def test_counts_from_records_equal_counts_made_by_hand(world):
    import_rows(SMALL)
    zero = dict.fromkeys(
        [
            "online_partial",
            "postal",
            "pending_within",
            "pending_overdue",
            "returned",
            "paid_online",
            "electronic_results",
            "digitised",
            "online_full",
            "resolved_on_time",
            "resolved_early",
            "resolved_late",
            "carried_over",
            "new_received",
        ],
        0,
    )
    quarter = statistics_counts(
        record_counts([world.commune_a.pk], D(2024, 1, 1), D(2024, 3, 31))[world.commune_a.pk]
    )
    assert quarter == {
        **zero,
        "new_received": 6,
        "carried_over": 1,
        "resolved_early": 2,
        "resolved_on_time": 1,
        "resolved_late": 1,
        "pending_within": 1,
        "pending_overdue": 1,
        "returned": 1,
        "online_full": 1,
        "paid_online": 1,
        "electronic_results": 1,
        "digitised": 1,
    }
    assert rule_violations(quarter) == []
    february = statistics_counts(
        record_counts([world.commune_a.pk], D(2024, 2, 1), D(2024, 2, 29))[world.commune_a.pk]
    )
    assert february == {
        **zero,
        "new_received": 1,
        "carried_over": 1,
        "resolved_late": 1,
        "pending_within": 1,
    }
    # The dossiers behind a count are exactly those it counts.
    behind = records_behind("pending_overdue", [world.commune_a.pk], D(2024, 1, 1), D(2024, 3, 31))
    assert list(behind.values_list("code", flat=True)) == ["S3"]
    # The report and the criteria read the same counts.
    report = build_report(world.district, Period.parse("2024-Q1"), Period.parse("2024-Q1"))
    assert report.total.counts == quarter and report.total.sources == {"records"}


def dan_phuong_rows() -> list[list[object]]:
    """Đan Phượng district, first quarter of 2023, as published: 8,525 received, 8,315
    resolved (3,076 early, 5,138 on time, 101 late), 210 in progress, 2,351 online."""
    calendar = WorkCalendar()
    days = [d for d in calendar.working_days if D(2023, 1, 3) <= d <= D(2023, 3, 15)]
    rows: list[list[object]] = []

    def add(kind: str, number: int) -> None:
        day = days[number % len(days)] if kind != "pending" else D(2023, 3, 29 + number % 3)
        common = {"unit": "273", "received_at": f"{day:%d/%m/%Y} 08:00"}
        if kind == "early":  # 5 days allowed, finished the next working day
            finished = calendar.add_working_days(day, 1)
            values = {"legal_days": 5, "closed_at": f"{finished:%d/%m/%Y} 16:00"}
        elif kind == "on_time":  # 3 days, finished on the due day
            finished = calendar.add_working_days(day, 3)
            values = {"legal_days": 3, "closed_at": f"{finished:%d/%m/%Y} 16:00"}
        elif kind == "late":  # 2 days, finished two working days after
            finished = calendar.add_working_days(day, 4)
            values = {"legal_days": 2, "closed_at": f"{finished:%d/%m/%Y} 16:00"}
        else:  # received at the end of March with 10 days: still within its time
            values = {"legal_days": 10, "closed_at": "", "state": "Đang giải quyết"}
        online = {"channel": "Trực tuyến một phần"} if len(rows) < 2351 else {}
        rows.append(record(f"DP-{len(rows):05d}", **common, **values, **online))

    for kind, count in [("early", 3076), ("on_time", 5138), ("late", 101), ("pending", 210)]:
        for number in range(count):
            add(kind, number)
    return rows


def test_the_dan_phuong_quarter_is_reproduced_from_its_dossiers(db):
    hanoi = make_unit("Hà Nội", kind=UnitKind.CENTRAL_CITY, code="01")
    district = make_unit("Đan Phượng", kind=UnitKind.DISTRICT, code="273", parent=hanoi)
    rows = dan_phuong_rows()
    assert len(rows) == 8525
    import_rows(rows)
    quarter = Period.parse("2023-Q1")
    report = build_report(hanoi, quarter, quarter)
    row = report.total
    assert (row.received, row.resolved) == (8525, 8315)
    counts = row.counts
    assert (counts["resolved_early"], counts["resolved_on_time"], counts["resolved_late"]) == (
        3076,
        5138,
        101,
    )
    assert counts["online_partial"] == 2351 and counts["pending_within"] == 210
    assert row.percentages["ty_le_dung_han"] == Decimal("98.79")
    assert row.percentages["ty_le_qua_han"] == Decimal("1.21")
    # The 101 late dossiers, each with its due and finishing day and the days it ran over.
    admin = make_user("hanoi_admin", Role.ADMINISTRATOR, hanoi)
    client = client_for(admin)
    page = client.get(
        reverse("record_list"),
        {"don_vi": str(district.pk), "tu": "2023-Q1", "den": "2023-Q1", "dem": "resolved_late"},
    )
    text = page.content.decode()
    assert page.status_code == 200 and "101 hồ sơ" in text
    export = client.get(
        reverse("record_list"),
        {
            "don_vi": str(district.pk),
            "tu": "2023-Q1",
            "den": "2023-Q1",
            "dem": "resolved_late",
            "format": "xlsx",
        },
    )
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None and sheet.max_row == 2 + 101
    assert {row[7] for row in sheet.iter_rows(min_row=3, values_only=True)} == {2}


def test_the_units_figures_page_links_every_count_to_its_dossiers(
    world, django_assert_max_num_queries
):
    import_rows(SMALL)
    client = client_for(world.leader)
    with django_assert_max_num_queries(20):
        page = client.get(
            reverse("unit_figures", args=[world.commune_a.pk]), {"tu": "2024-Q1", "den": "2024-Q1"}
        )
    text = page.content.decode()
    assert page.status_code == 200 and "từ hồ sơ" in text
    link = f"{reverse('record_list')}?don_vi={world.commune_a.pk}&amp;tu=2024-Q1&amp;den=2024-Q1&amp;dem=pending_overdue"
    assert link in text
    listed = client.get(
        reverse("record_list"),
        {"don_vi": world.commune_a.pk, "tu": "2024-Q1", "den": "2024-Q1", "dem": "pending_overdue"},
    )
    # The codes are matched as link texts: a bare "S7" can turn up inside the random CSRF token.
    listed_text = listed.content.decode()
    assert ">S3</a>" in listed_text and ">S7</a>" not in listed_text
    detail = client.get(reverse("record_detail", args=[DossierRecord.objects.get(code="S2").pk]))
    assert "2 ngày làm việc quá hạn" in detail.content.decode()
    # Another unit's records are not found.
    outsider = make_user("outsider", Role.LEADER, world.other_district)
    assert (
        client_for(outsider).get(reverse("unit_figures", args=[world.commune_a.pk])).status_code
        == 404
    )
    assert (
        client_for(outsider)
        .get(reverse("record_list"), {"don_vi": world.commune_a.pk, "dem": "received"})
        .status_code
        == 404
    )


def test_the_import_page_small_in_the_request_large_in_the_background(world, settings):
    client = client_for(world.officer_a)
    assert client.get(reverse("records_import")).status_code == 200
    source, _name = records_file([record("P1"), record("P2", unit="19348")])
    refused = client.post(
        reverse("records_import"),
        {"mapping": "mac-dinh", "file": SimpleUploadedFile("a.csv", source.getvalue())},
    )
    assert refused.status_code == 400 and "Tệp có 1 lỗi" in refused.content.decode()
    assert not DossierRecord.objects.exists()
    source, _name = records_file([record("P1")])
    ok = client.post(
        reverse("records_import"),
        {"mapping": "mac-dinh", "file": SimpleUploadedFile("a.csv", source.getvalue())},
    )
    assert ok.status_code == 200 and "1 mới" in ok.content.decode()
    settings.IMPORT_BACKGROUND_FROM_BYTES = 100
    source, _name = records_file([record(f"Q{n}") for n in range(30)])
    queued = client.post(
        reverse("records_import"),
        {"mapping": "mac-dinh", "file": SimpleUploadedFile("b.csv", source.getvalue())},
    )
    job = Job.objects.get()
    assert queued.status_code == 302 and job.status == Job.Status.DONE, job.errors
    assert "30 mới" in job.message and DossierRecord.objects.count() == 31
    assert client_for(world.leader).get(reverse("records_import")).status_code == 403


def test_a_background_import_with_many_bad_rows_offers_every_error_in_a_file(world, settings):
    settings.IMPORT_BACKGROUND_FROM_BYTES = 100
    source, _name = records_file([record(f"X{n}", unit="99999") for n in range(250)])
    client = client_for(world.officer_a)
    client.post(
        reverse("records_import"),
        {"mapping": "mac-dinh", "file": SimpleUploadedFile("b.csv", source.getvalue())},
    )
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED and len(job.errors) == 201
    download = client.get(reverse("job_download", args=[job.pk]))
    lines = b"".join(download.streaming_content).decode("utf-8-sig").splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 251 and "99999" in lines[-1]
    assert not DossierRecord.objects.exists()


def test_the_command_imports_and_lists_bad_rows(world, tmp_path):
    from django.core.management import CommandError, call_command

    good = tmp_path / "ho-so.csv"
    source, _name = records_file([record("K1"), record("K2")])
    good.write_bytes(source.getvalue())
    call_command("import_dossier_records", str(good))
    assert DossierRecord.objects.count() == 2
    bad = tmp_path / "sai.csv"
    source, _name = records_file([record("K3", state="?")])
    bad.write_bytes(source.getvalue())
    with pytest.raises(CommandError, match="1 lỗi"):
        call_command("import_dossier_records", str(bad))
    assert DossierRecord.objects.count() == 2


def test_a_calendar_change_judges_the_dossiers_again_and_only_province_administrators_make_it(
    world,
):
    import_rows(
        [record("W1", received_at="07/03/2024 08:00", legal_days=1, closed_at="08/03/2024 10:00")]
    )
    assert DossierRecord.objects.get().outcome == "on_time"
    assert (
        client_for(world.officer_a)
        .post(reverse("work_calendar"), {"day": "2024-03-08", "kind": "off", "note": "thử"})
        .status_code
        == 403
    )
    response = client_for(world.admin).post(
        reverse("work_calendar"), {"day": "2024-03-08", "kind": "off", "note": "Nghỉ bù (thử)"}
    )
    assert response.status_code == 302
    record_after = DossierRecord.objects.get()
    assert (record_after.due_on, record_after.outcome) == (D(2024, 3, 11), "early")
    day = CalendarDay.objects.get()
    assert (
        client_for(world.leader).post(reverse("calendar_day_delete", args=[day.pk])).status_code
        == 403
    )
    assert (
        client_for(world.admin).post(reverse("calendar_day_delete", args=[day.pk])).status_code
        == 302
    )
    assert DossierRecord.objects.get().outcome == "on_time"
    page = client_for(world.officer_a).get(reverse("work_calendar"), {"nam": "2024"})
    assert "Tết Nguyên đán (mùng 1)" in page.content.decode() and "251" in page.content.decode()


def test_the_template_has_the_built_in_columns(world):
    response = client_for(world.officer_a).get(reverse("records_template"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert [cell.value for cell in sheet[1]] == HEADERS
