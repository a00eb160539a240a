"""Appraisal: the appraised score of each sub-criterion with its reason, the explanation
rounds, and the moves of an assessment from submitted to published, each checked for role
and state and recorded.

Who moves what:

    start        submitted → under appraisal                     appraiser
    return       under appraisal | resubmitted → returned         appraiser
    resend       returned → resubmitted                           the unit (officer)
    finish       under appraisal | resubmitted → appraised        appraiser
    send back    appraised → under appraisal                      council
    approve      appraised → approved                             council: an appraiser above the one
                                                                  who appraised, or an administrator
    publish      approved → published                             administrator
    reopen       published → under appraisal (with a reason)      administrator
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.models import Role, Unit, User
from scoring import audit
from scoring.engine import Method
from scoring.models import Assessment, AssessmentItem, AuditEntry, Criterion, ExplanationRequest
from scoring.models.assessments import AssessmentState as S
from scoring.parameters import format_number, spec_from_json
from scoring.results import refresh_result
from scoring.self_assessment import _move

APPRAISING = (S.UNDER_APPRAISAL, S.RESUBMITTED)
# Appraisers set these themselves; the unit does not score them.
APPRAISER_ONLY = frozenset({Method.SURVEY, Method.PENALTY})


@dataclass(frozen=True)
class Move:
    sources: tuple[str, ...]
    target: str
    role: str  # appraiser, officer, council, administrator
    label: object


MOVES: dict[str, Move] = {
    "start": Move(
        (S.SUBMITTED,), S.UNDER_APPRAISAL, "appraiser", gettext_lazy("start the appraisal")
    ),
    "return": Move(
        APPRAISING, S.RETURNED, "appraiser", gettext_lazy("return items for explanation")
    ),
    "resend": Move((S.RETURNED,), S.RESUBMITTED, "officer", gettext_lazy("send the explanation")),
    "finish": Move(APPRAISING, S.APPRAISED, "appraiser", gettext_lazy("finish the appraisal")),
    "send_back": Move(
        (S.APPRAISED,), S.UNDER_APPRAISAL, "council", gettext_lazy("send back to the appraiser")
    ),
    "approve": Move((S.APPRAISED,), S.APPROVED, "council", gettext_lazy("approve")),
    "publish": Move((S.APPROVED,), S.PUBLISHED, "administrator", gettext_lazy("publish")),
    "reopen": Move(
        (S.PUBLISHED,), S.UNDER_APPRAISAL, "administrator", gettext_lazy("reopen after publication")
    ),
}


class IllegalMove(ValidationError):
    """The move does not fit the assessment's state (or what is missing); nothing changed."""


def _holds(user: User, unit: Unit, roles: list[str]) -> bool:
    return Unit.objects.actionable_by(user, roles).filter(pk=unit.pk).exists()


def _office_path(user: User, unit: Unit) -> str | None:
    """The deepest unit above ``unit`` where ``user`` appraises: the user's office."""
    paths = [path for path in user.role_paths({Role.APPRAISER}) if unit.path.startswith(path)]
    return max(paths, key=len) if paths else None


def is_council(user: User, assessment: Assessment) -> bool:
    """An administrator of the unit, or an appraiser above the office that appraised it
    (never the appraiser who appraised it)."""
    if user.pk is not None and user.pk == assessment.appraised_by_id:
        return False
    if _holds(user, assessment.unit, [Role.ADMINISTRATOR]):
        return True
    appraiser = assessment.appraised_by
    if appraiser is None:
        return False
    office = _office_path(appraiser, assessment.unit)
    return office is not None and any(
        office.startswith(path) and office != path for path in user.role_paths({Role.APPRAISER})
    )


def may(user: User, assessment: Assessment, role: str) -> bool:
    if role == "appraiser":
        return _holds(user, assessment.unit, [Role.APPRAISER])
    if role == "officer":
        return _holds(user, assessment.unit, [Role.OFFICER, Role.ADMINISTRATOR])
    if role == "council":
        return is_council(user, assessment)
    return _holds(user, assessment.unit, [Role.ADMINISTRATOR])


def allowed_moves(user: User, assessment: Assessment) -> list[str]:
    return [
        name
        for name, move in MOVES.items()
        if assessment.state in move.sources and may(user, assessment, move.role)
    ]


