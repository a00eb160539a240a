"""Self scores from a spreadsheet (for administrators migrating past data), and what both
stages of a score file share (the unit, the set, the sub-criterion, the score of each row).

Columns: Mã đơn vị, Mã tiêu chí, Điểm, Ghi chú. Each score is turned into the inputs of its
sub-criterion's method (a yes/no of 0 or max, the level worth those points, a count...) so
that it is checked like an officer's entry. All or nothing; every error is listed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.models import Unit, User
from cchc.spreadsheets import ImportRefused, RowError, Table, cell_decimal, cell_text
from scoring.assessment.results import refresh_result
from scoring.assessment.self_assessment import SelfInput, check_self_input, is_self_assessed
from scoring.criteria.parameters import format_number, spec_from_json
from scoring.engine import Method, MethodSpec
from scoring.models import Assessment, AssessmentItem, CriteriaSet, Criterion
from scoring.models.assessments import AssessmentState

UNIT = "Mã đơn vị"
CODE = "Mã tiêu chí"
SCORE = "Điểm"
NOTE = "Ghi chú"
COLUMNS = [UNIT, CODE, SCORE, NOTE]


@dataclass
class ScoreRow:
    row: int
    unit: Unit
    criteria_set: CriteriaSet
    criterion: Criterion
    typed: SelfInput
    points: Decimal | None  # given directly where the method's inputs cannot be derived


def _as_inputs(
    spec: MethodSpec, score: Decimal, maximum: Decimal
) -> tuple[SelfInput, Decimal | None]:
    """The method's inputs that give ``score``; raise ValueError with the reason if none do."""
    method = spec.method
    if method is Method.YES_NO:
        if score not in (0, maximum):
            raise ValueError(
                _("a yes/no sub-criterion scores 0 or %(max)s") % {"max": format_number(maximum)}
            )
        return SelfInput(answer=score == maximum), None
    if method is Method.LEVELS:
        for level in spec.levels:
            if level.points == score:
                return SelfInput(level=level.label), None
        raise ValueError(_("no level is worth %(score)s points") % {"score": format_number(score)})
    if method is Method.COUNT:
        per_item = spec.per_item or Decimal(1)
        if score % per_item:
            raise ValueError(
                _("the score is not a whole number of items of %(per)s points")
                % {"per": format_number(per_item)}
            )
        return SelfInput(value=score / per_item), None
    if method in (Method.MANUAL, Method.BONUS):
        return SelfInput(value=score), None
    return SelfInput(), score  # ratios and thresholds: the points themselves


class ScoreFile:
    """What both stages check on every row: a known unit, the one published set of the year
    that scores it, a sub-criterion of that set, no repeated row, a number as score."""

    def __init__(self, table: Table, year: int) -> None:
        self.table, self.year = table, year
        self.errors = table.missing_columns([UNIT, CODE, SCORE])
        if self.errors:
            raise ImportRefused(self.errors)
        codes = {cell_text(values.get(UNIT)) for _, values in table.rows}
        # A year's set scores the units in force at its end: a code is read on that day.
        self.units = {
            unit.code: unit
            for unit in Unit.objects.filter(code__in=codes).in_force_on(datetime.date(year, 12, 31))
        }
        self.sets = list(
            CriteriaSet.objects.filter(
                year=year, status=CriteriaSet.Status.PUBLISHED
            ).select_related("scope")
        )
        self.criteria = {
            (c.criteria_set_id, c.code): c
            for c in Criterion.objects.filter(criteria_set__in=self.sets)
        }
        self.seen: dict[tuple[str, str], int] = {}

    def bad(self, number: int, unit_code: str, column: str, message: str, value: str) -> None:
        self.errors.append(RowError(number, column, message, value, unit=unit_code))

    def resolve(
        self, number: int, values: dict[str, Any]
    ) -> tuple[Unit, CriteriaSet, Criterion, Decimal] | None:
        unit_code, code = cell_text(values.get(UNIT)), cell_text(values.get(CODE))
        unit = self.units.get(unit_code)
        if unit is None:
            self.bad(
                number,
                unit_code,
                UNIT,
                _("there is no unit with code %(code)s") % {"code": unit_code},
                unit_code,
            )
            return None
        covering = [
            s for s in self.sets if unit.kind in s.unit_kinds and unit.path.startswith(s.scope.path)
        ]
        if len(covering) != 1:
            message = (
                _("no published criteria set of %(year)s scores this unit")
                if not covering
                else _("several published criteria sets of %(year)s score this unit")
            ) % {"year": self.year}
            self.bad(number, unit_code, UNIT, message, unit_code)
            return None
        criterion = self.criteria.get((covering[0].pk, code))
        if criterion is None or not criterion.method:
            self.bad(
                number,
                unit_code,
                CODE,
                _("the set has no sub-criterion %(code)s") % {"code": code},
                code,
            )
            return None
        if (unit_code, code) in self.seen:
            self.bad(
                number,
                unit_code,
                CODE,
                _("%(code)s of this unit is already on row %(first)d")
                % {"code": code, "first": self.seen[(unit_code, code)]},
                code,
            )
            return None
        self.seen[(unit_code, code)] = number
        try:
            score = cell_decimal(values.get(SCORE))
        except ValueError:
            score = None
        if score is None:
            self.bad(
                number,
                unit_code,
                SCORE,
                _("the score is not a number"),
                cell_text(values.get(SCORE)),
            )
            return None
        return unit, covering[0], criterion, score


