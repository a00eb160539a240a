"""Stored results of assessments, and the published truth: decisions and the immutable
published results they carry."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from cchc.models import Unit
from scoring.models.assessments import Assessment
from scoring.models.criteria import CriteriaSet, RankingGroup

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cchc.models import User

HUNDRED = Decimal(100)


class AssessmentResult(models.Model):
    """An assessment's scores as last computed by the engine, so that rankings of thousands
    of units read one row per unit. Refreshed whenever a score or state changes. Before a
    decision publishes it, this is a provisional figure."""

    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="result")
    total = models.DecimalField(max_digits=7, decimal_places=2)
    max_total = models.DecimalField(max_digits=7, decimal_places=2)
    index = models.DecimalField(max_digits=5, decimal_places=2)
    classification = models.CharField(max_length=50, blank=True)
    fields = models.JSONField(default=dict, help_text=_("Field code → [score, maximum]."))
    self_total = models.DecimalField(max_digits=7, decimal_places=2, null=True)
    self_index = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("assessment result")
        verbose_name_plural = _("assessment results")

    def __str__(self) -> str:
        return f"{self.assessment}: {self.total}"


class ImmutableError(PermissionError):
    """A published record never changes; a correcting decision supersedes it instead."""


class DecisionQuerySet(models.QuerySet["Decision"]):
    def current(self) -> DecisionQuerySet:
        """Decisions not superseded by a correcting one."""
        return self.filter(superseded_by__isnull=True)

    def visible_to(self, user: User | AnonymousUser) -> DecisionQuerySet:
        """A published decision is a public document: everyone with a role on a unit it
        covers (or above one) reads all of it."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        paths = user.role_paths(None)  # type: ignore[union-attr]
        if not paths:
            return self.none()
        covered = Q(pk__in=[])
        for path in sorted(set(paths)):
            covered |= Q(unit__path__startswith=path)
        return self.filter(Exists(PublishedResult.objects.filter(covered, decision=OuterRef("pk"))))


class Decision(models.Model):
    """The People's Committee decision approving and publishing the index of a criteria set
    (or of one ranking group of it). A correcting decision supersedes an earlier one; both
    stay readable."""

    criteria_set = models.ForeignKey(
        CriteriaSet, on_delete=models.PROTECT, related_name="decisions"
    )
    group = models.ForeignKey(
        RankingGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("ranking group"),
        help_text=_("Empty: the whole set is ranked together."),
    )
    number = models.CharField(_("decision number"), max_length=50)
    date = models.DateField(_("decision date"))
    place = models.CharField(_("place"), max_length=100)
    issuing_body = models.CharField(
        _("issuing body"), max_length=200, help_text=_("e.g. ỦY BAN NHÂN DÂN HUYỆN VĨNH LINH")
    )
    signer_name = models.CharField(_("signed by"), max_length=100)
    signer_title = models.CharField(_("signer's title"), max_length=100, default="CHỦ TỊCH")
    signing_capacity = models.CharField(
        _("signing on behalf of"), max_length=100, default="TM. ỦY BAN NHÂN DÂN"
    )
    legal_bases = models.TextField(_("legal bases"), help_text=_("One “Căn cứ …” per line."))
    proposal = models.CharField(
        _("proposed by"),
        max_length=300,
        blank=True,
        default="Theo đề nghị của Trưởng phòng Nội vụ.",
    )
    recipients = models.TextField(_("recipients"), help_text=_("One per line."))
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("corrects decision"),
    )
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    imported = models.BooleanField(
        default=False, help_text=_("Results of a past year loaded from a file.")
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    published_at = models.DateTimeField(auto_now_add=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["criteria_set", "number"], name="decision_number_once_per_set"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.date:%d/%m/%Y})"

    def bases(self) -> list[str]:
        return [line.strip() for line in self.legal_bases.splitlines() if line.strip()]

    def recipient_lines(self) -> list[str]:
        return [line.strip() for line in self.recipients.splitlines() if line.strip()]

    @property
    def is_current(self) -> bool:
        return not hasattr(self, "superseded_by") or self.superseded_by is None

    def current_version(self) -> Decision:
        """The decision that stands now: this one or the last of those correcting it."""
        found: Decision = self
        while True:
            try:
                found = found.superseded_by
            except Decision.DoesNotExist:
                return found

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableError("a published decision is kept; correct it with another decision")


class PublishedResultQuerySet(models.QuerySet["PublishedResult"]):
    def visible_to(self, user: User | AnonymousUser) -> PublishedResultQuerySet:
        return self.filter(decision__in=Decision.objects.visible_to(user))

    def current(self) -> PublishedResultQuerySet:
        return self.filter(decision__superseded_by__isnull=True)


class PublishedResult(models.Model):
    """One unit's result as a decision published it: never recomputed, never changed. Every
    page, file and person reads a published figure from here."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="results")
    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="published_results",
        help_text=_("Empty for results of a past year loaded from a file."),
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="published_results")
    unit_label = models.CharField(_("unit"), max_length=250)
    total = models.DecimalField(_("score"), max_digits=7, decimal_places=2)
    max_total = models.DecimalField(_("maximum"), max_digits=7, decimal_places=2)
    index = models.DecimalField(_("index (%)"), max_digits=5, decimal_places=2)
    classification = models.CharField(_("classification"), max_length=50, blank=True)
    fields = models.JSONField(default=dict, help_text=_("Field code → [score, maximum]."))
    rank = models.PositiveIntegerField(_("rank"))
    rank_of = models.PositiveIntegerField(_("ranked among"))
    self_total = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)

    objects = PublishedResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("published result")
        verbose_name_plural = _("published results")
        ordering = ["decision", "rank", "unit_label"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "unit"], name="one_result_per_unit"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="published_rank_positive"),
            models.CheckConstraint(
                condition=Q(rank__lte=models.F("rank_of")), name="published_rank_within_count"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_label}: {self.total} ({self.rank}/{self.rank_of})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableError("a published result never changes")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableError("a published result is kept")

    @property
    def rank_text(self) -> str:
        return f"{self.rank}/{self.rank_of}"

    def field_index(self, code: str) -> Decimal | None:
        from scoring.engine import round_points

        score, maximum = (Decimal(v) for v in self.fields.get(code, ("0", "0")))
        return round_points(score / maximum * HUNDRED) if maximum else None


class PublishedDeduction(models.Model):
    """A sub-criterion that lost points, as published, with the appraiser's reason."""

    result = models.ForeignKey(PublishedResult, on_delete=models.PROTECT, related_name="deductions")
    code = models.CharField(_("code"), max_length=30)
    sort_key = models.CharField(max_length=120)
    title = models.CharField(_("title"), max_length=500)
    lost = models.DecimalField(_("points lost"), max_digits=6, decimal_places=2)
    max_score = models.DecimalField(_("maximum score"), max_digits=6, decimal_places=2)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("published deduction")
        verbose_name_plural = _("published deductions")
        ordering = ["result", "sort_key"]

    def __str__(self) -> str:
        return f"{self.code} -{self.lost}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableError("a published deduction never changes")
        super().save(*args, **kwargs)
