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


def merge_into_vinh_linh(world: Any, end_district: bool = True) -> Unit:
    """Communes A (19375) and B (19348) of the test world merged on 1 July 2025 into xã Vĩnh
    Linh (45101) of the province, which is returned; with ``end_district``, their district
    ends the day before, as districts did in the 2025 reform."""
    from cchc.reorganisation import merge_codes

    if end_district:
        world.district.valid_to = datetime.date(2025, 6, 30)
        world.district.save()
    return merge_codes(
        ["19375", "19348"],
        new_code="45101",
        new_name="Vĩnh Linh",
        new_kind="xa",
        parent_code="45",
        effective=datetime.date(2025, 7, 1),
    )
