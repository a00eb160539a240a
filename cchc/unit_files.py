"""Import and export of administrative units as .xlsx or .csv files.

Columns: Mã, Tên, Loại, Mã cấp trên, Hiệu lực từ, Hiệu lực đến, Mã tiền thân (the units it
replaces whole, or takes the main part of), Tiền thân một phần (divided units it takes a
part of). A unit is named by its code *and* its first day in force: the same code may name
another unit at another time (the 2025 reform reused codes), never two at once. The parent
code is read on the unit's first day, the predecessors' codes on the day before it.

A file is checked as a whole first, against itself and the database (every bad row reported,
nothing written); a good file is then written parents and predecessors first.
"""

from __future__ import annotations

import datetime
import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import tablib
from django.db import transaction
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from cchc.documents import Sheet, xlsx_bytes
from cchc.models import (
    CODE_PATTERN,
    FOREVER,
    UNIT_KIND_VIETNAMESE,
    Lineage,
    Role,
    Unit,
    User,
    life_text,
    parse_unit_kind,
    path_pks,
)
from cchc.spreadsheets import ImportRefused, RowError, Table, cell_date, cell_text, safe_row

CODE = "Mã"
NAME = "Tên"
KIND = "Loại"
PARENT = "Mã cấp trên"
VALID_FROM = "Hiệu lực từ"
VALID_TO = "Hiệu lực đến"
PREDECESSORS = "Mã tiền thân"
PARTS_OF = "Tiền thân một phần"
COLUMNS = [CODE, NAME, KIND, PARENT, VALID_FROM, VALID_TO, PREDECESSORS, PARTS_OF]
REQUIRED_COLUMNS = [CODE, NAME, KIND, PARENT, VALID_FROM]

Key = tuple[str, datetime.date]  # a unit's code and first day: who it is


def _codes(text: str) -> list[str]:
    return [code.strip() for code in text.split(",") if code.strip()]


def _date_text(day: datetime.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


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
    part_codes: list[str] = field(default_factory=list)
    # Resolved by validation:
    parent: Known | None = None
    predecessors: list[Known] = field(default_factory=list)
    parts: list[Known] = field(default_factory=list)

    @property
    def key(self) -> Key | None:
        return (self.code, self.valid_from) if self.code and self.valid_from else None


@dataclass
class Known:
    """A unit as the file would leave it: from the database, overlaid by the file's row."""

    code: str
    valid_from: datetime.date
    valid_to: datetime.date | None
    pk: int | None = None  # in the database
    parent_pk: int | None = None  # the database parent, until a file row says otherwise
    path: str = ""
    row: UnitRow | None = None  # the file row that creates or changes it

    @property
    def key(self) -> Key:
        return (self.code, self.valid_from)

    def in_force_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to or FOREVER) >= day

    def where(self) -> str:
        return _("row %(row)d") % {"row": self.row.row} if self.row else _("the database")


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
    return UnitRow(
        number,
        code,
        name,
        kind,
        cell_text(values.get(PARENT)),
        valid_from,
        valid_to,
        _codes(cell_text(values.get(PREDECESSORS))),
        _codes(cell_text(values.get(PARTS_OF))),
    )


def validate_units(table: Table, user: User) -> list[UnitRow]:
    """Check a whole unit file against itself and the database; raise with every bad row."""
    errors = table.missing_columns(REQUIRED_COLUMNS)
    if errors:
        raise ImportRefused(errors)
    rows = [_parse_row(number, values, errors) for number, values in table.rows]
    known = _known_units(rows, errors)
    by_code: dict[str, list[Known]] = defaultdict(list)
    for unit in known.values():
        by_code[unit.code].append(unit)
    _check_overlaps(by_code, errors)
    for row in rows:
        _resolve_links(row, by_code, errors)
    _check_cycles(rows, known, errors)
    if not user.is_superuser:
        _check_scope(rows, known, user, errors)
    if errors:
        raise ImportRefused(errors)
    return rows


