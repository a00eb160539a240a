"""Work that runs on a schedule, not when someone saves: deadlines that close windows,
reminders, e-mail waiting to be sent, daily digests. Each app registers its jobs here
(``@every_run`` or ``@daily``); ``manage.py run_scheduled``, started by the system's timer
every few minutes, runs them. Jobs are safe to run twice or on two machines at once: they
take row locks and keep what they have done."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cchc.models import ScheduledRun

logger = logging.getLogger(__name__)
Job = Callable[[datetime.datetime], str]
EVERY_RUN: dict[str, Job] = {}
DAILY: dict[str, Job] = {}


def every_run(name: str) -> Callable[[Job], Job]:
    def register(job: Job) -> Job:
        EVERY_RUN[name] = job
        return job

    return register


def daily(name: str) -> Callable[[Job], Job]:
    def register(job: Job) -> Job:
        DAILY[name] = job
        return job

    return register


def _due_today(name: str, now: datetime.datetime) -> bool:
    """True once per local day, from DIGEST_HOUR on (the first run to ask takes it)."""
    local = timezone.localtime(now)
    if local.hour < settings.DIGEST_HOUR:
        return False
    with transaction.atomic():
        run, created = ScheduledRun.objects.select_for_update().get_or_create(
            name=name, defaults={"last_run_at": now}
        )
        if created:
            return True
        if timezone.localtime(run.last_run_at).date() >= local.date():
            return False
        run.last_run_at = now
        run.save(update_fields=["last_run_at"])
        return True


def run_all(now: datetime.datetime | None = None) -> list[str]:
    """Run every job that is due; one line of what each did."""
    now = now or timezone.now()
    report = []
    for name, job in EVERY_RUN.items():
        report.append(f"{name}: {job(now)}")
    for name, job in DAILY.items():
        if _due_today(name, now):
            report.append(f"{name}: {job(now)}")
    return report
