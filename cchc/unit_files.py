"""Import and export of administrative units as .xlsx or .csv files.

Columns: Mã, Tên, Loại, Mã cấp trên, Hiệu lực từ, Hiệu lực đến, Mã tiền thân. A file is
checked as a whole first (every bad row reported, nothing written); a good file is then
written through a django-import-export resource, parents and predecessors first.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import tablib
from django.db import transaction
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from cchc.models import (
    CODE_PATTERN,
    PATH_SEPARATOR,
    UNIT_KIND_VIETNAMESE,
    Role,
    Unit,
    User,
    parse_unit_kind,
)
from cchc.spreadsheets import ImportRefused, RowError, Table, cell_date, cell_text, safe_row

CODE = "Mã"
NAME = "Tên"
KIND = "Loại"
PARENT = "Mã cấp trên"
VALID_FROM = "Hiệu lực từ"
VALID_TO = "Hiệu lực đến"
PREDECESSORS = "Mã tiền thân"
COLUMNS = [CODE, NAME, KIND, PARENT, VALID_FROM, VALID_TO, PREDECESSORS]
REQUIRED_COLUMNS = [CODE, NAME, KIND, PARENT, VALID_FROM]


class UnitKindWidget(widgets.Widget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        kind = parse_unit_kind(cell_text(value))
        if kind is None:
            raise ValueError(cell_text(value))
        return kind

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return UNIT_KIND_VIETNAMESE.get(value, value or "")


class VietnameseDateWidget(widgets.Widget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> datetime.date | None:
        return cell_date(value)

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return value.strftime("%d/%m/%Y") if value else ""


class UnitResource(resources.ModelResource):
    """The unit file's columns, for both export and the final write of an import."""

    code = fields.Field(attribute="code", column_name=CODE)
    name = fields.Field(attribute="name", column_name=NAME)
    kind = fields.Field(attribute="kind", column_name=KIND, widget=UnitKindWidget())
    parent = fields.Field(
        attribute="parent", column_name=PARENT, widget=widgets.ForeignKeyWidget(Unit, "code")
    )
    valid_from = fields.Field(
        attribute="valid_from", column_name=VALID_FROM, widget=VietnameseDateWidget()
    )
    valid_to = fields.Field(
        attribute="valid_to", column_name=VALID_TO, widget=VietnameseDateWidget()
    )
    predecessors = fields.Field(
        attribute="predecessors",
        column_name=PREDECESSORS,
        widget=widgets.ManyToManyWidget(Unit, separator=",", field="code"),
    )

    class Meta:
        model = Unit
        import_id_fields = ("code",)
        fields = ("code", "name", "kind", "parent", "valid_from", "valid_to", "predecessors")
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True


@dataclass
class UnitRow:
    """A row of a unit file, parsed."""

    row: int
    code: str
    name: str
    kind: str | None
    parent_code: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    predecessor_codes: list[str]
    raw: dict[str, Any] = field(repr=False, default_factory=dict)


@dataclass(frozen=True)
class KnownUnit:
    """What validation needs to know of a unit, from the file or the database."""

    parent_code: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None

    def in_force_on(self, day: datetime.date) -> bool:
        if self.valid_from is None:
            return False
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)


@dataclass
class ImportSummary:
    created: int
    updated: int
    unchanged: int


def _parse_row(number: int, values: dict[str, Any], errors: list[RowError]) -> UnitRow:
    def bad(column: str, message: str) -> None:
        errors.append(RowError(number, column, message, cell_text(values.get(column))))

    code = cell_text(values.get(CODE))
    if not code:
        bad(CODE, _("the code is empty"))
    elif not CODE_PATTERN.match(code):
        bad(CODE, _("the code %(code)s has characters a code cannot have") % {"code": code})
    name = cell_text(values.get(NAME))
    if not name:
        bad(NAME, _("the name is empty"))
    kind_text = cell_text(values.get(KIND))
    kind = parse_unit_kind(kind_text)
    if kind is None:
        bad(
            KIND,
            _("unknown unit type “%(kind)s”; use one of: %(known)s")
            % {"kind": kind_text, "known": ", ".join(UNIT_KIND_VIETNAMESE.values())},
        )
    dates: dict[str, datetime.date | None] = {}
    for column in (VALID_FROM, VALID_TO):
        try:
            dates[column] = cell_date(values.get(column))
        except ValueError:
            dates[column] = None
            bad(
                column,
                _("“%(value)s” is not a date; write it as dd/mm/yyyy")
                % {"value": cell_text(values.get(column))},
            )
    if dates[VALID_FROM] is None and cell_text(values.get(VALID_FROM)) == "":
        bad(VALID_FROM, _("the date the unit comes into force is empty"))
    valid_from, valid_to = dates[VALID_FROM], dates[VALID_TO]
    if valid_from and valid_to and valid_to < valid_from:
        bad(VALID_TO, _("the last day in force is before the first day"))
    predecessors = [c.strip() for c in cell_text(values.get(PREDECESSORS)).split(",") if c.strip()]
    return UnitRow(
        number,
        code,
        name,
        kind,
        cell_text(values.get(PARENT)),
        valid_from,
        valid_to,
        predecessors,
        values,
    )


