"""A unit's scorecard: total, rank, classification, fields against the units ranked with it,
deductions, the trend over the years, and where the points that could still be gained are.
Published figures come from the published record; provisional ones (for appraisers and
administrators) from the provisional ranking."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from cchc.documents import render_pdf
from cchc.models import User
from scoring.engine import Rank
from scoring.models import Assessment, Decision, PublishedResult
from scoring.publication.deduction_report import (
    DeductionLine,
    DeductionReport,
    provisional_report,
    published_report,
    published_result_of,
)
from scoring.publication.rankings import Ranking, build_ranking, group_of, may_see_provisional

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class FieldLine:
    code: str
    title: str
    score: Decimal
    max_score: Decimal
    index: Decimal | None
    peer_average: Decimal | None


@dataclass(frozen=True)
class TrendPoint:
    year: int
    index: Decimal
    unit_label: str
    is_predecessor: bool


@dataclass(frozen=True)
class Opportunity:
    code: str
    title: str
    lost: Decimal
    max_score: Decimal


@dataclass
class Scorecard:
    assessment: Assessment
    total: Decimal
    max_total: Decimal
    index: Decimal
    classification: str | None
    rank: Rank | None
    decision: Decision | None  # None: provisional
    fields: list[FieldLine]
    deductions: list[DeductionLine]
    trend: list[TrendPoint]
    opportunities: list[Opportunity]

    @property
    def provisional(self) -> bool:
        return self.decision is None


def build_scorecard(
    assessment: Assessment, user: User, provisional: bool = False
) -> Scorecard | None:
    """The published scorecard; or, for the appraisers and administrators of the set, the
    provisional one (also when asked for while a published one exists). None where the user
    may see neither."""
    published = published_result_of(assessment)
    allowed = may_see_provisional(user, assessment.criteria_set)
    if published is not None and not (provisional and allowed):
        report = published_report(assessment, published)
        ranking = build_ranking(
            assessment.criteria_set, published.decision.group, decision=published.decision
        )
    elif allowed:
        report = provisional_report(assessment)
        ranking = build_ranking(
            assessment.criteria_set,
            group_of(assessment.criteria_set, assessment.unit),
            provisional=True,
        )
    else:
        return None
    return Scorecard(
        assessment=assessment,
        total=report.total,
        max_total=report.max_total,
        index=report.index,
        classification=report.classification,
        rank=report.rank,
        decision=report.decision,
        fields=_fields(assessment, ranking),
        deductions=report.lines,
        trend=_trend(assessment),
        opportunities=_opportunities(report),
    )


def _fields(assessment: Assessment, ranking: Ranking) -> list[FieldLine]:
    own = ranking.row_of_unit(assessment.unit_id)
    if own is None:
        return []
    averages = ranking.field_averages()
    return [
        FieldLine(
            code,
            ranking.field_titles.get(code, code),
            own.fields[code][0],
            own.fields[code][1],
            own.field_index(code),
            averages.get(code),
        )
        for code in ranking.field_codes
        if code in own.fields
    ]


def _opportunities(report: DeductionReport) -> list[Opportunity]:
    return sorted(
        (Opportunity(line.code, line.title, line.lost, line.max_score) for line in report.lines),
        key=lambda o: (-o.lost, o.code),
    )


def _trend(assessment: Assessment) -> list[TrendPoint]:
    """The published index of each year, the unit's own and its predecessors'."""
    unit = assessment.unit
    predecessors = {p.pk: p for p in unit.all_predecessors()}
    rows = (
        PublishedResult.objects.current()
        .filter(
            unit_id__in=[unit.pk, *predecessors],
            decision__criteria_set__year__lte=assessment.criteria_set.year,
        )
        .values_list("decision__criteria_set__year", "index", "unit_id")
    )
    points = [
        TrendPoint(year, index, str(predecessors.get(unit_id, unit)), unit_id != unit.pk)
        for year, index, unit_id in rows
    ]
    return sorted(points, key=lambda p: (p.year, p.is_predecessor, p.unit_label))


def scorecard_pdf(card: Scorecard) -> bytes:
    return render_pdf("scoring/scorecard_pdf.html", {"card": card})
