"""Print a unit's public survey address for a year (what the poster's QR code opens)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cchc.models import CodeError, Unit
from surveys.models import UnitLink
from surveys.posters import public_url


class Command(BaseCommand):
    help = "Print the public address of a unit's satisfaction survey for a year."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="the unit's code")
        parser.add_argument("--year", required=True, type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"]
        try:
            unit = Unit.objects.during(
                options["unit"], datetime.date(year, 1, 1), datetime.date(year, 12, 31)
            )
        except CodeError as error:
            raise CommandError(str(error)) from None
        links = list(
            UnitLink.objects.filter(unit=unit, questionnaire__criteria_set__year=year)
            .select_related("questionnaire")
            .order_by("questionnaire__title")
        )
        if not links:
            raise CommandError(
                f"{unit} chưa có khảo sát năm {year}: hãy mở khảo sát trên trang quản lý khảo sát."
            )
        for link in links:
            status = link.questionnaire.get_status_display()
            self.stdout.write(f"{public_url(link)}  ({link.questionnaire.title}; {status})")
