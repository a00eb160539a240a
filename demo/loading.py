"""Demo data (outside the core: it uses every app): the real units of Quảng Trị and Quảng
Bình with their official codes before and after the reform of 1 July 2025 (new Quảng Trị is
44, which was Quảng Bình's), one user per role, the criteria sets of Vĩnh Linh district's 18
communes and townships, dossier figures (monthly totals for 2022 and 2025, and 2024 as one
row per dossier), and a published 2021 round. Scores and dossier
figures are generated, not real.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from cchc.models import Role, RoleAssignment, Unit, User
from cchc.official_map import REFORM_DAY, load_official_units

DEMO_PASSWORD = "cchc-demo-2025"
PROVINCES = {"44", "45"}  # old Quảng Bình and Quảng Trị, and the new Quảng Trị
VINH_LINH = "464"  # the old district, until 30/06/2025
OLD_QUANG_TRI = "45"
NEW_QUANG_TRI = "44"  # from 01/07/2025
BEFORE = datetime.date(2022, 12, 31)
AFTER = datetime.date(2025, 7, 1)

# username, full name, role, unit code, day on which the code is read, is staff
DEMO_USERS = [
    ("admin", "Quản trị hệ thống", Role.ADMINISTRATOR, NEW_QUANG_TRI, AFTER, True),
    ("thamdinh", "Chuyên viên Phòng Nội vụ Vĩnh Linh", Role.APPRAISER, VINH_LINH, BEFORE, False),
    (
        "thamdinh_tinh",
        "Chuyên viên Sở Nội vụ Quảng Trị",
        Role.APPRAISER,
        NEW_QUANG_TRI,
        AFTER,
        False,
    ),
    ("lanhdao", "Lãnh đạo UBND huyện Vĩnh Linh", Role.LEADER, VINH_LINH, BEFORE, False),
    ("canbo_vinhlong", "Công chức CCHC xã Vĩnh Long", Role.OFFICER, "19387", BEFORE, False),
    ("canbo_vinhthai", "Công chức CCHC xã Vĩnh Thái", Role.OFFICER, "19369", BEFORE, False),
    ("chutich_vinhlong", "Chủ tịch UBND xã Vĩnh Long", Role.LEADER, "19387", BEFORE, False),
]
# The province's appraisers and administrators work on the old province's results too.
EXTRA_ROLES = [
    ("admin", Role.ADMINISTRATOR, OLD_QUANG_TRI, BEFORE),
    ("thamdinh_tinh", Role.APPRAISER, OLD_QUANG_TRI, BEFORE),
]


def _unit(code: str, day: datetime.date) -> Unit:
    return Unit.objects.at(code, day)


def vinh_linh_communes() -> list[Unit]:
    """The 18 communes and townships of the old Vĩnh Linh district."""
    return list(_unit(VINH_LINH, BEFORE).children.order_by("code"))


@transaction.atomic
def load_demo() -> list[tuple[str, str, str]]:
    """Create or refresh the demo; returns (username, role, unit) rows."""
    from cchc.models import OutgoingEmail

    started = timezone.now()
    load_official_units(PROVINCES)
    _load_demo_criteria()
    _load_demo_dossiers()
    rows = []
    for username, full_name, role, unit_code, day, is_staff in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=username)
        user.full_name = full_name
        user.is_staff = is_staff
        user.is_superuser = username == "admin"
        user.email = user.email or f"{username}@example.org"
        user.set_password(DEMO_PASSWORD)
        user.save()
        unit = _unit(unit_code, day)
        RoleAssignment.objects.get_or_create(user=user, unit=unit, role=role)
        rows.append((username, str(Role(role).label), str(unit)))
    for username, role, unit_code, day in EXTRA_ROLES:
        RoleAssignment.objects.get_or_create(
            user=User.objects.get(username=username), unit=_unit(unit_code, day), role=role
        )
    _open_demo_assessments()
    _form_demo_council()
    _publish_demo_2021()
    _load_demo_records()
    _load_demo_survey()
    # The demo's own history (windows opened, results published) is told in the app only.
    OutgoingEmail.objects.filter(created_at__gte=started).delete()
    return rows


FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
DEMO_CRITERIA_TITLE = "Bộ tiêu chí đánh giá Chỉ số CCHC cấp xã năm {year}"


def _load_demo_criteria() -> None:
    """The fixture criteria set: 2022 for Vĩnh Linh's communes (published) and a 2025 draft
    copy for the communes and wards of the new province, phường ranked apart."""
    from cchc.spreadsheets import read_table
    from scoring.criteria.sets import (
        SetDetails,
        copy_criteria_set,
        import_criteria_set,
        publish_criteria_set,
        set_ranking_groups,
    )
    from scoring.models import CriteriaSet

    district = _unit(VINH_LINH, BEFORE)
    title = DEMO_CRITERIA_TITLE.format(year=2022)
    existing = CriteriaSet.objects.filter(year=2022, scope=district, title=title).first()
    if existing is None:
        existing, _ = import_criteria_set(
            read_table(FIXTURES / "bo-tieu-chi-cap-xa.xlsx"),
            SetDetails(
                year=2022,
                title=title,
                scope=district,
                decision_number="215/QĐ-UBND",
                decision_date=datetime.date(2022, 3, 15),
            ),
        )
        publish_criteria_set(existing)
    province = _unit(NEW_QUANG_TRI, AFTER)
    title_2025 = DEMO_CRITERIA_TITLE.format(year=2025)
    if not CriteriaSet.objects.filter(year=2025, scope=province, title=title_2025).exists():
        copy = copy_criteria_set(existing, 2025, title_2025)
        copy.scope = province
        copy.issuer = province
        copy.unit_kinds = ["xa", "phuong", "dac_khu"]
        copy.save(update_fields=["scope", "issuer", "unit_kinds"])
        set_ranking_groups(copy, [("Phường", ["phuong"]), ("Xã và đặc khu", ["xa", "dac_khu"])])


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
    """Monthly figures: Vĩnh Linh's old communes for 2022 and January–June 2025, and the new
    communes that replaced them from July to October 2025."""
    from dossiers.models import DossierStatistics
    from dossiers.periods import Period, PeriodKind

    generator = random.Random(2022)
    old = vinh_linh_communes()
    new = list(
        Unit.objects.filter(predecessors__in=old, valid_from=REFORM_DAY).distinct().order_by("code")
    )
    months = [(unit, 2022, month) for unit in old for month in range(1, 13)]
    months += [(unit, 2025, month) for unit in old for month in range(1, 7)]
    months += [(unit, 2025, month) for unit in new for month in range(7, 11)]
    existing = set(
        DossierStatistics.objects.filter(unit__in=old + new).values_list(
            "unit_id", "year", "number"
        )
    )
    rows = []
    for unit, year, month in months:
        counts = _demo_counts(generator)  # drawn for every month: the figures stay the same
        if (unit.pk, year, month) in existing:
            continue
        period = Period(year, PeriodKind.MONTH, month)
        rows.append(
            DossierStatistics(
                unit=unit,
                period_kind=period.kind.value,
                year=year,
                number=month,
                period_start=period.start,
                period_end=period.end,
                **counts,
            )
        )
    DossierStatistics.objects.bulk_create(rows)


DEMO_RECORDS_YEAR = 2024


def demo_record_rows(communes: list[Unit], seed: int = 2024) -> list[list[object]]:
    """A year of one-stop dossiers for each commune (a few thousand each), in the built-in
    layout: early, on-time and late ones, paused for supplements, online, paid, rated."""
    from dossiers.deadlines import WorkCalendar
    from dossiers.record_imports import DEFAULT_COLUMNS

    generator = random.Random(seed)
    calendar = WorkCalendar()
    year = DEMO_RECORDS_YEAR
    days = [d for d in calendar.working_days if d.year == year]
    end_of_year = datetime.date(year, 12, 31)
    rows: list[list[object]] = []
    for commune in communes:
        for number in range(generator.randint(1500, 3500)):
            received = generator.choice(days)
            at = f"{received:%d/%m/%Y} {generator.randint(7, 16):02d}:{generator.choice(['00', '15', '30', '45'])}"
            legal = generator.choice([1, 1, 2, 3, 3, 5, 5, 7, 10, 15])
            due = calendar.add_working_days(received, legal)
            pauses, supplements = "", 0
            back = received
            draw = generator.random()
            if draw < 0.12:  # one request for a supplement, answered in 1–3 working days
                supplements = 2 if draw < 0.012 else 1
                back = calendar.add_working_days(received, generator.randint(1, 3))
                pauses = f"{received:%d/%m/%Y} - {back:%d/%m/%Y}"
                due = calendar.add_working_days(due, calendar.working_days_between(received, back))
            outcome = generator.random()
            if outcome < 0.42 and legal > 1:
                finished = calendar.add_working_days(received, generator.randint(1, legal - 1))
            elif outcome < 0.955:
                finished = due
            else:
                finished = calendar.add_working_days(due, generator.randint(1, 6))
            finished = max(finished, calendar.add_working_days(back, 1))
            closed: datetime.date | None = finished
            state, returned_at = "Đã giải quyết", ""
            if generator.random() < 0.02:
                state = "Trả lại/rút hồ sơ"
            if finished > end_of_year:
                state, closed = "Đang giải quyết", None
            elif state == "Đã giải quyết" and generator.random() < 0.8:
                returned_at = (
                    f"{calendar.add_working_days(finished, generator.randint(0, 2)):%d/%m/%Y} 10:00"
                )
            channel = generator.choices(
                ["Trực tiếp", "Trực tuyến một phần", "Trực tuyến toàn trình", "Bưu chính công ích"],
                weights=[50, 25, 20, 5],
            )[0]
            online = channel.startswith("Trực tuyến")
            values = {
                "code": f"000.00.{commune.code}-{received:%y%m%d}-{number:04d}",
                "unit": commune.code,
                "procedure_code": "",
                "procedure_name": generator.choice(
                    [
                        "Chứng thực bản sao từ bản chính",
                        "Đăng ký khai sinh",
                        "Đăng ký kết hôn",
                        "Đăng ký thường trú",
                        "Cấp giấy xác nhận tình trạng hôn nhân",
                        "Chứng thực chữ ký",
                    ]
                ),
                "received_at": at,
                "due_at": "",
                "legal_days": legal,
                "closed_at": f"{closed:%d/%m/%Y} {generator.randint(8, 16):02d}:00"
                if closed
                else "",
                "returned_at": returned_at,
                "channel": channel,
                "paid_online": "Có" if online and generator.random() < 0.45 else "",
                "electronic_result": "Có" if closed and generator.random() < 0.5 else "",
                "digitised": "Có" if generator.random() < 0.75 else "",
                "supplement_count": supplements,
                "pauses": pauses,
                "state": state,
                "rating": generator.choices(
                    ["", "Rất hài lòng", "Hài lòng", "Bình thường", "Không hài lòng"],
                    weights=[40, 30, 20, 7, 3],
                )[0]
                if closed
                else "",
            }
            rows.append([values[name] for name in DEFAULT_COLUMNS])
    return rows


def _load_demo_records() -> None:
    """2024's dossiers of Vĩnh Linh's communes, through the same import a user runs."""
    import csv
    import io

    from dossiers.models import DossierRecord
    from dossiers.record_imports import DEFAULT_COLUMNS, import_records

    communes = vinh_linh_communes()
    if DossierRecord.objects.filter(unit__in=communes).exists():
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([header for header, _required in DEFAULT_COLUMNS.values()])
    writer.writerows(demo_record_rows(communes))
    import_records(
        io.BytesIO(buffer.getvalue().encode("utf-8")),
        "ho-so-2024.csv",
        User(is_superuser=True),
    )


DEMO_CHOICES: list[tuple[str, str, int | None]] = [
    ("A", "Rất hài lòng", 100),
    ("B", "Hài lòng", 60),
    ("C", "Chưa hài lòng", 20),
    ("D", "Không hài lòng", 0),
    ("E", "Không biết, không trả lời", None),
]
DEMO_SURVEY_SHEETS: dict[str, list[list[Any]]] = {
    "Phiếu": [
        ["Mục", "Nội dung"],
        ["Tiêu đề", "Khảo sát sự hài lòng của người dân, tổ chức năm 2022"],
        [
            "Giới thiệu",
            "Ủy ban nhân dân huyện Vĩnh Linh khảo sát ý kiến của người dân, tổ chức về việc giải "
            "quyết thủ tục hành chính tại xã, thị trấn. Phiếu không hỏi tên hay thông tin cá nhân; "
            "kết quả chỉ được dùng, ở dạng tổng hợp, để chấm Chỉ số cải cách hành chính năm 2022.",
        ],
        ["Sai số", 0.05],
        ["Theo mã mời", "không"],
    ],
    "Nhóm": [
        ["Mã nhóm", "Nhóm người trả lời"],
        ["DAN", "Người dân"],
        ["DN", "Doanh nghiệp, tổ chức"],
    ],
    "Câu hỏi": [
        ["Phần", "Mã câu", "Câu hỏi", "Nhóm", "Bắt buộc"],
        ["Tiếp cận dịch vụ", "C1", "Thông tin về thủ tục được niêm yết đầy đủ, dễ hiểu", "", "có"],
        [
            "Tiếp cận dịch vụ",
            "C2",
            "Nơi tiếp nhận hồ sơ thuận tiện, có đủ chỗ ngồi, nước uống",
            "",
            "có",
        ],
        ["Cán bộ, công chức", "C3", "Công chức tiếp nhận hướng dẫn tận tình, dễ hiểu", "", "có"],
        ["Cán bộ, công chức", "C4", "Công chức không gây phiền hà, sách nhiễu", "", "có"],
        ["Kết quả giải quyết", "C5", "Hồ sơ được trả kết quả đúng hẹn", "", "có"],
        [
            "Kết quả giải quyết",
            "C6",
            "Chi phí đúng quy định, không phát sinh ngoài quy định",
            "",
            "không",
        ],
        [
            "Tác động",
            "C7",
            "Việc giải quyết thủ tục tạo thuận lợi cho sinh hoạt, sản xuất, kinh doanh",
            "",
            "không",
        ],
        ["Tác động", "C8", "Môi trường kinh doanh tại địa phương được cải thiện", "DN", "không"],
    ],
    "Phương án": [
        ["Mã câu", "Mã phương án", "Phương án", "Trọng số (%)"],
        *(
            [code, letter, text, weight]
            for code in ["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8"]
            for letter, text, weight in DEMO_CHOICES
        ),
    ],
    "Cách tính": [
        ["Mã tiêu chí", "Cách tính", "Các câu", "Bảng mức"],
        ["8.1", "bình quân", "C1, C2, C3, C4, C5, C6", ""],
        ["8.2", "bảng", "C7, C8", "90:8; 80:7; 70:6; 60:5; 50:4; 0:2"],
    ],
}


def _load_demo_survey() -> None:
    """An open survey of Vĩnh Linh's 2022 round, with a few hundred generated answers (most
    online, some from paper forms), so that the results can be seen at once."""
    import io

    from openpyxl import Workbook

    from scoring.models import CriteriaSet
    from surveys.models import Answer, Questionnaire, Response
    from surveys.questionnaires import import_questionnaire
    from surveys.responses import asked_of, open_survey

    criteria_set = CriteriaSet.objects.filter(
        year=2022, scope=_unit(VINH_LINH, BEFORE), title=DEMO_CRITERIA_TITLE.format(year=2022)
    ).first()
    if criteria_set is None or Questionnaire.objects.filter(criteria_set=criteria_set).exists():
        return
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for name, sheet_rows in DEMO_SURVEY_SHEETS.items():
        sheet = workbook.create_sheet(name)
        for row in sheet_rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    questionnaire = import_questionnaire(buffer, "phieu-khao-sat.xlsx", criteria_set)
    open_survey(questionnaire)
    generator = random.Random(1001)
    groups = list(questionnaire.groups.all())
    asked = {group.pk: asked_of(questionnaire, group) for group in groups}
    for link in questionnaire.links.select_related("unit").order_by("unit__code"):
        leaning = generator.uniform(0.55, 0.9)  # how satisfied this commune's people are
        for number in range(generator.randint(15, 40)):
            group = groups[0] if generator.random() < 0.85 else groups[1]
            paper = generator.random() < 0.25
            response = Response.objects.create(
                link=link,
                group=group,
                channel=Response.Channel.PAPER if paper else Response.Channel.ONLINE,
                form_number=f"{number + 1:03d}" if paper else "",
            )
            answers = []
            for question in asked[group.pk]:
                draw = generator.random()
                if not question.required and draw < 0.1:
                    continue
                code = (
                    "E"
                    if draw < 0.13
                    else "A"
                    if draw < leaning * 0.6
                    else "B"
                    if draw < leaning
                    else "C"
                    if draw < 0.95
                    else "D"
                )
                choice = next(c for c in question.choices.all() if c.code == code)
                answers.append(Answer(response=response, question=question, choice=choice))
            Answer.objects.bulk_create(answers)


def _open_demo_assessments() -> None:
    """The 2022 self-assessment open for Vĩnh Linh's communes, with two months to go."""
    from scoring.assessment.self_assessment import open_assessments
    from scoring.models import CriteriaSet

    criteria_set = CriteriaSet.objects.get(
        year=2022, scope=_unit(VINH_LINH, BEFORE), title=DEMO_CRITERIA_TITLE.format(year=2022)
    )
    if not criteria_set.assessments.exists():
        admin = User.objects.get(username="admin")
        open_assessments(criteria_set, timezone.now() + datetime.timedelta(days=60), admin)


