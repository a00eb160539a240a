"""Rankings: the one function (``build_ranking``) behind the ranking page, its .xlsx, the PDF
decision, the ``ranking`` command, the API, the scorecard and the deduction report, so that
they never disagree.

A published ranking reads the published results of a decision and nothing else: every unit
ranked together, whoever reads it. A provisional ranking (appraisers and administrators
of the set, before publication) ranks the appraised results of the same units the same
way, marked as provisional.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from cchc.documents import Sheet, xlsx_bytes
from cchc.kept import Kept
from cchc.models import Role, Unit, User
from cchc.reorganisation import inheritances
from scoring.assessment.workflow import RESULT_STATES
from scoring.criteria.sets import ranking_groups_of
from scoring.engine import Rank, rank, round_points
from scoring.models import (
    Assessment,
    AssessmentItem,
    AssessmentResult,
    CriteriaSet,
    Decision,
    PublishedResult,
    RankingGroup,
)
from scoring.publication.published import assessments_ranked_together, current_decision

HUNDRED = Decimal(100)


@dataclass
class PreviousResult:
    """Last year's published index of the unit, or of its predecessors (labelled as such)."""

    index: Decimal
    via_predecessors: list[tuple[str, Decimal]] = field(default_factory=list)


@dataclass
class RankingRow:
    unit_id: int
    unit_code: str
    unit_name: str
    unit_label: str
    score: Decimal
    max_score: Decimal
    index: Decimal
    classification: str
    fields: dict[str, tuple[Decimal, Decimal]]
    rank: Rank
    assessment_id: int | None = None
    self_score: Decimal | None = None
    previous: PreviousResult | None = None
    warnings: list[str] = field(default_factory=list)  # e.g. a survey short of its sample
    # Each field's component index, worked out once (rows kept for a decision share it).
    indices: dict[str, Decimal | None] = field(default_factory=dict, repr=False, compare=False)

    @property
    def change(self) -> Decimal | None:
        return self.index - self.previous.index if self.previous is not None else None

    def field_index(self, code: str) -> Decimal | None:
        if code not in self.indices:
            score, maximum = self.fields.get(code, (Decimal(0), Decimal(0)))
            self.indices[code] = round_points(score / maximum * HUNDRED) if maximum else None
        return self.indices[code]

    def as_json(self) -> dict[str, Any]:
        return {
            "unit_code": self.unit_code,
            "unit_name": self.unit_name,
            "score": float(self.score),
            "max_score": float(self.max_score),
            "index_percent": float(self.index),
            "rank": self.rank.position,
            "rank_of": self.rank.of,
            "classification": self.classification,
            "fields": {code: float(score) for code, (score, _maximum) in self.fields.items()},
            "warnings": self.warnings,
        }


@dataclass
class Ranking:
    criteria_set: CriteriaSet
    group: RankingGroup | None
    decision: Decision | None  # None: provisional, or nothing published yet
    rows: list[RankingRow]
    provisional: bool
    field_codes: list[str]
    field_titles: dict[str, str]
    not_ranked: list[Assessment] = field(default_factory=list)  # provisional: not appraised yet

    @property
    def year(self) -> int:
        return self.criteria_set.year

    @property
    def show_self(self) -> bool:
        return self.provisional

    @property
    def newer_decision(self) -> Decision | None:
        """The decision that supersedes the one shown, if any."""
        if self.decision is None or self.decision.is_current:
            return None
        return self.decision.current_version()

    @property
    def title(self) -> str:
        text = str(self.criteria_set)
        return f"{text} — {self.group}" if self.group is not None else text

    @property
    def classification_counts(self) -> list[tuple[str, int]]:
        counts: dict[str, int] = defaultdict(int)
        for row in self.rows:
            counts[row.classification or "—"] += 1
        order = [band[0] for band in self.criteria_set.classification_bands]
        return sorted(
            counts.items(),
            key=lambda item: order.index(item[0]) if item[0] in order else len(order),
        )

    @property
    def average_index(self) -> Decimal | None:
        if not self.rows:
            return None
        return round_points(sum((r.index for r in self.rows), Decimal(0)) / len(self.rows))

    def field_averages(self) -> dict[str, Decimal | None]:
        averages: dict[str, Decimal | None] = {}
        for code in self.field_codes:
            values = [v for v in (row.field_index(code) for row in self.rows) if v is not None]
            averages[code] = round_points(sum(values, Decimal(0)) / len(values)) if values else None
        return averages

    def row_of_unit(self, unit_id: int) -> RankingRow | None:
        return next((row for row in self.rows if row.unit_id == unit_id), None)


