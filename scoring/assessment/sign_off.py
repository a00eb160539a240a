"""The commune leader's approval of the self-assessment before it is sent (the chairman
signs the report and the letter asking for appraisal). A change after the approval clears
it: what is sent is what the leader approved."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.models import Role, User
from scoring.assessment import audit
from scoring.assessment.workflow import IllegalMove, locked
from scoring.models import Assessment, AuditEntry


def may_sign_off(user: User, assessment: Assessment) -> bool:
    """A leader of the unit itself (the commune's chairman), not of a unit above it."""
    return assessment.unit.path in user.role_paths({Role.LEADER})


@transaction.atomic
def sign_off(assessment: Assessment, user: User) -> Assessment:
    assessment = locked(assessment)
    if not may_sign_off(user, assessment):
        raise PermissionDenied
    if not assessment.accepts_self_assessment(timezone.now()):
        raise IllegalMove(_("The self-assessment is closed; there is nothing to approve."))
    assessment.signed_off_by, assessment.signed_off_at = user, timezone.now()
    assessment.save(update_fields=["signed_off_by", "signed_off_at"])
    audit.record(
        assessment,
        AuditEntry.Kind.SIGN_OFF,
        user,
        new=_("Approved by the unit's leader"),
        reason=str(user),
    )
    return assessment


def clear_sign_off(assessment: Assessment, user: User | None) -> None:
    """After a change to what was approved: the leader approves again."""
    updated = Assessment.objects.filter(pk=assessment.pk, signed_off_at__isnull=False).update(
        signed_off_by=None, signed_off_at=None
    )
    if updated:
        assessment.signed_off_by, assessment.signed_off_at = None, None
        audit.record(
            assessment,
            AuditEntry.Kind.SIGN_OFF,
            user,
            old=_("Approved by the unit's leader"),
            new=_("Approval cleared: the self-assessment changed after it"),
        )
