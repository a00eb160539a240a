"""Evidence files (tài liệu kiểm chứng) and the sub-criteria they support."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.models import Unit
from scoring.models.assessments import AssessmentItem


def evidence_path(instance: Evidence, filename: str) -> str:
    """Where a file is stored: never under its uploaded name, which is only kept as data."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"evidence/{instance.unit.code}/{timezone.now():%Y}/{uuid.uuid4().hex}{suffix}"


class EvidenceQuerySet(models.QuerySet["Evidence"]):
    """Access to evidence, decided here: a file is seen by those who see its unit."""

    def visible_to(self, user: Any) -> EvidenceQuerySet:
        return self.filter(unit__in=Unit.objects.visible_to(user))


class Evidence(models.Model):
    """One uploaded document of a unit. Replacing it creates a new version and keeps this one."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64, db_index=True)
    content_type = models.CharField(max_length=100)
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    document_date = models.DateField(_("document date"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    replaced_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="earlier_versions"
    )

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_current(self) -> bool:
        return self.replaced_by_id is None

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("evidence is kept; replace it instead")


class EvidenceLink(models.Model):
    """An evidence file supporting one sub-criterion of one assessment."""

    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="links")
    item = models.ForeignKey(
        AssessmentItem, on_delete=models.CASCADE, related_name="evidence_links"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence link")
        verbose_name_plural = _("evidence links")
        constraints = [
            models.UniqueConstraint(fields=["evidence", "item"], name="evidence_linked_once")
        ]

    def __str__(self) -> str:
        return f"{self.evidence} → {self.item}"
