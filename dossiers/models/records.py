"""Dossier records: one row per dossier, as the one-stop system (Hệ thống thông tin giải
quyết TTHC) exports them, with what the working-day rules make of each (its due day, its
outcome, the working days it ran over), so that a period's counts are grouped queries."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cchc.models import Unit


class Channel(models.TextChoices):
    DIRECT = "direct", _("In person")
    ONLINE_FULL = "online_full", _("Online, full process")
    ONLINE_PARTIAL = "online_partial", _("Online, partial")
    POSTAL = "postal", _("Public postal service")


class RecordState(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Resolved")
    RETURNED = "returned", _("Returned or withdrawn")
    REFUSED = "refused", _("Refused")


class Outcome(models.TextChoices):
    """What the rules make of a closed dossier (empty while it is open)."""

    EARLY = "early", _("Early")
    ON_TIME = "on_time", _("On time")
    LATE = "late", _("Late")
    RETURNED = "returned", _("Returned, withdrawn or refused")


class DossierRecordQuerySet(models.QuerySet["DossierRecord"]):
    def visible_to(self, user: Any) -> DossierRecordQuerySet:
        return self.filter(unit__in=Unit.objects.visible_to(user))


class DossierRecord(models.Model):
    """One dossier. ``code`` is the dossier's code in the one-stop system (it embeds the
    receiving agency's code, so it is unique); re-importing it updates this row."""

    code = models.CharField(_("dossier code"), max_length=100, unique=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="dossier_records")
    procedure_code = models.CharField(_("procedure code"), max_length=50, blank=True)
    procedure_name = models.CharField(_("procedure"), max_length=500, blank=True)
    received_at = models.DateTimeField(_("received at"))
    due_at = models.DateTimeField(_("due at (as given)"), null=True, blank=True)
    legal_days = models.DecimalField(
        _("processing time (working days)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    closed_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("result returned at"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    paid_online = models.BooleanField(_("paid online"), default=False)
    electronic_result = models.BooleanField(_("result issued electronically"), default=False)
    digitised = models.BooleanField(_("digitised"), default=False)
    supplement_count = models.PositiveSmallIntegerField(_("supplement requests"), default=0)
    pauses = models.JSONField(
        _("pauses for supplements"), default=list, blank=True, help_text="[[start, end], …]"
    )
    state = models.CharField(_("state"), max_length=20, choices=RecordState.choices)
    rating = models.PositiveSmallIntegerField(_("applicant's rating (1–5)"), null=True, blank=True)

    # What the working-day rules make of it (dossiers.deadlines), stored for grouped counts.
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    closed_on = models.DateField(_("finished on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    overrun_days = models.PositiveSmallIntegerField(
        _("working days over"), default=0, help_text=_("for a late dossier")
    )
    imported_at = models.DateTimeField(auto_now=True)

    objects = DossierRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("dossier record")
        verbose_name_plural = _("dossier records")
        ordering = ["received_at", "code"]
        indexes = [
            models.Index(fields=["unit", "received_on"], name="record_unit_received"),
            models.Index(fields=["unit", "closed_on"], name="record_unit_closed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("received_on")),
                name="record_closed_after_received",
            ),
            models.CheckConstraint(
                condition=Q(state="in_progress", closed_at__isnull=True, outcome="")
                | (~Q(state="in_progress") & Q(closed_at__isnull=False) & ~Q(outcome="")),
                name="record_state_matches_closing",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="record_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class DossierRecordChange(models.Model):
    """A re-import that changed a dossier: who, when, which fields from what to what."""

    record = models.ForeignKey(DossierRecord, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("change of a dossier record")
        verbose_name_plural = _("changes of dossier records")
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.record} · {self.changed_at:%Y-%m-%d %H:%M}"


class RecordedUnit(models.Model):
    """A unit whose figures come from its dossier records from ``since`` to ``until`` (the
    first day of the month of its earliest record, the last day of the month of its latest).
    Typed or imported totals of the unit are kept only for periods outside those days: the
    two never cover the same days."""

    unit = models.OneToOneField(
        Unit, on_delete=models.CASCADE, primary_key=True, related_name="recorded"
    )
    since = models.DateField(_("figures from records since"))
    until = models.DateField(_("figures from records until"))
    records = models.PositiveIntegerField(_("records"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("unit with dossier records")
        verbose_name_plural = _("units with dossier records")

    def __str__(self) -> str:
        return f"{self.unit} ({self.since:%d/%m/%Y}–{self.until:%d/%m/%Y})"

    def covers(self, first: datetime.date, last: datetime.date) -> bool:
        """Whether the records cover any of the days ``first`` to ``last``."""
        return first <= self.until and last >= self.since


class RecordMapping(models.Model):
    """How one source system names its columns and values: ``columns`` maps each field of
    a record to the header of its column; ``values`` maps the texts of the channel, state,
    yes/no and rating columns to ours. The built-in layout is used when none is chosen."""

    name = models.SlugField(_("name"), max_length=50, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    columns = models.JSONField(_("columns"), default=dict)
    values = models.JSONField(_("values"), default=dict, blank=True)

    class Meta:
        verbose_name = _("column mapping of a source system")
        verbose_name_plural = _("column mappings of source systems")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
