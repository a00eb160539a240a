import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

from cchc.official_map import load_official_units


class Command(BaseCommand):
    help = (
        "Load Vietnam's official administrative units from the vietnamadminunits package: the "
        "63-province map (until 30/06/2025), the 34-province map (from 01/07/2025) and the "
        "lineage between them, divisions included. Idempotent; one transaction."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--province",
            help="comma-separated codes (old or new), e.g. 44,45: those provinces and the "
            "ones merged with them",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate("vi")
        provinces = (
            {code.strip() for code in options["province"].split(",") if code.strip()}
            if options["province"]
            else None
        )
        started = time.perf_counter()
        summary = load_official_units(provinces)
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(
                f"Xong trong {time.perf_counter() - started:.1f} giây: {summary.total_created} "
                f"đơn vị mới, {summary.total_changed} thay đổi "
                f"(dữ liệu vietnamadminunits {summary.package_version})."
            )
        )
