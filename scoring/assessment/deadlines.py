"""Deadlines that keep themselves. The scheduler (``manage.py run_scheduled``) closes the
windows whose deadline has passed, with nobody saving, and records it:

- a self-assessment still open at its deadline is closed and sent on to appraisal as it
  stands (the unit can no longer change it; an administrator may reopen it with a new
  deadline);
- an explanation still open at its deadline is closed and sent back to the appraisers, the
  unanswered questions noted as such.

It also reminds the unit's officers three days and one day before each deadline, and of
remediation tasks due within three days. Every step takes row locks and skips rows another
run holds, so two runs at once do each thing once.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.models import NotificationKind
from cchc.notifications import Message, deliver
from cchc.scheduled import every_run
from scoring.assessment import notices
from scoring.assessment.results import refresh_result
from scoring.assessment.workflow import record_move
from scoring.models import Assessment, ExplanationRequest, RemediationTask
from scoring.models.assessments import AssessmentState as S

REMINDER_DAYS = (3, 1)


def running_deadline(assessment: Assessment) -> tuple[str, datetime.datetime] | None:
    """The deadline running now for the assessment, with what it closes."""
    if assessment.state == S.DRAFT:
        return (_("Self-assessment closes"), assessment.deadline)
    if assessment.state == S.RETURNED and assessment.explanation_deadline:
        return (_("Explanation closes"), assessment.explanation_deadline)
    return None


def _when(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment):%H:%M %d/%m/%Y}"


def close_self_assessments(now: datetime.datetime) -> int:
    closed = 0
    while True:
        with transaction.atomic():
            batch = list(
                Assessment.objects.select_for_update(skip_locked=True)
                .filter(state=S.DRAFT, deadline__lt=now)
                .select_related("unit", "criteria_set")[:200]
            )
            if not batch:
                return closed
            for assessment in batch:
                record_move(
                    assessment,
                    S.SUBMITTED,
                    None,
                    _(
                        "The self-assessment closed at its deadline (%(when)s); sent to appraisal as it stands."
                    )
                    % {"when": _when(assessment.deadline)},
                    source="scheduler",
                )
                assessment.submitted_at = now
                assessment.save(update_fields=["state", "submitted_at"])
                refresh_result(assessment)
            notices.tell_officers(
                batch,
                NotificationKind.WINDOW_CLOSED,
                "{unit}: đã hết hạn tự đánh giá",
                "Bản tự đánh giá đã được khóa và chuyển thẩm định như hiện có.",
                "self-closed",
            )
            closed += len(batch)


def close_explanations(now: datetime.datetime) -> int:
    closed = 0
    while True:
        with transaction.atomic():
            batch = list(
                Assessment.objects.select_for_update(skip_locked=True)
                .filter(state=S.RETURNED, explanation_deadline__lt=now)
                .select_related("unit")[:200]
            )
            if not batch:
                return closed
            for assessment in batch:
                unanswered = list(
                    ExplanationRequest.objects.filter(
                        item__assessment=assessment,
                        round=assessment.explanation_round,
                        answered_at__isnull=True,
                    ).values_list("item__criterion__code", flat=True)
                )
                reason = _("The explanation closed at its deadline (%(when)s).") % {
                    "when": _when(assessment.explanation_deadline)  # type: ignore[arg-type]
                }
                if unanswered:
                    reason += " " + _("Not answered: %(codes)s.") % {"codes": ", ".join(unanswered)}
                record_move(assessment, S.RESUBMITTED, None, reason, source="scheduler")
                assessment.save(update_fields=["state"])
                notices.explanation_sent(assessment)
            notices.tell_officers(
                batch,
                NotificationKind.WINDOW_CLOSED,
                "{unit}: đã hết hạn giải trình",
                "Phần giải trình đã được khóa và chuyển lại cán bộ thẩm định.",
                "explanation-closed",
            )
            closed += len(batch)


def remind(now: datetime.datetime) -> int:
    """Three days and one day before a self-assessment or explanation deadline: every unit
    told in one call per kind of deadline (a fixed number of queries however many units)."""
    told = 0

    def self_key(days: int) -> Callable[[Assessment], str]:
        return lambda a: f"self-soon:{days}:{a.deadline:%Y%m%d%H%M}"

    def explain_key(days: int) -> Callable[[Assessment], str]:
        return lambda a: f"explain-soon:{days}:{a.explanation_round}"

    for days in REMINDER_DAYS:
        soon = now + datetime.timedelta(days=days)
        drafts = Assessment.objects.filter(
            state=S.DRAFT, deadline__gt=now, deadline__lte=soon
        ).select_related("unit")
        told += notices.tell_officers(
            drafts,
            NotificationKind.DEADLINE_SOON,
            "{unit}: " + f"còn dưới {days} ngày để tự đánh giá",
            lambda a: f"Hạn tự đánh giá: {_when(a.deadline)}.",
            self_key(days),
        )
        returned = Assessment.objects.filter(
            state=S.RETURNED, explanation_deadline__gt=now, explanation_deadline__lte=soon
        ).select_related("unit")
        told += notices.tell_officers(
            returned,
            NotificationKind.DEADLINE_SOON,
            "{unit}: " + f"còn dưới {days} ngày để giải trình",
            lambda a: f"Hạn giải trình: {_when(a.explanation_deadline or now)}.",
            explain_key(days),
            lambda a: reverse("explanation_page", args=[a.pk]),
        )
    return told


def remediation_due(now: datetime.datetime) -> int:
    """Remediation tasks due within three days, each told to its unit's officers (one
    query for the officers of every unit)."""
    soon = timezone.localtime(now).date() + datetime.timedelta(days=3)
    tasks = list(
        RemediationTask.objects.filter(deadline__lte=soon)
        .exclude(status=RemediationTask.Status.DONE)
        .select_related("assessment__unit")
    )
    officers = notices.officers_of({task.assessment.unit_id for task in tasks})
    return deliver(
        Message(
            user,
            NotificationKind.REMEDIATION_DUE,
            f"{task.assessment.unit}: nhiệm vụ khắc phục {task.code} đến hạn "
            f"{task.deadline:%d/%m/%Y}",
            task.problem[:300],
            reverse("remediation_page", args=[task.assessment_id]),
            f"remediation:{task.pk}:{task.deadline:%Y%m%d}:{task.assessment_id}",
        )
        for task in tasks
        for user in officers.get(task.assessment.unit_id, [])
    )


@every_run("thời hạn")
def keep_deadlines(now: datetime.datetime) -> str:
    closed = close_self_assessments(now)
    explained = close_explanations(now)
    reminded = remind(now)
    due = remediation_due(now)
    return (
        f"khóa {closed} bản tự đánh giá và {explained} phần giải trình đã hết hạn, "
        f"{reminded} lời nhắc hạn, {due} thông báo nhiệm vụ khắc phục"
    )
