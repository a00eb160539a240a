"""Criteria sets as .xlsx files: one row per criterion.

Columns: Mã, Tiêu chí, Điểm tối đa, Phương pháp, Tham số, Tài liệu kiểm chứng, Hướng dẫn.
``Phương pháp`` is empty on parent rows; ``Tham số`` follows ``scoring.criteria.parameters``. The
whole file is checked before anything is written, and every problem is listed.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from cchc.spreadsheets import ImportRefused, RowError, Table, cell_decimal, cell_text, safe_row
from scoring.criteria.parameters import (
    METHOD_NAMES_VI,
    format_number,
    format_parameters,
    parse_method,
    parse_parameters,
    spec_from_json,
    spec_to_json,
)
from scoring.engine import ADJUSTMENT_METHODS, Method, MethodSpec, ParameterError, code_key
from scoring.models import CriteriaSet, Criterion

CODE = "Mã"
TITLE = "Tiêu chí"
MAX_SCORE = "Điểm tối đa"
METHOD = "Phương pháp"
PARAMETERS = "Tham số"
EVIDENCE = "Tài liệu kiểm chứng"
GUIDANCE = "Hướng dẫn"
COLUMNS = [CODE, TITLE, MAX_SCORE, METHOD, PARAMETERS, EVIDENCE, GUIDANCE]
REQUIRED_COLUMNS = [CODE, TITLE, MAX_SCORE, METHOD]
CODE_PATTERN = re.compile(r"^[1-9][0-9]*(\.[1-9][0-9]*)*$")


@dataclass
class CriterionRow:
    """A parsed row of a criteria file."""

    row: int
    code: str
    title: str
    max_score: Decimal | None
    method: Method | None
    spec: MethodSpec | None
    evidence: str
    guidance: str

    @property
    def parent_code(self) -> str:
        return self.code.rpartition(".")[0]


def _parse_row(number: int, values: dict[str, Any], errors: list[RowError]) -> CriterionRow:
    def bad(column: str, message: str) -> None:
        errors.append(RowError(number, column, message, cell_text(values.get(column))))

    code = cell_text(values.get(CODE)).rstrip(".")
    if not CODE_PATTERN.match(code):
        bad(CODE, _("“%(code)s” is not a code like 1, 1.1 or 1.1.3") % {"code": code})
    title = cell_text(values.get(TITLE))
    if not title:
        bad(TITLE, _("the title is empty"))
    max_score: Decimal | None = None
    try:
        max_score = cell_decimal(values.get(MAX_SCORE))
    except ValueError:
        bad(MAX_SCORE, _("the maximum score is not a number"))
    else:
        if max_score is None:
            bad(MAX_SCORE, _("the maximum score is empty"))
        elif max_score < 0 or max_score != max_score.quantize(Decimal("0.01")):
            bad(MAX_SCORE, _("the maximum score must be 0 or more, with at most 2 decimals"))
            max_score = None
    method_text = cell_text(values.get(METHOD))
    method = parse_method(method_text) if method_text else None
    if method_text and method is None:
        bad(
            METHOD,
            _("unknown method “%(method)s”; use one of: %(known)s")
            % {"method": method_text, "known": ", ".join(m.value for m in Method)},
        )
    spec = None
    if method is not None and max_score is not None:
        try:
            spec = parse_parameters(method, cell_text(values.get(PARAMETERS)), max_score)
        except ParameterError as error:
            bad(PARAMETERS, str(error))
    elif cell_text(values.get(PARAMETERS)) and not method_text:
        bad(PARAMETERS, _("parameters are given but no method"))
    return CriterionRow(
        number,
        code,
        title,
        max_score,
        method,
        spec,
        cell_text(values.get(EVIDENCE)),
        cell_text(values.get(GUIDANCE)),
    )


def validate_criteria(table: Table, declared_total: Decimal | None) -> list[CriterionRow]:
    """Check a criteria file as a whole; raise with every problem, or return its rows.
    ``declared_total``: the total the file must add up to (None: whatever it adds up to)."""
    errors = table.missing_columns(REQUIRED_COLUMNS)
    if errors:
        raise ImportRefused(errors)
    rows = [_parse_row(number, values, errors) for number, values in table.rows]
    if not rows:
        raise ImportRefused([RowError(0, "", _("The file has no criteria."))])

    rows_of: dict[str, list[CriterionRow]] = {}
    for row in rows:
        if CODE_PATTERN.match(row.code):
            rows_of.setdefault(row.code, []).append(row)
    for code, same in rows_of.items():
        if len(same) > 1:
            numbers = ", ".join(str(row.row) for row in same)
            for row in same:
                errors.append(
                    RowError(
                        row.row,
                        CODE,
                        _("the code %(code)s appears more than once (rows %(rows)s)")
                        % {"code": code, "rows": numbers},
                        code,
                    )
                )
    children: dict[str, list[CriterionRow]] = {}
    for row in rows:
        if row.parent_code:
            if row.parent_code not in rows_of:
                errors.append(
                    RowError(
                        row.row,
                        CODE,
                        _("the parent criterion %(parent)s is missing")
                        % {"parent": row.parent_code},
                        row.code,
                    )
                )
            children.setdefault(row.parent_code, []).append(row)
    for row in rows:
        if row.code in children and row.method is not None:
            errors.append(
                RowError(
                    row.row,
                    METHOD,
                    _("a criterion with sub-criteria has no method of its own"),
                    row.method.value,
                )
            )
        already_wrong = any(e.row == row.row and e.column == METHOD for e in errors)
        if (
            row.code not in children
            and row.method is None
            and CODE_PATTERN.match(row.code)
            and not already_wrong
        ):
            errors.append(RowError(row.row, METHOD, _("a sub-criterion needs a scoring method")))
    maxima = _subtree_maxima(rows, children)
    # A parent over a row already in error would only repeat that error as a wrong sum.
    rows_in_error = {error.row for error in errors}
    broken = [row.code + "." for row in rows if row.row in rows_in_error]
    for row in rows:
        if any(code.startswith(row.code + ".") for code in broken):
            continue
        if (
            row.code in children
            and row.max_score is not None
            and row.code in maxima
            and row.max_score != maxima[row.code]
        ):
            difference = row.max_score - maxima[row.code]
            errors.append(
                RowError(
                    row.row,
                    MAX_SCORE,
                    _(
                        "the maximum %(declared)s differs from the sum of its sub-criteria, %(sum)s (difference %(difference)s)"
                    )
                    % {
                        "declared": format_number(row.max_score),
                        "sum": format_number(maxima[row.code]),
                        "difference": format_number(difference),
                    },
                    format_number(row.max_score),
                )
            )
    top_total = sum((maxima.get(r.code, Decimal(0)) for r in rows if not r.parent_code), Decimal(0))
    if not errors and declared_total is not None and top_total != declared_total:
        errors.append(
            RowError(
                0,
                "",
                _(
                    "The maxima add up to %(total)s, not the declared total %(declared)s (difference %(difference)s)."
                )
                % {
                    "total": format_number(top_total),
                    "declared": format_number(declared_total),
                    "difference": format_number(top_total - declared_total),
                },
            )
        )
    if errors:
        raise ImportRefused(errors)
    return sorted(rows, key=lambda row: code_key(row.code))


def _subtree_maxima(
    rows: list[CriterionRow], children: dict[str, list[CriterionRow]]
) -> dict[str, Decimal]:
    """Each criterion's maximum as the sum of its leaves (bonus and penalty items excluded)."""
    sums: dict[str, Decimal] = {}
    for row in sorted(rows, key=lambda r: -r.code.count(".")):
        if row.max_score is None or not CODE_PATTERN.match(row.code):
            continue
        if row.code in children:
            sums[row.code] = sum(
                (sums.get(child.code, Decimal(0)) for child in children[row.code]), Decimal(0)
            )
        else:
            sums[row.code] = Decimal(0) if row.method in ADJUSTMENT_METHODS else row.max_score
    return sums


