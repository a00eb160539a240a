"""The service index's table (Bộ chỉ số phục vụ người dân, doanh nghiệp, Quyết định
766/QĐ-TTg): its groups, indicators, points and thresholds are data, in versions, so that
an administrator changes them when the government does; and the figures the national
portal publishes, entered to be compared with ours."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cchc.models import Unit


class ServiceIndexVersion(models.Model):
    """One version of the table, in force from ``valid_from`` (a period uses the latest
    version in force on its first day)."""

    name = models.CharField(_("name"), max_length=200)
    valid_from = models.DateField(_("in force from"), unique=True)
    source = models.CharField(
        _("source"), max_length=300, blank=True, help_text=_("the decision or notice it follows")
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("service index version")
        verbose_name_plural = _("service index versions")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from:%d/%m/%Y})"


class ServiceIndexIndicator(models.Model):
    """One indicator: the ratio numerator / denominator of record counts (names from
    ``dossiers.record_counts.RECORD_COUNTS``), in percent; full ``points`` at or above
    ``threshold`` percent, linear below; not applicable when the denominator is zero."""

    version = models.ForeignKey(
        ServiceIndexVersion, on_delete=models.CASCADE, related_name="indicators"
    )
    group_code = models.CharField(_("group"), max_length=10)
    group_name = models.CharField(_("group name"), max_length=200)
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("indicator"), max_length=300)
    numerator = models.CharField(_("numerator (count)"), max_length=40)
    denominator = models.CharField(_("denominator (count)"), max_length=40)
    points = models.DecimalField(
        _("points"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    threshold = models.DecimalField(
        _("threshold for full points (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(100))],
    )
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("service index indicator")
        verbose_name_plural = _("service index indicators")
        ordering = ["version", "sort", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="one_indicator_code"),
            models.CheckConstraint(
                condition=Q(threshold__gt=0, threshold__lte=100), name="indicator_threshold_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def numerator_label(self) -> str:
        return _count_label(self.numerator)

    @property
    def denominator_label(self) -> str:
        return _count_label(self.denominator)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from dossiers.record_counts import RECORD_COUNTS

        problems = {
            field: _("“%(name)s” is not a count; use one of: %(names)s")
            % {"name": getattr(self, field), "names": ", ".join(RECORD_COUNTS)}
            for field in ("numerator", "denominator")
            if getattr(self, field) not in RECORD_COUNTS
        }
        if problems:
            raise ValidationError(problems)


def _count_label(name: str) -> str:
    """What a record count counts, in words (the indicator catalogue of the service index)."""
    from dossiers.record_counts import RECORD_COUNTS

    count = RECORD_COUNTS.get(name)
    return str(count.label) if count else name.replace("_", " ")


class PortalFigure(models.Model):
    """The index the national portal published for a unit and period, entered by hand to be
    shown beside ours with the difference."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="portal_figures")
    period = models.CharField(_("period"), max_length=10, help_text="2024, 2024-Q1, 2024-03")
    score = models.DecimalField(
        _("published score"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("figure published by the portal")
        verbose_name_plural = _("figures published by the portal")
        constraints = [
            models.UniqueConstraint(fields=["unit", "period"], name="one_portal_figure"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.period}: {self.score}"
