"""Importing and exporting units: a good file, every kind of bad row, and the round trip."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from cchc.models import Lineage, Unit, User
from cchc.spreadsheets import ImportRefused, read_table
from cchc.unit_files import COLUMNS, export_units, import_units
from tests.spreadsheet_files import csv_bytes, xlsx_bytes

GOOD_ROWS = [
    COLUMNS,
    ["45", "Quảng Trị", "Tỉnh", "", "01/07/1989", "", ""],
    ["464", "Vĩnh Linh", "Huyện", "45", "01/01/2020", "30/06/2025", ""],
    ["19375", "Vĩnh Long", "Xã", "464", "01/01/2020", "30/06/2025", ""],
    ["19348", "Vĩnh Thái", "xa", "464", "2020-01-01", "30/06/2025", ""],
    # a successor listed before the parent it uses: the order in the file does not matter
    ["45101", "Vĩnh Linh", "Xã", "45", "01/07/2025", "", "19375, 19348"],
]
SUPERUSER = User(is_superuser=True)


def table(rows, name="units.csv"):
    data = xlsx_bytes(rows) if name.endswith(".xlsx") else csv_bytes(rows)
    return read_table(io.BytesIO(data), name)


def errors_of(rows, name="units.csv"):
    with pytest.raises(ImportRefused) as refused:
        import_units(table(rows, name), SUPERUSER)
    return [str(error) for error in refused.value.errors]


@pytest.mark.parametrize("name", ["units.csv", "units.xlsx"])
def test_a_good_file_creates_the_tree_and_the_lineage(db, name):
    summary = import_units(table(GOOD_ROWS, name), SUPERUSER)
    assert summary.created == 5
    merged = Unit.objects.get(code="45101")
    assert {u.code for u in merged.predecessors.all()} == {"19375", "19348"}
    assert merged.parent is not None and merged.parent.code == "45"
    assert Unit.objects.get(code="19348").kind == "xa"
    commune = Unit.objects.get(code="19375")
    assert [u.code for u in commune.ancestors(include_self=True)] == ["45", "464", "19375"]
    assert Unit.objects.filter(path__startswith=Unit.objects.get(code="464").path).count() == 3
    assert Unit.objects.get(code="464").valid_to == datetime.date(2025, 6, 30)


def bad_file(row):
    return [*GOOD_ROWS[:4], row]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            ["1", "X", "Xã", "99999", "01/01/2021", "", ""],
            "Dòng 5, cột Mã cấp trên: không có đơn vị mã 99999",
        ),
        (
            ["464", "Trùng", "Huyện", "45", "01/01/2021", "", ""],
            "Dòng 5, cột Mã: mã 464 đã là mã của đơn vị ở dòng 3 (01/01/2020–30/06/2025) trong cùng thời gian",
        ),
        (
            ["2", "X", "Làng", "464", "01/01/2021", "", ""],
            "Dòng 5, cột Loại: loại đơn vị “Làng” không hợp lệ",
        ),
        (
            ["3", "X", "Xã", "464", "31/02/2021", "", ""],
            "Dòng 5, cột Hiệu lực từ: “31/02/2021” không phải là ngày",
        ),
        (
            ["4", "X", "Xã", "464", "01/07/2025", "", ""],
            "Dòng 5, cột Mã cấp trên: đơn vị cấp trên 464 không còn hiệu lực vào ngày 01/07/2025",
        ),
        (
            ["5", "X", "Xã", "464", "01/01/2021", "", "77777"],
            "Dòng 5, cột Mã tiền thân: không có đơn vị mã 77777",
        ),
        (
            ["6", "X", "Xã", "464", "01/01/2021", "31/12/2020", ""],
            "Dòng 5, cột Hiệu lực đến: ngày hết hiệu lực trước ngày bắt đầu hiệu lực",
        ),
    ],
)
def test_each_kind_of_bad_row_is_reported_and_nothing_is_written(db, row, expected):
    errors = errors_of(bad_file(row))
    assert any(error.startswith(expected) for error in errors), errors
    assert Unit.objects.count() == 0


def test_a_cycle_in_the_file_is_reported_on_its_rows(db):
    rows = [
        *GOOD_ROWS,
        ["A", "A", "Xã", "B", "01/01/2021", "", ""],
        ["B", "B", "Xã", "A", "01/01/2021", "", ""],
    ]
    errors = errors_of(rows)
    assert [e.split(":")[0] for e in errors] == [
        "Dòng 7, cột Mã cấp trên",
        "Dòng 8, cột Mã cấp trên",
    ]
    assert "vòng" in errors[0]
    assert Unit.objects.count() == 0


def test_a_cycle_through_units_already_in_the_database_is_refused(db):
    import_units(table(GOOD_ROWS), SUPERUSER)
    # The district placed under its own commune.
    errors = errors_of(
        [COLUMNS, ["464", "Vĩnh Linh", "Huyện", "19375", "01/01/2020", "30/06/2025", ""]]
    )
    assert errors and "vòng" in " ".join(errors)
    assert Unit.objects.get(code="464").parent.code == "45"  # type: ignore[union-attr]


def test_every_bad_row_is_listed_at_once(db):
    rows = [
        *GOOD_ROWS,
        ["7", "", "Xã", "99999", "hôm qua", "", ""],
        ["8", "Y", "Thôn", "45", "01/01/2021", "", ""],
    ]
    errors = errors_of(rows)
    assert {e.split(":")[0] for e in errors} == {
        "Dòng 7, cột Tên",
        "Dòng 7, cột Mã cấp trên",
        "Dòng 7, cột Hiệu lực từ",
        "Dòng 8, cột Loại",
    }


def test_a_missing_column_is_reported_on_the_header_row(db):
    errors = errors_of([["Mã", "Tên", "Loại"], ["1", "X", "Xã"]])
    assert "Dòng 1, cột Mã cấp trên: thiếu cột này ở dòng tiêu đề" in errors


def test_export_then_import_is_unchanged_and_rebuilds_an_empty_database(db):
    import_units(table(GOOD_ROWS), SUPERUSER)
    exported = export_units(Unit.objects.order_by("path"), "xlsx")
    again = import_units(read_table(io.BytesIO(exported), "again.xlsx"), SUPERUSER)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)

    def snapshot():
        return sorted(
            (
                u.code,
                u.name,
                u.kind,
                u.parent.code if u.parent else "",
                u.valid_from,
                u.valid_to,
                tuple(sorted(p.code for p in u.predecessors.all())),
            )
            for u in Unit.objects.all()
        )

    before = snapshot()
    Lineage.objects.all().delete()
    for unit in Unit.objects.order_by("-depth"):
        unit.delete()
    assert Unit.objects.count() == 0
    import_units(read_table(io.BytesIO(exported), "again.xlsx"), SUPERUSER)
    assert snapshot() == before
    csv_export = export_units(Unit.objects.order_by("path"), "csv")
    assert csv_export.decode("utf-8-sig").splitlines()[0] == ",".join(COLUMNS)


def test_import_updates_an_existing_unit(db):
    import_units(table(GOOD_ROWS), SUPERUSER)
    renamed = [COLUMNS, ["19375", "Vĩnh Long (mới)", "Xã", "464", "01/01/2020", "30/06/2025", ""]]
    summary = import_units(table(renamed), SUPERUSER)
    assert summary.updated == 1
    assert Unit.objects.get(code="19375").name == "Vĩnh Long (mới)"


def test_commands_import_export_and_exit_non_zero_on_a_bad_file(db, tmp_path):
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(GOOD_ROWS))
    call_command("import_units", str(good))
    assert Unit.objects.count() == 5
    out = tmp_path / "out.xlsx"
    call_command("export_units", str(out))
    assert read_table(out).headers == COLUMNS

    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([*GOOD_ROWS, ["9", "X", "Xã", "99999", "01/01/2021", "", ""]]))
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="1 lỗi"):
        call_command("import_units", str(bad), stderr=stderr)
    assert "Dòng 7, cột Mã cấp trên: không có đơn vị mã 99999" in stderr.getvalue()
    assert not Unit.objects.filter(code="9").exists()


def test_an_administrator_may_only_import_under_the_units_they_administer(world):
    rows = [
        COLUMNS,
        ["N1", "Mới", "Xã", "464", "01/01/2021", "", ""],
        ["ROOT", "Tỉnh khác", "Tỉnh", "", "01/01/2021", "", ""],
    ]
    from cchc.models import Role
    from tests.factories import make_user

    district_admin = make_user("district_admin", Role.ADMINISTRATOR, world.other_district)
    with pytest.raises(ImportRefused) as refused:
        import_units(table(rows), district_admin)
    assert [(e.row, e.message) for e in refused.value.errors] == [
        (2, "bạn không quản trị đơn vị này hoặc đơn vị cấp trên của nó"),
        (3, "chỉ quản trị hệ thống mới được thêm đơn vị cấp cao nhất"),
    ]
    summary = import_units(table(rows[:2]), world.admin)
    assert summary.created == 1