def _form_demo_council() -> None:
    """The district's appraisal council for 2022: its leader chairs, the appraiser keeps the
    minutes, the province's appraiser sits as a member for fields 1–3."""
    from scoring.models import Council, CouncilMember, CriteriaSet

    criteria_set = CriteriaSet.objects.get(
        year=2022, scope=_unit(VINH_LINH, BEFORE), title=DEMO_CRITERIA_TITLE.format(year=2022)
    )
    council, created = Council.objects.get_or_create(
        criteria_set=criteria_set,
        defaults={
            "name": "Hội đồng thẩm định Chỉ số CCHC cấp xã huyện Vĩnh Linh năm 2022",
            "founding_decision": "1032/QĐ-UBND",
            "created_by": User.objects.get(username="admin"),
        },
    )
    if not created:
        return
    seats = [
        ("lanhdao", CouncilMember.Position.CHAIR, "Phó Chủ tịch UBND huyện", []),
        ("thamdinh", CouncilMember.Position.SECRETARY, "Chuyên viên Phòng Nội vụ", []),
        ("thamdinh_tinh", CouncilMember.Position.MEMBER, "Chuyên viên Sở Nội vụ", ["1", "2", "3"]),
    ]
    for sort, (username, position, title, fields) in enumerate(seats, start=1):
        CouncilMember.objects.create(
            council=council,
            user=User.objects.get(username=username),
            position=position,
            title=title,
            fields=fields,
            sort=sort,
        )


