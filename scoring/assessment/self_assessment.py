"""The self-assessment workflow: open assessments, record a sub-criterion, submit, reopen,
extend a deadline."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.models import NotificationKind, Unit, UnitQuerySet, User
from scoring.assessment import audit
from scoring.assessment.letters import issue_letter
from scoring.assessment.loading import dossier_values_for, input_of
from scoring.assessment.notices import tell_officers
from scoring.assessment.results import Saved, refresh_result
from scoring.assessment.sign_off import clear_sign_off
from scoring.assessment.workflow import check_move, locked, record_move
from scoring.criteria.parameters import format_number, spec_from_json
from scoring.criteria.trees import criterion_node
from scoring.engine import CENT, InputError, LeafInput, Method, MethodSpec, score_leaf
from scoring.models import (
    Assessment,
    AssessmentItem,
    AuditEntry,
    CriteriaSet,
    Criterion,
    StateChange,
)
from scoring.models.assessments import AssessmentState

# Sub-criteria the unit does not score itself.
NOT_SELF_ASSESSED = frozenset({Method.SURVEY, Method.PENALTY})
OPTIONAL = frozenset({Method.BONUS})


class AssessmentLocked(Exception):
    """The self-assessment can no longer change (submitted, or past the deadline)."""


class StaleItem(Exception):
    """Someone saved this sub-criterion since it was opened; nothing was overwritten."""

    def __init__(self, current: AssessmentItem) -> None:
        super().__init__("stale item")
        self.current = current


@dataclass
class SelfInput:
    """What the officer typed for one sub-criterion."""

    value: Decimal | None = None
    answer: bool | None = None
    level: str = ""
    numbers: dict[str, Decimal] = field(default_factory=dict)
    not_applicable: bool = False
    not_applicable_reason: str = ""
    explanation: str = ""


def is_self_assessed(criterion: Criterion) -> bool:
    return bool(criterion.method) and Method(criterion.method) not in NOT_SELF_ASSESSED


def is_required(criterion: Criterion) -> bool:
    return is_self_assessed(criterion) and Method(criterion.method) not in OPTIONAL


@transaction.atomic
def units_scored_by(criteria_set: CriteriaSet) -> UnitQuerySet:
    """The units a set scores: of its kinds, under its scope, in force at its year's end."""
    return (
        Unit.objects.within([criteria_set.scope])
        .filter(kind__in=criteria_set.unit_kinds)
        .in_force_on(datetime.date(criteria_set.year, 12, 31))
    )


def open_assessments(
    criteria_set: CriteriaSet, deadline: datetime.datetime, user: User | None
) -> tuple[int, int]:
    """An assessment for every unit the set scores (in force at the end of its year).
    Returns (opened, already open)."""
    if not criteria_set.is_published:
        raise ValidationError(_("Publish the criteria set before opening the self-assessment."))
    if not criteria_set.criteria.exists():
        raise ValidationError(_("The set has no criteria to assess."))
    if deadline <= timezone.now():
        raise ValidationError(_("The deadline must be in the future."))
    units = units_scored_by(criteria_set)
    existing = set(criteria_set.assessments.values_list("unit_id", flat=True))
    units_by_pk = {unit.pk: unit for unit in units.exclude(pk__in=existing)}
    new = [
        Assessment(unit_id=pk, criteria_set=criteria_set, deadline=deadline, opened_by=user)
        for pk in units_by_pk
    ]
    created = Assessment.objects.bulk_create(new, batch_size=1000)
    for assessment in created:
        assessment.unit = units_by_pk[assessment.unit_id]
    tell_officers(
        created,
        NotificationKind.ASSESSMENT_OPENED,
        "{unit}: mở tự đánh giá " + criteria_set.title,
        f"Hạn tự đánh giá: {timezone.localtime(deadline):%H:%M %d/%m/%Y}.",
        "opened",
    )
    return len(new), len(existing)


