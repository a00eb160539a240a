"""The letter a unit sends with its self-assessment (công văn đề nghị thẩm định), with the
summary table of its self scores, numbered per criteria set and dated when it is submitted;
as PDF and as .docx (python-docx), both from one content so that they cannot differ."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.db.models import Max
from django.utils import timezone

from cchc.documents import render_pdf
from cchc.models import NAME_PREFIX
from scoring.assessment.loading import score_self_assessment
from scoring.criteria.parameters import format_number
from scoring.models import Assessment, SubmissionLetter


def issue_letter(assessment: Assessment) -> SubmissionLetter:
    """The next number of the set, under the set's lock (two units submitting at once get
    different numbers)."""
    from scoring.models import CriteriaSet

    CriteriaSet.objects.select_for_update().get(pk=assessment.criteria_set_id)
    last = SubmissionLetter.objects.filter(
        assessment__criteria_set_id=assessment.criteria_set_id
    ).aggregate(last=Max("number"))["last"]
    signer = assessment.signed_off_by
    return SubmissionLetter.objects.create(
        assessment=assessment,
        number=(last or 0) + 1,
        signer_name=str(signer) if signer else "",
        signer_title="CHỦ TỊCH" if signer else "",
        summary=_summary(assessment),
    )


def _summary(assessment: Assessment) -> dict[str, object]:
    """The self scores by field as they stand when the letter is issued (the engine's)."""
    own = score_self_assessment(assessment)
    return {
        "rows": [
            [
                root.code,
                root.title,
                format_number(own.max_of(root.code)),
                format_number(own.score_of(root.code)),
            ]
            for root in own.tree.roots
        ],
        "total": format_number(own.total),
        "maximum": format_number(own.max_total),
    }


@dataclass
class LetterContent:
    sender: str  # "ỦY BAN NHÂN DÂN XÃ VĨNH LONG"
    number: str
    place_date: str
    subject: str
    recipient: str
    paragraphs: list[str]
    rows: list[tuple[str, str, str, str]]  # code, field, maximum, self score
    total: tuple[str, str]
    signer_title: str
    signer_name: str


def letter_content(letter: SubmissionLetter) -> LetterContent:
    assessment = letter.assessment
    unit, criteria_set = assessment.unit, assessment.criteria_set
    unit_name = f"{NAME_PREFIX.get(unit.kind, '')} {unit.name}".strip()
    issued = timezone.localtime(letter.issued_at)
    summary: dict[str, Any] = letter.summary or _summary(assessment)  # older letters: now
    rows = [(str(a), str(b), str(c), str(d)) for a, b, c, d in summary["rows"]]
    total, maximum = str(summary["total"]), str(summary["maximum"])
    issuer = criteria_set.issuer
    return LetterContent(
        sender=f"ỦY BAN NHÂN DÂN {unit_name.upper()}",
        number=f"Số: {letter.number}/UBND",
        place_date=f"{unit.name}, ngày {issued:%d} tháng {issued:%m} năm {issued:%Y}",
        subject=f"V/v đề nghị thẩm định kết quả tự đánh giá, chấm điểm Chỉ số cải cách hành chính năm {criteria_set.year}",
        recipient=f"Kính gửi: {issuer}",
        paragraphs=[
            f"Thực hiện {criteria_set.title}, Ủy ban nhân dân {unit_name} đã tổ chức tự đánh giá, "
            f"chấm điểm các tiêu chí, tiêu chí thành phần và cập nhật tài liệu kiểm chứng trên "
            f"phần mềm Chỉ số CCHC.",
            f"Kết quả tự đánh giá: {total}/{maximum} điểm (chi tiết tại bảng tổng hợp dưới đây).",
            f"Ủy ban nhân dân {unit_name} kính đề nghị {issuer} xem xét, thẩm định./.",
        ],
        rows=rows,
        total=(maximum, total),
        signer_title=letter.signer_title or "TM. ỦY BAN NHÂN DÂN",
        signer_name=letter.signer_name,
    )


def letter_pdf(letter: SubmissionLetter) -> bytes:
    return render_pdf("scoring/letter_pdf.html", {"letter": letter_content(letter)})


def letter_docx(letter: SubmissionLetter) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    content = letter_content(letter)
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"  # type: ignore[attr-defined]
    style.font.size = Pt(13)  # type: ignore[attr-defined]
    head = document.add_table(rows=1, cols=2)
    left, right = head.rows[0].cells
    left.text = f"{content.sender}\n{content.number}\n{content.subject}"
    right.text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    for cell in (left, right):
        for paragraph in cell.paragraphs:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    place = document.add_paragraph(content.place_date)
    place.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    recipient = document.add_paragraph(content.recipient)
    recipient.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text in content.paragraphs:
        paragraph = document.add_paragraph(text)
        paragraph.paragraph_format.first_line_indent = Cm(1)
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells, ["Mã", "Lĩnh vực", "Điểm tối đa", "Điểm tự đánh giá"], strict=True
    ):
        cell.text = text
    for row in content.rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    last = table.add_row().cells
    last[1].text, last[2].text, last[3].text = "Tổng", *content.total
    signature = document.add_paragraph(f"{content.signer_title}\n\n\n\n{content.signer_name}")
    signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
