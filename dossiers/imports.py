"""Importing dossier statistics from .xlsx or .csv: one row per unit and period.

The whole file is checked first; any bad row means nothing is written, and every bad row is
reported with its row number, unit, column and the rule it breaks. A good file is written in
bulk: new figures are created, changed ones updated, and every change is kept in the history.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.models import FOREVER, Unit, User
from cchc.spreadsheets import ImportRefused, RowError, Table, cell_decimal, cell_text
from dossiers.figures import (
    COUNT_FIELDS,
    COUNT_NAMES,
    FIELD_BY_NAME,
    RESOLVED_COLUMN,
    rule_violations,
)
from dossiers.models import ENTRY_ROLES, DossierChange, DossierStatistics, RecordedUnit
from dossiers.periods import Period

UNIT_COLUMN = "Mã đơn vị"
PERIOD_COLUMN = "Kỳ"
COLUMNS = [UNIT_COLUMN, PERIOD_COLUMN, *(field.column for field in COUNT_FIELDS)]
BATCH = 500


@dataclass
class DossierRow:
    row: int
    unit_id: int
    period: Period
    counts: dict[str, int]


@dataclass
class ImportSummary:
    created: int
    updated: int
    unchanged: int


def _column_of(name: str) -> str:
    return RESOLVED_COLUMN if name == "resolved" else FIELD_BY_NAME[name].column


def validate_dossier_rows(table: Table, user: User) -> list[DossierRow]:
    """Check a whole file; raise with every bad row, or return the parsed rows."""
    errors = table.missing_columns(COLUMNS)
    if errors:
        raise ImportRefused(errors)
    codes = {cell_text(values.get(UNIT_COLUMN)) for _, values in table.rows}
    carriers: dict[str, list[Unit]] = defaultdict(list)
    for carrier in (
        Unit.objects.filter(code__in=codes)
        .only("id", "code", "name", "kind", "path", "valid_from", "valid_to")
        .order_by("valid_from")
    ):
        carriers[carrier.code].append(carrier)
    allowed_paths = None if user.is_superuser else user.role_paths(set(ENTRY_ROLES))
    recorded = RecordedUnit.objects.filter(unit__code__in=codes).in_bulk()
    has_resolved_column = RESOLVED_COLUMN in table.headers
    parsed: list[DossierRow] = []
    first_row_of: dict[tuple[int, Period], int] = {}
    for number, values in table.rows:
        code = cell_text(values.get(UNIT_COLUMN))

        def bad(
            column: str, message: str, value: Any = None, *, number: int = number, code: str = code
        ) -> None:
            errors.append(RowError(number, column, message, cell_text(value), unit=code))

        row_ok = True
        unit: Unit | None = None
        period_text = cell_text(values.get(PERIOD_COLUMN))
        try:
            period = Period.parse(period_text)
        except ValueError:
            period = None
            bad(
                PERIOD_COLUMN,
                _("“%(period)s” is not a period; write 2023, 2023-H1, 2023-Q1 or 2023-03")
                % {"period": period_text},
                period_text,
            )
            row_ok = False
        if not carriers.get(code):
            bad(UNIT_COLUMN, _("there is no unit with code %(code)s") % {"code": code}, code)
            row_ok = False
        elif period is not None:
            unit, problem = _unit_of_period(carriers[code], period)
            if unit is None:
                bad(PERIOD_COLUMN, problem, period_text)
                row_ok = False
        if (
            unit is not None
            and allowed_paths is not None
            and not any(unit.path.startswith(path) for path in allowed_paths)
        ):
            bad(UNIT_COLUMN, _("you may not enter figures for this unit"), code)
            row_ok = False
        span = recorded.get(unit.pk) if unit is not None else None
        if span is not None and period is not None and span.covers(period.start, period.end):
            bad(
                PERIOD_COLUMN,
                _(
                    "the figures of %(code)s from %(since)s to %(until)s are counted from its "
                    "dossier records; totals cannot be imported for them"
                )
                % {
                    "code": code,
                    "since": span.since.strftime("%d/%m/%Y"),
                    "until": span.until.strftime("%d/%m/%Y"),
                },
                period_text,
            )
            row_ok = False
        if unit is not None and period is not None:
            key = (unit.pk, period)
            if key in first_row_of:
                bad(
                    PERIOD_COLUMN,
                    _("the figures of %(code)s for %(period)s are already on row %(first)d")
                    % {"code": code, "period": period, "first": first_row_of[key]},
                    period_text,
                )
                row_ok = False
            else:
                first_row_of[key] = number
        errors_before_counts = len(errors)
        counts = {
            field.name: _count(values.get(field.column), field.column, bad)
            for field in COUNT_FIELDS
        }
        stated = None
        if has_resolved_column and cell_text(values.get(RESOLVED_COLUMN)) != "":
            stated = _count(values.get(RESOLVED_COLUMN), RESOLVED_COLUMN, bad)
        if len(errors) > errors_before_counts:
            continue  # the rules between counts mean nothing until every count is a count
        for name, message in rule_violations(counts, stated):
            column = _column_of(name)
            bad(column, message, stated if name == "resolved" else counts.get(name))
            row_ok = False
        if row_ok and unit is not None and period is not None:
            parsed.append(DossierRow(number, unit.pk, period, counts))
    if errors:
        raise ImportRefused(errors)
    return parsed


def _unit_of_period(units: list[Unit], period: Period) -> tuple[Unit | None, str]:
    """The unit the code names throughout the period (a code may name one unit before a
    reorganisation and another after it); otherwise why none does."""
    whole = [u for u in units if u.is_in_force_throughout(period.start, period.end)]
    if len(whole) == 1:
        return whole[0], ""
    touching = [
        u for u in units if u.valid_from <= period.end and (u.valid_to or FOREVER) >= period.start
    ]
    if len(touching) > 1:
        names = "; ".join(f"{u} ({u.life})" for u in touching)
        return None, _(
            "the code names different units within %(period)s (%(units)s): give the figures for each part of the period"
        ) % {"period": period, "units": names}
    spans = "; ".join(f"{u} ({u.life})" for u in units)
    return None, _("the period %(period)s is outside the unit's life (%(life)s)") % {
        "period": period,
        "life": spans,
    }


def _count(value: Any, column: str, bad: Any) -> int:
    try:
        number = cell_decimal(value)
    except ValueError:
        bad(column, _("“%(value)s” is not a whole number") % {"value": cell_text(value)}, value)
        return 0
    if number is None:
        return 0  # a blank cell counts nothing
    if number != number.to_integral_value():
        bad(column, _("“%(value)s” is not a whole number") % {"value": cell_text(value)}, value)
        return 0
    if number < 0:
        bad(column, _("a count cannot be negative"), value)
        return 0
    return int(number)


@transaction.atomic
def import_dossiers(table: Table, user: User) -> ImportSummary:
    """Validate and write a file of dossier statistics; all or nothing."""
    rows = validate_dossier_rows(table, user)
    existing = _existing(rows)
    user_id = user.pk if user.pk else None
    now = timezone.now()
    to_create: list[DossierStatistics] = []
    to_update: list[DossierStatistics] = []
    changes: list[DossierChange] = []
    unchanged = 0
    for row in rows:
        key = (row.unit_id, row.period.kind.value, row.period.year, row.period.number)
        current = existing.get(key)
        if current is None:
            statistics = DossierStatistics(
                unit_id=row.unit_id,
                period_kind=row.period.kind.value,
                year=row.period.year,
                number=row.period.number,
                period_start=row.period.start,
                period_end=row.period.end,
                updated_by_id=user_id,
                **row.counts,
            )
            to_create.append(statistics)
            continue
        before = current.counts()
        if before == row.counts:
            unchanged += 1
            continue
        for name, value in row.counts.items():
            setattr(current, name, value)
        current.version += 1
        current.updated_by_id = user_id
        current.updated_at = now
        to_update.append(current)
        changes.append(
            DossierChange(
                statistics=current,
                changed_by_id=user_id,
                source=DossierChange.Source.IMPORT,
                before=before,
                after=row.counts,
            )
        )
    DossierStatistics.objects.bulk_create(to_create, batch_size=BATCH)
    changes += [
        DossierChange(
            statistics=created,
            changed_by_id=user_id,
            source=DossierChange.Source.IMPORT,
            after=created.counts(),
        )
        for created in to_create
    ]
    DossierStatistics.objects.bulk_update(
        to_update, [*COUNT_NAMES, "version", "updated_by", "updated_at"], batch_size=BATCH
    )
    DossierChange.objects.bulk_create(changes, batch_size=BATCH)
    return ImportSummary(created=len(to_create), updated=len(to_update), unchanged=unchanged)


def _existing(rows: list[DossierRow]) -> dict[tuple[int, str, int, int], DossierStatistics]:
    unit_ids = {row.unit_id for row in rows}
    years = {row.period.year for row in rows}
    found: dict[tuple[int, str, int, int], DossierStatistics] = {}
    ids = sorted(unit_ids)
    for start in range(0, len(ids), 5000):  # stays under every database's parameter limit
        for statistics in DossierStatistics.objects.filter(
            unit_id__in=ids[start : start + 5000], year__in=years
        ):
            found[
                (statistics.unit_id, statistics.period_kind, statistics.year, statistics.number)
            ] = statistics
    return found