def may_see_provisional(user: User, criteria_set: CriteriaSet) -> bool:
    """Appraisers and administrators responsible for the whole set (its scope or above)."""
    if user.is_superuser:
        return True
    scope_path = criteria_set.scope.path
    return any(
        scope_path.startswith(path)
        for path in user.role_paths({Role.APPRAISER, Role.ADMINISTRATOR})
    )


def _decimal_fields(stored: dict[str, list[str]]) -> dict[str, tuple[Decimal, Decimal]]:
    return {code: (Decimal(score), Decimal(maximum)) for code, (score, maximum) in stored.items()}


def build_ranking(
    criteria_set: CriteriaSet,
    group: RankingGroup | None = None,
    *,
    provisional: bool = False,
    decision: Decision | None = None,
) -> Ranking:
    """Every unit ranked together in the set (or group): as a decision published them (the
    standing decision, or ``decision``), or provisionally from the appraised results."""
    fields = list(
        criteria_set.criteria.filter(parent__isnull=True)
        .order_by("sort_key")
        .values_list("code", "title")
    )
    not_ranked: list[Assessment] = []
    if provisional:
        rows, not_ranked = _provisional_rows(criteria_set, group)
        decision = None
    else:
        decision = decision or current_decision(criteria_set, group)
        rows = _published_rows(decision) if decision is not None else []
    _attach_previous(rows, criteria_set.year)
    _attach_warnings(
        rows, decision.results.values("assessment_id") if decision is not None else None
    )
    rows.sort(key=lambda row: (row.rank.position, row.unit_label))
    field_codes = [
        code for code, _title in fields if any(code in row.fields for row in rows) or not rows
    ]
    return Ranking(
        criteria_set=criteria_set,
        group=group,
        decision=decision,
        rows=rows,
        provisional=provisional,
        field_codes=field_codes,
        field_titles=dict(fields),
        not_ranked=not_ranked,
    )


# A decision's published rows never change (a correction is another decision), so each app
# server keeps the rows of the decisions read lately: correct on every server without any
# invalidation. What can change (last year's figures, warnings) is attached on each read.
# A decision is named by its key, number and moment of publication together, so that a key
# reused (a database restored from a backup, a test database) never reads another's rows.
_PUBLISHED_ROWS: Kept[tuple[int, str, str], tuple[RankingRow, ...]] = Kept(16)


def _published_rows(decision: Decision) -> list[RankingRow]:
    key = (decision.pk, decision.number, decision.published_at.isoformat())
    kept = _PUBLISHED_ROWS.get(key)
    if kept is None:
        kept = tuple(_read_published_rows(decision))
        if not kept:  # a decision always has rows; none means they are not written yet
            return []
        _PUBLISHED_ROWS.put(key, kept)
    return [copy.copy(row) for row in kept]


def _read_published_rows(decision: Decision) -> list[RankingRow]:
    """The decision's stored rows as they were published (ranks included), read as plain
    values: a province's 3,321 rows without building 6,642 model objects."""
    columns = (
        "unit_id",
        "unit__code",
        "unit__name",
        "unit_label",
        "total",
        "max_total",
        "index",
        "classification",
        "fields",
        "rank",
        "rank_of",
        "assessment_id",
        "self_total",
    )
    return [
        RankingRow(
            unit_id=unit_id,
            unit_code=code,
            unit_name=name,
            unit_label=label,
            score=total,
            max_score=max_total,
            index=index,
            classification=classification,
            fields=_decimal_fields(fields),
            rank=Rank(position, of),
            assessment_id=assessment_id,
            self_score=self_total,
        )
        for (
            unit_id,
            code,
            name,
            label,
            total,
            max_total,
            index,
            classification,
            fields,
            position,
            of,
            assessment_id,
            self_total,
        ) in decision.results.values_list(*columns)
    ]


