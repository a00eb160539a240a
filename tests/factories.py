"""Small factories for explicit test data."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from cchc.models import Role, RoleAssignment, Unit, UnitKind, User

_codes = itertools.count(90000)
DEFAULT_START = datetime.date(2020, 1, 1)


def make_unit(
    name: str = "Đơn vị",
    *,
    parent: Unit | None = None,
    kind: str = UnitKind.COMMUNE,
    code: str | None = None,
    valid_from: datetime.date = DEFAULT_START,
    valid_to: datetime.date | None = None,
) -> Unit:
    unit = Unit(
        code=code or str(next(_codes)),
        name=name,
        kind=kind,
        parent=parent,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    unit.full_clean()
    unit.save()
    return unit


def make_user(
    username: str, role: str | None = None, unit: Unit | None = None, **extra: Any
) -> User:
    user = User.objects.create_user(username=username, password="pw-for-tests-123", **extra)
    if role and unit:
        RoleAssignment.objects.create(user=user, unit=unit, role=role)
    return user


__all__ = ["Role", "make_unit", "make_user"]


def commune_leader(unit: Unit) -> User:
    """The unit's chairman: a leader on the unit itself (who approves its self-assessment)."""
    user = User.objects.filter(username=f"chu_tich_{unit.code}").first()
    if user is None:
        user = make_user(
            f"chu_tich_{unit.code}", Role.LEADER, unit, full_name=f"Chủ tịch {unit.name}"
        )
    return user
