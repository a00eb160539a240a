"""The remediation plan: a task for every sub-criterion that lost points, once published."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Count, Q, QuerySet

from cchc.models import Unit, User
from scoring.fetch import score_final
from scoring.models import Assessment, AssessmentItem, RemediationTask
from scoring.models.assessments import AssessmentState


@transaction.atomic
def create_remediation_tasks(assessment: Assessment) -> int:
    """One task per sub-criterion that lost points; running it again creates none twice."""
    result = score_final(assessment)
    items = {item.criterion.code: item for item in assessment.items.select_related("criterion")}
    created = 0
    for deduction in result.deductions:
        item = items.get(deduction.code)
        if item is None:
            item = AssessmentItem.objects.create(
                assessment=assessment,
                criterion=assessment.criteria_set.criteria.get(code=deduction.code),
            )
        _task, made = RemediationTask.objects.get_or_create(
            item=item,
            defaults={
                "assessment": assessment,
                "points_lost": deduction.lost,
                "problem": deduction.reason or deduction.title,
            },
        )
        created += made
    return created


class StaleTask(Exception):
    def __init__(self, current: RemediationTask) -> None:
        super().__init__("stale task")
        self.current = current


@transaction.atomic
def update_task(
    task: RemediationTask,
    *,
    action: str,
    assignee: str,
    deadline: datetime.date | None,
    status: str,
    user: User,
    expected_version: int,
) -> RemediationTask:
    current = RemediationTask.objects.select_for_update().get(pk=task.pk)
    if current.version != expected_version:
        raise StaleTask(current)
    current.action, current.assignee, current.deadline, current.status = (
        action.strip(),
        assignee.strip(),
        deadline,
        status,
    )
    current.version += 1
    current.updated_by = user
    current.save()
    return current


def progress_by_unit(user: User) -> QuerySet[Assessment]:
    """Published assessments of the units this user sees, with their tasks counted."""
    return (
        Assessment.objects.filter(
            unit__in=Unit.objects.visible_to(user), state=AssessmentState.PUBLISHED
        )
        .select_related("unit", "criteria_set")
        .annotate(
            tasks=Count("remediation_tasks"),
            done=Count(
                "remediation_tasks", filter=Q(remediation_tasks__status=RemediationTask.Status.DONE)
            ),
            overdue=Count(
                "remediation_tasks",
                filter=Q(remediation_tasks__deadline__lt=datetime.date.today())
                & ~Q(remediation_tasks__status=RemediationTask.Status.DONE),
            ),
        )
        .order_by("-criteria_set__year", "unit__path")
    )