def _known_units(rows: list[UnitRow], errors: list[RowError]) -> dict[Key, Known]:
    """Database units of every code the file names, and their ancestors (so that cycles
    through the database are seen), overlaid by the file's rows."""
    referenced = {row.code for row in rows} | {row.parent_code for row in rows}
    referenced |= {code for row in rows for code in row.predecessor_codes + row.part_codes}
    referenced.discard("")
    stored = list(
        Unit.objects.filter(code__in=referenced).values_list(
            "pk", "code", "valid_from", "valid_to", "parent_id", "path"
        )
    )
    ancestors = {pk for *_rest, path in stored for pk in path_pks(path)}
    stored += list(
        Unit.objects.filter(pk__in=ancestors - {values[0] for values in stored}).values_list(
            "pk", "code", "valid_from", "valid_to", "parent_id", "path"
        )
    )
    known = {
        (code, valid_from): Known(code, valid_from, valid_to, pk, parent_pk, path)
        for pk, code, valid_from, valid_to, parent_pk, path in stored
    }
    first_row: dict[Key, int] = {}
    for row in rows:
        key = row.key
        if key is None:
            continue
        if key in first_row:
            errors.append(
                RowError(
                    row.row,
                    CODE,
                    _("the unit %(code)s in force from %(day)s is already on row %(first)d")
                    % {
                        "code": row.code,
                        "day": _date_text(row.valid_from),
                        "first": first_row[key],
                    },
                    row.code,
                )
            )
            continue
        first_row[key] = row.row
        existing = known.get(key)
        known[key] = Known(
            row.code,
            key[1],
            row.valid_to,
            existing.pk if existing else None,
            existing.parent_pk if existing else None,
            existing.path if existing else "",
            row,
        )
    return known


def _check_overlaps(by_code: dict[str, list[Known]], errors: list[RowError]) -> None:
    """Two units may share a code one after the other, never at once."""
    for code, units in by_code.items():
        ordered = sorted(units, key=lambda u: u.valid_from)
        for earlier, later in itertools.pairwise(ordered):
            if (earlier.valid_to or FOREVER) < later.valid_from:
                continue
            blamed, other = (later, earlier) if later.row is not None else (earlier, later)
            if blamed.row is None:
                continue  # both in the database already: not this file's doing
            errors.append(
                RowError(
                    blamed.row.row,
                    CODE,
                    _(
                        "the code %(code)s already names the unit of %(where)s (%(life)s) in the same time"
                    )
                    % {
                        "code": code,
                        "where": other.where(),
                        "life": life_text(other.valid_from, other.valid_to),
                    },
                    code,
                )
            )


def _at(
    code: str, day: datetime.date, by_code: dict[str, list[Known]]
) -> tuple[Known | None, list[Known]]:
    carriers = sorted(by_code.get(code, []), key=lambda u: u.valid_from)
    return next((u for u in carriers if u.in_force_on(day)), None), carriers


def _not_found(code: str, day: datetime.date, carriers: list[Known]) -> str:
    if not carriers:
        return _("there is no unit with code %(code)s") % {"code": code}
    spans = "; ".join(life_text(u.valid_from, u.valid_to) for u in carriers)
    return _(
        "no unit with code %(code)s is in force on %(day)s (the code is in force %(spans)s)"
    ) % {
        "code": code,
        "day": _date_text(day),
        "spans": spans,
    }


