import datetime
from typing import Any

from django.core.management.base import CommandParser

from cchc.management.file_import import FileImportCommand
from cchc.spreadsheets import Table
from scoring.management.cycle import acting_user, add_user_argument, unit_of_year
from scoring.publication.imports import PastDecision, import_results


class Command(FileImportCommand):
    help = (
        "Load a past year's published results (Mã đơn vị, Điểm, Điểm tối đa or Chỉ số (%), "
        "Xếp hạng, Xếp loại, optional Lĩnh vực 1 …) as that year's published decision. All or "
        "nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--scope", required=True, help="code of the unit that issued it")
        parser.add_argument("--decision", required=True, help="number, e.g. 4867/QĐ-UBND")
        parser.add_argument(
            "--decision-date", required=True, type=datetime.date.fromisoformat, help="YYYY-MM-DD"
        )
        parser.add_argument("--issuing-body", default="")
        add_user_argument(parser)

    def import_table(self, table: Table, options: dict[str, Any]) -> str:
        scope = unit_of_year(options["scope"], options["year"])
        decision = import_results(
            table,
            PastDecision(
                year=options["year"],
                scope=scope,
                number=options["decision"],
                date=options["decision_date"],
                issuing_body=options["issuing_body"],
            ),
            acting_user(options),
        )
        return (
            f"Đã nạp kết quả năm {options['year']} của {decision.results.count()} đơn vị "
            f"(Quyết định {decision.number})."
        )
