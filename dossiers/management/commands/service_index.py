"""The service index of a unit for a range of periods, as JSON or .xlsx (the page's figures)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from cchc.models import CodeError, Unit
from dossiers.periods import Period
from dossiers.service_index import index_report, index_xlsx


class Command(BaseCommand):
    help = (
        "The service index (Quyết định 766/QĐ-TTg) of a unit from its dossier records: the "
        "score, groups and indicators with their counts, the months and the units below ranked."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="the unit's code")
        parser.add_argument("--from", dest="start", required=True, help="2024, 2024-Q1, 2024-01")
        parser.add_argument("--to", dest="end", help="the last period (default: --from)")
        parser.add_argument("--format", choices=["json", "xlsx"], default="json")
        parser.add_argument("--output", type=Path, help="the file to write (json: default stdout)")

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate("vi")
        try:
            start = Period.parse(options["start"])
            end = Period.parse(options["end"] or options["start"])
        except ValueError as error:
            raise CommandError(
                f"“{error}” không phải là kỳ; ghi theo dạng 2024, 2024-H1, 2024-Q1 hoặc 2024-03"
            ) from None
        if end.end < start.start:
            raise CommandError("Kỳ cuối đứng trước kỳ đầu.")
        try:
            unit = Unit.objects.during(options["unit"], start.start, end.end)
        except CodeError as error:
            raise CommandError(str(error)) from None
        report = index_report(unit, start, end)
        if options["format"] == "xlsx":
            if not options["output"]:
                raise CommandError("Tệp .xlsx cần --output TỆP.")
            options["output"].write_bytes(index_xlsx(report))
            self.stdout.write(self.style.SUCCESS(f"Đã ghi {options['output']}"))
            return
        text = json.dumps(report.as_json(), ensure_ascii=False, indent=2)
        if options["output"]:
            options["output"].write_text(text, encoding="utf-8")
            self.stdout.write(self.style.SUCCESS(f"Đã ghi {options['output']}"))
        else:
            self.stdout.write(text)
