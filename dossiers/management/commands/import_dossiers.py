from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from cchc.models import User
from cchc.spreadsheets import ImportRefused, read_table
from dossiers.imports import import_dossiers


class Command(BaseCommand):
    help = "Import procedure-dossier statistics from an .xlsx or .csv file (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate("vi")
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"Không tìm thấy tệp {path}")
        try:
            summary = import_dossiers(read_table(path), User(is_superuser=True))
        except ImportRefused as refused:
            for error in refused.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"Tệp có {len(refused.errors)} lỗi; không có dữ liệu nào được ghi."
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã nhập: {summary.created} mới, {summary.updated} thay đổi, {summary.unchanged} không đổi."
            )
        )