def _resolve_links(row: UnitRow, by_code: dict[str, list[Known]], errors: list[RowError]) -> None:
    if row.valid_from is None:  # nothing to read the codes on: at least they must exist
        for column, codes in (
            (PARENT, [row.parent_code] if row.parent_code else []),
            (PREDECESSORS, row.predecessor_codes),
            (PARTS_OF, row.part_codes),
        ):
            for code in codes:
                if not by_code.get(code):
                    errors.append(RowError(row.row, column, _not_found(code, FOREVER, []), code))
        return
    if row.parent_code:
        parent, carriers = _at(row.parent_code, row.valid_from, by_code)
        if parent is not None and parent.key == row.key:
            errors.append(RowError(row.row, PARENT, _("a unit cannot be its own parent"), row.code))
        elif parent is not None:
            row.parent = parent
        elif carriers:
            errors.append(
                RowError(
                    row.row,
                    PARENT,
                    _("the parent unit %(code)s is not in force on %(day)s")
                    % {"code": row.parent_code, "day": _date_text(row.valid_from)},
                    row.parent_code,
                )
            )
        else:
            errors.append(
                RowError(
                    row.row,
                    PARENT,
                    _not_found(row.parent_code, row.valid_from, []),
                    row.parent_code,
                )
            )
    eve = row.valid_from - datetime.timedelta(days=1)
    for column, codes, target in (
        (PREDECESSORS, row.predecessor_codes, row.predecessors),
        (PARTS_OF, row.part_codes, row.parts),
    ):
        for code in codes:
            predecessor, carriers = _at(code, eve, by_code)
            if predecessor is None:
                in_force_now, _carriers = _at(code, row.valid_from, by_code)
                if in_force_now is not None and in_force_now.key == row.key:
                    message = _("a unit cannot be its own predecessor")
                elif in_force_now is not None:
                    message = _(
                        "the predecessor %(code)s is still in force on %(day)s, when this unit starts"
                    ) % {"code": code, "day": _date_text(row.valid_from)}
                else:
                    message = _not_found(code, eve, carriers)
                errors.append(RowError(row.row, column, message, code))
            elif (predecessor.valid_to or FOREVER) >= row.valid_from:
                errors.append(
                    RowError(
                        row.row,
                        column,
                        _(
                            "the predecessor %(code)s is still in force on %(day)s, when this unit starts"
                        )
                        % {"code": code, "day": _date_text(row.valid_from)},
                        code,
                    )
                )
            else:
                target.append(predecessor)


def _parent_of(unit: Known, known_by_pk: dict[int, Known]) -> Known | None:
    if unit.row is not None:
        return unit.row.parent
    return known_by_pk.get(unit.parent_pk) if unit.parent_pk else None


def _check_cycles(rows: list[UnitRow], known: dict[Key, Known], errors: list[RowError]) -> None:
    known_by_pk = {unit.pk: unit for unit in known.values() if unit.pk is not None}
    for row in rows:
        start = known.get(row.key) if row.key else None
        if start is None or start.row is not row:
            continue
        seen = {start.key}
        current = _parent_of(start, known_by_pk)
        while current is not None:
            if current.key in seen:
                errors.append(
                    RowError(
                        row.row,
                        PARENT,
                        _(
                            "the parent chain of %(code)s comes back to itself (a cycle through %(parent)s)"
                        )
                        % {"code": row.code, "parent": current.code},
                        row.parent_code,
                    )
                )
                break
            seen.add(current.key)
            current = _parent_of(current, known_by_pk)


def _check_scope(
    rows: list[UnitRow], known: dict[Key, Known], user: User, errors: list[RowError]
) -> None:
    """A non-superuser may only add or change units under a unit they administer."""
    allowed = user.role_paths({Role.ADMINISTRATOR})
    known_by_pk = {unit.pk: unit for unit in known.values() if unit.pk is not None}
    for row in rows:
        anchor = known.get(row.key) if row.key else None
        hops = 0
        while anchor is not None and not anchor.path and hops <= len(known):
            anchor = _parent_of(anchor, known_by_pk)
            hops += 1
        if anchor is None:
            if row.parent_code and row.parent is None:
                continue  # an unknown parent, reported on its own row
            message = _("only a system administrator may add a top-level unit")
        elif any(anchor.path.startswith(path) for path in allowed):
            continue
        else:
            message = _("you do not administer this unit or its parent")
        errors.append(RowError(row.row, CODE, message, row.code))


def _parents_first(rows: list[UnitRow]) -> list[UnitRow]:
    """Order rows so that every parent and predecessor in the file is written before its use."""
    by_key = {row.key: row for row in rows if row.key}
    ordered: list[UnitRow] = []
    placed: set[Key] = set()

    def place(row: UnitRow) -> None:
        if row.key in placed or row.key is None:
            return
        placed.add(row.key)
        for other in [row.parent, *row.predecessors, *row.parts]:
            if other is not None and other.key in by_key:
                place(by_key[other.key])
        ordered.append(row)

    for row in rows:
        place(row)
    return ordered


