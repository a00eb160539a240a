"""The service index (Chỉ số phục vụ người dân, doanh nghiệp trong thực hiện TTHC, DVC theo
thời gian thực, Quyết định 766/QĐ-TTg of 23/6/2022), computed from a unit's dossier records.

Five groups, 100 points: công khai, minh bạch 18; tiến độ, kết quả giải quyết 20; số hóa hồ
sơ 22; cung cấp dịch vụ công trực tuyến 22; mức độ hài lòng 18. Each indicator is a ratio
of two record counts, in percent; it earns its full points at or above its threshold and
points in proportion below it; a zero denominator makes it not applicable, and the index is
then the points earned out of the points applicable, times 100.

The table is data (``ServiceIndexVersion`` and its indicators), created from
``DEFAULT_TABLE`` the first time it is needed and changed by an administrator when the
government changes it. The group weights are the decision's; the split of each group into
indicators and the thresholds are this product's defaults, from what a one-stop system's
export holds: check them against the national portal's current table.
"""

from __future__ import annotations

import datetime
import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q

from cchc.models import Unit
from dossiers.models import DossierRecord, PortalFigure, ServiceIndexIndicator, ServiceIndexVersion
from dossiers.record_counts import RECORD_COUNTS, record_counts, taking_part

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
DEFAULT_SINCE = datetime.date(2022, 6, 23)
DEFAULT_NAME = "Bộ chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg)"
GROUPS = {
    "1": ("Công khai, minh bạch", Decimal(18)),
    "2": ("Tiến độ, kết quả giải quyết", Decimal(20)),
    "3": ("Số hóa hồ sơ", Decimal(22)),
    "4": ("Cung cấp dịch vụ công trực tuyến", Decimal(22)),
    "5": ("Mức độ hài lòng", Decimal(18)),
}
# group, code, indicator, numerator, denominator, points, threshold (%)
DEFAULT_TABLE: list[tuple[str, str, str, str, str, int, int]] = [
    (
        "1",
        "1.1",
        "Tỷ lệ hồ sơ có ghi nhận ngày trả kết quả cho người dân",
        "result_returned",
        "resolved",
        9,
        100,
    ),
    ("1", "1.2", "Tỷ lệ hồ sơ được người dân đánh giá", "rated", "resolved", 9, 50),
    (
        "2",
        "2.1",
        "Tỷ lệ hồ sơ giải quyết trước hạn, đúng hạn",
        "resolved_in_time",
        "resolved",
        12,
        100,
    ),
    ("2", "2.2", "Tỷ lệ hồ sơ đang giải quyết còn trong hạn", "pending_in_time", "pending", 4, 100),
    (
        "2",
        "2.3",
        "Tỷ lệ hồ sơ không phải bổ sung quá một lần",
        "at_most_one_supplement",
        "resolved",
        4,
        100,
    ),
    ("3", "3.1", "Tỷ lệ hồ sơ được số hóa", "digitised", "new_received", 11, 80),
    ("3", "3.2", "Tỷ lệ hồ sơ có kết quả điện tử", "electronic_results", "resolved", 11, 80),
    ("4", "4.1", "Tỷ lệ hồ sơ nộp trực tuyến", "online", "new_received", 8, 80),
    ("4", "4.2", "Tỷ lệ hồ sơ trực tuyến toàn trình", "online_full", "new_received", 8, 50),
    ("4", "4.3", "Tỷ lệ hồ sơ thanh toán trực tuyến", "paid_online", "new_received", 6, 50),
    ("5", "5.1", "Tỷ lệ hồ sơ người dân hài lòng", "satisfied", "rated", 18, 100),
]


def ensure_default_table() -> None:
    """Create the default version when the table is empty (a new database)."""
    if ServiceIndexVersion.objects.exists():
        return
    with transaction.atomic():
        version, created = ServiceIndexVersion.objects.get_or_create(
            valid_from=DEFAULT_SINCE,
            defaults={
                "name": DEFAULT_NAME,
                "source": "Quyết định 766/QĐ-TTg ngày 23/6/2022 của Thủ tướng Chính phủ",
                "notes": "Trọng số nhóm theo Quyết định; cách chia chỉ tiêu và ngưỡng là mặc định "
                "của phần mềm, đối chiếu với bảng hiện hành của Cổng DVC quốc gia.",
            },
        )
        if created:
            ServiceIndexIndicator.objects.bulk_create(
                ServiceIndexIndicator(
                    version=version,
                    group_code=group,
                    group_name=GROUPS[group][0],
                    code=code,
                    name=name,
                    numerator=numerator,
                    denominator=denominator,
                    points=Decimal(points),
                    threshold=Decimal(threshold),
                    sort=position,
                )
                for position, (
                    group,
                    code,
                    name,
                    numerator,
                    denominator,
                    points,
                    threshold,
                ) in enumerate(DEFAULT_TABLE)
            )


