"""The explanation round, the audit trail and the remediation plan."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from scoring.models.assessments import Assessment, AssessmentItem


class ExplanationRequest(models.Model):
    """A question an appraiser returned to the unit about one sub-criterion, and its answer."""

    item = models.ForeignKey(
        AssessmentItem, on_delete=models.PROTECT, related_name="explanation_requests"
    )
    round = models.PositiveSmallIntegerField(_("round"))
    question = models.TextField(_("question"))
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    asked_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("explanation request")
        verbose_name_plural = _("explanation requests")
        ordering = ["round", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "round"], name="one_question_per_item_and_round"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item} #{self.round}"


class AuditEntry(models.Model):
    """One change to an assessment: a score, a deduction, an evidence link or a state.
    Kept forever: entries are never edited or deleted."""

    class Kind(models.TextChoices):
        SELF_SCORE = "self_score", _("Self score")
        APPRAISED_SCORE = "appraised_score", _("Appraised score")
        EVIDENCE = "evidence", _("Evidence")
        STATE = "state", _("State")
        EXPLANATION = "explanation", _("Explanation round")
        SIGN_OFF = "sign_off", _("Leader's approval")

    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, related_name="audit_entries"
    )
    item = models.ForeignKey(
        AssessmentItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    criterion_code = models.CharField(_("criterion"), max_length=30, blank=True)
    kind = models.CharField(_("what changed"), max_length=20, choices=Kind.choices)
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)
    reason = models.TextField(_("reason"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True, db_index=True)
    source = models.CharField(_("how"), max_length=20, default="page")

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["assessment", "criterion_code"])]

    def __str__(self) -> str:
        return f"{self.changed_at:%Y-%m-%d %H:%M} {self.kind} {self.criterion_code}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("audit entries are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit entries are kept forever")


class RemediationTask(models.Model):
    """Fixing what lost points: one task per published deduction of the unit."""

    class Status(models.TextChoices):
        TODO = "todo", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="remediation_tasks"
    )
    code = models.CharField(_("sub-criterion"), max_length=30)
    sort_key = models.CharField(max_length=120, default="")
    title = models.CharField(_("title"), max_length=500, default="")
    points_lost = models.DecimalField(_("points lost"), max_digits=6, decimal_places=2)
    problem = models.TextField(_("what lost the points"))
    action = models.TextField(_("what will be done"), blank=True)
    assignee = models.CharField(_("department or person in charge"), max_length=200, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.TODO
    )
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("remediation task")
        verbose_name_plural = _("remediation tasks")
        ordering = ["assessment", "sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "code"], name="one_task_per_published_deduction"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.code}"