def import_units(table: Table, user: User) -> ImportSummary:
    """Validate and write a unit file; all or nothing."""
    rows = _parents_first(validate_units(table, user))
    created = updated = unchanged = 0
    written: dict[Key, Unit] = {}

    def unit_of(known: Known | None) -> Unit | None:
        if known is None:
            return None
        if known.key in written:
            return written[known.key]
        assert known.pk is not None  # not written by the file: stored already
        return Unit.objects.get(pk=known.pk)

    with transaction.atomic():
        for row in rows:
            assert row.key is not None and row.kind is not None and row.valid_from is not None
            unit = Unit.objects.filter(code=row.code, valid_from=row.valid_from).first()
            parent = unit_of(row.parent)
            links = {unit_of(p).pk: True for p in row.predecessors}  # type: ignore[union-attr]
            links.update({unit_of(p).pk: False for p in row.parts})  # type: ignore[union-attr]
            values = {
                "name": row.name,
                "kind": row.kind,
                "parent_id": parent.pk if parent else None,
                "valid_to": row.valid_to,
            }
            if unit is None:
                unit = Unit(code=row.code, valid_from=row.valid_from, **values)
                unit.save()
                created += 1
            else:
                before = {name: getattr(unit, name) for name in values}
                old_links = dict(unit.predecessor_links.values_list("predecessor_id", "main"))
                if before == values and old_links == links:
                    unchanged += 1
                    written[row.key] = unit
                    continue
                for name, value in values.items():
                    setattr(unit, name, value)
                unit.save()
                updated += 1
            Lineage.objects.filter(successor=unit).exclude(predecessor_id__in=links).delete()
            for predecessor_pk, main in links.items():
                Lineage.objects.update_or_create(
                    successor=unit, predecessor_id=predecessor_pk, defaults={"main": main}
                )
            written[row.key] = unit
    return ImportSummary(created=created, updated=updated, unchanged=unchanged)


def _rows_of(units: Any) -> list[list[Any]]:
    units = list(units.select_related("parent").prefetch_related("predecessor_links__predecessor"))
    rows = []
    for unit in units:
        links = list(unit.predecessor_links.all())
        rows.append(
            [
                unit.code,
                unit.name,
                UNIT_KIND_VIETNAMESE.get(unit.kind, unit.kind),
                unit.parent.code if unit.parent else "",
                _date_text(unit.valid_from),
                _date_text(unit.valid_to),
                ",".join(sorted(link.predecessor.code for link in links if link.main)),
                ",".join(sorted(link.predecessor.code for link in links if not link.main)),
            ]
        )
    return rows


def export_units(units: Any, file_format: str) -> bytes:
    """The units as an .xlsx or .csv file in the import's columns (it imports back unchanged)."""
    rows = _rows_of(units)
    if file_format == "csv":
        dataset = tablib.Dataset(*(safe_row(row) for row in rows), headers=COLUMNS)
        return dataset.export("csv").encode("utf-8-sig")
    return xlsx_bytes(Sheet("Đơn vị hành chính", COLUMNS, rows))


class UnitKindWidget(widgets.Widget):
    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return UNIT_KIND_VIETNAMESE.get(value, value or "")


class VietnameseDateWidget(widgets.Widget):
    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return _date_text(value)


class UnitResource(resources.ModelResource):
    """The unit file's columns, for the administration's export."""

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
    predecessors = fields.Field(column_name=PREDECESSORS)
    parts_of = fields.Field(column_name=PARTS_OF)

    class Meta:
        model = Unit
        fields = (
            "code",
            "name",
            "kind",
            "parent",
            "valid_from",
            "valid_to",
            "predecessors",
            "parts_of",
        )
        export_order = (
            "code",
            "name",
            "kind",
            "parent",
            "valid_from",
            "valid_to",
            "predecessors",
            "parts_of",
        )

    def dehydrate_predecessors(self, unit: Unit) -> str:
        return ",".join(
            sorted(link.predecessor.code for link in unit.predecessor_links.all() if link.main)
        )

    def dehydrate_parts_of(self, unit: Unit) -> str:
        return ",".join(
            sorted(link.predecessor.code for link in unit.predecessor_links.all() if not link.main)
        )
