import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from cchc.models import parse_unit_kind
from cchc.reorganisation import merge_codes


def _date(text: str) -> datetime.date:
    for date_format in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, date_format).date()
        except ValueError:
            continue
    raise ValueError(text)


class Command(BaseCommand):
    help = (
        "Merge units into a new one: the old units are closed the day before --date and "
        "become the predecessors of the new unit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("old_codes", nargs="+", help="codes of the units to merge")
        parser.add_argument(
            "--code", required=True, help="code of the new unit (it may be an old unit's code)"
        )
        parser.add_argument("--name", required=True)
        parser.add_argument("--kind", required=True, help="type, e.g. xa, phuong or Xã")
        parser.add_argument("--parent", default=None, help="code of the new unit's parent")
        parser.add_argument("--date", required=True, type=_date, help="first day in force")

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate("vi")
        kind = parse_unit_kind(options["kind"])
        if kind is None:
            raise CommandError(f"Loại đơn vị không hợp lệ: {options['kind']}")
        try:
            unit = merge_codes(
                options["old_codes"],
                new_code=options["code"],
                new_name=options["name"],
                new_kind=kind,
                parent_code=options["parent"],
                effective=options["date"],
            )
        except ValidationError as error:
            raise CommandError("\n".join(error.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(f"Đã tạo {unit} ({unit.code}) từ {', '.join(options['old_codes'])}")
        )