def _provisional_rows(
    criteria_set: CriteriaSet, group: RankingGroup | None
) -> tuple[list[RankingRow], list[Assessment]]:
    assessments = list(assessments_ranked_together(criteria_set, group).select_related("result"))
    ranked = [a for a in assessments if a.state in RESULT_STATES and hasattr(a, "result")]
    ranked_pks = {a.pk for a in ranked}
    others = [a for a in assessments if a.pk not in ranked_pks]
    ranks = rank({a.pk: a.result.index for a in ranked}, dense=criteria_set.dense_ranking)
    rows = []
    for a in ranked:
        result: AssessmentResult = a.result
        rows.append(
            RankingRow(
                unit_id=a.unit_id,
                unit_code=a.unit.code,
                unit_name=a.unit.name,
                unit_label=str(a.unit),
                score=result.total,
                max_score=result.max_total,
                index=result.index,
                classification=result.classification,
                fields=_decimal_fields(result.fields),
                rank=ranks[a.pk],
                assessment_id=a.pk,
                self_score=result.self_total,
            )
        )
    return rows, others


def _attach_warnings(rows: list[RankingRow], assessments: Any = None) -> None:
    """What a reader should know of a row's scores (one query): the warnings their sources
    gave, e.g. a survey with fewer answers than its sample needs. ``assessments``: the rows'
    assessments as a subquery, when there is one (no list of thousands of ids to send)."""
    by_assessment: dict[int, list[str]] = defaultdict(list)
    if assessments is None:
        assessments = [row.assessment_id for row in rows if row.assessment_id]
    for assessment_id, warning in (
        AssessmentItem.objects.filter(assessment_id__in=assessments)
        .exclude(source_warning="")
        .values_list("assessment_id", "source_warning")
        .distinct()
        .order_by("assessment_id", "source_warning")
    ):
        by_assessment[assessment_id].append(warning)
    for row in rows:
        row.warnings = by_assessment.get(row.assessment_id or 0, [])


def _attach_previous(rows: list[RankingRow], year: int) -> None:
    """Last year's published index of each unit, or, for a unit made by a reorganisation, of
    its predecessors: averaged with the weight each takes (a divided predecessor counts
    for the successor the reorganisation's rule gives it to). Published results are public:
    no reader filter applies."""
    if not rows:
        return
    inherited = inheritances({row.unit_id for row in rows})
    wanted = {row.unit_id for row in rows} | {
        link.predecessor_id for links in inherited.values() for link in links if link.weight
    }
    previous = {
        unit_id: (label, index)
        for unit_id, label, index in PublishedResult.objects.current()
        .filter(decision__criteria_set__year=year - 1, unit_id__in=wanted)
        .values_list("unit_id", "unit_label", "index")
    }
    for row in rows:
        if row.unit_id in previous:
            row.previous = PreviousResult(previous[row.unit_id][1])
            continue
        found = [
            (link, previous[link.predecessor_id])
            for link in inherited.get(row.unit_id, [])
            if link.weight and link.predecessor_id in previous
        ]
        if not found:
            continue
        weights = sum((link.weight for link, _found in found), Decimal(0))
        average = round_points(
            sum((link.weight * index for link, (_label, index) in found), Decimal(0)) / weights
        )
        row.previous = PreviousResult(
            average,
            via_predecessors=[
                (label if not link.partial else f"một phần của {label}", index)
                for link, (label, index) in found
            ],
        )