def validate_units(table: Table, user: User) -> list[UnitRow]:
    """Check a whole unit file against itself and the database; raise with every bad row."""
    errors = table.missing_columns(REQUIRED_COLUMNS)
    if errors:
        raise ImportRefused(errors)
    rows = [_parse_row(number, values, errors) for number, values in table.rows]

    first_row_of: dict[str, int] = {}
    for row in rows:
        if row.code in first_row_of:
            errors.append(
                RowError(
                    row.row,
                    CODE,
                    _("the code %(code)s is already on row %(first)d")
                    % {"code": row.code, "first": first_row_of[row.code]},
                    row.code,
                )
            )
        elif row.code:
            first_row_of[row.code] = row.row

    known = _known_units(rows)
    for row in rows:
        _check_links(row, known, errors)
    _check_cycles(rows, known, errors)
    if not user.is_superuser:
        _check_scope(rows, known, user, errors)
    if errors:
        raise ImportRefused(errors)
    return rows


def _known_units(rows: list[UnitRow]) -> dict[str, KnownUnit]:
    """File rows over database units: the file's values win where both have a code."""
    referenced = {row.code for row in rows} | {row.parent_code for row in rows}
    referenced |= {code for row in rows for code in row.predecessor_codes}
    referenced.discard("")
    in_database = list(Unit.objects.filter(code__in=referenced).values_list("path", flat=True))
    # Every ancestor of a referenced unit, so that cycles through the database are seen.
    codes = {code for path in in_database for code in path.split(PATH_SEPARATOR) if code}
    known: dict[str, KnownUnit] = {}
    for code, path, valid_from, valid_to in Unit.objects.filter(code__in=codes).values_list(
        "code", "path", "valid_from", "valid_to"
    ):
        parts = [part for part in path.split(PATH_SEPARATOR) if part]
        known[code] = KnownUnit(parts[-2] if len(parts) > 1 else "", valid_from, valid_to)
    for row in rows:
        if row.code:
            known[row.code] = KnownUnit(row.parent_code, row.valid_from, row.valid_to)
    return known


def _check_links(row: UnitRow, known: dict[str, KnownUnit], errors: list[RowError]) -> None:
    if row.parent_code:
        parent = known.get(row.parent_code)
        if parent is None:
            errors.append(
                RowError(
                    row.row,
                    PARENT,
                    _("there is no unit with code %(code)s") % {"code": row.parent_code},
                    row.parent_code,
                )
            )
        elif row.parent_code == row.code:
            errors.append(RowError(row.row, PARENT, _("a unit cannot be its own parent"), row.code))
        elif row.valid_from and not parent.in_force_on(row.valid_from):
            errors.append(
                RowError(
                    row.row,
                    PARENT,
                    _("the parent unit %(code)s is not in force on %(day)s")
                    % {"code": row.parent_code, "day": row.valid_from.strftime("%d/%m/%Y")},
                    row.parent_code,
                )
            )
    for code in row.predecessor_codes:
        predecessor = known.get(code)
        if predecessor is None:
            errors.append(
                RowError(
                    row.row,
                    PREDECESSORS,
                    _("there is no unit with code %(code)s") % {"code": code},
                    code,
                )
            )
        elif code == row.code:
            errors.append(
                RowError(row.row, PREDECESSORS, _("a unit cannot be its own predecessor"), code)
            )
        elif row.valid_from and (
            predecessor.valid_to is None or predecessor.valid_to >= row.valid_from
        ):
            errors.append(
                RowError(
                    row.row,
                    PREDECESSORS,
                    _(
                        "the predecessor %(code)s is still in force on %(day)s, when this unit starts"
                    )
                    % {"code": code, "day": row.valid_from.strftime("%d/%m/%Y")},
                    code,
                )
            )


