"""Procedure-dossier statistics per unit and period (typed or imported totals), with the
history of their changes."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cchc.models import Role, Unit
from dossiers.figures import COUNT_FIELDS, COUNT_NAMES
from dossiers.periods import Period, PeriodKind

RECEIVED = F("new_received") + F("carried_over")
RESOLVED = F("resolved_early") + F("resolved_on_time") + F("resolved_late")


class DossierStatisticsQuerySet(models.QuerySet["DossierStatistics"]):
    """Access to dossier figures, decided here: seen by those who see the unit, entered by
    its officers and administrators."""

    def visible_to(self, user: Any) -> DossierStatisticsQuerySet:
        return self.filter(unit__in=Unit.objects.visible_to(user))

    def actionable_by(self, user: Any) -> DossierStatisticsQuerySet:
        return self.filter(unit__in=Unit.objects.actionable_by(user, ENTRY_ROLES))


ENTRY_ROLES = (Role.OFFICER, Role.ADMINISTRATOR)


class DossierStatistics(models.Model):
    """The dossier counts of one unit for one period, entered once and then updated."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="dossier_statistics")
    period_kind = models.CharField(
        _("period type"), max_length=10, choices=[(k.value, k.value) for k in PeriodKind]
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("number in the year"), default=0)
    period_start = models.DateField(editable=False)
    period_end = models.DateField(editable=False)

    new_received = models.PositiveIntegerField(COUNT_FIELDS[0].label, default=0)
    carried_over = models.PositiveIntegerField(COUNT_FIELDS[1].label, default=0)
    online_full = models.PositiveIntegerField(COUNT_FIELDS[2].label, default=0)
    online_partial = models.PositiveIntegerField(COUNT_FIELDS[3].label, default=0)
    postal = models.PositiveIntegerField(COUNT_FIELDS[4].label, default=0)
    resolved_early = models.PositiveIntegerField(COUNT_FIELDS[5].label, default=0)
    resolved_on_time = models.PositiveIntegerField(COUNT_FIELDS[6].label, default=0)
    resolved_late = models.PositiveIntegerField(COUNT_FIELDS[7].label, default=0)
    pending_within = models.PositiveIntegerField(COUNT_FIELDS[8].label, default=0)
    pending_overdue = models.PositiveIntegerField(COUNT_FIELDS[9].label, default=0)
    returned = models.PositiveIntegerField(COUNT_FIELDS[10].label, default=0)
    paid_online = models.PositiveIntegerField(COUNT_FIELDS[11].label, default=0)
    electronic_results = models.PositiveIntegerField(COUNT_FIELDS[12].label, default=0)
    digitised = models.PositiveIntegerField(COUNT_FIELDS[13].label, default=0)

    version = models.PositiveIntegerField(
        default=1, help_text=_("Raised on every change, so that concurrent edits are caught.")
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = DossierStatisticsQuerySet.as_manager()

    class Meta:
        verbose_name = _("dossier statistics")
        verbose_name_plural = _("dossier statistics")
        ordering = ["unit__path", "period_start", "period_kind"]
        indexes = [models.Index(fields=["period_start", "period_end"])]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "period_kind", "year", "number"],
                name="one_figure_set_per_unit_period",
            ),
            models.CheckConstraint(
                condition=Q(period_kind="year", number=0)
                | Q(period_kind="half", number__gte=1, number__lte=2)
                | Q(period_kind="quarter", number__gte=1, number__lte=4)
                | Q(period_kind="month", number__gte=1, number__lte=12),
                name="dossier_period_number_valid",
            ),
            models.CheckConstraint(
                condition=Q(online_full__lte=RECEIVED - F("online_partial")),
                name="dossier_online_within_received",
            ),
            models.CheckConstraint(
                condition=Q(postal__lte=RECEIVED), name="dossier_postal_within_received"
            ),
            models.CheckConstraint(
                condition=Q(paid_online__lte=RECEIVED), name="dossier_paid_within_received"
            ),
            models.CheckConstraint(
                condition=Q(digitised__lte=RECEIVED), name="dossier_digitised_within_received"
            ),
            models.CheckConstraint(
                condition=Q(electronic_results__lte=RESOLVED),
                name="dossier_electronic_within_resolved",
            ),
            models.CheckConstraint(
                condition=Q(
                    new_received=RESOLVED
                    + F("pending_within")
                    + F("pending_overdue")
                    + F("returned")
                    - F("carried_over")
                ),
                name="dossier_received_accounted_for",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.code} {self.period}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        period = self.period
        self.period_start, self.period_end = period.start, period.end
        super().save(*args, **kwargs)

    @property
    def period(self) -> Period:
        return Period(self.year, PeriodKind(self.period_kind), self.number)

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COUNT_NAMES}


class DossierChange(models.Model):
    """Who changed a unit's figures for a period, when, how, and from what to what."""

    class Source(models.TextChoices):
        FORM = "form", _("Entry form")
        IMPORT = "import", _("File import")

    statistics = models.ForeignKey(
        DossierStatistics, on_delete=models.CASCADE, related_name="changes"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("change of dossier figures")
        verbose_name_plural = _("changes of dossier figures")
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.statistics} · {self.changed_at:%Y-%m-%d %H:%M}"

    def changed_fields(self) -> list[tuple[str, Any, Any]]:
        return [
            (str(field.label), self.before.get(field.name), self.after.get(field.name))
            for field in COUNT_FIELDS
            if self.before.get(field.name) != self.after.get(field.name)
        ]
