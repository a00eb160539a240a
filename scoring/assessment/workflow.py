"""The workflow of an assessment: every move from one state to another, who may make it, and
the record it leaves (the state history and the audit trail). The one place for these rules:
pages, commands, imports and the scheduler all move assessments through here.

    move          from → to                                          who
    submit        draft → submitted                                  the unit's officer
    withdraw      submitted → draft (before the appraisal starts)    the unit's officer
    reopen_self   submitted → draft (with a reason)                  administrator
    start         submitted → under appraisal                        appraiser
    return        under appraisal | resubmitted → returned           appraiser
    resend        returned → resubmitted                             the unit's officer
    finish        under appraisal | resubmitted → appraised          appraiser
    send_back     appraised → under appraisal                        the council
    approve       appraised → approved                               the council
    publish       approved → published                               a decision (never one unit alone)
    reopen        published → under appraisal (with a reason)        administrator
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.access import holds_role
from cchc.models import Role, Unit, User
from cchc.statements import KeyRead
from scoring.assessment import audit
from scoring.assessment.results import refresh_result
from scoring.engine import Method
from scoring.models import Assessment, AuditEntry, ExplanationRequest, StateChange
from scoring.models.assessments import AssessmentState as S

# States whose scores are an appraisal result (provisional until a decision publishes them).
RESULT_STATES = (S.APPRAISED, S.APPROVED, S.PUBLISHED)
APPRAISING = (S.UNDER_APPRAISAL, S.RESUBMITTED)


@dataclass(frozen=True)
class Move:
    sources: tuple[str, ...]
    target: str
    actor: str  # officer, appraiser, council, administrator, decision
    label: Any  # lazy translation
    needs_reason: bool = False


MOVES: dict[str, Move] = {
    "submit": Move((S.DRAFT,), S.SUBMITTED, "officer", gettext_lazy("submit the self-assessment")),
    "withdraw": Move(
        (S.SUBMITTED,), S.DRAFT, "officer", gettext_lazy("withdraw the submission to correct it")
    ),
    "reopen_self": Move(
        (S.SUBMITTED,),
        S.DRAFT,
        "administrator",
        gettext_lazy("reopen the self-assessment"),
        needs_reason=True,
    ),
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
    "publish": Move((S.APPROVED,), S.PUBLISHED, "decision", gettext_lazy("publish")),
    "reopen": Move(
        (S.PUBLISHED,),
        S.UNDER_APPRAISAL,
        "administrator",
        gettext_lazy("reopen after publication"),
        needs_reason=True,
    ),
}
# Moves a page may ask for by name; the others have their own services (submission checks
# what is missing, returning needs questions, publication needs a decision for a whole set).
PAGE_MOVES = ("withdraw", "start", "resend", "finish", "send_back", "approve", "reopen")


class IllegalMove(ValidationError):
    """The move does not fit the assessment's state (or what is missing); nothing changed."""


def holds(user: User, unit: Unit, roles: Iterable[str]) -> bool:
    return holds_role(user, unit, roles)


def _office_path(user: User, unit: Unit) -> str | None:
    """The deepest unit above ``unit`` where ``user`` appraises: the user's office."""
    paths = [path for path in user.role_paths({Role.APPRAISER}) if unit.path.startswith(path)]
    return max(paths, key=len) if paths else None


def is_council(user: User, assessment: Assessment) -> bool:
    """An administrator of the unit, or an appraiser above the office that appraised it
    (never the appraiser who appraised it)."""
    if user.pk is not None and user.pk == assessment.appraised_by_id:
        return False
    if holds(user, assessment.unit, [Role.ADMINISTRATOR]):
        return True
    appraiser = assessment.appraised_by
    if appraiser is None:
        return False
    office = _office_path(appraiser, assessment.unit)
    return office is not None and any(
        office.startswith(path) and office != path for path in user.role_paths({Role.APPRAISER})
    )


