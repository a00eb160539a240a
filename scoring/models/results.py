"""Stored results of assessments and the published decisions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from scoring.models.assessments import Assessment
from scoring.models.criteria import CriteriaSet


class AssessmentResult(models.Model):
    """An assessment's scores as last computed by the engine, so that rankings of thousands
    of units read one row per unit. Refreshed whenever a score or state changes."""

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


class Decision(models.Model):
    """The People's Committee decision approving and publishing the index of a criteria set."""

    criteria_set = models.OneToOneField(
        CriteriaSet, on_delete=models.PROTECT, related_name="decision"
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
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.number} ({self.date:%d/%m/%Y})"

    def bases(self) -> list[str]:
        return [line.strip() for line in self.legal_bases.splitlines() if line.strip()]

    def recipient_lines(self) -> list[str]:
        return [line.strip() for line in self.recipients.splitlines() if line.strip()]
