"""Rankings: the one function (``build_ranking``) behind the ranking page, its .xlsx, the
PDF decision, the ``ranking`` command and the API, so that they never disagree."""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from cchc.models import Role, Unit, User
from cchc.spreadsheets import safe_row
from scoring.engine import Rank, rank, round_points
from scoring.models import Assessment, AssessmentResult, CriteriaSet
from scoring.models.assessments import AssessmentState as S

PUBLISHED = (S.PUBLISHED,)
PROVISIONAL = (S.APPRAISED, S.APPROVED, S.PUBLISHED)
HUNDRED = Decimal(100)


@dataclass
class PreviousResult:
    """Last year's index of the unit, or of its predecessors (labelled as such)."""

    index: Decimal
    via_predecessors: list[tuple[str, Decimal]] = field(default_factory=list)


@dataclass
class RankingRow:
    assessment_id: int
    unit_code: str
    unit_name: str
    unit_label: str
    score: Decimal
    max_score: Decimal
    index: Decimal
    classification: str
    fields: dict[str, tuple[Decimal, Decimal]]
    state: str
    self_score: Decimal | None = None
    rank: Rank | None = None
    previous: PreviousResult | None = None

    @property
    def change(self) -> Decimal | None:
        return self.index - self.previous.index if self.previous is not None else None

    def field_index(self, code: str) -> Decimal | None:
        score, maximum = self.fields.get(code, (Decimal(0), Decimal(0)))
        return round_points(score / maximum * HUNDRED) if maximum else None

    def as_json(self) -> dict[str, Any]:
        return {
            "unit_code": self.unit_code,
            "unit_name": self.unit_name,
            "score": float(self.score),
            "max_score": float(self.max_score),
            "index_percent": float(self.index),
            "rank": self.rank.position if self.rank else None,
            "rank_of": self.rank.of if self.rank else None,
            "classification": self.classification,
            "fields": {code: float(score) for code, (score, _maximum) in self.fields.items()},
        }


@dataclass
class Ranking:
    parent: Unit | None
    year: int
    criteria_set: CriteriaSet | None
    rows: list[RankingRow]
    provisional: bool
    field_codes: list[str]
    field_titles: dict[str, str]
    show_self: bool

    @property
    def classification_counts(self) -> list[tuple[str, int]]:
        counts: dict[str, int] = defaultdict(int)
        for row in self.rows:
            counts[row.classification or "—"] += 1
        order = [
            band[0]
            for band in (self.criteria_set.classification_bands if self.criteria_set else [])
        ]
        return sorted(
            counts.items(),
            key=lambda item: order.index(item[0]) if item[0] in order else len(order),
        )

    @property
    def average_index(self) -> Decimal | None:
        return (
            round_points(sum((r.index for r in self.rows), Decimal(0)) / len(self.rows))
            if self.rows
            else None
        )

    def field_averages(self) -> dict[str, Decimal | None]:
        averages: dict[str, Decimal | None] = {}
        for code in self.field_codes:
            values = [v for v in (row.field_index(code) for row in self.rows) if v is not None]
            averages[code] = round_points(sum(values, Decimal(0)) / len(values)) if values else None
        return averages


def may_see_provisional(user: User, parent: Unit | None) -> bool:
    roles = [Role.APPRAISER, Role.ADMINISTRATOR]
    if parent is None:
        return user.is_superuser
    return Unit.objects.actionable_by(user, roles).filter(pk=parent.pk).exists() or any(
        parent.path.startswith(path) for path in user.role_paths(set(roles))
    )


def sets_for(parent: Unit | None, year: int) -> list[CriteriaSet]:
    """The year's sets that score units under ``parent`` (the sets issued at or above it first)."""
    sets = CriteriaSet.objects.filter(
        year=year, status=CriteriaSet.Status.PUBLISHED
    ).select_related("scope")
    if parent is not None:
        above = [code for code in parent.path.split("/") if code]
        sets = sets.filter(Q(scope__code__in=above) | Q(scope__path__startswith=parent.path))
    return sorted(sets, key=lambda s: (s.scope.depth, s.pk))


def build_ranking(
    parent: Unit | None,
    year: int,
    user: User,
    criteria_set: CriteriaSet | None = None,
    published_only: bool = False,
) -> Ranking:
    """Every unit under ``parent`` scored by the year's set, ranked. Leaders and officers see
    published results only; appraisers and administrators also the appraised ones, marked
    provisional."""
    if criteria_set is None:
        candidates = sets_for(parent, year)
        criteria_set = candidates[0] if candidates else None
    provisional_allowed = may_see_provisional(user, parent) and not published_only
    states = PROVISIONAL if provisional_allowed else PUBLISHED
    fields = (
        list(
            criteria_set.criteria.filter(parent__isnull=True)
            .order_by("sort_key")
            .values_list("code", "title")
        )
        if criteria_set
        else []
    )
    if criteria_set is None:
        return Ranking(parent, year, None, [], False, [], {}, False)
    results = AssessmentResult.objects.filter(
        assessment__criteria_set=criteria_set,
        assessment__state__in=states,
        assessment__unit__in=Unit.objects.visible_to(user),
    ).select_related("assessment__unit")
    if parent is not None:
        results = results.filter(assessment__unit__path__startswith=parent.path)
    rows = [_row(result) for result in results]
    ranks = rank({row.assessment_id: row.index for row in rows}, dense=criteria_set.dense_ranking)
    for row in rows:
        row.rank = ranks[row.assessment_id]
    _attach_previous(rows, year, states, user)
    rows.sort(key=lambda row: (row.rank.position if row.rank else 0, row.unit_code))
    field_codes = [
        code for code, _title in fields if any(code in row.fields for row in rows) or not rows
    ]
    return Ranking(
        parent=parent,
        year=year,
        criteria_set=criteria_set,
        rows=rows,
        provisional=any(row.state != S.PUBLISHED for row in rows),
        field_codes=field_codes,
        field_titles=dict(fields),
        show_self=provisional_allowed,
    )