DEMO_RANK_OF_VINH_LONG = 17  # as the demo's 2021 decision ranks it


def _publish_demo_2021() -> None:
    """A published 2021 round for Vĩnh Linh's communes, so that leaders have a ranking, a
    decision and a trend to read; Xã Vĩnh Long is 17th of 18. Scores are generated."""
    from scoring.assessment.results import refresh_result
    from scoring.criteria.sets import copy_criteria_set, publish_criteria_set
    from scoring.models import Assessment, AssessmentItem, CriteriaSet, Decision
    from scoring.models.assessments import AssessmentState
    from scoring.publication.published import publish_results

    district = _unit(VINH_LINH, BEFORE)
    title = DEMO_CRITERIA_TITLE.format(year=2021)
    if CriteriaSet.objects.filter(year=2021, scope=district, title=title).exists():
        return
    source = CriteriaSet.objects.get(
        year=2022, scope=district, title=DEMO_CRITERIA_TITLE.format(year=2022)
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
    scored: list[list[Decimal]] = []
    while len(scored) < 18:  # eighteen different totals: no tie in the demo's ranking
        points = []
        for criterion in leaves:
            share = generator.choices(
                [Decimal(1), Decimal("0.5"), Decimal(0)], weights=[82, 13, 5]
            )[0]
            value = (
                (criterion.max_score * share).quantize(Decimal("0.5"))
                if criterion.max_score >= 1
                else criterion.max_score * share
            )
            points.append(min(value, criterion.max_score))
        if sum(points) not in {sum(other) for other in scored}:
            scored.append(points)
    scored.sort(key=sum, reverse=True)
    communes = vinh_linh_communes()
    vinh_long = next(u for u in communes if u.code == "19387")
    order = [u for u in communes if u != vinh_long]
    order.insert(DEMO_RANK_OF_VINH_LONG - 1, vinh_long)
    for unit, points in zip(order, scored, strict=True):
        assessment = Assessment.objects.create(
            unit=unit,
            criteria_set=criteria_set,
            state=AssessmentState.APPROVED,
            deadline=timezone.now(),
        )
        AssessmentItem.objects.bulk_create(
            [
                AssessmentItem(
                    assessment=assessment,
                    criterion=criterion,
                    self_points=criterion.max_score,
                    self_score=criterion.max_score,
                    appraised_score=value,
                    appraisal_reason=""
                    if value == criterion.max_score
                    else "Chưa đầy đủ tài liệu kiểm chứng",
                )
                for criterion, value in zip(leaves, points, strict=True)
            ]
        )
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
