"""Reading uploaded tables (.xlsx, .csv) safely, row by row, and the errors an import reports.

Every import of the product reads its file here, so that row numbers are the ones the
spreadsheet shows (the header is row 1), errors read the same everywhere, and no file can
hold a worker: the upload's size, the archive's entries (their number, their uncompressed
size and how much they expand) are checked before anything is parsed; rows are counted as
they are streamed, never taken from the sheet's declared dimension; a file over the row
limit or the time limit is refused early, naming the limit; a formula cell without a
computed value, or holding an error, is refused naming its cell.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime
import io
import re
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

SUPPORTED_SUFFIXES = (".xlsx", ".csv")
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y")
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIPS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PACKAGE_RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CELL_REFERENCE = re.compile(r"^([A-Z]{1,3})([0-9]+)$")
MB = 1024 * 1024


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


def refused(message: str) -> ImportRefused:
    return ImportRefused([RowError(0, "", message)])


@dataclass(frozen=True)
class ReadLimits:
    """How big a file an import reads. Settings (from the environment) give the defaults:
    ``IMPORT_MAX_MB``, ``IMPORT_MAX_ROWS``, ``IMPORT_MAX_UNCOMPRESSED_MB``,
    ``IMPORT_MAX_RATIO``, ``IMPORT_MAX_SECONDS``; an import of dossier records raises some."""

    max_bytes: int
    max_rows: int
    max_uncompressed: int
    max_ratio: int
    max_entries: int
    max_seconds: float

    @classmethod
    def default(cls) -> ReadLimits:
        return cls(**settings.IMPORT_LIMITS)

    @classmethod
    def named(cls, name: str) -> ReadLimits:
        return cls(**{**settings.IMPORT_LIMITS, **settings.IMPORT_LIMITS_BY_KIND.get(name, {})})


@dataclass(frozen=True)
class BadCell:
    """A cell whose value cannot be read, with why (naming the cell)."""

    message: str


MAX_LISTED = 500  # unreadable cells listed at most (a file may have thousands)


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


class TableReader:
    """An uploaded table read lazily: ``headers``, then its non-blank rows as
    ``(row number, {header: value})`` while they are streamed; a file this big never sits
    in memory whole. Raises ``ImportRefused`` as soon as a limit is passed or a cell is bad."""

    def __init__(self, rows: Iterator[tuple[int, list[Any]]], limits: ReadLimits) -> None:
        self._rows = rows
        self._limits = limits
        self._started = time.monotonic()
        first = next(self._rows, None)
        if first is None:
            raise ImportRefused([RowError(1, "", _("The file is empty."))])
        header_number, header_row = first
        if header_number != 1:
            raise ImportRefused(
                [RowError(1, "", _("The header row must be row 1; row 1 is empty."))]
            )
        unreadable = [cell for cell in header_row if isinstance(cell, BadCell)]
        if unreadable:
            raise ImportRefused([RowError(1, "", cell.message) for cell in unreadable])
        self.headers = [cell_text(cell) for cell in header_row]
        self.count = 0

    def missing_columns(self, required: list[str]) -> list[RowError]:
        return Table(self.headers).missing_columns(required)

    def __iter__(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """The rows; a cell that cannot be read (a formula without its value, an error) is
        named with every other such cell once the whole file was read, and nothing of the
        file is used."""
        headers = self.headers
        limits = self._limits
        bad: list[RowError] = []
        for read, (number, row) in enumerate(self._rows, start=1):
            if read % 1000 == 0:
                self._check_time_and_size(read)
            values = {
                header: row[index] if index < len(row) else None
                for index, header in enumerate(headers)
                if header
            }
            unreadable = [
                RowError(number, header, value.message)
                for header, value in values.items()
                if isinstance(value, BadCell)
            ]
            if unreadable:
                bad.extend(unreadable[: max(0, MAX_LISTED - len(bad))])
                continue
            if all(cell_text(value) == "" for value in values.values()):
                continue
            self.count += 1
            if self.count > limits.max_rows:
                raise refused(
                    _("The file has more than %(limit)s rows of data; split it.")
                    % {"limit": f"{limits.max_rows:,}".replace(",", ".")}
                )
            if not bad:
                yield number, values
        if bad:
            raise ImportRefused(bad)

    def _check_time_and_size(self, read: int) -> None:
        """Every thousand rows read (blank ones too): within the time and the row limits."""
        limits = self._limits
        if time.monotonic() - self._started > limits.max_seconds:
            raise refused(
                _("Reading the file took longer than %(seconds)s seconds; split it.")
                % {"seconds": int(limits.max_seconds)}
            )
        if read > 2 * limits.max_rows + 1000:  # mostly blank rows: not a table
            raise refused(
                _("The file has more than %(limit)s rows of data; split it.")
                % {"limit": f"{limits.max_rows:,}".replace(",", ".")}
            )

    def table(self) -> Table:
        return Table(self.headers, list(self))


def open_table(
    source: IO[bytes] | Path,
    filename: str | None = None,
    limits: ReadLimits | None = None,
    sheet: str | None = None,
) -> TableReader:
    """An .xlsx or .csv file, checked and read lazily (``sheet``: a workbook's sheet by name;
    the first one otherwise)."""
    limits = limits or ReadLimits.default()
    name = filename or (source.name if isinstance(source, Path) else getattr(source, "name", ""))
    suffix = Path(name or "").suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise refused(_("Unsupported file type; upload an .xlsx or .csv file."))
    handle: IO[bytes] = source.open("rb") if isinstance(source, Path) else source
    size = _size_of(handle)
    if size > limits.max_bytes:
        raise refused(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": _megabytes(size), "limit": _megabytes(limits.max_bytes)}
        )
    handle.seek(0)
    if suffix == ".xlsx":
        return TableReader(_xlsx_rows(handle, limits, sheet), limits)
    return TableReader(_csv_rows(handle), limits)


def read_table(
    source: IO[bytes] | Path,
    filename: str | None = None,
    limits: ReadLimits | None = None,
    sheet: str | None = None,
) -> Table:
    """Read a whole .xlsx or .csv file (within its limits). Blank rows are skipped but still
    counted."""
    return open_table(source, filename, limits, sheet).table()


def _size_of(handle: IO[bytes]) -> int:
    size = getattr(handle, "size", None)
    if isinstance(size, int):
        return size
    handle.seek(0, io.SEEK_END)
    end = handle.tell()
    handle.seek(0)
    return end


def _megabytes(size: int) -> str:
    return f"{size / MB:.1f}".replace(".", ",").removesuffix(",0")


# .xlsx -------------------------------------------------------------------------------------


def _check_archive(archive: zipfile.ZipFile, limits: ReadLimits) -> None:
    entries = archive.infolist()
    if len(entries) > limits.max_entries:
        raise refused(
            _("The workbook holds %(count)s parts; the limit is %(limit)s.")
            % {"count": len(entries), "limit": limits.max_entries}
        )
    unpacked = sum(entry.file_size for entry in entries)
    packed = sum(entry.compress_size for entry in entries) or 1
    if unpacked > limits.max_uncompressed:
        raise refused(
            _("The workbook unpacks to %(size)s MB; the limit is %(limit)s MB.")
            % {"size": _megabytes(unpacked), "limit": _megabytes(limits.max_uncompressed)}
        )
    if unpacked > 10 * MB and unpacked / packed > limits.max_ratio:
        raise refused(
            _(
                "The workbook unpacks to %(ratio)s times its size, more than a spreadsheet does "
                "(the limit is %(limit)s times); save it again from the spreadsheet program."
            )
            % {"ratio": int(unpacked / packed), "limit": limits.max_ratio}
        )


def _parse(stream: IO[bytes], tag: str) -> Any:
    """Elements ``tag`` of an XML part as they end; no DTD, no entities, no network."""
    return etree.iterparse(
        stream,
        events=("end",),
        tag=tag,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )


def _first_sheet(archive: zipfile.ZipFile, name: str | None = None) -> tuple[str, bool]:
    """The path of the workbook's first worksheet (or the one called ``name``), and whether
    its dates count from 1904."""
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names:
        raise refused(_("The file is not a readable .xlsx workbook."))
    with archive.open("xl/workbook.xml") as part:
        workbook = etree.parse(part, etree.XMLParser(resolve_entities=False, no_network=True))
    sheets = workbook.findall(f"{MAIN}sheets/{MAIN}sheet")
    if name is not None:
        sheets = [sheet for sheet in sheets if sheet.get("name") == name]
        if not sheets:
            raise refused(_("The workbook has no sheet named “%(name)s”.") % {"name": name})
    sheet = sheets[0] if sheets else None
    if sheet is None:
        raise refused(_("The workbook has no worksheet."))
    properties = workbook.find(f"{MAIN}workbookPr")
    date1904 = properties is not None and properties.get("date1904") in ("1", "true")
    target = "xl/worksheets/sheet1.xml"
    relation = sheet.get(f"{RELATIONSHIPS}id")
    if "xl/_rels/workbook.xml.rels" in names and relation:
        with archive.open("xl/_rels/workbook.xml.rels") as part:
            rels = etree.parse(part, etree.XMLParser(resolve_entities=False, no_network=True))
        for link in rels.getroot():
            if link.get("Id") == relation:
                path = link.get("Target", "")
                target = path.lstrip("/") if path.startswith("/") else f"xl/{path}"
                break
    target = str(PurePosixPath(target))
    if target not in names:
        raise refused(_("The file is not a readable .xlsx workbook."))
    return target, date1904


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    strings = []
    with archive.open("xl/sharedStrings.xml") as part:
        for _event, item in _parse(part, f"{MAIN}si"):
            strings.append("".join(item.itertext(f"{MAIN}t")))
            item.clear()
    return strings


def _date_styles(archive: zipfile.ZipFile) -> set[int]:
    """The cell styles whose number format shows a date."""
    if "xl/styles.xml" not in archive.namelist():
        return set()
    with archive.open("xl/styles.xml") as part:
        styles = etree.parse(part, etree.XMLParser(resolve_entities=False, no_network=True))
    formats = dict(BUILTIN_FORMATS)
    for number_format in styles.iter(f"{MAIN}numFmt"):
        with contextlib.suppress(TypeError, ValueError):
            formats[int(number_format.get("numFmtId", ""))] = number_format.get("formatCode", "")
    cell_formats = styles.find(f"{MAIN}cellXfs")
    dated = set()
    for index, xf in enumerate(cell_formats if cell_formats is not None else []):
        with contextlib.suppress(TypeError, ValueError):
            if is_date_format(formats.get(int(xf.get("numFmtId", "0")), "")):
                dated.add(index)
    return dated


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _xlsx_rows(
    handle: IO[bytes], limits: ReadLimits, sheet_name: str | None = None
) -> Iterator[tuple[int, list[Any]]]:
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise refused(_("The file is not a readable .xlsx workbook.")) from None
    _check_archive(archive, limits)
    try:
        sheet, date1904 = _first_sheet(archive, sheet_name)
        strings = _shared_strings(archive)
        dated = _date_styles(archive)
    except etree.XMLSyntaxError:
        raise refused(_("The file is not a readable .xlsx workbook.")) from None
    epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
    with archive.open(sheet) as part:
        expected = 0
        try:
            for _event, row in _parse(part, f"{MAIN}row"):
                given = row.get("r") or ""
                number = int(given) if given.isdigit() and len(given) < 8 else expected + 1
                expected = number
                cells: list[Any] = []
                for cell in row.iterfind(f"{MAIN}c"):
                    match = CELL_REFERENCE.match(cell.get("r", ""))
                    # A cell without its reference follows the one before it.
                    index = _column_index(match.group(1)) if match else len(cells)
                    if index >= 16384 or index > len(cells) + 1000:  # far beyond the table
                        continue
                    reference = f"{get_column_letter(index + 1)}{number}"
                    value = _cell_value(cell, reference, strings, dated, epoch)
                    if index < len(cells):  # written twice, or out of order: the last one
                        cells[index] = value
                        continue
                    while len(cells) < index:
                        cells.append(None)
                    cells.append(value)
                row.clear()
                while row.getprevious() is not None:
                    del row.getparent()[0]
                yield number, cells
        except etree.XMLSyntaxError:
            raise refused(_("The file is not a readable .xlsx workbook.")) from None


def _cell_value(
    cell: Any, reference: str, strings: list[str], dated: set[int], epoch: datetime.datetime
) -> Any:
    kind = cell.get("t", "n")
    value = cell.findtext(f"{MAIN}v")
    if cell.find(f"{MAIN}f") is not None and (value is None or value == "") and kind != "inlineStr":
        return BadCell(
            _(
                "cell %(cell)s holds a formula without a computed value; open the file in "
                "the spreadsheet program, let it calculate, save it and upload it again"
            )
            % {"cell": reference}
        )
    if kind == "inlineStr":
        inline = cell.find(f"{MAIN}is")
        return "".join(inline.itertext(f"{MAIN}t")) if inline is not None else None
    if value is None:
        return None
    if kind == "s":
        try:
            return strings[int(value)]
        except (ValueError, IndexError):
            raise refused(_("The file is not a readable .xlsx workbook.")) from None
    if kind == "str":
        return value
    if kind == "d":  # an ISO date, as a few programs write them
        with contextlib.suppress(ValueError):
            return datetime.datetime.fromisoformat(value)
        return value
    if kind == "b":
        return value == "1"
    if kind == "e":
        return BadCell(
            _("cell %(cell)s holds the error %(error)s") % {"cell": reference, "error": value}
        )
    try:
        number = float(value)
    except ValueError:
        return value
    style = cell.get("s")
    if style is not None and style.isdigit() and int(style) in dated:
        with contextlib.suppress(ValueError, OverflowError, TypeError):
            return from_excel(number, epoch=epoch)
    return int(number) if number.is_integer() and value.lstrip("-").isdigit() else number


# .csv --------------------------------------------------------------------------------------


def _csv_rows(handle: IO[bytes]) -> Iterator[tuple[int, list[Any]]]:
    """UTF-8 text (with or without a byte-order mark), or UTF-16 with one (Excel's "Unicode
    text"); the delimiter is sniffed (comma, semicolon or tab)."""
    head = handle.read(4)
    handle.seek(0)
    encoding = (
        "utf-16" if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else "utf-8-sig"
    )
    text = io.TextIOWrapper(handle, encoding=encoding, newline="")  # type: ignore[type-var]
    try:
        sample = text.read(8192)
        text.seek(0)
        delimiter = _delimiter(sample, "\t" if encoding == "utf-16" else ",")
        reader = csv.reader(text, csv.excel, delimiter=delimiter)
        yield from enumerate(reader, start=1)
    except UnicodeDecodeError:
        raise refused(_("The .csv file is not UTF-8 text; save it as CSV UTF-8.")) from None
    except csv.Error as error:
        raise ImportRefused(
            [
                RowError(
                    reader.line_num,
                    "",
                    _("the line cannot be read as CSV (%(why)s)") % {"why": error},
                )
            ]
        ) from None
    finally:
        with contextlib.suppress(ValueError):  # the caller may have closed the file already
            text.detach()  # the caller's file stays open


def _delimiter(sample: str, default: str) -> str:
    """The delimiter of a CSV file, from its header row: the one of comma, semicolon and tab
    it holds most often outside quotes (spreadsheet programs write a comma, or a semicolon
    where the decimal mark is a comma, or a tab for "Unicode text")."""
    counts = dict.fromkeys(",;\t", 0)
    quoted = False
    for character in sample:
        if character == '"':
            quoted = not quoted
        elif not quoted and character in counts:
            counts[character] += 1
        elif not quoted and character in "\r\n":
            break
    best = max(counts, key=lambda candidate: (counts[candidate], candidate == default))
    return best if counts[best] else default


# Cells ---------------------------------------------------------------------------------------

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
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
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
    if isinstance(value, bool):
        raise ValueError(text)
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
        if not number.is_finite():
            raise ValueError(text)
        return number
    normalised = text.replace(" ", "").replace("\u00a0", "")
    if "," in normalised and "." not in normalised:
        normalised = normalised.replace(",", ".")
    try:
        number = Decimal(normalised)
    except InvalidOperation:
        raise ValueError(text) from None
    if not number.is_finite():
        raise ValueError(text)
    return number