@transaction.atomic
def record_self_assessment(
    assessment: Assessment,
    criterion: Criterion,
    typed: SelfInput,
    user: User,
    expected_version: int | None,
    dossier: dict[str, Decimal] | None = None,
) -> Saved:
    """Check and save the unit's answer for one sub-criterion, with the score it gives
    (``dossier``: the unit's dossier values when the caller already has them).

    Raises ``AssessmentLocked``, ``StaleItem`` or ``ValidationError`` (by form field)."""
    held = assessment
    assessment = locked(assessment)
    if not assessment.accepts_self_assessment(timezone.now()):
        raise AssessmentLocked
    if criterion.criteria_set_id != assessment.criteria_set_id:
        raise ValidationError(_("This sub-criterion is not self-assessed."))
    if Assessment.criteria_set.is_cached(held):  # an assessment's set never changes
        assessment.criteria_set = held.criteria_set
    if dossier is None:
        dossier = dossier_values_for(assessment)
    score = check_self_input(criterion, typed, dossier)

    item, created = AssessmentItem.objects.select_for_update().get_or_create(
        assessment=assessment, criterion=criterion, defaults={"updated_by": user}
    )
    item.criterion = criterion  # the row in hand, not read again for the audit trail
    if not created and expected_version != item.version:
        raise StaleItem(item)
    before = _self_value(item)
    item.self_value = typed.value
    item.self_answer = typed.answer
    item.self_level = typed.level
    item.self_numbers = {name: str(value) for name, value in typed.numbers.items()}
    item.self_points = None
    item.not_applicable = typed.not_applicable
    item.not_applicable_reason = typed.not_applicable_reason.strip() if typed.not_applicable else ""
    item.explanation = typed.explanation.strip()
    item.self_score = score
    item.version = item.version if created else item.version + 1
    item.updated_by = user
    item.save()
    if _self_value(item) != before:
        audit.record(
            assessment,
            AuditEntry.Kind.SELF_SCORE,
            user,
            item=item,
            old=before,
            new=_self_value(item),
            reason=item.not_applicable_reason or item.explanation,
        )
        if assessment.signed_off_at is not None:  # read under this transaction's lock
            clear_sign_off(assessment, user)
    return Saved(item, refresh_result(assessment, dossier))


def check_self_input(
    criterion: Criterion,
    typed: SelfInput,
    dossier: dict[str, Decimal],
    points: Decimal | None = None,
) -> Decimal | None:
    """The score the unit's answer gives, checked by the rules every entry obeys (the page,
    the score import): the sub-criterion is self-assessed, "not applicable" is allowed and
    explained, numbers have at most two decimals, and the method accepts the input.
    ``points``: the score itself, where a file gives points rather than the method's inputs.
    Raises ``ValidationError`` by form field; None means not applicable."""
    if not is_self_assessed(criterion):
        raise ValidationError(_("This sub-criterion is not self-assessed."))
    spec = spec_from_json(criterion.method, criterion.parameters)
    if typed.not_applicable and not spec.allow_not_applicable:
        raise ValidationError({"not_applicable": _("This sub-criterion always applies.")})
    if typed.not_applicable and not typed.not_applicable_reason.strip():
        raise ValidationError(
            {"not_applicable_reason": _("Say why the sub-criterion does not apply.")}
        )
    for number in [typed.value, points, *typed.numbers.values()]:
        if number is not None and number != number.quantize(CENT):
            raise ValidationError(
                {_field_of(spec): _("Write the number with at most two decimals.")}
            )
    given = LeafInput(
        value=typed.value,
        answer=typed.answer,
        level=typed.level or None,
        numbers={
            **typed.numbers,
            **{name: dossier[name] for name in spec.input_names() if name in dossier},
        },
        not_applicable=typed.not_applicable,
        points=points,
    )
    try:
        return score_leaf(criterion_node(criterion), given)
    except InputError as error:
        raise ValidationError({_field_of(spec): translated(error)}) from None


def _self_value(item: AssessmentItem) -> str:
    if item.not_applicable:
        return str(_("not applicable"))
    return audit.shown(item.self_score)


def _field_of(spec: MethodSpec) -> str:
    method = spec.method
    if method is Method.YES_NO:
        return "answer"
    if method is Method.LEVELS:
        return "level"
    if method in (Method.PROPORTIONAL, Method.THRESHOLDS):
        return "numbers"
    return "value"


