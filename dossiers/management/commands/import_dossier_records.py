"""Import dossier records (one row per dossier) from an .xlsx or .csv file: all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from cchc.models import User
from cchc.spreadsheets import ImportRefused
from dossiers.record_imports import import_records


class Command(BaseCommand):
    help = (
        "Import dossier records exported by a one-stop system (one row per dossier); every bad "
        "row is listed and nothing is written unless the whole file is good."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--mapping", default=None, help="the column mapping of the source system (mac-dinh)"
        )
        parser.add_argument(
            "--replace-entered",
            action="store_true",
            help="replace the typed or imported totals of the periods the records cover",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate("vi")
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"Không tìm thấy tệp {path}")
        verbose = options["verbosity"] > 1

        def progress(percent: int, message: str) -> None:
            if verbose:
                self.stdout.write(f"{percent:3d}% {message}")

        try:
            summary = import_records(
                path,
                path.name,
                User(is_superuser=True),
                options["mapping"],
                options["replace_entered"],
                progress=progress,
            )
        except ImportRefused as refused:
            for error in refused.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"Tệp có {len(refused.errors)} lỗi; không có dữ liệu nào được ghi."
            ) from None
        self.stdout.write(self.style.SUCCESS(summary.message()))
