"""Run the scheduled work that is due (deadlines, reminders, e-mail, digests). Started by
the system's timer every few minutes (deploy/cchc-scheduled.timer); safe to run twice."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import translation

from cchc.scheduled import run_all


class Command(BaseCommand):
    help = "Run the scheduled work that is due: deadlines, reminders, e-mail, daily digests."

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate("vi")
        for line in run_all():
            self.stdout.write(line)
