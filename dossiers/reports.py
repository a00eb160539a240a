"""Dossier reports: a unit's figures over a range of periods, rolled up the unit tree, by level,
and across reorganisations (a merged commune's year includes its predecessors' months).

``build_report`` is the one function behind the report page, its .xlsx export, the
``dossier_report`` command and the inputs that dossier figures give to criteria, so that
they cannot disagree.
"""

from __future__ import annotations

import datetime
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any

from django.db.models import Q, Sum
from openpyxl import Workbook
from openpyxl.styles import Font

from cchc.kept import Kept
from cchc.models import NAME_PREFIX, Unit, UnitKind, path_pks
from cchc.reorganisation import Inheritance, inheritances
from cchc.spreadsheets import safe_row
from dossiers.changes import dossiers_token
from dossiers.figures import (
    COUNT_FIELDS,
    COUNT_NAMES,
    INDICATORS,
    dossier_inputs,
    pending,
    received,
    resolved,
)
from dossiers.models import DossierStatistics, RecordedUnit
from dossiers.periods import FINEST_FIRST, Period
from dossiers.record_counts import record_counts, statistics_counts

LEVELS: list[tuple[str, str, set[str]]] = [
    ("province", "Cấp tỉnh", {UnitKind.PROVINCE, UnitKind.CENTRAL_CITY}),
    (
        "district",
        "Cấp huyện",
        {
            UnitKind.DISTRICT,
            UnitKind.URBAN_DISTRICT,
            UnitKind.DISTRICT_TOWN,
            UnitKind.PROVINCIAL_CITY,
        },
    ),
    (
        "commune",
        "Cấp xã",
        {UnitKind.COMMUNE, UnitKind.WARD, UnitKind.TOWNSHIP, UnitKind.SPECIAL_ZONE},
    ),
]


def empty_counts() -> dict[str, int]:
    return dict.fromkeys(COUNT_NAMES, 0)


def add_into(total: dict[str, int], counts: dict[str, int]) -> None:
    for name in COUNT_NAMES:
        total[name] += counts[name]


@dataclass
class ReportRow:
    """Counts and percentages of one unit (rolled up) or one level."""

    code: str
    name: str
    kind: str
    counts: dict[str, int]
    depth: int = 0
    has_figures: bool = False
    sources: frozenset[str] = frozenset()  # "records", "entered"
    inherited: list[InheritedNote] = field(default_factory=list)
    until: datetime.date | None = None
    pk: int = 0  # the unit's key (0 for a level's row)

    @property
    def includes_predecessors(self) -> bool:
        return any(note.weight for note in self.inherited)

    @property
    def inherited_text(self) -> str:
        """ "gồm số liệu của Thị trấn Hồ Xá, Xã Vĩnh Chấp, một phần của Xã X (40%)" """
        included = [str(note) for note in self.inherited if note.weight]
        excluded = [str(note) for note in self.inherited if not note.weight]
        parts = []
        if included:
            parts.append("gồm số liệu của " + ", ".join(included))
        if excluded:
            parts.append("; ".join(excluded))
        return "; ".join(parts)

    @property
    def source_text(self) -> str:
        """Where the figures come from, said (never silently mixed)."""
        if self.sources == {"records"}:
            return "từ hồ sơ"
        if self.sources == {"records", "entered"}:
            return "từ hồ sơ và số liệu nhập"
        if self.sources == {"entered"}:
            return "số liệu nhập"
        return ""

    @property
    def display_name(self) -> str:
        """With the unit's type: "Huyện Vĩnh Linh" and "Xã Vĩnh Linh" are different units."""
        kind = NAME_PREFIX.get(self.kind, "")
        return f"{kind} {self.name}".strip()

    @property
    def received(self) -> int:
        return received(self.counts)

    @property
    def resolved(self) -> int:
        return resolved(self.counts)

    @property
    def pending(self) -> int:
        return pending(self.counts)

    @cached_property
    def percentages(self) -> dict[str, Decimal | None]:
        return {indicator.name: indicator.value(self.counts) for indicator in INDICATORS}

    def as_json(self) -> dict[str, Any]:
        return {
            "unit_code": self.code,
            "unit_name": self.name,
            "includes": self.inherited_text,
            "sources": sorted(self.sources),
            **self.counts,
            "received": self.received,
            "resolved": self.resolved,
            "pending": self.pending,
            **{
                name: float(value) if value is not None else None
                for name, value in self.percentages.items()
            },
        }


