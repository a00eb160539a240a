"""Demo data (outside the core: it uses every app): Quảng Trị province before and after the July 2025 reform, and one user per role.

Names are the real ones of Vĩnh Linh and Gio Linh districts; codes and the grouping of the
2025 mergers are illustrative.
"""

from __future__ import annotations

import datetime
import random
from pathlib import Path

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

    _load_demo_criteria()
    _load_demo_dossiers()
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
    _open_demo_assessments()
    _publish_demo_2021()
    return rows


FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
DEMO_CRITERIA_TITLE = "Bộ tiêu chí đánh giá Chỉ số CCHC cấp xã năm {year}"


def _load_demo_criteria() -> None:
    """The fixture criteria set: 2022 for Vĩnh Linh's communes (published) and a 2025 draft
    copy for the communes of the province after the reform."""
    from cchc.spreadsheets import read_table
    from scoring.criteria.sets import (
        SetDetails,
        copy_criteria_set,
        import_criteria_set,
        publish_criteria_set,
    )
    from scoring.models import CriteriaSet

    title = DEMO_CRITERIA_TITLE.format(year=2022)
    existing = CriteriaSet.objects.filter(year=2022, scope__code="464", title=title).first()
    if existing is None:
        existing, _ = import_criteria_set(
            read_table(FIXTURES / "bo-tieu-chi-cap-xa.xlsx"),
            SetDetails(
                year=2022,
                title=title,
                scope=Unit.objects.get(code="464"),
                decision_number="215/QĐ-UBND",
                decision_date=datetime.date(2022, 3, 15),
            ),
        )
        publish_criteria_set(existing)
    province = Unit.objects.get(code="45")
    title_2025 = DEMO_CRITERIA_TITLE.format(year=2025)
    if not CriteriaSet.objects.filter(year=2025, scope=province, title=title_2025).exists():
        copy = copy_criteria_set(existing, 2025, title_2025)
        copy.scope = province
        copy.issuer = province
        copy.save(update_fields=["scope", "issuer"])


def _demo_counts(generator: random.Random) -> dict[str, int]:
    """Monthly one-stop figures of a commune that hold together."""
    early, on_time, late = (
        generator.randint(20, 60),
        generator.randint(40, 120),
        generator.randint(0, 4),
    )
    pending, returned = generator.randint(0, 8), generator.randint(0, 2)
    received = early + on_time + late + pending + returned
    carried = generator.randint(0, 5)
    online = generator.randint(received // 4, received // 2)
    return {
        "new_received": received - carried,
        "carried_over": carried,
        "online_full": online // 3,
        "online_partial": online - online // 3,
        "postal": generator.randint(0, 5),
        "resolved_early": early,
        "resolved_on_time": on_time,
        "resolved_late": late,
        "pending_within": pending,
        "pending_overdue": 0,
        "returned": returned,
        "paid_online": generator.randint(0, received // 5),
        "electronic_results": generator.randint(0, early + on_time),
        "digitised": generator.randint(received // 2, received),
    }


def _load_demo_dossiers() -> None:
    """Monthly figures: the old communes for 2022 and January–June 2025, the merged ones after."""
    from dossiers.models import DossierStatistics

    generator = random.Random(2022)
    old = [code for code, _name, _kind in VINH_LINH_COMMUNES + GIO_LINH_COMMUNES]
    months = [(code, 2022, month) for code in old for month in range(1, 13)]
    months += [(code, 2025, month) for code in old for month in range(1, 7)]
    months += [
        (new_code, 2025, month)
        for (new_code, _name), _olds in MERGERS_2025
        for month in range(7, 11)
    ]
    units = {
        unit.code: unit for unit in Unit.objects.filter(code__in={code for code, _, _ in months})
    }
    for code, year, month in months:
        counts = _demo_counts(generator)
        DossierStatistics.objects.get_or_create(
            unit=units[code], period_kind="month", year=year, number=month, defaults=counts
        )


def _open_demo_assessments() -> None:
    """The 2022 self-assessment open for Vĩnh Linh's communes, with two months to go."""
    from django.utils import timezone

    from scoring.assessment.self_assessment import open_assessments
    from scoring.models import CriteriaSet

    criteria_set = CriteriaSet.objects.get(
        year=2022, scope__code="464", title=DEMO_CRITERIA_TITLE.format(year=2022)
    )
    if not criteria_set.assessments.exists():
        admin = User.objects.get(username="admin")
        open_assessments(criteria_set, timezone.now() + datetime.timedelta(days=60), admin)


def _publish_demo_2021() -> None:
    """A published 2021 round for Vĩnh Linh's communes, so that leaders have a ranking, a
    decision and a trend to read. Scores are generated, not real."""
    from decimal import Decimal

    from django.utils import timezone

    from scoring.assessment.results import refresh_result
    from scoring.criteria.sets import copy_criteria_set, publish_criteria_set
    from scoring.models import Assessment, AssessmentItem, CriteriaSet, Decision
    from scoring.models.assessments import AssessmentState
    from scoring.publication.published import publish_results

    title = DEMO_CRITERIA_TITLE.format(year=2021)
    if CriteriaSet.objects.filter(year=2021, scope__code="464", title=title).exists():
        return
    source = CriteriaSet.objects.get(
        year=2022, scope__code="464", title=DEMO_CRITERIA_TITLE.format(year=2022)
    )
    criteria_set = copy_criteria_set(source, 2021, title)
    criteria_set.decision_number, criteria_set.decision_date = (
        "187/QĐ-UBND",
        datetime.date(2021, 3, 10),
    )
    criteria_set.save()
    publish_criteria_set(criteria_set)
    leaves = [
        c for c in criteria_set.criteria.all() if c.method and c.method not in ("bonus", "penalty")
    ]
    generator = random.Random(2021)
    for code, _name, _kind in VINH_LINH_COMMUNES:
        assessment = Assessment.objects.create(
            unit=Unit.objects.get(code=code),
            criteria_set=criteria_set,
            state=AssessmentState.APPROVED,
            deadline=timezone.now(),
        )
        items = []
        for criterion in leaves:
            share = generator.choices(
                [Decimal(1), Decimal("0.5"), Decimal(0)], weights=[82, 13, 5]
            )[0]
            points = (
                (criterion.max_score * share).quantize(Decimal("0.5"))
                if criterion.max_score >= 1
                else criterion.max_score * share
            )
            points = min(points, criterion.max_score)
            reason = "" if points == criterion.max_score else "Chưa đầy đủ tài liệu kiểm chứng"
            items.append(
                AssessmentItem(
                    assessment=assessment,
                    criterion=criterion,
                    self_points=criterion.max_score,
                    self_score=criterion.max_score,
                    appraised_score=points,
                    appraisal_reason=reason,
                )
            )
        AssessmentItem.objects.bulk_create(items)
        refresh_result(assessment)
    decision = Decision(
        number="5120/QĐ-UBND",
        date=datetime.date(2021, 12, 28),
        place="Vĩnh Linh",
        issuing_body="ỦY BAN NHÂN DÂN HUYỆN VĨNH LINH",
        signer_name="Nguyễn Văn Minh",
        signer_title="CHỦ TỊCH",
        legal_bases="Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;\n"
        "Căn cứ Quyết định số 187/QĐ-UBND ngày 10/3/2021 ban hành Bộ tiêu chí đánh giá Chỉ số CCHC cấp xã;",
        recipients="Như Điều 3;\nSở Nội vụ;\nLưu: VT.",
    )
    publish_results(criteria_set, None, decision, User.objects.get(username="admin"))