def validate_scores(table: Table, year: int) -> list[ScoreRow]:
    """Check a self-assessment file; each score must be reachable by its method."""
    checked = ScoreFile(table, year)
    parsed = []
    for number, values in table.rows:
        resolved = checked.resolve(number, values)
        if resolved is None:
            continue
        unit, criteria_set, criterion, score = resolved
        if not is_self_assessed(criterion):  # named here with its code, as the file writes it
            checked.bad(
                number,
                unit.code,
                CODE,
                _("%(code)s is not self-assessed") % {"code": criterion.code},
                criterion.code,
            )
            continue
        spec = spec_from_json(criterion.method, criterion.parameters)
        try:
            typed, points = _as_inputs(spec, score, criterion.max_score)
            typed.explanation = cell_text(values.get(NOTE))
            computed = check_self_input(criterion, typed, {}, points)
            if computed != score:  # e.g. a count of items capped at the maximum
                raise ValueError(
                    _("the score %(score)s cannot be reached (the method gives %(computed)s)")
                    % {
                        "score": format_number(score),
                        "computed": format_number(computed if computed is not None else Decimal(0)),
                    }
                )
        except ValueError as error:
            checked.bad(number, unit.code, SCORE, str(error), cell_text(values.get(SCORE)))
            continue
        except ValidationError as error:
            checked.bad(number, unit.code, SCORE, clause(error), cell_text(values.get(SCORE)))
            continue
        parsed.append(ScoreRow(number, unit, criteria_set, criterion, typed, points))
    _check_assessments(parsed, checked.errors)
    if checked.errors:
        raise ImportRefused(checked.errors)
    return parsed


def _check_assessments(rows: list[ScoreRow], errors: list[RowError]) -> None:
    pairs = {(row.unit.pk, row.criteria_set.pk) for row in rows}
    closed = {
        (a.unit_id, a.criteria_set_id)
        for a in Assessment.objects.filter(unit_id__in={u for u, _ in pairs}).exclude(
            state=AssessmentState.DRAFT
        )
        if (a.unit_id, a.criteria_set_id) in pairs
    }
    for row in rows:
        if (row.unit.pk, row.criteria_set.pk) in closed:
            errors.append(
                RowError(
                    row.row,
                    UNIT,
                    _("the unit's assessment is already submitted"),
                    row.unit.code,
                    unit=row.unit.code,
                )
            )


@transaction.atomic
def import_scores(
    table: Table, year: int, user: User, deadline: datetime.datetime | None = None
) -> tuple[int, int]:
    """Write the scores; returns (items written, assessments opened)."""
    rows = validate_scores(table, year)
    actor = user if user.pk else None  # the command runs as an unsaved superuser
    deadline = deadline or timezone.now() + datetime.timedelta(days=30)
    assessments: dict[tuple[int, int], Assessment] = {}
    opened = 0
    for row in rows:
        key = (row.unit.pk, row.criteria_set.pk)
        if key not in assessments:
            assessment, created = Assessment.objects.get_or_create(
                unit=row.unit,
                criteria_set=row.criteria_set,
                defaults={"deadline": deadline, "opened_by": actor},
            )
            assessments[key] = assessment
            opened += created
        item, _created = AssessmentItem.objects.get_or_create(
            assessment=assessments[key], criterion=row.criterion
        )
        item.self_value, item.self_answer, item.self_level = (
            row.typed.value,
            row.typed.answer,
            row.typed.level,
        )
        item.self_numbers, item.self_points = {}, row.points
        item.not_applicable, item.not_applicable_reason = False, ""
        item.explanation = row.typed.explanation
        item.self_score = check_self_input(row.criterion, row.typed, {}, row.points)
        item.version += 0 if _created else 1
        item.updated_by = actor
        item.save()
    for assessment in assessments.values():
        refresh_result(assessment)
    return len(rows), opened


def clause(error: ValidationError) -> str:
    """A form error as the clause of an import report: "the score must …" (no full stop)."""
    message = " ".join(error.messages)
    return (message[:1].lower() + message[1:]).rstrip(".")
