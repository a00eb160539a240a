from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from cchc.models import User
from cchc.spreadsheets import ImportRefused, read_table
from scoring.score_imports import import_appraisal, import_scores


class Command(BaseCommand):
    help = (
        "Import scores from .xlsx or .csv. --stage self: Mã đơn vị, Mã tiêu chí, Điểm, Ghi chú "
        "(opening the assessment of units that have none); --stage appraisal: Mã đơn vị, Mã tiêu chí, "
        "Điểm, Lý do trừ điểm (the units end appraised). All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--stage", choices=["self", "appraisal"], default="self")

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate("vi")
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"Không tìm thấy tệp {path}")
        superuser = User(is_superuser=True)
        try:
            table = read_table(path)
            if options["stage"] == "appraisal":
                written, units = import_appraisal(table, options["year"], superuser)
                done = f"Đã ghi {written} điểm thẩm định của {units} đơn vị."
            else:
                written, opened = import_scores(table, options["year"], superuser)
                done = f"Đã ghi {written} điểm; mở mới {opened} kỳ đánh giá."
        except ImportRefused as refused:
            for error in refused.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"Tệp có {len(refused.errors)} lỗi; không có dữ liệu nào được ghi."
            ) from None
        self.stdout.write(self.style.SUCCESS(done))