def _row(result: AssessmentResult) -> RankingRow:
    assessment = result.assessment
    unit = assessment.unit
    return RankingRow(
        assessment_id=assessment.pk,
        unit_code=unit.code,
        unit_name=unit.name,
        unit_label=str(unit),
        score=result.total,
        max_score=result.max_total,
        index=result.index,
        classification=result.classification,
        fields={
            code: (Decimal(score), Decimal(maximum))
            for code, (score, maximum) in result.fields.items()
        },
        state=assessment.state,
        self_score=result.self_total,
    )


def _attach_previous(
    rows: list[RankingRow], year: int, states: tuple[str, ...], user: User
) -> None:
    """Last year's index of each unit, or, for a unit made by a merger, of its predecessors."""
    codes = [row.unit_code for row in rows]
    units = {
        u.code: u for u in Unit.objects.filter(code__in=codes).prefetch_related("predecessors")
    }
    predecessor_codes = {
        row.unit_code: [p.code for p in units[row.unit_code].predecessors.all()] for row in rows
    }
    wanted = set(codes) | {code for found in predecessor_codes.values() for code in found}
    previous = {
        code: (name, index)
        for code, name, index in AssessmentResult.objects.filter(
            assessment__criteria_set__year=year - 1,
            assessment__state__in=states,
            assessment__unit__code__in=wanted,
            assessment__unit__in=Unit.objects.visible_to(user),
        ).values_list("assessment__unit__code", "assessment__unit__name", "index")
    }
    for row in rows:
        if row.unit_code in previous:
            row.previous = PreviousResult(previous[row.unit_code][1])
            continue
        found = [
            (previous[code][0], previous[code][1])
            for code in predecessor_codes[row.unit_code]
            if code in previous
        ]
        if found:
            average = round_points(sum((index for _name, index in found), Decimal(0)) / len(found))
            row.previous = PreviousResult(average, via_predecessors=found)


SORT_KEYS = {"rank", "name", "score", "index", "change", "self"}


def sorted_rows(ranking: Ranking, key: str) -> list[RankingRow]:
    descending = key.startswith("-")
    name = key.lstrip("-")
    if name not in SORT_KEYS and not name.startswith("field:"):
        return ranking.rows

    def value(row: RankingRow) -> Any:
        if name == "rank":
            return row.rank.position if row.rank else 0
        if name == "name":
            return row.unit_name
        if name == "score":
            return row.score
        if name == "index":
            return row.index
        if name == "self":
            return row.self_score if row.self_score is not None else Decimal(-1)
        if name == "change":
            return row.change if row.change is not None else Decimal(-1000)
        found = row.field_index(name.split(":", 1)[1])
        return found if found is not None else Decimal(-1)

    return sorted(ranking.rows, key=value, reverse=descending)


def ranking_xlsx(ranking: Ranking) -> bytes:
    """The ranking with Vietnamese headers; numbers stay numbers."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Xếp hạng"
    title = f"Kết quả Chỉ số cải cách hành chính năm {ranking.year}"
    if ranking.parent is not None:
        title += f" — {ranking.parent}"
    if ranking.provisional:
        title += " (kết quả tạm thời, chưa công bố)"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True)
    sheet.append([])
    headers = ["Hạng", "Mã đơn vị", "Đơn vị", "Điểm", "Điểm tối đa", "Chỉ số (%)", "Xếp loại"]
    headers += [f"Lĩnh vực {code} (%)" for code in ranking.field_codes]
    headers += ["Chỉ số năm trước (%)", "Tăng/giảm (điểm %)"]
    sheet.append(headers)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in ranking.rows:
        sheet.append(
            safe_row(
                [
                    f"{row.rank}" if row.rank else "",
                    row.unit_code,
                    row.unit_label,
                    float(row.score),
                    float(row.max_score),
                    float(row.index),
                    row.classification,
                    *[_number(row.field_index(code)) for code in ranking.field_codes],
                    _number(row.previous.index if row.previous else None),
                    _number(row.change),
                ]
            )
        )
    sheet.column_dimensions["C"].width = 30
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def ranking_json(ranking: Ranking) -> list[dict[str, Any]]:
    return [row.as_json() for row in ranking.rows]


def rank_in_set(assessment: Assessment, states: tuple[str, ...]) -> Rank | None:
    """The assessment's rank among its set's units in ``states``, as the ranking page shows it."""
    indices = dict(
        AssessmentResult.objects.filter(
            assessment__criteria_set=assessment.criteria_set, assessment__state__in=states
        ).values_list("assessment_id", "index")
    )
    if assessment.pk not in indices:
        return None
    return rank(indices, dense=assessment.criteria_set.dense_ranking)[assessment.pk]
