"""What each role sees after signing in."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count

from cchc.models import Role, Unit, User
from scoring.assessment.self_assessment import progress_of
from scoring.engine import round_points
from scoring.models import Assessment, Decision, PublishedResult
from scoring.models.assessments import AssessmentState as S


@dataclass
class Dashboard:
    own: list[tuple[Assessment, Any]] = field(
        default_factory=list
    )  # officer: (assessment, progress)
    queue: list[tuple[str, str, int]] = field(
        default_factory=list
    )  # appraiser: (state, label, count)
    leader_year: int | None = None
    classifications: list[tuple[str, int]] = field(default_factory=list)
    top: list[PublishedResult] = field(default_factory=list)
    bottom: list[PublishedResult] = field(default_factory=list)
    trend: list[tuple[int, Decimal]] = field(default_factory=list)


def dashboard_for(user: User) -> Dashboard:
    board = Dashboard()
    if user.has_role(Role.OFFICER):
        units = Unit.objects.actionable_by(user, [Role.OFFICER])
        for assessment in (
            Assessment.objects.filter(unit__in=units)
            .exclude(state=S.PUBLISHED)
            .select_related("unit", "criteria_set")
            .order_by("-criteria_set__year")[:5]
        ):
            criteria = list(assessment.criteria_set.criteria.all())
            board.own.append((assessment, progress_of(assessment, criteria)))
    if user.has_role(Role.APPRAISER) or user.is_superuser:
        units = Unit.objects.actionable_by(user, [Role.APPRAISER])
        counts = dict(
            Assessment.objects.filter(unit__in=units)
            .exclude(state__in=[S.DRAFT, S.PUBLISHED])
            .values_list("state")
            .annotate(n=Count("pk"))
            .values_list("state", "n")
        )
        labels = dict(S.choices)
        board.queue = [
            (state, str(labels[state]), counts[state]) for state in S.values if counts.get(state)
        ]
    if user.has_role(Role.LEADER) or user.has_role(Role.ADMINISTRATOR):
        _leader(board, user)
    return board


def _leader(board: Dashboard, user: User) -> None:
    """The latest published year the leader may read: classifications, best and last units,
    and the average index of every year (all from the published record)."""
    published = PublishedResult.objects.current().filter(
        decision__in=Decision.objects.visible_to(user)
    )
    latest = (
        published.order_by("-decision__criteria_set__year")
        .values_list("decision__criteria_set__year", flat=True)
        .first()
    )
    if latest is None:
        return
    board.leader_year = latest
    this_year = published.filter(decision__criteria_set__year=latest).select_related("unit")
    counts: dict[str, int] = defaultdict(int)
    for label in this_year.values_list("classification", flat=True):
        counts[label or "—"] += 1
    board.classifications = sorted(counts.items())
    board.top = list(this_year.order_by("-index", "unit_label")[:5])
    board.bottom = list(this_year.order_by("index", "unit_label")[:5])
    board.trend = [
        (year, round_points(average))
        for year, average in published.values_list("decision__criteria_set__year")
        .annotate(average=Avg("index"))
        .order_by("decision__criteria_set__year")
        .values_list("decision__criteria_set__year", "average")
    ]
