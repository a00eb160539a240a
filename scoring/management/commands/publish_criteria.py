from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cchc.access import require_role_on
from cchc.models import Role
from scoring.criteria.sets import publish_criteria_set
from scoring.management.cycle import acting_user, add_set_arguments, add_user_argument, find_set
from scoring.models import ReadOnlyError


class Command(BaseCommand):
    help = "Publish a draft criteria set (the same checks as the page); it is read-only after."

    def add_arguments(self, parser: CommandParser) -> None:
        add_set_arguments(parser)
        add_user_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        criteria_set = find_set(options)
        user = acting_user(options)
        try:
            require_role_on(user, criteria_set.scope, [Role.ADMINISTRATOR])
            publish_criteria_set(criteria_set)
        except PermissionDenied:
            raise CommandError(f"{user} không quản trị {criteria_set.scope}") from None
        except ReadOnlyError:
            raise CommandError("Bộ tiêu chí đã được công bố") from None
        except ValidationError as error:
            raise CommandError("\n".join(error.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"Đã công bố bộ tiêu chí “{criteria_set}”."))