def translated(error: InputError, sentence: bool = True) -> str:
    """The engine's error in the interface language; as a sentence for a form field, as a
    clause for a row of an import report."""
    params = {
        key: format_number(value) if isinstance(value, Decimal) else value
        for key, value in error.params.items()
    }
    message = _(error.template) % params
    return message[0].upper() + message[1:] + "." if sentence else message


@dataclass
class Progress:
    required: int
    scored: int
    without_evidence: int

    @property
    def percent(self) -> int:
        return round(self.scored * 100 / self.required) if self.required else 100


def _fed_by_dossiers(
    criteria: list[Criterion], assessment: Assessment, dossier: dict[str, Decimal] | None
) -> set[int]:
    """Sub-criteria whose every input comes from the unit's dossier statistics: those
    figures are their evidence."""
    ratios = [c for c in criteria if c.method in (Method.PROPORTIONAL, Method.THRESHOLDS)]
    if not ratios:
        return set()
    if dossier is None:
        dossier = dossier_values_for(assessment)
    return {
        c.pk
        for c in ratios
        if all(name in dossier for name in spec_from_json(c.method, c.parameters).input_names())
    }


def _lacks_evidence(item: AssessmentItem, evidenced: set[int]) -> bool:
    return bool(
        not item.not_applicable
        and item.self_score
        and not item.evidence_count  # type: ignore[attr-defined]
        and item.criterion_id not in evidenced
    )


def progress_of(
    assessment: Assessment,
    criteria: list[Criterion],
    dossier: dict[str, Decimal] | None = None,
    items: Sequence[AssessmentItem] | None = None,
) -> Progress:
    """How far the self-assessment is: required sub-criteria, those scored, those scored
    without evidence. ``items``: every item of the assessment with its ``links`` (as
    ``loading.with_links`` gives them), when the caller has them (no query of the items then)."""
    required_criteria = [c for c in criteria if is_required(c)]
    required = {c.pk for c in required_criteria}
    evidenced = _fed_by_dossiers(required_criteria, assessment, dossier)
    chosen: Iterable[AssessmentItem]
    if items is None:
        # All the items, the required picked here: a list of a hundred ids in the query
        # would cost Django more to prepare than the few rows it leaves out.
        counted = assessment.items.annotate(evidence_count=Count("evidence_links"))
        chosen = counted.only("not_applicable", "self_score", "criterion_id", "assessment_id")
    else:
        for item in items:
            item.evidence_count = len(item.links)  # type: ignore[attr-defined]
        chosen = items
    scored = without = 0
    for item in chosen:
        if item.criterion_id in required and item.is_scored:
            scored += 1
            without += _lacks_evidence(item, evidenced)
    return Progress(required=len(required), scored=scored, without_evidence=without)


class Problem(str):
    """A reason the unit cannot submit, with the sub-criterion it is about (to link to it)."""

    criterion_pk: int | None
    field_code: str

    def __new__(cls, text: str, criterion: Criterion | None = None) -> Problem:
        problem = super().__new__(cls, text)
        problem.criterion_pk = criterion.pk if criterion else None
        problem.field_code = criterion.code.split(".")[0] if criterion else ""
        return problem


def submission_problems(assessment: Assessment) -> list[str]:
    """What stops the unit from submitting: every unscored sub-criterion, every score
    without evidence (a file, or dossier figures behind it) and without an explanation."""
    criteria = [c for c in assessment.criteria_set.criteria.order_by("sort_key") if is_required(c)]
    evidenced = _fed_by_dossiers(criteria, assessment, None)
    items = {
        item.criterion_id: item
        for item in assessment.items.annotate(evidence_count=Count("evidence_links"))
    }
    problems = []
    if assessment.criteria_set.requires_sign_off and assessment.signed_off_at is None:
        problems.append(
            _(
                "The unit's leader has not approved the self-assessment yet (the leader opens "
                "this page and approves it)"
            )
        )
    for criterion in criteria:
        item = items.get(criterion.pk)
        if item is None or not item.is_scored:
            problems.append(
                Problem(
                    _("%(code)s %(title)s: not scored yet")
                    % {"code": criterion.code, "title": criterion.title},
                    criterion,
                )
            )
        elif _lacks_evidence(item, evidenced) and not item.explanation:
            problems.append(
                Problem(
                    _(
                        "%(code)s %(title)s: scored without evidence; attach evidence or explain why there is none"
                    )
                    % {"code": criterion.code, "title": criterion.title},
                    criterion,
                )
            )
    return problems


