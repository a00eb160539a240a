"""What the answers say: per unit, the responses by group and channel against the sample the
method requires, each question's distribution, the satisfaction index and the points of
each survey sub-criterion with its computation written out; and closing the survey, which
makes those points the survey items' appraised scores.

Only counted responses count (not those set aside for review). An answer whose choice has no
weight ("I do not know") is shown but not scored.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from cchc.models import Unit, User
from dossiers.periods import Period
from dossiers.reports import build_report
from scoring.criteria.parameters import format_number
from surveys.models import (
    Answer,
    Choice,
    Question,
    Questionnaire,
    Response,
    ScoringRule,
    UnitLink,
)

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def required_sample(population: int, margin: Decimal) -> int:
    """n = N / (1 + N·e²), rounded up (SIPAS): N the dossiers resolved, e the margin."""
    if population <= 0:
        return 0
    return math.ceil(Decimal(population) / (1 + Decimal(population) * margin * margin))


def sample_text(population: int, margin: Decimal, required: int) -> str:
    e = format_number(margin)
    return (
        f"n = N / (1 + N·e²) = {population:,} / (1 + {population:,} × {e}²) = {required:,}".replace(
            ",", "."
        )
    )


@dataclass
class QuestionResult:
    question: Question
    counts: list[tuple[Choice, int]]
    answered: int
    mean: Decimal | None  # mean weight of the scored answers, %

    def share(self, count: int) -> Decimal:
        return (
            (Decimal(count) * HUNDRED / self.answered).quantize(CENT)
            if self.answered
            else Decimal(0)
        )

    @property
    def bars(self) -> list[tuple[Choice, int, Decimal]]:
        return [(choice, count, self.share(count)) for choice, count in self.counts]


@dataclass
class ItemPoints:
    rule: ScoringRule
    mean: Decimal | None
    points: Decimal | None
    note: str


@dataclass
class UnitResults:
    link: UnitLink
    counted: int
    set_aside: int
    by_group: list[tuple[str, int]]
    by_channel: list[tuple[str, int]]
    population: int
    required: int
    questions: list[QuestionResult] = field(default_factory=list)
    items: list[ItemPoints] = field(default_factory=list)
    satisfaction: Decimal | None = None

    @property
    def unit(self) -> Unit:
        return self.link.unit

    @property
    def below_sample(self) -> bool:
        return self.counted < self.required

    @property
    def sample_text(self) -> str:
        return sample_text(self.population, self.link.questionnaire.margin, self.required)

    @property
    def warning(self) -> str:
        if not self.below_sample:
            return ""
        return f"Khảo sát: {self.counted}/{self.required} phiếu, chưa đủ cỡ mẫu"


def resolved_dossiers(questionnaire: Questionnaire) -> dict[int, int]:
    """N of each unit: the dossiers it resolved in the set's year (from its figures)."""
    criteria_set = questionnaire.criteria_set
    year = Period.parse(str(criteria_set.year))
    report = build_report(criteria_set.scope, year, year)
    return {row.pk: row.resolved for row in report.all_units}


def _mean(pairs: list[tuple[Decimal, int]]) -> Decimal | None:
    total = sum(count for _weight, count in pairs)
    if not total:
        return None
    weighted = sum((weight * count for weight, count in pairs), Decimal(0))
    return (weighted / total).quantize(CENT, ROUND_HALF_UP)


def points_of(rule: ScoringRule, mean: Decimal | None) -> Decimal | None:
    """The points a mean weight gives the rule's sub-criterion."""
    if mean is None:
        return None
    maximum = rule.criterion.max_score
    if rule.method == ScoringRule.Method.TABLE:
        for start, points in sorted(
            rule.table, key=lambda band: Decimal(str(band[0])), reverse=True
        ):
            if mean >= Decimal(str(start)):
                return min(Decimal(str(points)), maximum)
        return Decimal(0)
    return (maximum * mean / HUNDRED).quantize(CENT, ROUND_HALF_UP)


def _note(
    rule: ScoringRule,
    pairs: list[tuple[Decimal, int]],
    mean: Decimal | None,
    points: Decimal | None,
    counted: int,
) -> str:
    codes = ", ".join(question.code for question in rule.questions.all())
    if mean is None:
        return f"{rule.criterion.code}: chưa có câu trả lời được tính điểm cho câu {codes}."
    answers = sum(count for _weight, count in pairs)
    weighted = sum((weight * count for weight, count in pairs), Decimal(0))
    text = (
        f"{rule.criterion.code}: {counted} phiếu, {answers} câu trả lời (câu {codes}); "
        f"trọng số bình quân = {format_number(weighted)} / {answers} = {format_number(mean)}%"
    )
    if rule.method == ScoringRule.Method.TABLE:
        return f"{text}; theo bảng mức điểm: {format_number(points or Decimal(0))} điểm"
    return (
        f"{text}; điểm = {format_number(mean)}% × {format_number(rule.criterion.max_score)} "
        f"= {format_number(points or Decimal(0))} điểm"
    )


