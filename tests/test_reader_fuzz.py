"""Property tests of the one reader every import uses, and of an import through it.

Hypothesis generates tables (text in any alphabet, numbers, blanks), writes them as .xlsx
(by openpyxl, or by hand: without cell references, with formulas and their values, with
merged cells, with a declared dimension far larger or smaller than the sheet) or as .csv
(UTF-8 with or without a byte-order mark, UTF-16; comma, semicolon or tab), and checks the
invariant: every row comes back with its values, or the file is refused naming each bad
cell, and an import writes every row or nothing."""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import zipfile
from typing import Any
from xml.sax.saxutils import escape

import pytest
from django.db import transaction
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from cchc.models import User
from cchc.spreadsheets import ImportRefused, cell_text, read_table
from dossiers.imports import import_dossiers
from dossiers.models import DossierStatistics
from tests.test_dossier_figures import HEADER, row
from tests.test_hostile_files import raw_xlsx

# The same examples on every run (CI must not fail by chance); FUZZ_EXAMPLES=2000 explores more.
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")),
    derandomize="FUZZ_EXAMPLES" not in os.environ,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text a spreadsheet cell can hold (XML forbids most control characters); any alphabet.
text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
    max_size=30,
).filter(lambda value: not value.startswith(("=", "'")))  # not a formula, not escaped
cell = st.one_of(
    st.none(),
    text,
    st.sampled_from(
        [
            "Xã Vĩnh Long",
            "Phường Đông Hà",
            "Nguyễn Thị Ánh",
            "a,b;c\td",
            'nói "có"',
            "dòng 1\ndòng 2",
            "  lề  ",
        ]
    ),
    st.integers(min_value=-(10**12), max_value=10**12),
    # Decimals as people type them (spreadsheets keep 15 significant digits).
    st.builds(
        lambda whole, places: whole / 10**places,
        st.integers(min_value=-(10**10), max_value=10**10),
        st.integers(min_value=0, max_value=4),
    ),
)


@st.composite
def tables(draw: Any) -> tuple[list[str], list[list[Any]]]:
    width = draw(st.integers(min_value=1, max_value=6))
    headers = draw(
        st.lists(
            st.text(alphabet="abcdefghijklmnopqrstuvwxyzđơưăâêô ", min_size=1, max_size=12)
            .map(str.strip)
            .filter(bool),
            min_size=width,
            max_size=width,
            unique=True,
        )
    )
    rows = draw(st.lists(st.lists(cell, min_size=width, max_size=width), max_size=25))
    return headers, rows


def expected_rows(headers: list[str], rows: list[list[Any]]) -> list[tuple[int, list[str]]]:
    """What a reader must give back: each non-blank row, numbered as the sheet shows it."""
    wanted = []
    for number, values in enumerate(rows, start=2):
        texts = [cell_text(value) for value in values]
        if any(texts):
            wanted.append((number, texts))
    return wanted


def read_back(content: bytes, name: str, headers: list[str]) -> list[tuple[int, list[str]]]:
    table = read_table(io.BytesIO(content), name)
    assert table.headers == headers
    return [(number, [cell_text(values[h]) for h in headers]) for number, values in table.rows]


# Writers -----------------------------------------------------------------------------------