def may(user: User, assessment: Assessment, actor: str) -> bool:
    """Whether ``user`` acts as ``actor`` on this assessment."""
    if actor == "appraiser":
        return holds(user, assessment.unit, [Role.APPRAISER])
    if actor == "officer":
        return holds(user, assessment.unit, [Role.OFFICER, Role.ADMINISTRATOR])
    if actor == "council":
        return is_council(user, assessment)
    return holds(user, assessment.unit, [Role.ADMINISTRATOR])


def allowed_moves(user: User, assessment: Assessment) -> list[str]:
    """The page moves ``user`` may make on the assessment now."""
    return [
        name
        for name in PAGE_MOVES
        if assessment.state in MOVES[name].sources and may(user, assessment, MOVES[name].actor)
    ]


def check_move(assessment: Assessment, name: str, user: User, reason: str = "") -> Move:
    """Raise PermissionDenied (role) or IllegalMove (state, reason) unless the move may be made."""
    move = MOVES[name]
    if not may(user, assessment, move.actor):
        raise PermissionDenied
    if assessment.state not in move.sources:
        labels = dict(S.choices)
        raise IllegalMove(
            _("Cannot %(move)s: the assessment is “%(state)s”.")
            % {"move": move.label, "state": labels[assessment.state]}
        )
    if move.needs_reason and not reason.strip():
        raise IllegalMove(_("Give the reason for this change."))
    return move


def record_move(
    assessment: Assessment, to_state: str, user: User | None, reason: str = "", source: str = "page"
) -> None:
    """Record a state change (in the state history and the audit trail) and apply it to the
    object; the caller saves it."""
    actor = user if user is not None and user.pk else None
    StateChange.objects.create(
        assessment=assessment,
        from_state=assessment.state,
        to_state=to_state,
        changed_by=actor,
        reason=reason,
    )
    labels = dict(S.choices)
    audit.record(
        assessment,
        AuditEntry.Kind.STATE,
        actor,
        old=labels[assessment.state],
        new=labels[to_state],
        reason=reason,
        source=source,
    )
    assessment.state = to_state


# ``select_for_update(of=("self",)).select_related(…).get(pk=…)``, written once.
_LOCKED = KeyRead(Assessment, ("unit", "appraised_by", "criteria_set"), lock=True)


def locked(assessment: Assessment) -> Assessment:
    """The assessment re-read under a row lock, for the length of the transaction, with
    its unit, its appraiser and its criteria set (every save and move re-reads it)."""
    found: Assessment | None = _LOCKED.get(assessment.pk)
    if found is None:
        raise Assessment.DoesNotExist("Assessment matching query does not exist.")
    return found


@transaction.atomic
def move_assessment(assessment: Assessment, name: str, user: User, reason: str = "") -> Assessment:
    """Apply one of the page moves. Raises PermissionDenied (role) or IllegalMove (state,
    reason, missing work); nothing changes then."""
    if name not in PAGE_MOVES:
        raise IllegalMove(_("This change cannot be made here."))
    assessment = locked(assessment)
    move = check_move(assessment, name, user, reason)
    if name in ("approve", "send_back") and has_council(assessment):
        raise IllegalMove(
            _("The council decides on this set: the chair opens a round on the council's page.")
        )
    if name == "resend":
        _check_answered(assessment)
    if name == "finish":
        _check_appraised(assessment)
        assessment.appraised_by = user
    if name == "approve":
        assessment.approved_by = user
    if name == "withdraw":  # what is sent again is approved again
        assessment.signed_off_by, assessment.signed_off_at = None, None
    record_move(assessment, move.target, user, reason.strip())
    assessment.save()
    refresh_result(assessment)
    from scoring.assessment import notices

    if name == "resend":
        notices.explanation_sent(assessment)
    elif name == "finish":
        notices.appraisal_finished(assessment)
    return assessment


def has_council(assessment: Assessment) -> bool:
    from scoring.models import Council

    return Council.objects.filter(criteria_set_id=assessment.criteria_set_id).exists()


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
    """Sub-criteria only the appraisers score from the survey must have their score."""
    needed = list(assessment.criteria_set.criteria.filter(method=Method.SURVEY.value))
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
