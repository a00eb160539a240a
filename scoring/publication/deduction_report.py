"""The deduction report of a unit (báo cáo điểm bị trừ): the score and rank, then one line per
sub-criterion that lost points, in code order, with the appraiser's reason.

Once published it reads the published record (``PublishedResult`` and its deductions);
before that, appraisers and administrators read a provisional report from the appraisal as
it stands, in which a sub-criterion not yet appraised is not a deduction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from cchc.documents import render_pdf
from scoring.assessment.loading import appraised_codes, score_final
from scoring.criteria.parameters import format_number
from scoring.engine import Rank, round_points
from scoring.models import Assessment, Decision, PublishedResult
from scoring.publication.rankings import ranking_of_assessment


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
    decision: Decision | None  # the decision it reads; None: provisional
    not_appraised: list[str] = field(default_factory=list)  # provisional: codes still open

    @property
    def provisional(self) -> bool:
        return self.decision is None

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


def published_result_of(assessment: Assessment) -> PublishedResult | None:
    """The assessment's result in the decision standing now, if it was ever published."""
    return (
        PublishedResult.objects.current()
        .filter(assessment=assessment)
        .select_related("decision", "unit")
        .first()
    )


def published_report(assessment: Assessment, result: PublishedResult) -> DeductionReport:
    return DeductionReport(
        assessment=assessment,
        total=result.total,
        max_total=result.max_total,
        index=result.index,
        classification=result.classification or None,
        rank=Rank(result.rank, result.rank_of),
        lines=[
            DeductionLine(d.code, d.title, d.lost, d.max_score, d.reason)
            for d in result.deductions.all()
        ],
        decision=result.decision,
    )


def provisional_report(assessment: Assessment) -> DeductionReport:
    """The appraisal as it stands; ranked in the provisional ranking of its set."""
    result = score_final(assessment)
    items = list(assessment.items.select_related("criterion"))
    looked_at = appraised_codes(assessment, items)
    lines = [
        DeductionLine(d.code, d.title, d.lost, d.max_score, d.reason)
        for d in result.deductions
        if looked_at is None or d.code in looked_at
    ]
    row = ranking_of_assessment(assessment, provisional=True).row_of_unit(assessment.unit_id)
    open_codes = (
        [d.code for d in result.deductions if d.code not in looked_at]
        if looked_at is not None
        else []
    )
    return DeductionReport(
        assessment=assessment,
        total=result.total,
        max_total=result.max_total,
        index=result.index,
        classification=result.classification,
        rank=row.rank if row is not None else None,
        lines=lines,
        decision=None,
        not_appraised=open_codes,
    )


def deduction_report_pdf(report: DeductionReport) -> bytes:
    return render_pdf("scoring/deduction_report_pdf.html", {"report": report})
