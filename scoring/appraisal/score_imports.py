"""Appraised scores from a spreadsheet (councils working in spreadsheets).

Columns: Mã đơn vị, Mã tiêu chí, Điểm, Lý do trừ điểm. Each score is checked by the same rules
as the appraisal page (``check_appraised_score``); all or nothing, every error listed; the
units end appraised, their history recording the import.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.models import Unit, User
from cchc.spreadsheets import ImportRefused, Table, cell_text
from scoring.appraisal.items import check_appraised_score
from scoring.assessment import audit
from scoring.assessment.results import refresh_result
from scoring.assessment.score_imports import CODE, SCORE, UNIT, ScoreFile, clause
from scoring.assessment.workflow import record_move
from scoring.models import Assessment, AssessmentItem, AuditEntry, CriteriaSet, Criterion
from scoring.models.assessments import AssessmentState

REASON = "Lý do trừ điểm"
APPRAISAL_COLUMNS = [UNIT, CODE, SCORE, REASON]
IMPORTABLE_STATES = (
    AssessmentState.SUBMITTED,
    AssessmentState.UNDER_APPRAISAL,
    AssessmentState.RETURNED,
    AssessmentState.RESUBMITTED,
    AssessmentState.APPRAISED,
)


@dataclass
class AppraisalRow:
    row: int
    assessment_key: tuple[int, int]
    unit: Unit
    criteria_set: CriteriaSet
    criterion: Criterion
    score: Decimal
    reason: str


def validate_appraisal(table: Table, year: int) -> list[AppraisalRow]:
    """Check an appraisal file: scores within each method, a reason for every score below the
    self score (or below the maximum where the unit gave none), assessments that can still
    be appraised."""
    checked = ScoreFile(table, year)
    assessments = {
        (a.unit_id, a.criteria_set_id): a
        for a in Assessment.objects.filter(
            criteria_set__in=checked.sets, unit__in=checked.units.values()
        )
    }
    items = {
        (i.assessment_id, i.criterion_id): i
        for i in AssessmentItem.objects.filter(assessment__in=assessments.values())
    }
    labels = dict(AssessmentState.choices)
    parsed = []
    for number, values in table.rows:
        resolved = checked.resolve(number, values)
        if resolved is None:
            continue
        unit, criteria_set, criterion, score = resolved
        assessment = assessments.get((unit.pk, criteria_set.pk))
        if assessment is not None and assessment.state not in IMPORTABLE_STATES:
            checked.bad(
                number,
                unit.code,
                UNIT,
                _("the assessment is “%(state)s” and cannot be appraised from a file")
                % {"state": labels[assessment.state]},
                unit.code,
            )
            continue
        reason = cell_text(values.get(REASON))
        item = items.get((assessment.pk, criterion.pk)) if assessment is not None else None
        try:
            check_appraised_score(
                criterion, item or AssessmentItem(criterion=criterion), score, reason
            )
        except ValidationError as error:
            where = REASON if "reason" in getattr(error, "error_dict", {}) else SCORE
            checked.bad(number, unit.code, where, clause(error), cell_text(values.get(where)))
            continue
        parsed.append(
            AppraisalRow(
                number, (unit.pk, criteria_set.pk), unit, criteria_set, criterion, score, reason
            )
        )
    if checked.errors:
        raise ImportRefused(checked.errors)
    return parsed


@transaction.atomic
def import_appraisal(table: Table, year: int, user: User) -> tuple[int, int]:
    """Write appraised scores; every unit in the file ends appraised, its history recording
    the import. Returns (scores written, units appraised)."""
    rows = validate_appraisal(table, year)
    actor = user if user.pk else None
    assessments: dict[tuple[int, int], Assessment] = {}
    now = timezone.now()
    for row in rows:
        assessment = assessments.get(row.assessment_key)
        if assessment is None:
            assessment, _created = Assessment.objects.get_or_create(
                unit=row.unit,
                criteria_set=row.criteria_set,
                defaults={"deadline": now, "opened_by": actor, "state": AssessmentState.SUBMITTED},
            )
            assessments[row.assessment_key] = assessment
        item, _created = AssessmentItem.objects.get_or_create(
            assessment=assessment, criterion=row.criterion
        )
        old = item.final_score
        item.appraised_score, item.appraisal_reason = row.score, row.reason
        item.appraised_by, item.appraised_at = actor, now
        item.appraisal_version += 1
        item.save()
        audit.record(
            assessment,
            AuditEntry.Kind.APPRAISED_SCORE,
            user,
            item=item,
            old=old,
            new=row.score,
            reason=row.reason,
            source="import",
        )
    for assessment in assessments.values():
        if assessment.state != AssessmentState.APPRAISED:
            record_move(
                assessment,
                AssessmentState.APPRAISED,
                user,
                str(_("Appraisal imported from a file")),
                source="import",
            )
        assessment.appraised_by = actor
        assessment.save()
        refresh_result(assessment)
    return len(rows), len(assessments)
