from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from cchc.models import User
from cchc.spreadsheets import ImportRefused, read_table
from scoring.score_imports import import_scores


class Command(BaseCommand):
    help = (
        "Import self-assessment scores from .xlsx or .csv (Mã đơn vị, Mã tiêu chí, Điểm, Ghi chú), "
        "opening the assessment of units that have none. All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument(
            "--stage", choices=["self"], default="self", help="self: the units' self-assessment"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate("vi")
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"Không tìm thấy tệp {path}")
        try:
            written, opened = import_scores(
                read_table(path), options["year"], User(is_superuser=True)
            )
        except ImportRefused as refused:
            for error in refused.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"Tệp có {len(refused.errors)} lỗi; không có dữ liệu nào được ghi."
            ) from None
        self.stdout.write(
            self.style.SUCCESS(f"Đã ghi {written} điểm; mở mới {opened} kỳ đánh giá.")
        )