@dataclass
class Report:
    unit: Unit
    start: Period
    end: Period
    total: ReportRow
    levels: list[ReportRow]
    children: list[ReportRow]
    all_units: list[ReportRow] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The page's figures: the unit, the breakdown by level, every unit under it."""
        return {
            "unit_code": self.unit.code,
            "unit_name": str(self.unit),
            "from": str(self.start),
            "to": str(self.end),
            "total": self.total.as_json(),
            "levels": [{"level": row.name, **row.as_json()} for row in self.levels],
            "units": [row.as_json() for row in self.all_units],
        }

    def chart(self) -> tuple[int, list[tuple[ReportRow, Decimal]]]:
        """The on-time bars: where the axis starts (a round 10 below the lowest rate, so that
        96% and 99% do not look alike; the axis is labelled) and each row's bar width in %."""
        rates = [row.percentages["ty_le_dung_han"] for row in self.children]
        known = [rate for rate in rates if rate is not None]
        floor = int(min(known) // 10 * 10) if known else 0
        span = Decimal(100 - floor) if floor < 100 else Decimal(1)
        bars = [
            (
                row,
                ((rate - floor) * 100 / span).quantize(Decimal("0.1"))
                if rate is not None
                else Decimal(0),
            )
            for row, rate in zip(self.children, rates, strict=True)
        ]
        return floor, bars


@dataclass(frozen=True)
class _UnitInfo:
    pk: int
    code: str
    name: str
    kind: str
    path: str
    depth: int
    valid_to: datetime.date | None


def build_report(unit: Unit, start: Period, end: Period) -> Report:
    """The report of ``unit`` and every unit under it for the periods from ``start`` to ``end``.

    A unit made by a reorganisation includes its predecessors' figures: whole, or, for a
    unit divided between several successors, as the reorganisation's rule says (all to the
    main successor by default, or each successor's share). No figure is counted twice: a
    predecessor lying inside another one already included is not added again."""
    subtree = _units(Q(path__startswith=unit.path))
    inherited = inheritances(set(subtree))
    wanted = {i.predecessor_id for links in inherited.values() for i in links}
    outside = wanted - set(subtree)
    extra = _units(_paths_condition(_paths_of(outside))) if outside else {}
    everything = {**subtree, **extra}
    roots = [unit.path, *(everything[pk].path for pk in _outermost(outside, everything))]
    own, own_sources = _own_figures(everything, roots, start, end)

    # Each unit's own subtree total: its figures added to it and every ancestor in the set.
    subtree_totals: dict[int, dict[str, int]] = defaultdict(empty_counts)
    for pk, counts in own.items():
        for holder in path_pks(everything[pk].path):
            if holder in everything:
                add_into(subtree_totals[holder], counts)

    # Where each unit's figures (its own and those under it) come from.
    sources: dict[int, set[str]] = defaultdict(set)
    for pk, kinds in own_sources.items():
        for holder in path_pks(everything[pk].path):
            if holder in everything:
                sources[holder] |= kinds

    rolled = {
        pk: dict(subtree_totals[pk]) if pk in subtree_totals else empty_counts() for pk in subtree
    }
    # What each unit takes of predecessors lying outside its own subtree, summed over the
    # successors inside it (two successors may each take a part of one divided unit).
    taken: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for successor, links in inherited.items():
        chain = [pk for pk in path_pks(subtree[successor].path) if pk in subtree]
        for link in links:
            predecessor = everything.get(link.predecessor_id)
            if predecessor is None or not link.weight:
                continue
            for holder in chain:
                if not predecessor.path.startswith(subtree[holder].path):
                    share = taken[holder].get(link.predecessor_id, Decimal(0)) + link.weight
                    taken[holder][link.predecessor_id] = min(share, Decimal(1))
    for holder, parts in taken.items():
        for outermost in _outermost(set(parts), everything):
            if outermost in subtree_totals:
                add_weighted(rolled[holder], subtree_totals[outermost], parts[outermost])

    def row(pk: int) -> ReportRow:
        info = subtree[pk]
        return ReportRow(
            info.code,
            info.name,
            info.kind,
            rolled[pk],
            info.depth - unit.depth,
            has_figures=pk in own,
            sources=frozenset(sources.get(pk, set())),
            inherited=_inherited_notes(inherited.get(pk, []), everything, taken.get(pk, {})),
            pk=pk,
        )

    levels = []
    for _key, label, kinds in LEVELS:
        counts = empty_counts()
        members = [pk for pk in subtree if subtree[pk].kind in kinds and pk in own]
        for pk in members:
            add_into(counts, own[pk])
        if members:
            levels.append(ReportRow("", label, "", counts))
    # In the tree's order, brothers by their codes.
    ordered = sorted(
        subtree,
        key=lambda pk: tuple(
            subtree[step].code for step in path_pks(subtree[pk].path) if step in subtree
        ),
    )
    active = [pk for pk in ordered if rolled[pk] != empty_counts() or pk == unit.pk]
    children = [row(pk) for pk in active if subtree[pk].depth == unit.depth + 1]
    return Report(unit, start, end, row(unit.pk), levels, children, [row(pk) for pk in active])


def add_weighted(total: dict[str, int], counts: dict[str, int], weight: Decimal) -> None:
    """Add a share of counts (a whole number of dossiers each, rounded half up)."""
    if weight == 1:
        add_into(total, counts)
        return
    for name in COUNT_NAMES:
        total[name] += int((Decimal(counts[name]) * weight).quantize(Decimal(1), ROUND_HALF_UP))


@dataclass(frozen=True)
class InheritedNote:
    """A predecessor whose figures a unit's figures include (or, divided, do not)."""

    label: str
    weight: Decimal
    divided: bool

    def __str__(self) -> str:
        if not self.divided or self.weight == 1:
            return self.label
        if not self.weight:
            return f"{self.label} (không gồm: tính cho đơn vị nhận phần chính)"
        return f"một phần của {self.label} ({format_share(self.weight)})"


def format_share(weight: Decimal) -> str:
    percent = (weight * 100).quantize(Decimal("0.01"), ROUND_HALF_UP).normalize()
    return f"{format(percent, 'f').replace('.', ',')}%"


def _inherited_notes(
    links: list[Inheritance], everything: dict[int, _UnitInfo], taken: dict[int, Decimal]
) -> list[InheritedNote]:
    notes = []
    for link in links:
        info = everything.get(link.predecessor_id)
        if info is None:
            continue
        label = f"{NAME_PREFIX.get(info.kind, '')} {info.name}".strip()
        notes.append(InheritedNote(label, link.weight, link.divided))
    return sorted(notes, key=lambda note: note.label)


def _units(condition: Q) -> dict[int, _UnitInfo]:
    return {
        values[0]: _UnitInfo(*values)
        for values in Unit.objects.filter(condition).values_list(
            "pk", "code", "name", "kind", "path", "depth", "valid_to"
        )
    }


def _paths_of(pks: Iterable[int]) -> list[str]:
    return list(Unit.objects.filter(pk__in=list(pks)).values_list("path", flat=True))


def _paths_condition(paths: Iterable[str], field: str = "path") -> Q:
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{field}__startswith": path})
    return condition


def _outermost(pks: set[int], infos: dict[int, _UnitInfo]) -> list[int]:
    """Drop units that lie inside another of the set, so no figures are counted twice."""
    paths = {pk: infos[pk].path for pk in pks if pk in infos}
    return [
        pk
        for pk, path in paths.items()
        if not any(other != pk and path.startswith(paths[other]) for other in paths)
    ]


def _own_figures(
    units: dict[int, _UnitInfo], roots: list[str], start: Period, end: Period
) -> tuple[dict[int, dict[str, int]], dict[int, set[str]]]:
    """Each unit's own counts in the range, and where they come from ("records",
    "entered"). A unit with dossier records counts them for the days they cover (its
    ``RecordedUnit`` span); its entered totals are used only for periods outside it, so that
    the two never cover the same days. Entered totals are taken from the finest kind of
    period the unit has in the range."""
    first, last = start.start, end.end
    recorded = {
        span.unit_id: span
        for span in RecordedUnit.objects.filter(_paths_condition(roots, "unit__path"))
        if span.unit_id in units and span.covers(first, last)
    }
    sums = {name: Sum(name) for name in COUNT_NAMES}
    rows: Any = (
        DossierStatistics.objects.filter(period_start__gte=first, period_end__lte=last)
        .filter(_paths_condition(roots, "unit__path"))
        .values("unit_id", "period_kind", "period_start", "period_end")
        .annotate(**sums)
    )
    by_unit: dict[int, dict[str, dict[str, int]]] = defaultdict(dict)
    for values in rows:
        pk = values["unit_id"]
        if pk not in units or (
            pk in recorded and recorded[pk].covers(values["period_start"], values["period_end"])
        ):
            continue
        counts = by_unit[pk].setdefault(values["period_kind"], empty_counts())
        add_into(counts, {name: values[name] or 0 for name in COUNT_NAMES})
    own: dict[int, dict[str, int]] = {}
    sources: dict[int, set[str]] = defaultdict(set)
    for pk, kinds in by_unit.items():
        finest = next(kind for kind in FINEST_FIRST if kind.value in kinds)
        own[pk] = kinds[finest.value]
        sources[pk].add("entered")
    # Records: one grouped query per span within the range (most units share the range's).
    spans: dict[tuple[datetime.date, datetime.date], list[int]] = defaultdict(list)
    for pk, span in recorded.items():
        spans[(max(first, span.since), min(last, span.until))].append(pk)
    for (day, until), pks in spans.items():
        for pk, counts in record_counts(pks, day, until, COUNT_NAMES).items():
            total = own.setdefault(pk, empty_counts())
            add_into(total, statistics_counts(counts))
            sources[pk].add("records")
    return own, sources


# The inputs of the units read lately, kept by each process under the dossiers token: a
# province's communes, each with a year or two open.
_INPUTS: Kept[tuple[str, int, int], tuple[dict[str, Decimal], dict[str, int]]] = Kept(4096)


def dossier_inputs_for(unit: Unit, year: int) -> tuple[dict[str, Decimal], dict[str, int]]:
    """The criteria inputs a unit's dossier figures give for a year, with the counts behind
    them: kept by the process under the dossiers token, read first, so that a write to any
    figure, record, unit or lineage is seen by the next read on every app server."""
    token = dossiers_token()
    kept = _INPUTS.get((token, unit.pk, year)) if token is not None else None
    if kept is None:
        kept = _read_inputs(unit, year)
        if token is not None:
            _INPUTS.put((token, unit.pk, year), kept)
    return dict(kept[0]), dict(kept[1])  # the caller's own copies


def _read_inputs(unit: Unit, year: int) -> tuple[dict[str, Decimal], dict[str, int]]:
    period = Period.parse(str(year))
    report = build_report(unit, period, period)
    values = dossier_inputs(report.total.counts)
    if "records" in report.total.sources:  # the service index, from the unit's records
        from dossiers.service_index import unit_index

        index = unit_index(unit, period.start, period.end)
        if index is not None and index.score is not None:
            values["chi_so_phuc_vu"] = index.score
            for group in index.groups:
                values[f"chi_so_phuc_vu_nhom_{group.code}"] = group.points
    return values, report.total.counts


def report_xlsx(report: Report) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Hồ sơ TTHC"
    sheet.append(
        [
            f"Báo cáo tình hình giải quyết hồ sơ TTHC — {report.unit} — {report.start.label_vi()} đến {report.end.label_vi()}"
        ]
    )
    sheet.append([])
    headers = [
        "Mã đơn vị",
        "Đơn vị",
        "Tiếp nhận",
        *(f.column for f in COUNT_FIELDS),
        "Đã giải quyết",
        *(indicator.label.capitalize() + " (%)" for indicator in INDICATORS),
    ]
    sheet.append(headers)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in [report.total, *report.levels, *report.all_units[1:]]:
        sheet.append(
            safe_row(
                [
                    row.code,
                    row.display_name if row.code else row.name,
                    row.received,
                    *(row.counts[name] for name in COUNT_NAMES),
                    row.resolved,
                    *(float(v) if v is not None else None for v in row.percentages.values()),
                ]
            )
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
