"""Appraisal of the sub-criteria: the appraised score of each with its reason (the checks
are shared with the appraisal import), and the explanation rounds (questions returned to the
unit, its answers)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.models import User
from scoring.assessment import audit, notices
from scoring.assessment.results import Saved, refresh_result
from scoring.assessment.workflow import (
    APPRAISING,
    IllegalMove,
    check_move,
    locked,
    may,
    record_move,
)
from scoring.criteria.parameters import format_number, spec_from_json
from scoring.engine import CENT, Method
from scoring.models import Assessment, AssessmentItem, AuditEntry, Criterion, ExplanationRequest
from scoring.models.assessments import AssessmentState as S

# Appraisers set these themselves; the unit does not score them.
APPRAISER_ONLY = frozenset({Method.SURVEY, Method.PENALTY})


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
) -> Saved:
    """Set the appraised score of one sub-criterion. A score other than the self score needs
    its reason (lower: the deduction; higher: why). None keeps the self score."""
    assessment = locked(assessment)
    if not may(user, assessment, "appraiser"):
        raise PermissionDenied
    if assessment.state not in APPRAISING:
        raise IllegalMove(_("The assessment is not being appraised; start the appraisal first."))
    if criterion.criteria_set_id != assessment.criteria_set_id or not criterion.method:
        raise ValidationError(_("This is not a sub-criterion of the assessment."))
    item, _created = AssessmentItem.objects.select_for_update().get_or_create(
        assessment=assessment, criterion=criterion
    )
    item.criterion = criterion  # the row in hand, not read again for the audit trail
    if item.appraisal_version != expected_version:
        raise StaleAppraisal(item)
    reason = reason.strip()
    check_appraised_score(criterion, item, score, reason)
    if item.score_source and score != item.appraised_score:
        if not reason:
            raise ValidationError(
                {
                    "reason": _(
                        "The score comes from the survey (%(score)s); give the reason for "
                        "changing it."
                    )
                    % {"score": format_number(item.appraised_score or Decimal(0))}
                }
            )
        item.score_source = item.source_note = item.source_warning = ""  # typed from now on
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
    return Saved(item, refresh_result(assessment))


# Assessments whose results are not final yet: a sourced score may still be set.
OPEN_TO_SOURCED_SCORES = (S.DRAFT, S.SUBMITTED, S.UNDER_APPRAISAL, S.RETURNED, S.RESUBMITTED)


@transaction.atomic
def apply_sourced_score(
    assessment: Assessment,
    criterion: Criterion,
    score: Decimal,
    source: str,
    note: str,
    warning: str,
    user: User | None,
) -> bool:
    """Set the appraised score of a sub-criterion scored from a source (a closed survey),
    with the computation as its note, in place of a typed number; recorded in the audit
    trail with its source. Refused (False) once the results are final. An appraiser may
    still override it, with a reason."""
    assessment = locked(assessment)
    if assessment.state not in OPEN_TO_SOURCED_SCORES:
        return False
    if criterion.criteria_set_id != assessment.criteria_set_id:
        raise ValidationError(_("This is not a sub-criterion of the assessment."))
    item, _created = AssessmentItem.objects.select_for_update().get_or_create(
        assessment=assessment, criterion=criterion
    )
    item.criterion = criterion  # the row in hand, not read again for the audit trail
    check_appraised_score(criterion, item, score, note)
    before = item.final_score
    item.appraised_score = score
    item.appraisal_reason = note
    item.score_source, item.source_note, item.source_warning = source, note, warning[:300]
    item.appraised_by = user
    item.appraised_at = timezone.now()
    item.appraisal_version += 1
    item.save()
    if item.final_score != before:
        audit.record(
            assessment,
            AuditEntry.Kind.APPRAISED_SCORE,
            user,
            item=item,
            old=before,
            new=item.final_score,
            reason=note,
            source=source,
        )
    refresh_result(assessment)
    return True


def check_appraised_score(
    criterion: Criterion, item: AssessmentItem, score: Decimal | None, reason: str
) -> None:
    method = Method(criterion.method)
    if score is None:
        if method in APPRAISER_ONLY and method is Method.SURVEY:
            raise ValidationError({"score": _("Enter the score from the survey results.")})
        return
    if score != score.quantize(CENT):
        raise ValidationError({"score": _("Write the score with at most two decimals.")})
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
def return_items(
    assessment: Assessment,
    questions: dict[Criterion, str],
    user: User,
    deadline: datetime.datetime | None = None,
) -> Assessment:
    """Return chosen sub-criteria to the unit, each with a question; a new explanation round."""
    assessment = locked(assessment)
    move = check_move(assessment, "return", user)
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
    if deadline is not None and deadline <= timezone.now():
        raise IllegalMove(_("The explanation deadline must be in the future."))
    assessment.explanation_deadline = deadline
    record_move(
        assessment, move.target, user, _("%(count)s sub-criteria returned") % {"count": len(asked)}
    )
    assessment.save()
    notices.items_returned(assessment, len(asked))
    return assessment


@transaction.atomic
def answer_question(request: ExplanationRequest, answer: str, user: User) -> ExplanationRequest:
    """The unit's answer to a question of the current round (it may be changed until resent)."""
    assessment = locked(request.item.assessment)
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