def _rescore_from_dossiers(assessment: Assessment, user: User) -> None:
    """Bring the stored self scores of ratios fed by dossier figures up to the figures as
    they are now: figures entered after an item was saved change its score, and the stored
    score is what the appraisal keeps."""
    dossier = dossier_values_for(assessment)
    if not dossier:
        return
    for item in assessment.items.select_related("criterion").filter(not_applicable=False):
        criterion = item.criterion
        if not criterion.method or item.self_score is None:
            continue
        spec = spec_from_json(criterion.method, criterion.parameters)
        if not any(name in dossier for name in spec.input_names()):
            continue
        before = _self_value(item)
        try:
            item.self_score = score_leaf(criterion_node(criterion), input_of(item, spec, dossier))
        except InputError:
            continue  # left as saved; the appraiser sees the figures and the typed numbers
        if _self_value(item) != before:
            item.version += 1
            item.save(update_fields=["self_score", "version"])
            audit.record(
                assessment,
                AuditEntry.Kind.SELF_SCORE,
                user,
                item=item,
                old=before,
                new=_self_value(item),
                reason=_("Updated from the unit's dossier figures at submission"),
            )


@transaction.atomic
def submit_assessment(assessment: Assessment, user: User) -> list[str]:
    """Submit, or return what is missing (nothing changes then)."""
    assessment = locked(assessment)
    if not assessment.accepts_self_assessment(timezone.now()):
        raise AssessmentLocked
    _rescore_from_dossiers(assessment, user)
    problems = submission_problems(assessment)
    if problems:
        return problems
    record_move(assessment, AssessmentState.SUBMITTED, user)
    assessment.submitted_by = user
    assessment.submitted_at = timezone.now()
    assessment.save(update_fields=["state", "submitted_by", "submitted_at"])
    refresh_result(assessment)
    issue_letter(assessment)
    return []


@transaction.atomic
def reopen_assessment(
    assessment: Assessment, user: User, reason: str, deadline: datetime.datetime | None
) -> None:
    """Let one unit change its submitted self-assessment again (an administrator's decision)."""
    assessment = locked(assessment)
    if assessment.state != AssessmentState.SUBMITTED:
        raise ValidationError(
            _("Only a submitted self-assessment that is not yet under appraisal can be reopened.")
        )
    if not reason.strip():
        raise ValidationError(_("Give the reason for reopening."))
    check_move(assessment, "reopen_self", user, reason)
    new_deadline = deadline or assessment.deadline
    if new_deadline <= timezone.now():
        raise ValidationError(_("The deadline has passed: give a new one."))
    record_move(assessment, AssessmentState.DRAFT, user, reason.strip())
    assessment.deadline = new_deadline
    assessment.save(update_fields=["state", "deadline"])


@transaction.atomic
def extend_deadline(
    assessment: Assessment, user: User, deadline: datetime.datetime, reason: str
) -> None:
    """Give one unit more time for its self-assessment."""
    assessment = locked(assessment)
    if assessment.state != AssessmentState.DRAFT:
        raise ValidationError(_("Only a self-assessment still in progress can get more time."))
    if deadline <= timezone.now() or deadline <= assessment.deadline:
        raise ValidationError(
            _("The new deadline must be later than the current one and in the future.")
        )
    old = timezone.localtime(assessment.deadline).strftime("%d/%m/%Y %H:%M")
    StateChange.objects.create(
        assessment=assessment,
        from_state=assessment.state,
        to_state=assessment.state,
        changed_by=user,
        reason=_("Deadline extended from %(old)s. %(reason)s")
        % {"old": old, "reason": reason.strip()},
    )
    assessment.deadline = deadline
    assessment.save(update_fields=["deadline"])
