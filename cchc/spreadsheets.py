"""Reading uploaded tables (.xlsx, .csv) row by row, and the errors an import reports.

Every import of the product reads its file here, so that row numbers are the ones the
spreadsheet shows (the header is row 1) and errors read the same everywhere.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook

SUPPORTED_SUFFIXES = (".xlsx", ".csv")
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y")


@dataclass(frozen=True)
class RowError:
    """One problem in an uploaded table: where it is, what the cell holds and why it is wrong."""

    row: int
    column: str
    message: str
    value: str = ""
    unit: str = ""  # the unit the row is about, where a file has one per row

    def __str__(self) -> str:
        if self.row == 0:  # about the whole file
            return self.message
        where = _("Row %(row)d") % {"row": self.row}
        if self.unit:
            where += " " + _("(unit %(unit)s)") % {"unit": self.unit}
        if self.column:
            where += ", " + _("column %(column)s") % {"column": self.column}
        return f"{where}: {self.message}"


class ImportRefused(Exception):
    """Raised when a file has bad rows; nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} error(s)")
        self.errors = sorted(
            errors, key=lambda error: error.row
        )  # stable: columns stay in file order


@dataclass
class Table:
    """The header and rows of an uploaded table, each row keyed by header and numbered."""

    headers: list[str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    def missing_columns(self, required: list[str]) -> list[RowError]:
        return [
            RowError(1, column, _("the column is missing from the header row"))
            for column in required
            if column not in self.headers
        ]


def read_table(source: IO[bytes] | Path, filename: str | None = None) -> Table:
    """Read an .xlsx or .csv file. Blank rows are skipped but still counted."""
    name = filename or (source.name if isinstance(source, Path) else "")
    suffix = Path(name).suffix.lower()
    data = source.read_bytes() if isinstance(source, Path) else source.read()
    if suffix == ".xlsx":
        return _table_from_rows(_xlsx_rows(data))
    if suffix == ".csv":
        return _table_from_rows(_csv_rows(data))
    raise ImportRefused(
        [RowError(0, "", _("Unsupported file type; upload an .xlsx or .csv file."))]
    )


def _xlsx_rows(data: bytes) -> Iterator[list[Any]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign file
        raise ImportRefused(
            [RowError(0, "", _("The file is not a readable .xlsx workbook."))]
        ) from None
    sheet = workbook.worksheets[0]
    for row in sheet.iter_rows(values_only=True):
        yield list(row)
    workbook.close()


def _csv_rows(data: bytes) -> Iterator[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(
            [RowError(0, "", _("The .csv file is not UTF-8 text; save it as CSV UTF-8."))]
        ) from None
    dialect: type[csv.Dialect] | csv.Dialect = csv.excel
    with contextlib.suppress(csv.Error):  # an undecidable sample: keep the default comma
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    yield from csv.reader(io.StringIO(text), dialect)


def _table_from_rows(rows: Iterator[list[Any]]) -> Table:
    header_row = next(rows, None)
    if header_row is None:
        raise ImportRefused([RowError(1, "", _("The file is empty."))])
    headers = [str(cell).strip() if cell is not None else "" for cell in header_row]
    table = Table(headers=headers)
    for number, row in enumerate(rows, start=2):
        values = {
            header: row[index] if index < len(row) else None
            for index, header in enumerate(headers)
            if header
        }
        if all(cell_text(value) == "" for value in values.values()):
            continue
        table.rows.append((number, values))
    return table


# A text cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A value to write into an exported spreadsheet: text that a spreadsheet would run as a
    formula is kept as text with a leading apostrophe (numbers and dates are untouched)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: list[Any]) -> list[Any]:
    return [safe_cell(value) for value in values]


def cell_text(value: Any) -> str:
    """A cell as text: whole numbers without ".0", dates as dd/mm/yyyy, None as ""; the
    apostrophe an export put before formula-like text is taken off again."""
    if value is None:
        return ""
    if (
        isinstance(value, str)
        and value.startswith("'")
        and value[1:2]
        and value[1:].startswith(FORMULA_STARTS)
    ):
        return value[1:].strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def cell_date(value: Any) -> datetime.date | None:
    """Parse a date cell; raise ValueError when it is not a date. Empty gives None."""
    if value is None or cell_text(value) == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value)
    for date_format in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, date_format).date()
        except ValueError:
            continue
    raise ValueError(text)


def cell_decimal(value: Any) -> Decimal | None:
    """Parse a number cell, accepting the Vietnamese decimal comma. Empty gives None."""
    text = cell_text(value)
    if text == "":
        return None
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    normalised = text.replace(" ", "")
    if "," in normalised and "." not in normalised:
        normalised = normalised.replace(",", ".")
    try:
        return Decimal(normalised)
    except InvalidOperation:
        raise ValueError(text) from None
