"""The deduction report of a unit (báo cáo điểm bị trừ), generated from its appraisal:
the score and rank, then one line per sub-criterion that lost points, in code order."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from scoring.engine import Deduction, Rank, round_points
from scoring.fetch import score_final
from scoring.models import Assessment
from scoring.models.assessments import AssessmentState as S
from scoring.parameters import format_number

RANKED_STATES = (S.APPRAISED, S.APPROVED, S.PUBLISHED)


def points_vi(value: Decimal) -> str:
    """84,66 — always two decimals, as a decision writes a score."""
    return f"{round_points(value):.2f}".replace(".", ",")


@dataclass(frozen=True)
class DeductionLine:
    code: str
    title: str
    lost: Decimal
    max_score: Decimal
    reason: str

    @classmethod
    def of(cls, deduction: Deduction) -> DeductionLine:
        return cls(
            deduction.code, deduction.title, deduction.lost, deduction.max_score, deduction.reason
        )

    def __str__(self) -> str:
        text = f"Mục {self.code}. {self.title} (-{format_number(self.lost)}đ/{format_number(self.max_score)}đ)"
        return f"{text}: {self.reason}" if self.reason else text


@dataclass(frozen=True)
class DeductionReport:
    assessment: Assessment
    total: Decimal
    max_total: Decimal
    index: Decimal
    classification: str | None
    rank: Rank | None
    lines: list[DeductionLine]

    @property
    def provisional(self) -> bool:
        return self.assessment.state != S.PUBLISHED

    @property
    def total_lost(self) -> Decimal:
        return sum((line.lost for line in self.lines), Decimal(0))

    def headline(self) -> str:
        """ "Xã Vĩnh Long đạt 84,66 điểm, xếp 8/18" """
        text = _("%(unit)s scored %(score)s points") % {
            "unit": self.assessment.unit,
            "score": points_vi(self.total),
        }
        if self.rank is not None:
            text += ", " + _("ranked %(rank)s") % {"rank": self.rank}
        return text


def deduction_report(
    assessment: Assessment, states: tuple[str, ...] = RANKED_STATES
) -> DeductionReport:
    """Scored from the appraisal; ranked among the set's units in ``states`` — the states the
    reader may see, as on the ranking page (published only, for the unit and leaders)."""
    from scoring.rankings import rank_in_set

    result = score_final(assessment)
    return DeductionReport(
        assessment=assessment,
        total=result.total,
        max_total=result.max_total,
        index=result.index,
        classification=result.classification,
        rank=rank_in_set(assessment, states),
        lines=[DeductionLine.of(d) for d in result.deductions],
    )


def deduction_report_pdf(report: DeductionReport) -> bytes:
    from weasyprint import HTML

    html = render_to_string("scoring/deduction_report_pdf.html", {"report": report})
    return HTML(string=html).write_pdf()
