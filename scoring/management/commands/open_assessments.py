import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cchc.access import require_role_on
from cchc.models import Role
from scoring.assessment.self_assessment import open_assessments
from scoring.management.cycle import acting_user, add_set_arguments, add_user_argument, find_set


def _deadline(text: str) -> datetime.datetime:
    for layout in ("%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M", "%d/%m/%Y"):
        try:
            parsed = datetime.datetime.strptime(text, layout)
        except ValueError:
            continue
        if layout == "%d/%m/%Y":
            parsed = parsed.replace(hour=23, minute=59)
        return timezone.make_aware(parsed)
    raise CommandError(f"Hạn “{text}” không đúng dạng dd/mm/yyyy hh:mm")


class Command(BaseCommand):
    help = (
        "Open the self-assessment of a published criteria set for every unit it scores, with "
        "a deadline (the same checks as the page)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_set_arguments(parser)
        parser.add_argument("--deadline", required=True, help="dd/mm/yyyy hh:mm")
        add_user_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        criteria_set = find_set(options)
        user = acting_user(options)
        try:
            require_role_on(user, criteria_set.scope, [Role.ADMINISTRATOR])
            opened, existing = open_assessments(
                criteria_set, _deadline(options["deadline"]), user if user.pk else None
            )
        except PermissionDenied:
            raise CommandError(f"{user} không quản trị {criteria_set.scope}") from None
        except ValidationError as error:
            raise CommandError("\n".join(error.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã mở kỳ tự đánh giá cho {opened} đơn vị ({existing} đơn vị đã mở trước đó)."
            )
        )
