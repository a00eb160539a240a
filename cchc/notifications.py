"""Telling people what they must do: in the app (the bell and the notifications page) and by
e-mail, as each person chose per kind (at once, in a daily digest, or not at all).

``notify`` is called by the services where something happens; it writes rows only (one
notification per person and key, so that nobody is told the same thing twice) and hands
e-mail to background work: a page never waits for a mail server. ``send_due_emails`` sends
what is waiting and tries a failed message again later (after 1, 5, 15, 60 and 240
minutes, then gives up); the scheduler (``manage.py run_scheduled``) calls it too, so that a
message survives a restart.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from cchc.models import Notification, NotificationPreference, OutgoingEmail, User
from cchc.scheduled import daily, every_run

logger = logging.getLogger(__name__)
RETRY_MINUTES = [1, 5, 15, 60, 240]


def absolute(path: str) -> str:
    return path if path.startswith("http") else f"{settings.PUBLIC_URL}{path}"


@dataclass(frozen=True)
class Preference:
    in_app: bool = True
    email: str = NotificationPreference.Email.NOW


@dataclass(frozen=True)
class Message:
    user: User
    kind: str
    title: str
    body: str
    path: str  # the page where the action is
    key: str  # the same key is told once to a person


def notify(users: Iterable[User], kind: str, title: str, body: str, path: str, key: str) -> int:
    """Tell each of ``users`` (once per ``key``); returns how many were told now."""
    return deliver([Message(user, kind, title, body, path, key) for user in users])


def deliver(messages: Iterable[Message]) -> int:
    """Write the notifications and queue the e-mails of many messages in a fixed number of
    queries; a message already delivered (same person, same key) is skipped."""
    wanted = [m for m in messages if m.user.pk and m.user.is_active]
    if not wanted:
        return 0
    users = {m.user.pk for m in wanted}
    keys = {m.key[:200] for m in wanted}
    already = set(
        Notification.objects.filter(user_id__in=users, key__in=keys).values_list("user_id", "key")
    )
    chosen = {
        (user_id, kind): Preference(in_app, email)
        for user_id, kind, in_app, email in NotificationPreference.objects.filter(
            user_id__in=users, kind__in={m.kind for m in wanted}
        ).values_list("user_id", "kind", "in_app", "email")
    }
    now = timezone.now()
    notes, mails, seen = [], [], set()
    for message in wanted:
        key = message.key[:200]
        if (message.user.pk, key) in already or (message.user.pk, key) in seen:
            continue
        seen.add((message.user.pk, key))
        preference = chosen.get((message.user.pk, message.kind), Preference())
        if not preference.in_app and preference.email == NotificationPreference.Email.OFF:
            continue
        notes.append(
            Notification(
                user=message.user,
                kind=message.kind,
                title=message.title[:300],
                body=message.body,
                url=message.path,
                key=key,
                read_at=None if preference.in_app else now,
                digested_at=None
                if preference.email == NotificationPreference.Email.DIGEST
                else now,
            )
        )
        if preference.email == NotificationPreference.Email.NOW and message.user.email:
            mails.append(
                OutgoingEmail(
                    to=message.user.email,
                    subject=f"[CCHC] {message.title}"[:300],
                    body=f"{message.body}\n\n{absolute(message.path)}\n\n— Chỉ số CCHC",
                    next_attempt_at=now,
                )
            )
    Notification.objects.bulk_create(notes, ignore_conflicts=True)
    if mails:
        OutgoingEmail.objects.bulk_create(mails)
        transaction.on_commit(lambda: send_emails.enqueue())
    return len(notes)


@task()
def send_emails() -> None:
    send_due_emails()


def send_due_emails(limit: int = 200) -> tuple[int, int]:
    """Send the e-mails whose time has come; returns (sent, failed this time)."""
    now = timezone.now()
    with transaction.atomic():
        due = list(
            OutgoingEmail.objects.select_for_update(skip_locked=True)
            .filter(status=OutgoingEmail.Status.QUEUED, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")[:limit]
        )
        if not due:
            return 0, 0
        sent = failed = 0
        try:
            connection = get_connection(fail_silently=False)
            connection.open()
        except Exception as error:  # the server is away: every message waits for the next try
            for mail in due:
                _failed(mail, error, now)
            return 0, len(due)
        try:
            for mail in due:
                try:
                    EmailMessage(
                        mail.subject,
                        mail.body,
                        settings.DEFAULT_FROM_EMAIL,
                        [mail.to],
                        connection=connection,
                    ).send()
                except Exception as error:
                    _failed(mail, error, now)
                    failed += 1
                else:
                    mail.status, mail.sent_at = OutgoingEmail.Status.SENT, now
                    mail.attempts += 1
                    mail.save(update_fields=["status", "sent_at", "attempts"])
                    sent += 1
        finally:
            connection.close()
    return sent, failed


def _failed(mail: OutgoingEmail, error: Exception, now: datetime.datetime) -> None:
    mail.attempts += 1
    mail.last_error = str(error)[:500]
    if mail.attempts > len(RETRY_MINUTES):
        mail.status = OutgoingEmail.Status.FAILED
        logger.error("e-mail to %s given up after %s attempts: %s", mail.to, mail.attempts, error)
    else:
        mail.next_attempt_at = now + datetime.timedelta(minutes=RETRY_MINUTES[mail.attempts - 1])
        logger.warning("e-mail to %s failed (attempt %s): %s", mail.to, mail.attempts, error)
    mail.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])


def queue_digests() -> int:
    """One e-mail per person with the notifications waiting for their daily digest."""
    now = timezone.now()
    waiting = (
        Notification.objects.filter(digested_at__isnull=True)
        .select_related("user")
        .order_by("user_id", "created_at")
    )
    by_user: dict[int, list[Notification]] = {}
    for note in waiting:
        by_user.setdefault(note.user_id, []).append(note)
    mails = []
    for notes in by_user.values():
        user = notes[0].user
        if user.email:
            lines = [f"- {note.title}\n  {absolute(note.url)}" for note in notes]
            mails.append(
                OutgoingEmail(
                    to=user.email,
                    subject=f"[CCHC] {len(notes)} thông báo trong ngày",
                    body="\n".join(lines) + "\n\n— Chỉ số CCHC",
                    next_attempt_at=now,
                )
            )
    with transaction.atomic():
        OutgoingEmail.objects.bulk_create(mails)
        waiting.update(digested_at=now)
    return len(mails)


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


@every_run("thư điện tử")
def _send_waiting(now: datetime.datetime) -> str:
    sent, failed = send_due_emails()
    return f"đã gửi {sent} thư, {failed} thư chưa gửi được (sẽ thử lại)"


@daily("thư tổng hợp")
def _digests(now: datetime.datetime) -> str:
    return f"xếp hàng {queue_digests()} thư tổng hợp trong ngày"