def by_openpyxl(headers: list[str], rows: list[list[Any]], merges: list[tuple[int, int]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(headers)
    for values in rows:
        sheet.append(values)
    note = len(headers) + 1  # a column without a header, where merged cells go
    for first, span in merges:
        start = 2 + first
        sheet.cell(row=start, column=note, value="ghi chú")
        sheet.merge_cells(start_row=start, end_row=start + span, start_column=note, end_column=note)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def by_hand(headers: list[str], rows: list[list[Any]], references: bool, dimension: str) -> bytes:
    """Inline strings, numbers and formulas with their computed value, as other programs
    write them; cell references left out when ``references`` is false."""

    def xml_cell(column: int, number: int, value: Any) -> str:
        where = f' r="{get_column_letter(column)}{number}"' if references else ""
        if value is None:
            return f"<c{where}/>"
        if isinstance(value, bool | str):
            body = escape(str(value))
            space = ' xml:space="preserve"' if body != body.strip() else ""
            return f'<c{where} t="inlineStr"><is><t{space}>{body}</t></is></c>'
        if isinstance(value, int):  # a formula whose last result is the number
            return f"<c{where}><f>{value}+0</f><v>{value}</v></c>"
        return f"<c{where}><v>{value!r}</v></c>"

    lines = []
    for number, values in enumerate([headers, *rows], start=1):
        cells = "".join(xml_cell(i + 1, number, v) for i, v in enumerate(values))
        lines.append(f'<row r="{number}">{cells}</row>' if references else f"<row>{cells}</row>")
    return raw_xlsx("".join(lines), dimension=dimension)


def as_csv(headers: list[str], rows: list[list[Any]], encoding: str, delimiter: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(headers)
    for values in rows:
        writer.writerow(
            ["" if v is None else (cell_text(v) if isinstance(v, float) else v) for v in values]
        )
    if encoding == "utf-16":
        return codecs.BOM_UTF16_LE + buffer.getvalue().encode("utf-16-le")
    return buffer.getvalue().encode(encoding)


# Properties of the reader ---------------------------------------------------------------------


@FUZZ
@given(
    tables(),
    st.lists(st.tuples(st.integers(0, 20), st.integers(1, 3)), max_size=2),
    st.sampled_from(["", "A1", "A1:XFD1048576", "A1:B2"]),
)
def test_an_xlsx_written_by_openpyxl_reads_back_every_row(table, merges, dimension):
    headers, rows = table
    merges = [(first, span) for first, span in merges if first + span < len(rows)]
    # No two merges overlap.
    covered: set[int] = set()
    for first, span in merges:
        assume(covered.isdisjoint(range(first, first + span + 1)))
        covered.update(range(first, first + span + 1))
    content = by_openpyxl(headers, rows, merges)
    if dimension:
        content = with_dimension(content, dimension)
    got = read_back(content, "t.xlsx", headers)
    # A row that holds only a merged note beside the table still has no data.
    assert got == expected_rows(headers, rows)


def with_dimension(content: bytes, dimension: str) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(
                    rb'<dimension ref="[^"]*"/>', f'<dimension ref="{dimension}"/>'.encode(), data
                )
            target.writestr(entry, data)
    return out.getvalue()


@FUZZ
@given(tables(), st.booleans(), st.sampled_from(["", "A1:XFD1048576", "A1:A1"]))
def test_an_xlsx_written_by_hand_reads_back_every_row(table, references, dimension):
    headers, rows = table
    got = read_back(by_hand(headers, rows, references, dimension), "t.xlsx", headers)
    assert got == expected_rows(headers, rows)


@FUZZ
@given(
    tables(), st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]), st.sampled_from([",", ";", "\t"])
)
def test_a_csv_in_any_usual_encoding_and_delimiter_reads_back_every_row(table, encoding, delimiter):
    headers, rows = table
    # A text cell holding the delimiter sniffing could mistake is quoted by the writer, but a
    # sniffer may still choose another delimiter on a one-column file: write two columns.
    assume(len(headers) > 1)
    content = as_csv(headers, rows, encoding, delimiter)
    got = read_back(content, "t.csv", headers)
    assert got == expected_rows(headers, rows)


@FUZZ
@given(tables(), st.data())
def test_formulas_without_values_are_each_named_and_nothing_is_read(table, data):
    headers, rows = table
    assume(rows)
    spots = data.draw(
        st.sets(
            st.tuples(st.integers(0, len(rows) - 1), st.integers(0, len(headers) - 1)),
            min_size=1,
            max_size=4,
        )
    )
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(headers)
    for values in rows:
        sheet.append(values)
    for index, column in spots:
        sheet.cell(row=index + 2, column=column + 1, value="=SUM(A1:A2)")
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(ImportRefused) as refused:
        read_table(io.BytesIO(buffer.getvalue()), "t.xlsx")
    named = {
        (error.row, error.column) for error in refused.value.errors if "công thức" in error.message
    }
    assert named == {(index + 2, headers[column]) for index, column in spots}
    for error in refused.value.errors:
        letter = get_column_letter(headers.index(error.column) + 1)
        assert f"ô {letter}{error.row} " in error.message


# An import through the reader: all rows or nothing ---------------------------------------------

PERIODS = [f"2023-{month:02d}" for month in range(1, 13)] + ["2023-Q1", "2023-Q2", "2024"]
BREAKAGES: dict[str, dict[str, Any]] = {
    "negative": {"late": -1},
    "unknown unit": {"unit": "99999"},
    "postal above received": {"postal": 10_000},
    "not a number": {"early": "ba mươi"},
}


@st.composite
def figure_files(draw: Any) -> tuple[list[list[Any]], set[int]]:
    count = draw(st.integers(min_value=1, max_value=len(PERIODS)))
    periods = draw(st.permutations(PERIODS))[:count]
    rows, bad = [], set()
    for index, period in enumerate(periods):
        scale = draw(st.integers(min_value=0, max_value=50))
        breakage = draw(st.sampled_from([None, None, None, *BREAKAGES]))
        values: dict[str, Any] = {
            "unit": draw(st.sampled_from(["19375", "19348"])),
            "period": period,
            "new": 100 * scale,
            "full": 10 * scale,
            "partial": 5 * scale,
            "postal": scale,
            "early": 30 * scale,
            "on_time": 60 * scale,
            "late": 5 * scale,
            "pending": 5 * scale,
            "paid": 3 * scale,
            "electronic": 40 * scale,
            "digitised": 50 * scale,
        }
        if breakage is not None:
            values.update(BREAKAGES[breakage])
            bad.add(index + 2)
        rows.append(row(**values))
    return rows, bad


@pytest.mark.django_db
@FUZZ
@given(figure_files(), st.sampled_from(["xlsx", "csv-utf-8", "csv-utf-16"]), st.booleans())
def test_a_figures_file_is_imported_whole_or_not_at_all_naming_each_bad_row(
    world, file, kind, numbers_as_text
):
    rows, bad = file
    if numbers_as_text:
        rows = [[str(value) for value in values] for values in rows]
    if kind == "xlsx":
        content, name = by_openpyxl(HEADER, rows, []), "f.xlsx"
    else:
        content, name = as_csv(HEADER, rows, kind.removeprefix("csv-"), ","), "f.csv"
    with transaction.atomic():
        try:
            import_dossiers(read_table(io.BytesIO(content), name), User(is_superuser=True))
        except ImportRefused as refused:
            assert bad, refused.errors
            assert {error.row for error in refused.errors} == bad
            assert not DossierStatistics.objects.exists()
        else:
            assert not bad
            stored = {
                (s.unit.code, str(s.period)): (s.new_received, s.resolved_late, s.postal)
                for s in DossierStatistics.objects.select_related("unit")
            }
            assert stored == {
                (values[0], str(values[1])): (int(values[2]), int(values[9]), int(values[6]))
                for values in rows
            }
        transaction.set_rollback(True)
