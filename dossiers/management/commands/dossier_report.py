import datetime
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cchc.models import CodeError, Unit
from dossiers.periods import Period
from dossiers.reports import build_report, report_xlsx


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"Ngày không hợp lệ: {text} (dạng YYYY-MM-DD)") from None


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except ValueError:
        raise CommandError(
            f"Kỳ không hợp lệ: {text} (dạng 2023, 2023-H1, 2023-Q1 hoặc 2023-03)"
        ) from None


class Command(BaseCommand):
    help = "Report procedure-dossier figures of a unit and every unit under it, as JSON or .xlsx."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="unit code")
        parser.add_argument(
            "--on",
            type=_day,
            help="YYYY-MM-DD: the day the code is read on, where it names two units in the range",
        )
        parser.add_argument(
            "--from", dest="start", required=True, help="first period, e.g. 2023-01"
        )
        parser.add_argument("--to", dest="end", required=True, help="last period, e.g. 2023-Q1")
        parser.add_argument("--format", choices=["json", "xlsx"], default="json")
        parser.add_argument("--output", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        start, end = _period(options["start"]), _period(options["end"])
        if start.start > end.end:
            raise CommandError("Kỳ cuối đứng trước kỳ đầu")
        try:
            unit = (
                Unit.objects.at(options["unit"], options["on"])
                if options["on"]
                else Unit.objects.during(options["unit"], start.start, end.end)
            )
        except CodeError as error:
            raise CommandError(" ".join(error.messages)) from None
        report = build_report(unit, start, end)
        output: Path = options["output"]
        if options["format"] == "xlsx":
            output.write_bytes(report_xlsx(report))
        else:
            output.write_text(
                json.dumps(report.as_json(), ensure_ascii=False, indent=2), encoding="utf-8"
            )
        self.stdout.write(
            self.style.SUCCESS(f"Đã ghi báo cáo {len(report.all_units)} đơn vị ra {output}")
        )
