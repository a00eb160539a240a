"""The shape every import command shares: read an .xlsx or .csv, import it all or nothing,
and on refusal print every bad row and exit non-zero."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from cchc.spreadsheets import ImportRefused, ReadLimits, Table, read_table


class FileImportCommand(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def import_table(self, table: Table, options: dict[str, Any]) -> str:
        """Import and return the message to print; raise ImportRefused on bad rows."""
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate("vi")
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"Không tìm thấy tệp {path}")
        try:
            # Run from a terminal, not holding a web worker: the background time limit.
            table = read_table(path, limits=ReadLimits.named("background"))
            done = self.import_table(table, options)
        except ImportRefused as refused:
            for error in refused.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"Tệp có {len(refused.errors)} lỗi; không có dữ liệu nào được ghi."
            ) from None
        self.stdout.write(self.style.SUCCESS(done))
