from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cchc.models import Unit
from cchc.unit_files import export_units


class Command(BaseCommand):
    help = "Export every administrative unit to an .xlsx or .csv file (by its suffix)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        suffix = path.suffix.lower().lstrip(".")
        if suffix not in ("xlsx", "csv"):
            raise CommandError("Tên tệp phải có đuôi .xlsx hoặc .csv")
        path.write_bytes(export_units(Unit.objects.order_by("path"), suffix))
        self.stdout.write(self.style.SUCCESS(f"Đã xuất {Unit.objects.count()} đơn vị ra {path}"))
