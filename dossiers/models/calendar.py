"""The working-day calendar's exceptions: days an administrator adds beside the public
holidays the holidays library knows (a day off the government swaps, a Saturday worked in
exchange, a holiday announced after the library's release)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    class Kind(models.TextChoices):
        DAY_OFF = "off", _("Day off (not a working day)")
        WORKING = "work", _("Working day (e.g. a Saturday worked in exchange)")

    day = models.DateField(_("day"), unique=True)
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=200, help_text=_("e.g. the decision that set it"))
    changed_at = models.DateTimeField(auto_now=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("working-calendar day")
        verbose_name_plural = _("working-calendar days")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.get_kind_display()}"
