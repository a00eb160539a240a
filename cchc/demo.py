"""Demo data: Quảng Trị province before and after the July 2025 reform, and one user per role.

Names are the real ones of Vĩnh Linh and Gio Linh districts; codes and the grouping of the
2025 mergers are illustrative.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from cchc.models import Role, RoleAssignment, Unit, UnitKind, User

DEMO_PASSWORD = "cchc-demo-2025"
REFORM_DAY = datetime.date(2025, 7, 1)
LAST_DAY_BEFORE_REFORM = datetime.date(2025, 6, 30)
OLD_START = datetime.date(2020, 1, 1)
PROVINCE_START = datetime.date(1989, 7, 1)

PROVINCE = ("45", "Quảng Trị", UnitKind.PROVINCE)
DISTRICTS = [("464", "Vĩnh Linh", UnitKind.DISTRICT), ("466", "Gio Linh", UnitKind.DISTRICT)]

VINH_LINH_COMMUNES = [
    ("19339", "Hồ Xá", UnitKind.TOWNSHIP),
    ("19342", "Bến Quan", UnitKind.TOWNSHIP),
    ("19345", "Cửa Tùng", UnitKind.TOWNSHIP),
    ("19348", "Vĩnh Thái", UnitKind.COMMUNE),
    ("19351", "Vĩnh Tú", UnitKind.COMMUNE),
    ("19354", "Vĩnh Chấp", UnitKind.COMMUNE),
    ("19357", "Vĩnh Trung", UnitKind.COMMUNE),
    ("19360", "Vĩnh Kim", UnitKind.COMMUNE),
    ("19363", "Vĩnh Hiền", UnitKind.COMMUNE),
    ("19366", "Vĩnh Hòa", UnitKind.COMMUNE),
    ("19369", "Vĩnh Thủy", UnitKind.COMMUNE),
    ("19372", "Vĩnh Lâm", UnitKind.COMMUNE),
    ("19375", "Vĩnh Long", UnitKind.COMMUNE),
    ("19378", "Vĩnh Sơn", UnitKind.COMMUNE),
    ("19381", "Vĩnh Giang", UnitKind.COMMUNE),
    ("19384", "Vĩnh Hà", UnitKind.COMMUNE),
    ("19387", "Vĩnh Khê", UnitKind.COMMUNE),
    ("19390", "Vĩnh Ô", UnitKind.COMMUNE),
]
GIO_LINH_COMMUNES = [
    ("19405", "Gio Linh", UnitKind.TOWNSHIP),
    ("19408", "Cửa Việt", UnitKind.TOWNSHIP),
    ("19411", "Gio Mỹ", UnitKind.COMMUNE),
    ("19414", "Gio Hải", UnitKind.COMMUNE),
    ("19417", "Gio Quang", UnitKind.COMMUNE),
]
# New commune (code, name) ← the codes of the communes merged into it on 1 July 2025.
MERGERS_2025 = [
    (("45101", "Vĩnh Linh"), ["19339", "19375", "19354", "19360"]),
    (("45104", "Cửa Tùng"), ["19345", "19381", "19348"]),
    (("45107", "Vĩnh Hoàng"), ["19351", "19357", "19363"]),
    (("45110", "Vĩnh Thủy"), ["19369", "19366", "19372", "19378"]),
    (("45113", "Bến Quan"), ["19342", "19384", "19387", "19390"]),
    (("45116", "Gio Linh"), ["19405", "19411"]),
    (("45119", "Cửa Việt"), ["19408", "19414", "19417"]),
]

DEMO_USERS = [
    # username, full name, role, unit code, is staff
    ("admin", "Quản trị hệ thống", Role.ADMINISTRATOR, "45", True),
    ("thamdinh", "Chuyên viên Phòng Nội vụ Vĩnh Linh", Role.APPRAISER, "464", False),
    ("thamdinh_tinh", "Chuyên viên Sở Nội vụ Quảng Trị", Role.APPRAISER, "45", False),
    ("lanhdao", "Lãnh đạo UBND huyện Vĩnh Linh", Role.LEADER, "464", False),
    ("canbo_vinhlong", "Công chức CCHC xã Vĩnh Long", Role.OFFICER, "19375", False),
    ("canbo_vinhthai", "Công chức CCHC xã Vĩnh Thái", Role.OFFICER, "19348", False),
]


def _unit(
    code: str,
    name: str,
    kind: str,
    parent: Unit | None,
    start: datetime.date,
    end: datetime.date | None,
) -> Unit:
    unit, _ = Unit.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "kind": kind,
            "parent": parent,
            "valid_from": start,
            "valid_to": end,
        },
    )
    return unit


@transaction.atomic
def load_demo() -> list[tuple[str, str, str]]:
    """Create or refresh the demo units and users; returns (username, role, unit) rows."""
    province = _unit(*PROVINCE, None, PROVINCE_START, None)
    by_code: dict[str, Unit] = {}
    for (code, name, kind), communes in zip(
        DISTRICTS, [VINH_LINH_COMMUNES, GIO_LINH_COMMUNES], strict=True
    ):
        district = _unit(code, name, kind, province, OLD_START, LAST_DAY_BEFORE_REFORM)
        by_code[code] = district
        for commune in communes:
            by_code[commune[0]] = _unit(*commune, district, OLD_START, LAST_DAY_BEFORE_REFORM)
    for (code, name), old_codes in MERGERS_2025:
        merged = _unit(code, name, UnitKind.COMMUNE, province, REFORM_DAY, None)
        merged.predecessors.set([by_code[old] for old in old_codes])

    rows = []
    for username, full_name, role, unit_code, is_staff in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=username)
        user.full_name = full_name
        user.is_staff = is_staff
        user.is_superuser = username == "admin"
        user.set_password(DEMO_PASSWORD)
        user.save()
        unit = Unit.objects.get(code=unit_code)
        RoleAssignment.objects.get_or_create(user=user, unit=unit, role=role)
        rows.append((username, str(Role(role).label), str(unit)))
    return rows
