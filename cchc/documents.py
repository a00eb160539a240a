"""Making documents: every PDF goes through one WeasyPrint call (``render_pdf``) and every
spreadsheet export through one writer (``xlsx_bytes``), so that fonts, formula escaping and
headers are the same in every file the product gives out."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from cchc.spreadsheets import safe_row

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """A template rendered to PDF (A4 pages, fonts embedded)."""
    from weasyprint import HTML  # imported late: it loads Pango, which pages without PDFs skip

    return HTML(string=render_to_string(template, context)).write_pdf()  # type: ignore[no-any-return]


@dataclass
class Sheet:
    """One worksheet: title lines above the table, a bold header row, the rows."""

    name: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]
    title_lines: Sequence[str] = ()
    widths: dict[str, float] = field(default_factory=dict)


def xlsx_bytes(*sheets: Sheet) -> bytes:
    """The sheets as an .xlsx file; text a spreadsheet would run as a formula is kept as text."""
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    for sheet in sheets:
        page = workbook.create_sheet(sheet.name[:31])
        for line in sheet.title_lines:
            page.append([line])
            page.cell(row=page.max_row, column=1).font = Font(bold=True)
        if sheet.title_lines:
            page.append([])
        page.append(list(sheet.headers))
        header_row = page.max_row
        for cell in page[header_row]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in sheet.rows:
            page.append(safe_row(list(row)))
        for column, width in sheet.widths.items():
            page.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