def unit_results(link: UnitLink, population: int | None = None) -> UnitResults:
    """A unit's results: a fixed number of queries."""
    questionnaire = link.questionnaire
    if population is None:
        population = resolved_dossiers(questionnaire).get(link.unit_id, 0)
    responses = Response.objects.filter(link=link)
    counted = responses.filter(status=Response.Status.COUNTED)
    by_status = dict(responses.values_list("status").annotate(n=Count("pk")).order_by())
    by_group = list(
        counted.values_list("group__name").annotate(n=Count("pk")).order_by("group__sort")
    )
    channels = dict(Response.Channel.choices)
    by_channel = [
        (str(channels[channel]), n)
        for channel, n in counted.values_list("channel").annotate(n=Count("pk")).order_by("channel")
    ]
    questions = list(questionnaire.questions.prefetch_related("choices").order_by("sort", "code"))
    tallies: dict[int, dict[int, int]] = defaultdict(dict)
    for question_id, choice_id, n in (
        Answer.objects.filter(response__link=link, response__status=Response.Status.COUNTED)
        .values_list("question_id", "choice_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        tallies[question_id][choice_id] = n
    results: list[QuestionResult] = []
    scored_pairs: dict[int, list[tuple[Decimal, int]]] = {}
    for question in questions:
        counts = [
            (choice, tallies[question.pk].get(choice.pk, 0)) for choice in question.choices.all()
        ]
        pairs = [(choice.weight, n) for choice, n in counts if choice.weight is not None and n]
        scored_pairs[question.pk] = pairs
        results.append(QuestionResult(question, counts, sum(n for _c, n in counts), _mean(pairs)))
    all_pairs = [pair for pairs in scored_pairs.values() for pair in pairs]
    count = by_status.get(Response.Status.COUNTED, 0)
    items = []
    for rule in questionnaire.rules.select_related("criterion").prefetch_related("questions"):
        pairs = [
            pair for question in rule.questions.all() for pair in scored_pairs.get(question.pk, [])
        ]
        mean = _mean(pairs)
        points = points_of(rule, mean)
        items.append(ItemPoints(rule, mean, points, _note(rule, pairs, mean, points, count)))
    return UnitResults(
        link,
        count,
        by_status.get(Response.Status.REVIEW, 0),
        by_group,
        by_channel,
        population,
        required_sample(population, questionnaire.margin),
        results,
        items,
        _mean(all_pairs),
    )


@dataclass
class Overview:
    """Each unit of a questionnaire: answers counted and set aside against the sample."""

    rows: list[tuple[UnitLink, int, int, int, int]]  # link, counted, set aside, N, n


def overview(questionnaire: Questionnaire) -> Overview:
    population = resolved_dossiers(questionnaire)
    counts: dict[tuple[int, str], int] = {
        (link_id, status): n
        for link_id, status, n in Response.objects.filter(link__questionnaire=questionnaire)
        .values_list("link_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    }
    rows = []
    for link in questionnaire.links.select_related("unit").order_by("unit__path"):
        n_population = population.get(link.unit_id, 0)
        rows.append(
            (
                link,
                counts.get((link.pk, Response.Status.COUNTED), 0),
                counts.get((link.pk, Response.Status.REVIEW), 0),
                n_population,
                required_sample(n_population, questionnaire.margin),
            )
        )
    return Overview(rows)


@dataclass
class Closing:
    applied: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


@transaction.atomic
def close_survey(questionnaire: Questionnaire, user: User) -> Closing:
    """Close the survey: no more answers, and each unit's points become the appraised scores
    of the set's survey sub-criteria (with the computation as their reason and a warning
    where the sample is short). Assessments whose results are final are left as they are
    and listed."""
    from scoring.appraisal.items import apply_sourced_score
    from scoring.models import Assessment

    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    questionnaire.status = Questionnaire.Status.CLOSED
    questionnaire.closed_at = timezone.now()
    questionnaire.save(update_fields=["status", "closed_at"])
    population = resolved_dossiers(questionnaire)
    assessments = {
        assessment.unit_id: assessment
        for assessment in Assessment.objects.filter(criteria_set=questionnaire.criteria_set)
    }
    closing = Closing()
    for link in questionnaire.links.select_related("unit", "questionnaire"):
        assessment = assessments.get(link.unit_id)
        if assessment is None:
            continue
        results = unit_results(link, population.get(link.unit_id, 0))
        for item in results.items:
            if item.points is None:
                closing.skipped.append(
                    f"{link.unit} {item.rule.criterion.code}: chưa có câu trả lời"
                )
                continue
            if apply_sourced_score(
                assessment,
                item.rule.criterion,
                item.points,
                "survey",
                item.note,
                results.warning,
                user,
            ):
                closing.applied.append(
                    f"{link.unit} {item.rule.criterion.code}: {format_number(item.points)}"
                )
            else:
                closing.skipped.append(
                    f"{link.unit} {item.rule.criterion.code}: kết quả đã hoàn thành, không thay đổi"
                )
    return closing