@dataclass(frozen=True)
class RankingChoice:
    """A ranking a reader may open: a set (or one of its groups), published or provisional."""

    criteria_set: CriteriaSet
    group: RankingGroup | None
    decision: Decision | None
    provisional_allowed: bool

    @property
    def label(self) -> str:
        text = self.criteria_set.title
        return f"{text} — {self.group}" if self.group is not None else text


def ranking_choices(user: User, year: int) -> list[RankingChoice]:
    """The rankings of ``year`` the user may read: every standing decision covering a unit
    the user holds a role on (or above), and, for the appraisers and administrators of a
    set, its provisional ranking."""
    choices: dict[tuple[int, int | None], RankingChoice] = {}
    decisions = (
        Decision.objects.visible_to(user)
        .current()
        .filter(criteria_set__year=year)
        .select_related("criteria_set__scope", "group", "superseded_by")
        .order_by("criteria_set__scope__path", "group__position", "pk")
    )
    for decision in decisions:
        key = (decision.criteria_set_id, decision.group_id)
        choices[key] = RankingChoice(
            decision.criteria_set,
            decision.group,
            decision,
            may_see_provisional(user, decision.criteria_set),
        )
    sets = (
        CriteriaSet.objects.visible_to(user)
        .filter(year=year, status=CriteriaSet.Status.PUBLISHED)
        .select_related("scope")
        .order_by("scope__path", "pk")
    )
    for criteria_set in sets:
        if not may_see_provisional(user, criteria_set):
            continue
        groups: list[RankingGroup | None] = [*ranking_groups_of(criteria_set)] or [None]
        for group in groups:
            key = (criteria_set.pk, group.pk if group else None)
            if key not in choices:
                choices[key] = RankingChoice(criteria_set, group, None, True)
    return list(choices.values())


def years_with_results(user: User) -> list[int]:
    """The years of which the user may read a ranking, latest first."""
    published = set(
        Decision.objects.visible_to(user)
        .current()
        .values_list("criteria_set__year", flat=True)
        .distinct()
    )
    provisional = {
        criteria_set.year
        for criteria_set in CriteriaSet.objects.visible_to(user)
        .filter(assessments__state__in=RESULT_STATES)
        .select_related("scope")
        .distinct()
        if may_see_provisional(user, criteria_set)
    }
    return sorted(published | provisional, reverse=True)


def ranking_of_assessment(assessment: Assessment, provisional: bool) -> Ranking:
    """The ranking the assessment's unit stands in (its set, its group)."""
    group = group_of(assessment.criteria_set, assessment.unit)
    return build_ranking(assessment.criteria_set, group, provisional=provisional)


def group_of(criteria_set: CriteriaSet, unit: Unit) -> RankingGroup | None:
    return next((g for g in ranking_groups_of(criteria_set) if unit.kind in g.unit_kinds), None)


SORT_KEYS = {"rank", "name", "score", "index", "change", "self"}