def _check(assessment: Assessment, name: str, user: User) -> Move:
    move = MOVES[name]
    if not may(user, assessment, move.role):
        raise PermissionDenied
    if assessment.state not in move.sources:
        labels = dict(S.choices)
        raise IllegalMove(
            _("Cannot %(move)s: the assessment is “%(state)s”.")
            % {"move": move.label, "state": labels[assessment.state]}
        )
    return move


def _locked(assessment: Assessment) -> Assessment:
    return (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("unit", "appraised_by")
        .get(pk=assessment.pk)
    )


@transaction.atomic
def move_assessment(assessment: Assessment, name: str, user: User, reason: str = "") -> Assessment:
    """Apply a move that needs nothing but a reason (start, resend, finish, send back, approve,
    publish, reopen). Raises PermissionDenied (role) or IllegalMove (state, missing work)."""
    assessment = _locked(assessment)
    move = _check(assessment, name, user)
    if name == "reopen" and not reason.strip():
        raise IllegalMove(_("Give the reason for reopening a published result."))
    if name == "resend":
        _check_answered(assessment)
    if name == "finish":
        _check_appraised(assessment)
        assessment.appraised_by = user
    if name == "approve":
        assessment.approved_by = user
    if name == "publish":
        assessment.published_at = timezone.now()
    _move(assessment, move.target, user, reason.strip())
    assessment.save()
    refresh_result(assessment)
    if name == "publish":
        from scoring.remediation import create_remediation_tasks

        create_remediation_tasks(assessment)
    return assessment


def _check_answered(assessment: Assessment) -> None:
    open_questions = ExplanationRequest.objects.filter(
        item__assessment=assessment, round=assessment.explanation_round, answered_at__isnull=True
    ).select_related("item__criterion")
    missing = [request.item.criterion.code for request in open_questions]
    if missing:
        raise IllegalMove(
            _("Answer every question before sending: %(codes)s.") % {"codes": ", ".join(missing)}
        )


def _check_appraised(assessment: Assessment) -> None:
    """Sub-criteria only the appraisers score (survey, penalty) must have their score."""
    criteria = assessment.criteria_set.criteria.exclude(method="")
    needed = [c for c in criteria if Method(c.method) is Method.SURVEY]
    done = set(
        assessment.items.filter(criterion__in=needed, appraised_score__isnull=False).values_list(
            "criterion_id", flat=True
        )
    )
    missing = [c.code for c in needed if c.pk not in done]
    if missing:
        raise IllegalMove(
            _("Enter the survey score of %(codes)s before finishing.")
            % {"codes": ", ".join(missing)}
        )


class StaleAppraisal(Exception):
    """Another appraiser saved this sub-criterion since it was opened; nothing was overwritten."""

    def __init__(self, current: AssessmentItem) -> None:
        super().__init__("stale appraisal")
        self.current = current


@transaction.atomic
def appraise_item(
    assessment: Assessment,
    criterion: Criterion,
    score: Decimal | None,
    reason: str,
    user: User,
    expected_version: int,
) -> AssessmentItem:
    """Set the appraised score of one sub-criterion. A score other than the self score needs
    its reason (lower: the deduction; higher: why). None keeps the self score."""
    assessment = _locked(assessment)
    if not may(user, assessment, "appraiser"):
        raise PermissionDenied
    if assessment.state not in APPRAISING:
        raise IllegalMove(_("The assessment is not being appraised; start the appraisal first."))
    if criterion.criteria_set_id != assessment.criteria_set_id or not criterion.method:
        raise ValidationError(_("This is not a sub-criterion of the assessment."))
    item, _created = AssessmentItem.objects.select_for_update().get_or_create(
        assessment=assessment, criterion=criterion
    )
    if item.appraisal_version != expected_version:
        raise StaleAppraisal(item)
    reason = reason.strip()
    _check_score(criterion, item, score, reason)
    before = (item.final_score, item.appraisal_reason)
    item.appraised_score = (
        None
        if score is not None and score == item.self_score and not item.not_applicable
        else score
    )
    item.appraisal_reason = reason if item.appraised_score is not None else ""
    item.appraised_by = user
    item.appraised_at = timezone.now()
    item.appraisal_version += 1
    item.save()
    if (item.final_score, item.appraisal_reason) != before:
        audit.record(
            assessment,
            AuditEntry.Kind.APPRAISED_SCORE,
            user,
            item=item,
            old=before[0],
            new=item.final_score,
            reason=item.appraisal_reason,
        )
    refresh_result(assessment)
    return item