def version_on(day: datetime.date) -> ServiceIndexVersion | None:
    """The table in force on ``day``, with its indicators loaded."""
    ensure_default_table()
    version = (
        ServiceIndexVersion.objects.filter(valid_from__lte=day)
        .order_by("-valid_from")
        .prefetch_related("indicators")
        .first()
    )
    if version is None:  # a period before every version: the earliest one
        version = (
            ServiceIndexVersion.objects.order_by("valid_from")
            .prefetch_related("indicators")
            .first()
        )
    return version


@dataclass(frozen=True)
class IndicatorScore:
    code: str
    name: str
    numerator: str
    denominator: str
    numerator_count: int
    denominator_count: int
    threshold: Decimal
    max_points: Decimal
    ratio: Decimal | None  # percent; None: not applicable
    points: Decimal | None

    @property
    def applicable(self) -> bool:
        return self.ratio is not None

    @property
    def numerator_label(self) -> str:
        return str(RECORD_COUNTS[self.numerator].label)

    @property
    def denominator_label(self) -> str:
        return str(RECORD_COUNTS[self.denominator].label)


@dataclass
class GroupScore:
    code: str
    name: str
    indicators: list[IndicatorScore] = field(default_factory=list)

    @property
    def max_points(self) -> Decimal:
        return sum((i.max_points for i in self.indicators), Decimal(0))

    @property
    def applicable_points(self) -> Decimal:
        return sum((i.max_points for i in self.indicators if i.applicable), Decimal(0))

    @property
    def points(self) -> Decimal:
        return sum((i.points or Decimal(0) for i in self.indicators), Decimal(0))


@dataclass
class ServiceIndex:
    version: ServiceIndexVersion
    counts: dict[str, int]
    groups: list[GroupScore]

    @property
    def points(self) -> Decimal:
        return sum((group.points for group in self.groups), Decimal(0))

    @property
    def applicable_points(self) -> Decimal:
        return sum((group.applicable_points for group in self.groups), Decimal(0))

    @property
    def score(self) -> Decimal | None:
        """Out of 100: the points earned of the points applicable."""
        if not self.applicable_points:
            return None
        return (self.points * HUNDRED / self.applicable_points).quantize(CENT, ROUND_HALF_UP)

    def as_json(self) -> dict[str, Any]:
        return {
            "version": str(self.version),
            "score": _number(self.score),
            "points": _number(self.points),
            "applicable_points": _number(self.applicable_points),
            "counts": self.counts,
            "groups": [
                {
                    "code": group.code,
                    "name": group.name,
                    "max_points": _number(group.max_points),
                    "points": _number(group.points),
                    "indicators": [
                        {
                            "code": i.code,
                            "name": i.name,
                            "numerator": i.numerator,
                            "denominator": i.denominator,
                            "numerator_count": i.numerator_count,
                            "denominator_count": i.denominator_count,
                            "ratio": _number(i.ratio),
                            "threshold": _number(i.threshold),
                            "max_points": _number(i.max_points),
                            "points": _number(i.points),
                        }
                        for i in group.indicators
                    ],
                }
                for group in self.groups
            ],
        }


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def score_indicators(version: ServiceIndexVersion, counts: dict[str, int]) -> ServiceIndex:
    """The index of a version's table for these counts."""
    groups: dict[str, GroupScore] = {}
    for indicator in version.indicators.all():
        group = groups.setdefault(
            indicator.group_code, GroupScore(indicator.group_code, indicator.group_name)
        )
        top, bottom = counts.get(indicator.numerator, 0), counts.get(indicator.denominator, 0)
        ratio = points = None
        if bottom:
            ratio = (Decimal(top) * HUNDRED / Decimal(bottom)).quantize(CENT, ROUND_HALF_UP)
            share = min(Decimal(1), Decimal(top) * HUNDRED / Decimal(bottom) / indicator.threshold)
            points = (indicator.points * share).quantize(CENT, ROUND_HALF_UP)
        group.indicators.append(
            IndicatorScore(
                indicator.code,
                indicator.name,
                indicator.numerator,
                indicator.denominator,
                top,
                bottom,
                indicator.threshold,
                indicator.points,
                ratio,
                points,
            )
        )
    return ServiceIndex(version, counts, sorted(groups.values(), key=lambda group: group.code))


