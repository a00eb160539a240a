from typing import Any

from django.core.management.base import CommandParser

from cchc.management.file_import import FileImportCommand
from cchc.models import User
from cchc.spreadsheets import Table
from scoring.appraisal.score_imports import import_appraisal
from scoring.assessment.score_imports import import_scores


class Command(FileImportCommand):
    help = (
        "Import scores from .xlsx or .csv. --stage self: Mã đơn vị, Mã tiêu chí, Điểm, Ghi chú "
        "(opening the assessment of units that have none); --stage appraisal: Mã đơn vị, Mã tiêu chí, "
        "Điểm, Lý do trừ điểm (the units end appraised). All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--stage", choices=["self", "appraisal"], default="self")

    def import_table(self, table: Table, options: dict[str, Any]) -> str:
        superuser = User(is_superuser=True)
        if options["stage"] == "appraisal":
            written, units = import_appraisal(table, options["year"], superuser)
            return f"Đã ghi {written} điểm thẩm định của {units} đơn vị."
        written, opened = import_scores(table, options["year"], superuser)
        return f"Đã ghi {written} điểm; mở mới {opened} kỳ đánh giá."
