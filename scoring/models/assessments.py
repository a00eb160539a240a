"""Assessments: a unit's scoring against a criteria set, item by item, and its state."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cchc.models import Unit
from scoring.models.criteria import CriteriaSet, Criterion


class AssessmentState(models.TextChoices):
    DRAFT = "draft", _("Self-assessment")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_APPRAISAL = "under_appraisal", _("Under appraisal")
    RETURNED = "returned", _("Returned for explanation")
    RESUBMITTED = "resubmitted", _("Explanation sent")
    APPRAISED = "appraised", _("Appraised")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")


class AssessmentQuerySet(models.QuerySet["Assessment"]):
    """Access to assessments, decided here: a user sees the assessments of the units they
    see, and acts on those of the units where they hold a writing role."""

    def visible_to(self, user: Any) -> AssessmentQuerySet:
        return self.filter(unit__in=Unit.objects.visible_to(user))

    def actionable_by(self, user: Any, roles: Iterable[str] | None = None) -> AssessmentQuerySet:
        return self.filter(unit__in=Unit.objects.actionable_by(user, roles))


class Assessment(models.Model):
    """One unit's assessment against one criteria set, from self-assessment to publication."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("unit")
    )
    criteria_set = models.ForeignKey(
        CriteriaSet,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("criteria set"),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=AssessmentState.choices, default=AssessmentState.DRAFT
    )
    deadline = models.DateTimeField(_("self-assessment deadline"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    appraised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    explanation_round = models.PositiveSmallIntegerField(default=0)
    explanation_deadline = models.DateTimeField(_("explanation deadline"), null=True, blank=True)
    # The commune's leader approves the self-assessment before it is sent; any change after
    # it clears the approval.
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-criteria_set__year", "unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "criteria_set"], name="one_assessment_per_unit_and_set"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.criteria_set}"

    def accepts_self_assessment(self, now: datetime.datetime) -> bool:
        """The unit may still change its self-assessment."""
        return self.state == AssessmentState.DRAFT and now <= self.deadline


class AssessmentItem(models.Model):
    """What the unit declared for one sub-criterion: the method's inputs, how the score was
    reached, whether it applies; and the score those inputs give (kept for listings)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="items")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    self_value = models.DecimalField(
        _("value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    self_answer = models.BooleanField(_("yes or no"), null=True, blank=True)
    self_level = models.CharField(_("level"), max_length=300, blank=True)
    self_numbers = models.JSONField(_("figures"), default=dict, blank=True)
    self_points = models.DecimalField(
        _("points given directly"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Points migrated from a spreadsheet rather than computed from inputs."),
    )
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    not_applicable_reason = models.TextField(_("why it does not apply"), blank=True)
    explanation = models.TextField(_("how the score was reached"), blank=True)
    self_score = models.DecimalField(
        _("self score"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    version = models.PositiveIntegerField(default=1)
    appraised_score = models.DecimalField(
        _("appraised score"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty: the appraisal keeps the self score."),
    )
    appraisal_reason = models.TextField(_("reason for the appraised score"), blank=True)
    appraised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    appraised_at = models.DateTimeField(null=True, blank=True)
    appraisal_version = models.PositiveIntegerField(default=0)
    # Where an appraised score came from when no one typed it (a closed survey), with the
    # computation written out and any warning (e.g. fewer answers than the sample needs).
    score_source = models.CharField(_("score from"), max_length=20, blank=True)
    source_note = models.TextField(_("how the score was computed"), blank=True)
    source_warning = models.CharField(_("warning about the score"), max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("assessment item")
        verbose_name_plural = _("assessment items")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "criterion"], name="one_item_per_criterion"
            ),
            models.CheckConstraint(
                condition=Q(not_applicable=False) | ~Q(not_applicable_reason=""),
                name="not_applicable_needs_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}:{self.criterion_id}"

    @property
    def is_scored(self) -> bool:
        return self.not_applicable or self.self_score is not None

    @property
    def final_score(self) -> Decimal | None:
        """The appraised score, or the self score where the appraisal kept it."""
        return self.appraised_score if self.appraised_score is not None else self.self_score

    @property
    def final_not_applicable(self) -> bool:
        return self.not_applicable and self.appraised_score is None


class StateChange(models.Model):
    """A move of an assessment from one state to another: who, when, why."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="state_changes"
    )
    from_state = models.CharField(max_length=20, choices=AssessmentState.choices)
    to_state = models.CharField(max_length=20, choices=AssessmentState.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("state change")
        verbose_name_plural = _("state changes")
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.from_state} → {self.to_state}"
