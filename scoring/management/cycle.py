"""What the cycle's commands share: the person they act as, and finding a criteria set."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import CommandError, CommandParser

from cchc.models import CodeError, Unit, User
from scoring.models import CriteriaSet


def add_user_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--user",
        help="username of the administrator acting (recorded); without it, the system acts",
    )


def acting_user(options: dict[str, Any]) -> User:
    """The named user (whose roles are checked as on the page), or the system."""
    if not options.get("user"):
        return User(is_superuser=True)
    user = User.objects.filter(username=options["user"], is_active=True).first()
    if user is None:
        raise CommandError(f"Không có người dùng {options['user']}")
    return user


def unit_of_year(code: str, year: int) -> Unit:
    """The unit the code names in ``year`` (at its end, as the year's criteria sets score the
    units in force then; else at some time in it); an error naming the units otherwise."""
    try:
        return Unit.objects.at(code, datetime.date(year, 12, 31))
    except CodeError:
        try:
            return Unit.objects.during(code, datetime.date(year, 1, 1), datetime.date(year, 12, 31))
        except CodeError as error:
            raise CommandError(" ".join(error.messages)) from None


def add_set_arguments(parser: CommandParser) -> None:
    parser.add_argument("--set", type=int, help="number (id) of the criteria set")
    parser.add_argument("--year", type=int)
    parser.add_argument("--scope", help="code of the unit whose sub-units the set scores")
    parser.add_argument("--title", help="title of the set, where a scope has several in a year")


def find_set(options: dict[str, Any]) -> CriteriaSet:
    sets = CriteriaSet.objects.select_related("scope", "issuer")
    if options.get("set"):
        found = sets.filter(pk=options["set"]).first()
        if found is None:
            raise CommandError(f"Không có bộ tiêu chí số {options['set']}")
        return found
    if not (options.get("year") and options.get("scope")):
        raise CommandError("Cho biết --set, hoặc --year và --scope")
    scope = unit_of_year(options["scope"], options["year"])
    candidates = sets.filter(year=options["year"], scope=scope)
    if options.get("title"):
        candidates = candidates.filter(title=options["title"])
    found_sets = list(candidates)
    if len(found_sets) != 1:
        titles = "; ".join(f"{s.pk}: {s.title}" for s in found_sets) or "không có"
        raise CommandError(f"Cần đúng một bộ tiêu chí, tìm thấy: {titles}")
    return found_sets[0]