def write_criteria(criteria_set: CriteriaSet, rows: list[CriterionRow]) -> None:
    """Replace the criteria of a draft set with ``rows`` (already validated, parents first)."""
    criteria_set.ensure_editable()
    criteria_set.criteria.all().delete()
    saved: dict[str, Criterion] = {}
    for row in rows:
        assert row.max_score is not None
        criterion = Criterion(
            criteria_set=criteria_set,
            parent=saved.get(row.parent_code),
            code=row.code,
            title=row.title,
            max_score=row.max_score,
            method=row.method.value if row.method else "",
            parameters=spec_to_json(row.spec) if row.spec else {},
            evidence_required=row.evidence,
            guidance=row.guidance,
        )
        criterion.save()
        saved[row.code] = criterion


def export_criteria(criteria_set: CriteriaSet | None) -> bytes:
    """The set as an .xlsx in the import's columns; with None, an empty template with examples."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Bộ tiêu chí"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    if criteria_set is not None:
        for criterion in criteria_set.criteria.order_by("sort_key"):
            spec = (
                spec_from_json(criterion.method, criterion.parameters) if criterion.method else None
            )
            sheet.append(
                safe_row(
                    [
                        criterion.code,
                        criterion.title,
                        float(criterion.max_score)
                        if criterion.max_score % 1
                        else int(criterion.max_score),
                        criterion.method,
                        format_parameters(spec) if spec else "",
                        criterion.evidence_required,
                        criterion.guidance,
                    ]
                )
            )
    else:
        for example in TEMPLATE_EXAMPLES:
            sheet.append(example)
        notes = workbook.create_sheet("Hướng dẫn")
        for line in template_notes():
            notes.append([line])
        notes.column_dimensions["A"].width = 120
    for column, width in zip("ABCDEFG", (10, 60, 12, 14, 60, 40, 40), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    # Codes are text ("1.10" is not the number 1.1).
    for (cell,) in sheet.iter_rows(min_row=2, max_col=1):
        cell.number_format = "@"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


TEMPLATE_EXAMPLES = [
    ["1", "Công tác chỉ đạo, điều hành CCHC", 4, "", "", "", ""],
    ["1.1", "Kế hoạch CCHC năm", 4, "", "", "", ""],
    ["1.1.1", "Ban hành kế hoạch CCHC năm đúng thời hạn", 1, "yes_no", "", "Kế hoạch CCHC năm", ""],
    ["1.1.2", "Mức độ thực hiện kế hoạch", 2, "manual", "bước: 0,5", "Báo cáo CCHC năm", ""],
    [
        "1.1.3",
        "Hình thức tuyên truyền",
        1,
        "levels",
        "mức: Từ 3 hình thức trở lên = 1 | 1–2 hình thức = 0,5 | Không có = 0",
        "",
        "",
    ],
]


def template_notes() -> list[str]:
    """How to fill the template, on its second sheet."""
    return [
        "Mỗi dòng một tiêu chí. Mã dạng 1, 1.1, 1.1.3; điểm tối đa của tiêu chí cha bằng tổng các tiêu chí con.",
        "Phương pháp để trống ở tiêu chí cha; ở tiêu chí thành phần là một trong: "
        + ", ".join(f"{m.value} ({METHOD_NAMES_VI[m]})" for m in Method),
        "manual — bước: 0,5",
        "yes_no — không có tham số",
        "levels — mức: Tên mức = điểm | Tên mức = điểm",
        "thresholds — giá trị: ten_chi_so; ngưỡng: 98 = 3 | 95 = 2   (hoặc tử số: a; mẫu số: b; ngưỡng tính theo %)",
        "proportional — tử số: ket_qua_dien_tu; mẫu số: da_giai_quyet; mẫu số 0: đủ điểm | 0 điểm | không áp dụng",
        "count — mỗi mục: 1",
        "survey, bonus, penalty — không có tham số; với bonus và penalty, điểm tối đa là mức trần",
    ]