def needed_counts(versions: list[ServiceIndexVersion]) -> list[str]:
    """The counts the indicators of these versions divide (the others need not be counted)."""
    names = {
        name
        for version in versions
        for indicator in version.indicators.all()
        for name in (indicator.numerator, indicator.denominator)
    }
    return [name for name in RECORD_COUNTS if name in names]


def subtree_counts(
    unit: Unit, start: datetime.date, end: datetime.date, names: list[str] | None = None
) -> dict[str, int]:
    """The record counts (all, or ``names``) of the unit and the units under it, in one query."""
    annotations = {
        name: Count("pk", filter=RECORD_COUNTS[name].condition(start, end))
        for name in (names or RECORD_COUNTS)
    }
    totals = DossierRecord.objects.filter(
        taking_part(start, end), unit__path__startswith=unit.path
    ).aggregate(**annotations)
    return {name: value or 0 for name, value in totals.items()}


def unit_index(unit: Unit, start: datetime.date, end: datetime.date) -> ServiceIndex | None:
    version = version_on(start)
    if version is None:
        return None
    return score_indicators(version, subtree_counts(unit, start, end))


def _subtree_per_unit(
    unit: Unit, start: datetime.date, end: datetime.date, names: list[str] | None = None
) -> tuple[dict[int, dict[str, int]], dict[int, str]]:
    """The counts of each unit in the subtree (one grouped query), with the units' paths."""
    subtree = Unit.objects.filter(path__startswith=unit.path)
    paths = dict(subtree.values_list("pk", "path"))
    return record_counts(subtree.values("pk"), start, end, names), paths


def _summed(counts: list[dict[str, int]], names: list[str] | None = None) -> dict[str, int]:
    total = dict.fromkeys(names or RECORD_COUNTS, 0)
    for one in counts:
        for name, value in one.items():
            total[name] += value
    return total


def children_ranked(
    unit: Unit,
    start: datetime.date,
    end: datetime.date,
    version: ServiceIndexVersion | None = None,
    per_unit: tuple[dict[int, dict[str, int]], dict[int, str]] | None = None,
) -> list[tuple[Unit, ServiceIndex]]:
    """The units directly under ``unit`` (in force during the days) with records, ranked by
    their index, highest first: one grouped query for all the units below."""
    version = version or version_on(start)
    if version is None:
        return []
    children = {
        child.path: child
        for child in Unit.objects.filter(parent=unit)
        .filter(valid_from__lte=end)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
    }
    if not children:
        return []
    counts, paths = per_unit or _subtree_per_unit(unit, start, end)
    child_length = len(next(iter(children)))
    by_child: dict[str, list[dict[str, int]]] = defaultdict(list)
    for unit_id, one in counts.items():
        child_path = paths[unit_id][:child_length]
        if child_path in children:
            by_child[child_path].append(one)
    ranked = [
        (children[path], score_indicators(version, _summed(several)))
        for path, several in by_child.items()
    ]
    ranked.sort(key=lambda pair: (-(pair[1].score or Decimal(-1)), pair[0].code))
    return ranked


def portal_figure(unit: Unit, period: str) -> PortalFigure | None:
    return PortalFigure.objects.filter(unit=unit, period=period).first()


def _versions() -> list[ServiceIndexVersion]:
    ensure_default_table()
    return list(ServiceIndexVersion.objects.order_by("valid_from").prefetch_related("indicators"))


def _version_for(versions: list[ServiceIndexVersion], day: datetime.date) -> ServiceIndexVersion:
    chosen = versions[0]
    for version in versions:
        if version.valid_from <= day:
            chosen = version
    return chosen


def months_between(
    start: datetime.date, end: datetime.date
) -> list[tuple[datetime.date, datetime.date]]:
    """Each month from the one of ``start`` to the one of ``end``, as (first day, last day)."""
    months = []
    day = start.replace(day=1)
    while day <= end:
        following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        months.append((day, following - datetime.timedelta(days=1)))
        day = following
    return months


