import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cchc.models import User
from scoring.management.cycle import unit_of_year
from scoring.publication.decisions import decision_pdf
from scoring.publication.rankings import (
    NoRanking,
    RankingRequest,
    open_ranking,
    ranking_json,
    ranking_xlsx,
)


class Command(BaseCommand):
    help = (
        "Write a ranking of a year as JSON, .xlsx or the PDF decision: of a set (--set, "
        "--group), or of the set covering a unit (--parent). Published results, unless "
        "--provisional."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--parent", help="code of a unit: the ranking of the set covering it")
        parser.add_argument("--set", type=int, help="number (id) of the criteria set")
        parser.add_argument("--group", type=int, help="number (id) of its ranking group")
        parser.add_argument("--format", choices=["json", "xlsx", "pdf"], default="json")
        parser.add_argument("--output", type=Path, required=True)
        parser.add_argument(
            "--provisional", action="store_true", help="the appraised results, not yet published"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        unit = unit_of_year(options["parent"], options["year"]) if options["parent"] else None
        wanted = RankingRequest(
            year=options["year"],
            set_pk=options["set"],
            group_pk=options["group"],
            unit=unit,
            provisional=options["provisional"],
        )
        try:
            # The command reads the whole system, as the province's administrators do.
            ranking, _choices = open_ranking(User(is_superuser=True), wanted)
        except NoRanking:
            ranking = None
        if ranking is None:
            raise CommandError("Không có bảng xếp hạng nào như vậy")
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
