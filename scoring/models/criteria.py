"""Criteria sets and their criteria."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cchc.models import Unit, UnitKind, path_pks
from scoring.engine import Method, code_key

CODE_REGEX = r"^[1-9][0-9]*(\.[1-9][0-9]*)*$"


class ReadOnlyError(ValidationError):
    """A published criteria set cannot change."""


class CriteriaSetQuerySet(models.QuerySet["CriteriaSet"]):
    def visible_to(self, user: Any) -> CriteriaSetQuerySet:
        """Sets that score units this user sees, or that were issued above them."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        paths = user.role_paths(None)
        above = {pk for path in paths for pk in path_pks(path)}
        condition = Q(scope_id__in=above)
        for path in paths:
            condition |= Q(scope__path__startswith=path)
        return self.filter(condition)


class CriteriaSet(models.Model):
    """The criteria (bộ tiêu chí) a province or district issues for a year and a unit level."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    class RankingRule(models.TextChoices):
        COMPETITION = (
            "competition",
            _("Equal scores share a rank, the next rank is skipped (1, 2, 2, 4)"),
        )
        DENSE = "dense", _("Equal scores share a rank, no rank is skipped (1, 2, 2, 3)")

    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000)])
    title = models.CharField(_("title"), max_length=300)
    scope = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="criteria_sets",
        verbose_name=_("units scored"),
        help_text=_("The set scores the units of the chosen types under this unit."),
    )
    unit_kinds = models.JSONField(_("types of unit scored"), default=list)
    issuer = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="issued_criteria_sets",
        verbose_name=_("issued by"),
    )
    decision_number = models.CharField(_("decision number"), max_length=100, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    declared_total = models.DecimalField(
        _("total maximum"), max_digits=7, decimal_places=2, default=Decimal(100)
    )
    classification_bands = models.JSONField(
        _("classification"),
        default=list,
        help_text=_("Labels with the lowest index (%) each needs."),
    )
    ranking_rule = models.CharField(
        _("ranking rule"),
        max_length=20,
        choices=RankingRule.choices,
        default=RankingRule.COMPETITION,
    )
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )
    requires_sign_off = models.BooleanField(
        _("the unit's leader approves the self-assessment before it is sent"), default=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # A new random token at every change to the set's criteria (saved, deleted), written in
    # the same transaction: the compiled tree each app server keeps in memory is keyed by it
    # (scoring.criteria.trees). Random, so that a rolled-back change never names a tree again.
    criteria_version = models.CharField(max_length=32, default="", editable=False)

    objects = CriteriaSetQuerySet.as_manager()

    class Meta:
        verbose_name = _("criteria set")
        verbose_name_plural = _("criteria sets")
        ordering = ["-year", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "scope", "title"], name="unique_criteria_set_title"
            ),
            models.CheckConstraint(
                condition=Q(declared_total__gt=0), name="criteria_set_total_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def dense_ranking(self) -> bool:
        return self.ranking_rule == self.RankingRule.DENSE

    def unit_kinds_display(self) -> str:
        labels = dict(UnitKind.choices)
        return ", ".join(str(labels.get(kind, kind)) for kind in self.unit_kinds)

    def ensure_editable(self) -> None:
        if self.is_published:
            raise ReadOnlyError(_("The criteria set is published and can no longer change."))


class RankingGroup(models.Model):
    """Units of a set ranked together, each group with its own "n/N" (e.g. phường apart from
    xã and đặc khu). A set without groups ranks all its units together."""

    criteria_set = models.ForeignKey(
        CriteriaSet, on_delete=models.CASCADE, related_name="ranking_groups"
    )
    name = models.CharField(_("name"), max_length=100)
    unit_kinds = models.JSONField(_("types of unit in the group"), default=list)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("ranking group")
        verbose_name_plural = _("ranking groups")
        ordering = ["criteria_set", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["criteria_set", "name"], name="ranking_group_name_once_per_set"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Criterion(models.Model):
    """A field, criterion or sub-criterion of a set, identified by its dotted code."""

    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.CASCADE, related_name="criteria")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    code = models.CharField(_("code"), max_length=30)
    sort_key = models.CharField(max_length=120, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    title = models.CharField(_("title"), max_length=500)
    max_score = models.DecimalField(_("maximum score"), max_digits=6, decimal_places=2)
    method = models.CharField(
        _("scoring method"), max_length=20, choices=[(m.value, m.value) for m in Method], blank=True
    )
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    evidence_required = models.TextField(_("evidence required"), blank=True)
    guidance = models.TextField(_("guidance"), blank=True)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["criteria_set", "sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["criteria_set", "code"], name="unique_criterion_code"),
            models.CheckConstraint(
                condition=Q(max_score__gte=0), name="criterion_max_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(code__regex=CODE_REGEX), name="criterion_code_dotted"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.criteria_set.ensure_editable()
        self.sort_key = sort_key_of(self.code)
        self.depth = self.code.count(".")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        self.criteria_set.ensure_editable()
        return super().delete(*args, **kwargs)

    @property
    def is_leaf(self) -> bool:
        return bool(self.method)


def sort_key_of(code: str) -> str:
    """A string that sorts like the code's numbers: "1.10" after "1.9"."""
    return ".".join(f"{part:04d}" for part in code_key(code))