def _check_score(
    criterion: Criterion, item: AssessmentItem, score: Decimal | None, reason: str
) -> None:
    method = Method(criterion.method)
    if score is None:
        if method in APPRAISER_ONLY and method is Method.SURVEY:
            raise ValidationError({"score": _("Enter the score from the survey results.")})
        return
    if not Decimal(0) <= score <= criterion.max_score:
        raise ValidationError(
            {
                "score": _("The score must lie between 0 and %(max)s.")
                % {"max": format_number(criterion.max_score)}
            }
        )
    spec = spec_from_json(criterion.method, criterion.parameters)
    if spec.step and score % spec.step:
        raise ValidationError(
            {
                "score": _("The score must be a multiple of %(step)s.")
                % {"step": format_number(spec.step)}
            }
        )
    if method in APPRAISER_ONLY:
        if method is Method.PENALTY and score and not reason:
            raise ValidationError({"reason": _("Give the reason for the penalty.")})
        return
    self_score = item.self_score if not item.not_applicable else None
    if (
        self_score is None
        and not item.not_applicable
        and score < criterion.max_score
        and not reason
    ):
        raise ValidationError(
            {"reason": _("The unit gave no score: give the reason for the points taken off.")}
        )
    if self_score is not None and score < self_score and not reason:
        raise ValidationError(
            {
                "reason": _(
                    "Give the reason for lowering the self score (it is the deduction shown to the unit)."
                )
            }
        )
    if self_score is not None and score > self_score and not reason:
        raise ValidationError(
            {"reason": _("Give the reason for raising the score above the self score.")}
        )
    if item.not_applicable and not reason:
        raise ValidationError(
            {"reason": _("The unit declared this not applicable: give the reason for scoring it.")}
        )


@transaction.atomic
def return_items(assessment: Assessment, questions: dict[Criterion, str], user: User) -> Assessment:
    """Return chosen sub-criteria to the unit, each with a question; a new explanation round."""
    assessment = _locked(assessment)
    move = _check(assessment, "return", user)
    asked = {
        criterion: question.strip() for criterion, question in questions.items() if question.strip()
    }
    if not asked:
        raise IllegalMove(_("Choose at least one sub-criterion and write the question."))
    assessment.explanation_round += 1
    for criterion, question in asked.items():
        item, _created = AssessmentItem.objects.get_or_create(
            assessment=assessment, criterion=criterion
        )
        ExplanationRequest.objects.create(
            item=item, round=assessment.explanation_round, question=question, asked_by=user
        )
        audit.record(
            assessment,
            AuditEntry.Kind.EXPLANATION,
            user,
            item=item,
            new=question,
            reason=_("question of round %(round)s") % {"round": assessment.explanation_round},
        )
    _move(
        assessment, move.target, user, _("%(count)s sub-criteria returned") % {"count": len(asked)}
    )
    assessment.save()
    return assessment


@transaction.atomic
def answer_question(request: ExplanationRequest, answer: str, user: User) -> ExplanationRequest:
    """The unit's answer to a question of the current round (it may be changed until resent)."""
    assessment = _locked(request.item.assessment)
    if not may(user, assessment, "officer"):
        raise PermissionDenied
    if assessment.state != S.RETURNED or request.round != assessment.explanation_round:
        raise IllegalMove(_("This question is closed."))
    if not answer.strip():
        raise ValidationError({"answer": _("Write the answer.")})
    old = request.answer
    request.answer = answer.strip()
    request.answered_by = user
    request.answered_at = timezone.now()
    request.save()
    audit.record(
        assessment,
        AuditEntry.Kind.EXPLANATION,
        user,
        item=request.item,
        old=old,
        new=request.answer,
        reason=_("answer of round %(round)s") % {"round": request.round},
    )
    return request
