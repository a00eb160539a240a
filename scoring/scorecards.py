"""A unit's scorecard: total, rank, classification, fields against its peers, deductions,
the trend over the years, and where the points that could still be gained are."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from cchc.models import User
from scoring.deduction_report import DeductionLine, deduction_report
from scoring.engine import Rank, round_points
from scoring.models import Assessment, AssessmentResult
from scoring.models.assessments import AssessmentState as S
from scoring.rankings import PROVISIONAL, PUBLISHED, may_see_provisional

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
    provisional: bool
    fields: list[FieldLine]
    deductions: list[DeductionLine]
    trend: list[TrendPoint]
    opportunities: list[Opportunity]


def build_scorecard(assessment: Assessment, user: User) -> Scorecard | None:
    """None where the user may not see this result yet (not published, not an appraiser)."""
    published = assessment.state == S.PUBLISHED
    allowed = may_see_provisional(user, assessment.unit)
    if not published and not (allowed and assessment.state in PROVISIONAL):
        return None
    states = PROVISIONAL if allowed else PUBLISHED
    report = deduction_report(assessment, states)
    peer_fields = list(
        AssessmentResult.objects.filter(
            assessment__criteria_set=assessment.criteria_set, assessment__state__in=states
        ).values_list("fields", flat=True)
    )
    titles = dict(
        assessment.criteria_set.criteria.filter(parent__isnull=True).values_list("code", "title")
    )
    stored = AssessmentResult.objects.filter(assessment=assessment).first()
    fields = []
    for code, (score, maximum) in (stored.fields if stored else {}).items():
        score_d, max_d = Decimal(score), Decimal(maximum)
        peers = [
            Decimal(f[code][0]) / Decimal(f[code][1]) * HUNDRED
            for f in peer_fields
            if code in f and Decimal(f[code][1])
        ]
        fields.append(
            FieldLine(
                code,
                titles.get(code, code),
                score_d,
                max_d,
                round_points(score_d / max_d * HUNDRED) if max_d else None,
                round_points(sum(peers, Decimal(0)) / len(peers)) if peers else None,
            )
        )
    return Scorecard(
        assessment=assessment,
        total=report.total,
        max_total=report.max_total,
        index=report.index,
        classification=report.classification,
        rank=report.rank,
        provisional=not published,
        fields=fields,
        deductions=report.lines,
        trend=_trend(assessment, states),
        opportunities=sorted(
            (
                Opportunity(line.code, line.title, line.lost, line.max_score)
                for line in report.lines
            ),
            key=lambda o: (-o.lost, o.code),
        ),
    )


def _trend(assessment: Assessment, states: tuple[str, ...]) -> list[TrendPoint]:
    unit = assessment.unit
    predecessors = {p.pk: p for p in unit.all_predecessors()}
    rows = AssessmentResult.objects.filter(
        assessment__unit_id__in=[unit.pk, *predecessors],
        assessment__state__in=states,
        assessment__criteria_set__year__lte=assessment.criteria_set.year,
    ).values_list("assessment__criteria_set__year", "index", "assessment__unit_id")
    points = [
        TrendPoint(year, index, str(predecessors.get(unit_id, unit)), unit_id != unit.pk)
        for year, index, unit_id in rows
    ]
    return sorted(points, key=lambda p: (p.year, p.is_predecessor, p.unit_label))