@dataclass
class IndexReport:
    """Everything the index page, its files and the command show, built once."""

    unit: Unit
    start: Any  # Period
    end: Any  # Period
    index: ServiceIndex
    trend: list[tuple[datetime.date, ServiceIndex]]
    children: list[tuple[Unit, ServiceIndex]]
    portal: PortalFigure | None

    @property
    def difference(self) -> Decimal | None:
        if self.portal is None or self.index.score is None:
            return None
        return self.index.score - self.portal.score

    def as_json(self) -> dict[str, Any]:
        return {
            "unit_code": self.unit.code,
            "unit_name": str(self.unit),
            "from": str(self.start),
            "to": str(self.end),
            **self.index.as_json(),
            "portal_score": _number(self.portal.score) if self.portal else None,
            "difference": _number(self.difference),
            "trend": [
                {"month": f"{month:%Y-%m}", "score": _number(index.score)}
                for month, index in self.trend
            ],
            "units": [
                {
                    "rank": position,
                    "unit_code": child.code,
                    "unit_name": str(child),
                    "score": _number(index.score),
                    "groups": {group.code: _number(group.points) for group in index.groups},
                }
                for position, (child, index) in enumerate(self.children, start=1)
            ],
        }


MAX_TREND_MONTHS = 36


def index_report(unit: Unit, start: Any, end: Any) -> IndexReport:
    """The index of ``unit`` for the periods ``start`` to ``end``, its trend by month and the
    units directly under it ranked; a bounded number of queries whatever the units below."""
    versions = _versions()
    first, last = start.start, end.end
    version = _version_for(versions, first)
    names = needed_counts(versions)
    per_unit = _subtree_per_unit(unit, first, last, names)
    index = score_indicators(version, _summed(list(per_unit[0].values()), names))
    # The months: one query each over the subtree's records of that month (faster than one
    # query counting every month at once, which evaluates every month's conditions per row).
    trend = [
        (
            month_start,
            score_indicators(
                _version_for(versions, month_start),
                subtree_counts(unit, month_start, month_end, names),
            ),
        )
        for month_start, month_end in months_between(first, last)[-MAX_TREND_MONTHS:]
    ]
    period = str(start) if start == end else ""
    return IndexReport(
        unit,
        start,
        end,
        index,
        trend,
        children_ranked(unit, first, last, version, per_unit),
        portal_figure(unit, period) if period else None,
    )


def index_xlsx(report: IndexReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from cchc.spreadsheets import safe_row

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Chỉ số phục vụ"
    sheet.append(
        [
            f"Chỉ số phục vụ người dân, doanh nghiệp — {report.unit} — {report.start.label_vi()} đến {report.end.label_vi()}"
        ]
    )
    sheet.append(["Điểm (trên 100)", _number(report.index.score)])
    if report.portal is not None:
        sheet.append(["Cổng DVC quốc gia công bố", _number(report.portal.score)])
        sheet.append(["Chênh lệch", _number(report.difference)])
    sheet.append([])
    header = [
        "Nhóm",
        "Mã",
        "Chỉ tiêu",
        "Tử số",
        "Mẫu số",
        "Tỷ lệ (%)",
        "Ngưỡng (%)",
        "Điểm tối đa",
        "Điểm đạt",
    ]
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for group in report.index.groups:
        for indicator in group.indicators:
            sheet.append(
                safe_row(
                    [
                        group.name,
                        indicator.code,
                        indicator.name,
                        indicator.numerator_count,
                        indicator.denominator_count,
                        _number(indicator.ratio),
                        _number(indicator.threshold),
                        _number(indicator.max_points),
                        _number(indicator.points),
                    ]
                )
            )
    if report.children:
        units = workbook.create_sheet("Đơn vị")
        units.append(
            ["Hạng", "Mã đơn vị", "Đơn vị", "Điểm", *(group.name for group in report.index.groups)]
        )
        for position, (child, index) in enumerate(report.children, start=1):
            groups = {group.code: group.points for group in index.groups}
            units.append(
                safe_row(
                    [position, child.code, str(child), _number(index.score)]
                    + [_number(groups.get(group.code)) for group in report.index.groups]
                )
            )
    trend = workbook.create_sheet("Theo tháng")
    trend.append(["Tháng", "Điểm"])
    for month, index in report.trend:
        trend.append([f"{month:%m/%Y}", _number(index.score)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
