"""Administrators' actions on the app's own pages, recorded in Django's admin log (shown in
the admin under "Recent actions" and kept in backups), beside the admin's own changes."""

from __future__ import annotations

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from cchc.models import User


def record_admin_action(user: User, target: Model, message: str, flag: int = CHANGE) -> LogEntry:
    return LogEntry.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(target),
        object_id=str(target.pk),
        object_repr=str(target)[:200],
        action_flag=flag,
        change_message=message,
    )
