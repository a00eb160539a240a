"""Who is told what in an assessment's life: the unit's officers, its appraisers, the
council. Each notice links to the page where the action is."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.urls import reverse

from cchc.models import NotificationKind, Role, RoleAssignment, Unit, User, path_pks
from cchc.notifications import Message, deliver
from scoring.models import Assessment


def officers_of(unit_ids: Iterable[int]) -> dict[int, list[User]]:
    """The officers holding the role on each unit itself."""
    found: dict[int, list[User]] = defaultdict(list)
    for assignment in RoleAssignment.objects.filter(
        unit_id__in=list(unit_ids), role=Role.OFFICER
    ).select_related("user"):
        found[assignment.unit_id].append(assignment.user)
    return found


def appraisers_of(unit: Unit) -> list[User]:
    """The appraisers of the unit's office: those on the nearest unit above it that has any."""
    above = path_pks(unit.path)
    assignments = list(
        RoleAssignment.objects.filter(unit_id__in=above, role=Role.APPRAISER).select_related(
            "user", "unit"
        )
    )
    if not assignments:
        return []
    nearest = max(assignment.unit.depth for assignment in assignments)
    return [a.user for a in assignments if a.unit.depth == nearest]


def assessment_path(assessment: Assessment) -> str:
    return reverse("assessment_page", args=[assessment.pk])


def appraisal_path(assessment: Assessment) -> str:
    return reverse("appraisal_page", args=[assessment.pk])


def tell_officers(
    assessments: Iterable[Assessment],
    kind: str,
    title: str,
    body: str,
    key: str,
    path: str | Callable[[Assessment], str] = "",
) -> int:
    """Tell each assessment's officers (``{unit}`` in the texts names the unit), in a fixed
    number of queries; ``path``: the page, or a function giving each assessment's."""
    assessments = list(assessments)
    officers = officers_of(a.unit_id for a in assessments)
    return deliver(
        Message(
            user,
            kind,
            title.format(unit=a.unit),
            body.format(unit=a.unit),
            path(a) if callable(path) else path or assessment_path(a),
            f"{key}:{a.pk}",
        )
        for a in assessments
        for user in officers.get(a.unit_id, [])
    )


def items_returned(assessment: Assessment, count: int) -> None:
    deadline = assessment.explanation_deadline
    until = f" Hạn giải trình: {deadline:%H:%M %d/%m/%Y}." if deadline else ""
    tell_officers(
        [assessment],
        NotificationKind.ITEMS_RETURNED,
        "{unit}: " + f"{count} tiêu chí được trả lại để giải trình",
        "Cán bộ thẩm định đề nghị giải trình." + until,
        f"returned:{assessment.explanation_round}",
        reverse("explanation_page", args=[assessment.pk]),
    )


def explanation_sent(assessment: Assessment) -> None:
    deliver(
        Message(
            user,
            NotificationKind.EXPLANATION_SENT,
            f"{assessment.unit}: đã gửi giải trình vòng {assessment.explanation_round}",
            "Đơn vị đã gửi giải trình; hãy xem và tiếp tục thẩm định.",
            appraisal_path(assessment),
            f"explained:{assessment.pk}:{assessment.explanation_round}",
        )
        for user in appraisers_of(assessment.unit)
    )


def appraisal_finished(assessment: Assessment) -> None:
    tell_officers(
        [assessment],
        NotificationKind.APPRAISAL_FINISHED,
        "{unit}: đã hoàn thành thẩm định",
        "Kết quả thẩm định đã có; xem bảng điểm và các điểm bị trừ.",
        "appraised",
        reverse("scorecard", args=[assessment.pk]),
    )
