"""The audit trail: every change to a score, a deduction, an evidence link or a state."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from cchc.models import User
from scoring.criteria.parameters import format_number
from scoring.models import Assessment, AssessmentItem, AuditEntry


def shown(value: Any) -> str:
    """A value as the trail shows it: 1,5 for a Decimal, "" for nothing."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format_number(value)
    return str(value)


def record(
    assessment: Assessment,
    kind: str,
    user: User | None,
    *,
    item: AssessmentItem | None = None,
    old: Any = None,
    new: Any = None,
    reason: str = "",
    source: str = "page",
) -> AuditEntry:
    return AuditEntry.objects.create(
        assessment=assessment,
        item=item,
        criterion_code=item.criterion.code if item is not None else "",
        kind=kind,
        old_value=shown(old),
        new_value=shown(new),
        reason=reason,
        changed_by=user if user is not None and user.pk else None,
        source=source,
    )


def search(
    user: User,
    *,
    unit_code: str = "",
    criterion_code: str = "",
    username: str = "",
    kind: str = "",
    text: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet[AuditEntry]:
    """The entries of the units this user may see, filtered."""
    entries = AuditEntry.objects.filter(
        assessment__in=Assessment.objects.visible_to(user)
    ).select_related("assessment__unit", "changed_by")
    if unit_code:
        entries = entries.filter(assessment__unit__code=unit_code)
    if criterion_code:
        entries = entries.filter(criterion_code=criterion_code)
    if username:
        entries = entries.filter(changed_by__username__icontains=username)
    if kind:
        entries = entries.filter(kind=kind)
    if text:
        entries = entries.filter(
            Q(reason__icontains=text) | Q(old_value__icontains=text) | Q(new_value__icontains=text)
        )
    if since:
        entries = entries.filter(changed_at__date__gte=since)
    if until:
        entries = entries.filter(changed_at__date__lte=until)
    return entries