def _check_cycles(rows: list[UnitRow], known: dict[str, KnownUnit], errors: list[RowError]) -> None:
    for row in rows:
        seen = {row.code}
        current = known.get(row.code)
        while current is not None and current.parent_code:
            if current.parent_code in seen:
                errors.append(
                    RowError(
                        row.row,
                        PARENT,
                        _(
                            "the parent chain of %(code)s comes back to itself (a cycle through %(parent)s)"
                        )
                        % {"code": row.code, "parent": current.parent_code},
                        row.parent_code,
                    )
                )
                break
            seen.add(current.parent_code)
            current = known.get(current.parent_code)


def _check_scope(
    rows: list[UnitRow], known: dict[str, KnownUnit], user: User, errors: list[RowError]
) -> None:
    """A non-superuser may only add or change units under a unit they administer."""
    allowed = user.role_paths({Role.ADMINISTRATOR})
    paths = dict(Unit.objects.filter(code__in=list(known)).values_list("code", "path"))
    for row in rows:
        anchor = row.code if row.code in paths else row.parent_code
        for _hop in range(len(known) + 1):
            if not anchor or anchor in paths or anchor not in known:
                break
            anchor = known[anchor].parent_code
        if anchor and anchor not in paths:
            continue  # an unknown parent, reported on its own row
        if not anchor:
            message = _("only a system administrator may add a top-level unit")
        elif any(paths[anchor].startswith(path) for path in allowed):
            continue
        else:
            message = _("you do not administer this unit or its parent")
        errors.append(RowError(row.row, CODE, message, row.code))


def _parents_first(rows: list[UnitRow]) -> list[UnitRow]:
    """Order rows so that every parent and predecessor in the file is written before its use."""
    by_code = {row.code: row for row in rows}
    ordered: list[UnitRow] = []
    placed: set[str] = set()

    def place(row: UnitRow) -> None:
        if row.code in placed:
            return
        placed.add(row.code)
        for code in [row.parent_code, *row.predecessor_codes]:
            if code in by_code:
                place(by_code[code])
        ordered.append(row)

    for row in rows:
        place(row)
    return ordered


def import_units(table: Table, user: User) -> ImportSummary:
    """Validate and write a unit file; all or nothing."""
    rows = _parents_first(validate_units(table, user))
    dataset = tablib.Dataset(headers=COLUMNS)
    for row in rows:
        dataset.append(
            [
                row.code,
                row.name,
                row.kind,
                row.parent_code,
                row.valid_from,
                row.valid_to,
                ",".join(row.predecessor_codes),
            ]
        )
    with transaction.atomic():
        result = UnitResource().import_data(
            dataset, dry_run=False, raise_errors=False, use_transactions=False
        )
        problems: list[RowError] = []
        for line_number, row_errors in result.row_errors():
            problems += [
                RowError(rows[line_number - 1].row, "", str(error.error)) for error in row_errors
            ]
        for invalid in result.invalid_rows:
            problems += [
                RowError(rows[invalid.number - 1].row, column, "; ".join(messages))
                for column, messages in invalid.field_specific_errors.items()
            ]
        if problems:
            transaction.set_rollback(True)
            raise ImportRefused(problems)
    totals = result.totals
    return ImportSummary(
        created=totals.get("new", 0),
        updated=totals.get("update", 0),
        unchanged=totals.get("skip", 0),
    )


def export_units(units: Any, file_format: str) -> bytes:
    """The units as an .xlsx or .csv file in the import's columns."""
    exported = UnitResource().export(
        queryset=units.prefetch_related("predecessors").select_related("parent")
    )
    dataset = tablib.Dataset(*(safe_row(list(row)) for row in exported), headers=exported.headers)
    if file_format == "csv":
        return dataset.export("csv").encode("utf-8-sig")
    return dataset.export("xlsx")
