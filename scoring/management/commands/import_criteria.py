import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import CommandError, CommandParser

from cchc.management.file_import import FileImportCommand
from cchc.models import parse_unit_kind
from cchc.spreadsheets import Table
from scoring.criteria.sets import (
    COMMUNE_KINDS,
    DEFAULT_BANDS,
    SetDetails,
    import_criteria_set,
    parse_bands,
)
from scoring.management.cycle import unit_of_year
from scoring.models import CriteriaSet


class Command(FileImportCommand):
    help = "Import a criteria set from an .xlsx file (one row per criterion; all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--title", required=True)
        parser.add_argument(
            "--scope", required=True, help="code of the unit whose sub-units the set scores"
        )
        parser.add_argument("--issuer", help="code of the issuing unit (default: the scope)")
        parser.add_argument("--decision", default="", help="number of the issuing decision")
        parser.add_argument("--decision-date", type=datetime.date.fromisoformat, help="YYYY-MM-DD")
        parser.add_argument("--total", default="100", help="declared total maximum (default 100)")
        parser.add_argument(
            "--kinds", default=",".join(COMMUNE_KINDS), help="types of unit scored, comma-separated"
        )
        parser.add_argument(
            "--bands", default="; ".join(f"{label}={minimum}" for label, minimum in DEFAULT_BANDS)
        )
        parser.add_argument(
            "--ranking",
            choices=CriteriaSet.RankingRule.values,
            default=CriteriaSet.RankingRule.COMPETITION,
        )

    def import_table(self, table: Table, options: dict[str, Any]) -> str:
        criteria_set, created = import_criteria_set(table, self._details(options))
        verb = "Đã tạo" if created else "Đã thay thế tiêu chí của"
        count = criteria_set.criteria.count()
        return f"{verb} bộ tiêu chí “{criteria_set}” ({count} tiêu chí)."

    def _details(self, options: dict[str, Any]) -> SetDetails:
        scope = unit_of_year(options["scope"], options["year"])
        issuer = unit_of_year(options["issuer"], options["year"]) if options["issuer"] else None
        kinds = [parse_unit_kind(kind) for kind in options["kinds"].split(",")]
        if None in kinds:
            raise CommandError(f"Loại đơn vị không hợp lệ: {options['kinds']}")
        try:
            total = Decimal(options["total"].replace(",", "."))
            bands = parse_bands(options["bands"])
        except (InvalidOperation, ValueError):
            raise CommandError(
                "--total hoặc --bands không hợp lệ (ví dụ --bands 'Tốt=90; Khá=80; Yếu=0')"
            ) from None
        return SetDetails(
            year=options["year"],
            title=options["title"],
            scope=scope,
            issuer=issuer,
            decision_number=options["decision"],
            decision_date=options["decision_date"],
            declared_total=total,
            unit_kinds=[str(kind) for kind in kinds],
            classification_bands=bands,
            ranking_rule=options["ranking"],
        )
