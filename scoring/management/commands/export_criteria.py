from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scoring.criteria.files import export_criteria
from scoring.management.cycle import unit_of_year
from scoring.models import CriteriaSet


class Command(BaseCommand):
    help = "Export a criteria set to .xlsx in the columns the import reads."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--scope", required=True, help="code of the unit the set scores under")
        parser.add_argument("--title", help="needed when the year and scope have several sets")

    def handle(self, *args: Any, **options: Any) -> None:
        scope = unit_of_year(options["scope"], options["year"])
        sets = CriteriaSet.objects.filter(year=options["year"], scope=scope)
        if options["title"]:
            sets = sets.filter(title=options["title"])
        found = list(sets[:2])
        if not found:
            raise CommandError("Không tìm thấy bộ tiêu chí phù hợp")
        if len(found) > 1:
            raise CommandError("Có nhiều bộ tiêu chí; hãy chỉ rõ --title")
        options["file"].write_bytes(export_criteria(found[0]))
        self.stdout.write(self.style.SUCCESS(f"Đã xuất “{found[0]}” ra {options['file']}"))
