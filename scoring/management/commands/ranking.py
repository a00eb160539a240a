import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cchc.models import Unit, User
from scoring.decisions import decision_pdf
from scoring.rankings import build_ranking, ranking_json, ranking_xlsx


class Command(BaseCommand):
    help = (
        "Write the ranking of the units under a unit for a year as JSON, .xlsx or the PDF decision."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--parent", required=True, help="code of the unit whose sub-units are ranked"
        )
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--format", choices=["json", "xlsx", "pdf"], default="json")
        parser.add_argument("--output", type=Path, required=True)
        parser.add_argument(
            "--provisional", action="store_true", help="include appraised results not yet published"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        parent = Unit.objects.filter(code=options["parent"]).first()
        if parent is None:
            raise CommandError(f"Không có đơn vị mã {options['parent']}")
        # The command reads the whole system; published results unless asked otherwise.
        everyone = User(is_superuser=True)
        ranking = build_ranking(
            parent, options["year"], everyone, published_only=not options["provisional"]
        )
        output: Path = options["output"]
        if options["format"] == "json":
            output.write_text(
                json.dumps(ranking_json(ranking), ensure_ascii=False, indent=2), encoding="utf-8"
            )
        elif options["format"] == "xlsx":
            output.write_bytes(ranking_xlsx(ranking))
        else:
            output.write_bytes(decision_pdf(ranking))
        self.stdout.write(self.style.SUCCESS(f"Đã ghi {len(ranking.rows)} đơn vị ra {output}"))
