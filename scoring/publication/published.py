"""Publication: a decision publishes the results of a whole criteria set (or of one ranking
group of it) at once, and writes the immutable published result of every unit in it.

There is no way to publish one unit alone. A published unit can be reopened (with its
reason); once it is approved again, a correcting decision (new number and date) supersedes
the earlier one for the whole set or group; both stay readable.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from cchc.models import Role, Unit, User
from scoring.assessment.loading import score_final_many
from scoring.assessment.results import refresh_result, stored_fields
from scoring.assessment.workflow import MOVES, record_move
from scoring.criteria.sets import ranking_groups_of
from scoring.engine import rank
from scoring.models import (
    Assessment,
    CriteriaSet,
    Decision,
    PublishedDeduction,
    PublishedResult,
    RankingGroup,
    sort_key_of,
)
from scoring.models.assessments import AssessmentState as S

PUBLISHABLE = (S.APPROVED,)
# In a correction, the units that were not reopened are published again as they stood.
REPUBLISHABLE = (S.APPROVED, S.PUBLISHED)


class PublicationRefused(ValidationError):
    """The results cannot be published (units not approved, a decision already stands...);
    nothing was written."""


def assessments_ranked_together(
    criteria_set: CriteriaSet, group: RankingGroup | None
) -> QuerySet[Assessment]:
    """The assessments of every unit ranked together: the whole set, or one of its groups."""
    assessments = criteria_set.assessments.select_related("unit")
    if group is not None:
        assessments = assessments.filter(unit__kind__in=group.unit_kinds)
    return assessments.order_by("unit__path")


def current_decision(criteria_set: CriteriaSet, group: RankingGroup | None) -> Decision | None:
    """The decision standing now for the set (or group): the last correction, if any."""
    return (
        Decision.objects.current()
        .filter(criteria_set=criteria_set, group=group)
        .select_related("criteria_set", "group")
        .first()
    )


def may_publish(user: User, criteria_set: CriteriaSet) -> bool:
    return (
        Unit.objects.actionable_by(user, [Role.ADMINISTRATOR])
        .filter(pk=criteria_set.scope_id)
        .exists()
    )


@dataclass(frozen=True)
class Readiness:
    """Where the set (or group) stands before a decision is published."""

    total: int
    ready: int
    waiting: list[Assessment]
    current: Decision | None

    @property
    def can_publish(self) -> bool:
        return self.total > 0 and not self.waiting


def readiness(criteria_set: CriteriaSet, group: RankingGroup | None) -> Readiness:
    current = current_decision(criteria_set, group)
    states = REPUBLISHABLE if current is not None else PUBLISHABLE
    assessments = list(assessments_ranked_together(criteria_set, group))
    waiting = [a for a in assessments if a.state not in states]
    return Readiness(len(assessments), len(assessments) - len(waiting), waiting, current)


@transaction.atomic
def publish_results(
    criteria_set: CriteriaSet,
    group: RankingGroup | None,
    decision: Decision,
    user: User,
    *,
    corrects: Decision | None = None,
) -> Decision:
    """Publish every unit of the set (or group) under ``decision`` (filled in, not saved).

    Refused, with the reason, when the user does not administer the set, the set ranks in
    groups and none is named (or the other way round), a decision already stands and this
    is not its correction, or any unit is not approved by the council yet."""
    criteria_set = CriteriaSet.objects.select_for_update().get(pk=criteria_set.pk)
    if not may_publish(user, criteria_set):
        raise PermissionDenied
    _check_group(criteria_set, group)
    standing = current_decision(criteria_set, group)
    if standing is not None and (corrects is None or corrects.pk != standing.pk):
        raise PublicationRefused(
            _(
                "The results are already published by decision %(number)s; publish a "
                "correcting decision instead."
            )
            % {"number": standing.number}
        )
    if corrects is not None and standing is None:
        raise PublicationRefused(_("There is no published decision to correct."))
    if corrects is not None and not decision.correction_reason.strip():
        raise PublicationRefused(_("Give the reason for the correction."))
    state = readiness(criteria_set, group)
    if not state.total:
        raise PublicationRefused(_("No unit of this set has an assessment to publish."))
    if state.waiting:
        names = ", ".join(str(a.unit) for a in state.waiting[:20])
        more = len(state.waiting) - 20
        raise PublicationRefused(
            _("Not every unit is approved by the council yet: %(units)s%(more)s.")
            % {
                "units": names,
                "more": _(" and %(count)s more") % {"count": more} if more > 0 else "",
            }
        )
    if Decision.objects.filter(criteria_set=criteria_set, number=decision.number).exists():
        raise PublicationRefused(
            _("Decision number %(number)s is already used for this set.")
            % {"number": decision.number}
        )
    decision.criteria_set = criteria_set
    decision.group = group
    decision.supersedes = corrects
    decision.published_by = user
    decision.save()
    _write_results(criteria_set, group, decision, user)
    _tell_published(decision)
    return decision


def _tell_published(decision: Decision) -> None:
    """Each unit's officers: the results are out, with their unit's scorecard."""
    from django.urls import reverse

    from cchc.models import NotificationKind
    from scoring.assessment.notices import tell_officers

    assessments = list(
        Assessment.objects.filter(
            pk__in=decision.results.filter(assessment_id__isnull=False).values("assessment_id")
        ).select_related("unit")
    )
    tell_officers(
        assessments,
        NotificationKind.RESULTS_PUBLISHED,
        "{unit}: " + f"đã công bố kết quả theo Quyết định {decision.number}",
        "Xem điểm, xếp hạng và các điểm bị trừ để lập kế hoạch khắc phục.",
        f"published:{decision.pk}",
        lambda assessment: reverse("scorecard", args=[assessment.pk]),
    )


def _check_group(criteria_set: CriteriaSet, group: RankingGroup | None) -> None:
    groups = ranking_groups_of(criteria_set)
    if group is not None and group.criteria_set_id != criteria_set.pk:
        raise PublicationRefused(_("This ranking group belongs to another set."))
    if groups and group is None:
        raise PublicationRefused(
            _("This set ranks its units in groups: publish each group under its decision.")
        )
    if not groups and group is not None:
        raise PublicationRefused(_("This set ranks all its units together."))


def _write_results(
    criteria_set: CriteriaSet, group: RankingGroup | None, decision: Decision, user: User
) -> None:
    assessments = list(assessments_ranked_together(criteria_set, group))
    results = score_final_many(criteria_set, assessments)
    ranks = rank({a.pk: results[a.pk].index for a in assessments}, dense=criteria_set.dense_ranking)
    self_totals = dict(
        criteria_set.assessments.filter(pk__in=[a.pk for a in assessments]).values_list(
            "pk", "result__self_total"
        )
    )
    published = PublishedResult.objects.bulk_create(
        [
            PublishedResult(
                decision=decision,
                assessment=a,
                unit=a.unit,
                unit_label=str(a.unit),
                total=results[a.pk].total,
                max_total=results[a.pk].max_total,
                index=results[a.pk].index,
                classification=results[a.pk].classification or "",
                fields=stored_fields(results[a.pk]),
                rank=ranks[a.pk].position,
                rank_of=ranks[a.pk].of,
                self_total=self_totals.get(a.pk),
            )
            for a in assessments
        ]
    )
    by_assessment = {result.assessment_id: result for result in published}
    PublishedDeduction.objects.bulk_create(
        [
            PublishedDeduction(
                result=by_assessment[a.pk],
                code=d.code,
                sort_key=sort_key_of(d.code),
                title=d.title,
                lost=d.lost,
                max_score=d.max_score,
                reason=d.reason,
            )
            for a in assessments
            for d in results[a.pk].deductions
        ]
    )
    reason = _("Decision %(number)s") % {"number": decision.number}
    for assessment in assessments:
        if assessment.state == S.APPROVED:
            record_move(assessment, MOVES["publish"].target, user, reason)
            assessment.published_at = decision.published_at
            assessment.save(update_fields=["state", "published_at"])
        refresh_result(assessment)
    from scoring.publication.remediation import sync_remediation_tasks

    sync_remediation_tasks(decision)
