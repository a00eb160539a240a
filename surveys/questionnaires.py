"""A questionnaire as a workbook, both ways, and copied to a new year.

The workbook has five sheets; every bad row of every sheet is listed and nothing is written
unless the whole file is good:

- ``Phiếu``: ``Mục`` / ``Nội dung`` rows: ``Tiêu đề``, ``Giới thiệu`` (what respondents are
  told), ``Sai số`` (e, default 0,05), ``Theo mã mời`` (có/không);
- ``Nhóm``: ``Mã nhóm``, ``Nhóm người trả lời``;
- ``Câu hỏi``: ``Phần``, ``Mã câu``, ``Câu hỏi``, ``Nhóm`` (codes, comma-separated; empty:
  everyone), ``Bắt buộc`` (có/không);
- ``Phương án``: ``Mã câu``, ``Mã phương án``, ``Phương án``, ``Trọng số (%)`` (empty: not
  scored, e.g. "Không biết");
- ``Cách tính``: ``Mã tiêu chí`` (a survey sub-criterion of the set), ``Cách tính``
  (``bình quân``: mean weight × the maximum; ``bảng``: bands), ``Các câu`` (codes),
  ``Bảng mức`` (for ``bảng``: "90:10; 75:8; 0:0", from % : points).
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from cchc.spreadsheets import (
    ImportRefused,
    RowError,
    Table,
    cell_decimal,
    cell_text,
    read_table,
    safe_row,
)
from scoring.engine import Method
from scoring.models import CriteriaSet
from surveys.models import Choice, Question, Questionnaire, RespondentGroup, ScoringRule

SHEETS = {
    "Phiếu": ["Mục", "Nội dung"],
    "Nhóm": ["Mã nhóm", "Nhóm người trả lời"],
    "Câu hỏi": ["Phần", "Mã câu", "Câu hỏi", "Nhóm", "Bắt buộc"],
    "Phương án": ["Mã câu", "Mã phương án", "Phương án", "Trọng số (%)"],
    "Cách tính": ["Mã tiêu chí", "Cách tính", "Các câu", "Bảng mức"],
}
YES = {"có", "x", "1", "true", "yes", "đúng"}
NO = {"", "không", "0", "false", "no"}
METHODS = {
    "bình quân": ScoringRule.Method.MEAN,
    "mean": ScoringRule.Method.MEAN,
    "bảng": ScoringRule.Method.TABLE,
    "table": ScoringRule.Method.TABLE,
}


def _codes(text: str) -> list[str]:
    return [code.strip() for code in text.replace(";", ",").split(",") if code.strip()]


def _yes(text: str) -> bool | None:
    value = text.strip().lower()
    return True if value in YES else False if value in NO else None


def parse_bands(text: str) -> list[list[str]]:
    """ "90:10; 75:8; 0:0" → [["90", "10"], ["75", "8"], ["0", "0"]]; ValueError if bad."""
    bands = []
    for part in text.replace("\n", ";").split(";"):
        if not part.strip():
            continue
        start, _colon, points = part.partition(":")
        start_value = cell_decimal(start.strip())
        points_value = cell_decimal(points.strip())
        if start_value is None or points_value is None or not 0 <= start_value <= 100:
            raise ValueError(part)
        bands.append([str(start_value), str(points_value)])
    if not bands:
        raise ValueError(text)
    return bands


def read_questionnaire(source: IO[bytes], filename: str) -> dict[str, Table]:
    if not filename.lower().endswith(".xlsx"):
        raise ImportRefused([RowError(0, "", _("Upload the questionnaire as an .xlsx workbook."))])
    tables = {}
    errors = []
    for sheet, columns in SHEETS.items():
        source.seek(0)
        try:
            table = read_table(source, filename, sheet=sheet)
        except ImportRefused as refused:
            errors += [
                RowError(e.row, f"{sheet}: {e.column}".rstrip(": "), e.message, e.value)
                for e in refused.errors
            ]
            continue
        errors += [
            RowError(e.row, f"{sheet}: {e.column}", e.message)
            for e in table.missing_columns(columns)
        ]
        tables[sheet] = table
    if errors:
        raise ImportRefused(errors)
    return tables


@transaction.atomic
def import_questionnaire(
    source: IO[bytes], filename: str, criteria_set: CriteriaSet, user: Any = None
) -> Questionnaire:
    """Create (or replace, while it takes no answers) the questionnaire of a criteria set."""
    tables = read_questionnaire(source, filename)
    errors: list[RowError] = []

    def bad(sheet: str, row: int, column: str, message: str, value: Any = "") -> None:
        errors.append(RowError(row, f"{sheet}: {column}", message, cell_text(value)))

    about = {
        cell_text(values.get("Mục")).lower(): (number, values.get("Nội dung"))
        for number, values in tables["Phiếu"].rows
    }
    title = cell_text(about.get("tiêu đề", (0, ""))[1])
    introduction = cell_text(about.get("giới thiệu", (0, ""))[1])
    if not title:
        bad("Phiếu", 0, "Tiêu đề", _("the questionnaire needs a title"))
    if not introduction:
        bad(
            "Phiếu",
            0,
            "Giới thiệu",
            _("say who runs the survey, why, and how the answers are used"),
        )
    margin = Decimal("0.05")
    if "sai số" in about:
        number, value = about["sai số"]
        try:
            margin = cell_decimal(value) or margin
        except ValueError:
            bad("Phiếu", number, "Sai số", _("not a number"), value)
        if not Decimal("0.01") <= margin <= Decimal("0.2"):
            bad(
                "Phiếu", number, "Sai số", _("the margin of error lies between 0,01 and 0,2"), value
            )
    tokens = False
    if "theo mã mời" in about:
        number, value = about["theo mã mời"]
        answer = _yes(cell_text(value))
        if answer is None:
            bad("Phiếu", number, "Theo mã mời", _("write có or không"), value)
        tokens = bool(answer)

    groups: dict[str, tuple[int, str]] = {}
    for number, values in tables["Nhóm"].rows:
        code, name = cell_text(values.get("Mã nhóm")), cell_text(values.get("Nhóm người trả lời"))
        if not code or not name:
            bad("Nhóm", number, "Mã nhóm", _("each group needs a code and a name"), code)
        elif code in groups:
            bad(
                "Nhóm",
                number,
                "Mã nhóm",
                _("the group %(code)s is already on row %(row)d")
                % {"code": code, "row": groups[code][0]},
                code,
            )
        else:
            groups[code] = (number, name)
    if not groups and not any(e.column.startswith("Nhóm") for e in errors):
        bad("Nhóm", 0, "Mã nhóm", _("the questionnaire needs at least one respondent group"))

    questions: dict[str, dict[str, Any]] = {}
    for number, values in tables["Câu hỏi"].rows:
        code = cell_text(values.get("Mã câu"))
        text = cell_text(values.get("Câu hỏi"))
        if not code or not text:
            bad("Câu hỏi", number, "Mã câu", _("each question needs a code and its text"), code)
            continue
        if code in questions:
            bad(
                "Câu hỏi",
                number,
                "Mã câu",
                _("the question %(code)s is already on row %(row)d")
                % {"code": code, "row": questions[code]["row"]},
                code,
            )
            continue
        asked = _codes(cell_text(values.get("Nhóm")))
        unknown = [group for group in asked if group not in groups]
        if unknown:
            bad(
                "Câu hỏi",
                number,
                "Nhóm",
                _("no group %(codes)s") % {"codes": ", ".join(unknown)},
                values.get("Nhóm"),
            )
        required = _yes(cell_text(values.get("Bắt buộc")))
        if required is None:
            bad("Câu hỏi", number, "Bắt buộc", _("write có or không"), values.get("Bắt buộc"))
        questions[code] = {
            "row": number,
            "section": cell_text(values.get("Phần")) or "—",
            "text": text,
            "groups": asked,
            "required": bool(required),
            "choices": [],
        }

    for number, values in tables["Phương án"].rows:
        question_code = cell_text(values.get("Mã câu"))
        code, text = cell_text(values.get("Mã phương án")), cell_text(values.get("Phương án"))
        if question_code not in questions:
            bad(
                "Phương án",
                number,
                "Mã câu",
                _("no question %(code)s") % {"code": question_code},
                question_code,
            )
            continue
        if not code or not text:
            bad(
                "Phương án",
                number,
                "Mã phương án",
                _("each answer needs a code and its text"),
                code,
            )
            continue
        if any(existing[0] == code for existing in questions[question_code]["choices"]):
            bad(
                "Phương án",
                number,
                "Mã phương án",
                _("the answer %(code)s of question %(question)s is listed twice")
                % {"code": code, "question": question_code},
                code,
            )
            continue
        weight_cell = values.get("Trọng số (%)")
        try:
            weight = cell_decimal(weight_cell)
        except ValueError:
            bad("Phương án", number, "Trọng số (%)", _("not a number"), weight_cell)
            continue
        if weight is not None and not 0 <= weight <= 100:
            bad(
                "Phương án",
                number,
                "Trọng số (%)",
                _("a weight lies between 0 and 100"),
                weight_cell,
            )
            continue
        questions[question_code]["choices"].append((code, text, weight))
    for code, question in questions.items():
        if len(question["choices"]) < 2:
            bad(
                "Câu hỏi",
                question["row"],
                "Mã câu",
                _("the question %(code)s needs at least two answers") % {"code": code},
                code,
            )

    survey_items = {c.code: c for c in criteria_set.criteria.filter(method=Method.SURVEY.value)}
    rules: list[dict[str, Any]] = []
    for number, values in tables["Cách tính"].rows:
        code = cell_text(values.get("Mã tiêu chí"))
        if code not in survey_items:
            bad(
                "Cách tính",
                number,
                "Mã tiêu chí",
                _("%(code)s is not a survey sub-criterion of the set (they are: %(codes)s)")
                % {"code": code, "codes": ", ".join(survey_items) or "—"},
                code,
            )
            continue
        method = METHODS.get(cell_text(values.get("Cách tính")).lower())
        if method is None:
            bad(
                "Cách tính",
                number,
                "Cách tính",
                _("write bình quân or bảng"),
                values.get("Cách tính"),
            )
            continue
        asked = _codes(cell_text(values.get("Các câu")))
        missing = [q for q in asked if q not in questions]
        if not asked or missing:
            bad(
                "Cách tính",
                number,
                "Các câu",
                _("no question %(codes)s") % {"codes": ", ".join(missing) or "—"},
                values.get("Các câu"),
            )
            continue
        table: list[list[str]] = []
        if method == ScoringRule.Method.TABLE:
            try:
                table = parse_bands(cell_text(values.get("Bảng mức")))
            except ValueError:
                bad(
                    "Cách tính",
                    number,
                    "Bảng mức",
                    _("write the bands as 90:10; 75:8; 0:0 (from % : points)"),
                    values.get("Bảng mức"),
                )
                continue
            too_high = [
                points for _start, points in table if Decimal(points) > survey_items[code].max_score
            ]
            if too_high:
                bad(
                    "Cách tính",
                    number,
                    "Bảng mức",
                    _("more points than the maximum of %(code)s") % {"code": code},
                    values.get("Bảng mức"),
                )
                continue
        if any(rule["code"] == code for rule in rules):
            bad(
                "Cách tính",
                number,
                "Mã tiêu chí",
                _("%(code)s is scored twice") % {"code": code},
                code,
            )
            continue
        rules.append({"code": code, "method": method, "questions": asked, "table": table})
    if errors:
        raise ImportRefused(errors)

    existing = Questionnaire.objects.filter(criteria_set=criteria_set).first()
    if existing is not None:
        if existing.links.filter(responses__isnull=False).exists():
            raise ImportRefused(
                [
                    RowError(
                        0, "", _("The questionnaire already has answers; it cannot be replaced.")
                    )
                ]
            )
        existing.delete()
    questionnaire = Questionnaire.objects.create(
        criteria_set=criteria_set,
        title=title,
        introduction=introduction,
        margin=margin,
        uses_tokens=tokens,
        created_by=user if user is not None and user.pk else None,
    )
    group_objects = {
        code: RespondentGroup.objects.create(
            questionnaire=questionnaire, code=code, name=name, sort=position
        )
        for position, (code, (_row, name)) in enumerate(groups.items())
    }
    question_objects = {}
    for position, (code, question) in enumerate(questions.items()):
        created = Question.objects.create(
            questionnaire=questionnaire,
            section=question["section"],
            code=code,
            text=question["text"],
            required=question["required"],
            sort=position,
        )
        created.groups.set([group_objects[g] for g in question["groups"]])
        Choice.objects.bulk_create(
            Choice(question=created, code=c, text=t, weight=w, sort=i)
            for i, (c, t, w) in enumerate(question["choices"])
        )
        question_objects[code] = created
    for rule in rules:
        created_rule = ScoringRule.objects.create(
            questionnaire=questionnaire,
            criterion=survey_items[rule["code"]],
            method=rule["method"],
            table=rule["table"],
        )
        created_rule.questions.set([question_objects[q] for q in rule["questions"]])
    return questionnaire


def export_questionnaire(questionnaire: Questionnaire) -> bytes:
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    rows: dict[str, list[list[Any]]] = {
        "Phiếu": [
            ["Tiêu đề", questionnaire.title],
            ["Giới thiệu", questionnaire.introduction],
            ["Sai số", questionnaire.margin],
            ["Theo mã mời", "có" if questionnaire.uses_tokens else "không"],
        ],
        "Nhóm": [[g.code, g.name] for g in questionnaire.groups.all()],
        "Câu hỏi": [],
        "Phương án": [],
        "Cách tính": [],
    }
    for question in questionnaire.questions.prefetch_related("groups", "choices"):
        rows["Câu hỏi"].append(
            [
                question.section,
                question.code,
                question.text,
                ", ".join(g.code for g in question.groups.all()),
                "có" if question.required else "không",
            ]
        )
        for choice in question.choices.all():
            rows["Phương án"].append([question.code, choice.code, choice.text, choice.weight])
    for rule in questionnaire.rules.select_related("criterion").prefetch_related("questions"):
        rows["Cách tính"].append(
            [
                rule.criterion.code,
                "bảng" if rule.method == ScoringRule.Method.TABLE else "bình quân",
                ", ".join(q.code for q in rule.questions.all()),
                "; ".join(f"{start}:{points}" for start, points in rule.table),
            ]
        )
    for sheet, columns in SHEETS.items():
        worksheet = workbook.create_sheet(sheet)
        worksheet.append(columns)
        for cell in worksheet[1]:
            cell.font = Font(bold=True)
        for values in rows[sheet]:
            worksheet.append(safe_row(values))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def copy_questionnaire(
    questionnaire: Questionnaire, target: CriteriaSet, user: Any = None
) -> Questionnaire:
    """The same questionnaire for another set (a new year): through its workbook, so that the
    target's survey sub-criteria are checked as in an import."""
    content = export_questionnaire(questionnaire)
    return import_questionnaire(io.BytesIO(content), "copy.xlsx", target, user)
