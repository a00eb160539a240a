"""The remediation plan: one task for every published deduction of a unit, kept equal to the
published deductions of the decision standing now (a correcting decision updates them)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Count, Q, QuerySet

from cchc.models import User
from scoring.models import Assessment, Decision, PublishedResult, RemediationTask


@transaction.atomic
def sync_remediation_tasks(decision: Decision) -> int:
    """Make every unit's tasks equal to its published deductions under ``decision``: new
    deductions get a task, changed ones their new figures, vanished ones lose their task.
    Returns the number of tasks created."""
    results = list(decision.results.filter(assessment__isnull=False).prefetch_related("deductions"))
    existing: dict[tuple[int, str], RemediationTask] = {
        (task.assessment_id, task.code): task
        for task in RemediationTask.objects.filter(
            assessment_id__in=[r.assessment_id for r in results]
        )
    }
    wanted: set[tuple[int, str]] = set()
    to_create, to_update = [], []
    for result in results:
        assert result.assessment_id is not None
        for deduction in result.deductions.all():
            key = (result.assessment_id, deduction.code)
            wanted.add(key)
            problem = deduction.reason or deduction.title
            task = existing.get(key)
            if task is None:
                to_create.append(
                    RemediationTask(
                        assessment_id=result.assessment_id,
                        code=deduction.code,
                        sort_key=deduction.sort_key,
                        title=deduction.title,
                        points_lost=deduction.lost,
                        problem=problem,
                    )
                )
            elif (task.points_lost, task.problem, task.title) != (
                deduction.lost,
                problem,
                deduction.title,
            ):
                task.points_lost, task.problem, task.title = (
                    deduction.lost,
                    problem,
                    deduction.title,
                )
                to_update.append(task)
    RemediationTask.objects.bulk_create(to_create)
    RemediationTask.objects.bulk_update(to_update, ["points_lost", "problem", "title"])
    gone = [task.pk for key, task in existing.items() if key not in wanted]
    RemediationTask.objects.filter(pk__in=gone).delete()
    return len(to_create)


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
    """Assessments of the units this user sees that carry a published result, with their
    tasks counted."""
    published = PublishedResult.objects.current().filter(assessment__isnull=False)
    return (
        Assessment.objects.visible_to(user)
        .filter(pk__in=published.values("assessment_id"))
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