def sorted_rows(ranking: Ranking, key: str) -> list[RankingRow]:
    descending = key.startswith("-")
    name = key.lstrip("-")
    if name not in SORT_KEYS and not name.startswith("field:"):
        return ranking.rows

    def value(row: RankingRow) -> Any:
        if name == "rank":
            return row.rank.position
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
    title = f"Kết quả Chỉ số cải cách hành chính năm {ranking.year} — {ranking.title}"
    if ranking.decision is not None:
        title += f" (Quyết định số {ranking.decision.number} ngày {ranking.decision.date:%d/%m/%Y})"
    if ranking.provisional:
        title += " (kết quả tạm thời, chưa công bố)"
    headers = ["Hạng", "Mã đơn vị", "Đơn vị", "Điểm", "Điểm tối đa", "Chỉ số (%)", "Xếp loại"]
    headers += [f"Lĩnh vực {code} (%)" for code in ranking.field_codes]
    headers += ["Chỉ số năm trước (%)", "Tăng/giảm (điểm %)"]
    rows = [
        [
            str(row.rank),
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
        for row in ranking.rows
    ]
    return xlsx_bytes(Sheet("Xếp hạng", headers, rows, [title], widths={"C": 30}))


def ranking_file_name(ranking: Ranking, prefix: str, suffix: str) -> str:
    """e.g. xep-hang-464-2022.xlsx; the group's position is added where the set has groups."""
    group = f"-nhom-{ranking.group.position + 1}" if ranking.group is not None else ""
    return f"{prefix}-{ranking.criteria_set.scope.code}-{ranking.year}{group}.{suffix}"


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def ranking_json(ranking: Ranking) -> dict[str, Any]:
    decision = ranking.decision
    return {
        "criteria_set": ranking.criteria_set.pk,
        "year": ranking.year,
        "group": ranking.group.name if ranking.group else None,
        "provisional": ranking.provisional,
        "decision": {"number": decision.number, "date": decision.date.isoformat()}
        if decision
        else None,
        "results": [row.as_json() for row in ranking.rows],
    }


class NoRanking(LookupError):
    """The reader may not open the ranking asked for (or it does not exist)."""


@dataclass(frozen=True)
class RankingRequest:
    """What a page, the API or a job asks for: a year and, optionally, the set, the group,
    the decision, a unit whose ranking is wanted, and whether provisional."""

    year: int
    set_pk: int | None = None
    group_pk: int | None = None
    decision_pk: int | None = None
    unit: Unit | None = None
    provisional: bool = False

    def as_params(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "set": self.set_pk,
            "group": self.group_pk,
            "decision": self.decision_pk,
            "unit": self.unit.pk if self.unit is not None else None,
            "provisional": self.provisional,
        }

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> RankingRequest:
        unit_pk = params.get("unit")
        unit = Unit.objects.filter(pk=unit_pk).first() if unit_pk else None
        return cls(
            year=int(params["year"]),
            set_pk=params.get("set"),
            group_pk=params.get("group"),
            decision_pk=params.get("decision"),
            unit=unit,
            provisional=bool(params.get("provisional")),
        )


def open_ranking(user: User, wanted: RankingRequest) -> tuple[Ranking | None, list[RankingChoice]]:
    """The ranking ``user`` asked for, with access decided here for every reader (page, API,
    background job). None with the choices when nothing of the year is open to the user;
    ``NoRanking`` when what was asked for is not the user's to read."""
    choices = ranking_choices(user, wanted.year)
    if wanted.decision_pk is not None:
        decision = (
            Decision.objects.visible_to(user)
            .select_related("criteria_set__scope", "group", "superseded_by")
            .filter(pk=wanted.decision_pk)
            .first()
        )
        if decision is None:
            raise NoRanking
        return build_ranking(decision.criteria_set, decision.group, decision=decision), choices
    choice = _pick(choices, wanted)
    if choice is None:
        if wanted.set_pk is not None or wanted.group_pk is not None:
            raise NoRanking
        return None, choices
    provisional = wanted.provisional or choice.decision is None
    if provisional and not choice.provisional_allowed:
        raise NoRanking
    ranking = build_ranking(
        choice.criteria_set, choice.group, provisional=provisional, decision=choice.decision
    )
    return ranking, choices


def _pick(choices: list[RankingChoice], wanted: RankingRequest) -> RankingChoice | None:
    if wanted.set_pk is not None:
        found = [c for c in choices if c.criteria_set.pk == wanted.set_pk]
        if wanted.group_pk is not None:
            found = [c for c in found if c.group is not None and c.group.pk == wanted.group_pk]
        return found[0] if found else None
    if wanted.unit is not None:
        unit = wanted.unit
        covering = [
            c
            for c in choices
            if unit.path.startswith(c.criteria_set.scope.path)
            or c.criteria_set.scope.path.startswith(unit.path)
        ]
        exact = [c for c in covering if c.group is None or unit.kind in c.group.unit_kinds]
        found = exact or covering
        return found[0] if found else None
    return choices[0] if choices else None
