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


Text = str | Callable[[Assessment], str]


def _written(text: Text, assessment: Assessment) -> str:
    return text(assessment) if callable(text) else text.format(unit=assessment.unit)


def tell_officers(
    assessments: Iterable[Assessment],
    kind: str,
    title: Text,
    body: Text,
    key: Text,
    path: Text = "",
) -> int:
    """Tell each assessment's officers, in a fixed number of queries however many
    assessments. Each text is a string (``{unit}`` names the unit) or a function of the
    assessment; the key gets the assessment's id added; ``path`` defaults to its page."""
    assessments = list(assessments)
    officers = officers_of(a.unit_id for a in assessments)
    return deliver(
        Message(
            user,
            kind,
            _written(title, a),
            _written(body, a),
            _written(path, a) if path else assessment_path(a),
            f"{_written(key, a)}:{a.pk}",
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
