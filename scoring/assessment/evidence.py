"""Storing evidence files: checked by size and by content (not by name), hashed, versioned,
and linked to the sub-criteria they support. Files go through Django's storage API, so a
shared object store can replace the local disk."""

from __future__ import annotations

import datetime
import hashlib
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.models import Unit, User
from cchc.uploads import short_name
from scoring.assessment import audit
from scoring.assessment.sign_off import clear_sign_off
from scoring.models import AssessmentItem, AssessmentState, AuditEntry, Evidence, EvidenceLink

# What a unit may upload, by the type its content shows, with the names such files carry.
ALLOWED_TYPES: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
}
SNIFF_BYTES = 8192


def check_upload(upload: UploadedFile) -> str:
    """The file's content type; ``ValidationError`` with a plain message when it is refused."""
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size is None or upload.size == 0:
        raise ValidationError(_("The file is empty."))
    if upload.size > limit:
        raise ValidationError(
            _(
                "The file is %(size)s MB; the limit is %(limit)s MB. Scan at a lower resolution or split it."
            )
            % {"size": f"{upload.size / 1048576:.1f}".replace(".", ","), "limit": limit // 1048576}
        )
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    kind = _content_type(head, upload)
    suffix = PurePath(upload.name or "").suffix.lower()
    if kind not in ALLOWED_TYPES:
        raise ValidationError(
            _(
                "“%(name)s” is not a PDF, Word (.docx), Excel (.xlsx), JPG or PNG file; its content was checked, not its name."
            )
            % {"name": upload.name}
        )
    if suffix not in ALLOWED_TYPES[kind]:
        raise ValidationError(
            _("“%(name)s” is named %(suffix)s but its content is %(kind)s; rename or re-save it.")
            % {
                "name": upload.name,
                "suffix": suffix or _("without an extension"),
                "kind": ALLOWED_TYPES[kind][0],
            }
        )
    return kind


def _content_type(head: bytes, upload: UploadedFile) -> str | None:
    guess = filetype.guess(head)
    if guess is None:
        return None
    if guess.mime == "application/zip":
        # Word and Excel files are zip containers; look at the whole file to tell them apart.
        upload.seek(0)
        guess = filetype.guess(upload.read()) or guess
        upload.seek(0)
    return guess.mime


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@transaction.atomic
def store_evidence(
    unit: Unit,
    upload: UploadedFile,
    user: User,
    document_number: str = "",
    document_date: datetime.date | None = None,
) -> Evidence:
    kind = check_upload(upload)
    evidence = Evidence(
        unit=unit,
        original_name=short_name(upload.name, 255, default="tai-lieu"),
        size=upload.size or 0,
        sha256=_sha256(upload),
        content_type=kind,
        document_number=document_number.strip(),
        document_date=document_date,
        uploaded_by=user,
    )
    evidence.file.save(evidence.original_name, upload, save=False)
    evidence.save()
    return evidence


@transaction.atomic
def replace_evidence(old: Evidence, upload: UploadedFile, user: User) -> Evidence:
    """A new version of ``old``; ``old`` stays, and the sub-criteria of assessments still in
    self-assessment now point to the new version (submitted ones keep what they had)."""
    if not old.is_current:
        raise ValidationError(_("This is an earlier version; replace the current one."))
    new = store_evidence(old.unit, upload, user, old.document_number, old.document_date)
    old.replaced_by = new
    old.save(update_fields=["replaced_by"])
    for link in old.links.select_related("item__assessment", "item__criterion"):
        if accepts_evidence(link.item):
            EvidenceLink.objects.get_or_create(
                evidence=new, item=link.item, defaults={"linked_by": user}
            )
            link.delete()
            audit.record(
                link.item.assessment,
                AuditEntry.Kind.EVIDENCE,
                user,
                item=link.item,
                old=old.original_name,
                new=new.original_name,
                reason=_("new version of the file"),
            )
    return new


def accepts_evidence(item: AssessmentItem) -> bool:
    """Evidence can change during the self-assessment, and for the sub-criteria returned to
    the unit until it sends its explanation."""
    assessment = item.assessment
    if assessment.accepts_self_assessment(timezone.now()):
        return True
    return (
        assessment.state == AssessmentState.RETURNED
        and item.explanation_requests.filter(round=assessment.explanation_round).exists()
    )


def link_evidence(item: AssessmentItem, evidence: Evidence, user: User) -> EvidenceLink:
    if evidence.unit_id != item.assessment.unit_id:
        raise ValidationError(_("The file belongs to another unit."))
    link, created = EvidenceLink.objects.get_or_create(
        evidence=evidence, item=item, defaults={"linked_by": user}
    )
    if created:
        audit.record(
            item.assessment, AuditEntry.Kind.EVIDENCE, user, item=item, new=evidence.original_name
        )
        clear_sign_off(item.assessment, user)
    return link


def unlink_evidence(link: EvidenceLink, user: User) -> None:
    clear_sign_off(link.item.assessment, user)
    audit.record(
        link.item.assessment,
        AuditEntry.Kind.EVIDENCE,
        user,
        item=link.item,
        old=link.evidence.original_name,
    )
    link.delete()
