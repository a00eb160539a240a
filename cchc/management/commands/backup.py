from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cchc.backups import BackupError, back_up, restore


class Command(BaseCommand):
    help = "Back up the database and the evidence files to a new folder, or --restore from one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)
        parser.add_argument(
            "--restore", action="store_true", help="restore into an empty, migrated database"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path = options["folder"]
        try:
            summary = restore(folder) if options["restore"] else back_up(folder)
        except (BackupError, FileExistsError) as error:
            raise CommandError(str(error)) from None
        verb = "Đã khôi phục" if options["restore"] else "Đã sao lưu"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {summary.objects} bản ghi và {summary.files} tệp ({folder})."
            )
        )
