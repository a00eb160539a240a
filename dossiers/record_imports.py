"""Importing dossier records: one row per dossier, from a one-stop system's export.

A file is read twice, streamed both times: the first pass checks every row and lists every
bad one (nothing is written); the second computes each dossier's due day and outcome by
the working-day rules and writes the rows in batches in one transaction: all or nothing. A
dossier already imported (same code) is updated, its changes kept in its history.

The columns are named by a mapping (``RecordMapping``): the built-in one follows the layout
below (``DEFAULT_COLUMNS``), and a mapping saved per source system names its own headers
and the words it uses for channels, states and ratings.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from cchc.models import FOREVER, Unit, User
from cchc.spreadsheets import (
    ImportRefused,
    ReadLimits,
    RowError,
    cell_decimal,
    cell_text,
    open_table,
)
from dossiers.deadlines import OutsideCalendar, WorkCalendar, judge, work_calendar
from dossiers.models import (
    ENTRY_ROLES,
    DossierRecord,
    DossierRecordChange,
    DossierStatistics,
    RecordedUnit,
    RecordMapping,
)

LOCAL = datetime.timezone(datetime.timedelta(hours=7))  # Vietnam: no daylight saving
BATCH = 2000
MAX_LISTED = 1000  # errors kept in full on the page; the job's error file has them all

# field: (header of the built-in layout, required)
DEFAULT_COLUMNS: dict[str, tuple[str, bool]] = {
    "code": ("Mã hồ sơ", True),
    "unit": ("Mã đơn vị", True),
    "procedure_code": ("Mã thủ tục", False),
    "procedure_name": ("Tên thủ tục", False),
    "received_at": ("Ngày tiếp nhận", True),
    "due_at": ("Ngày hẹn trả", False),
    "legal_days": ("Thời hạn giải quyết (ngày làm việc)", False),
    "closed_at": ("Ngày có kết quả", False),
    "returned_at": ("Ngày trả kết quả", False),
    "channel": ("Hình thức nộp", False),
    "paid_online": ("Thanh toán trực tuyến", False),
    "electronic_result": ("Kết quả điện tử", False),
    "digitised": ("Số hóa", False),
    "supplement_count": ("Số lần yêu cầu bổ sung", False),
    "pauses": ("Thời gian tạm dừng", False),
    "state": ("Trạng thái", True),
    "rating": ("Đánh giá của người dân", False),
}
REQUIRED = [name for name, (_header, required) in DEFAULT_COLUMNS.items() if required]

DEFAULT_VALUES: dict[str, Any] = {
    "channel": {
        "": "direct",
        "trực tiếp": "direct",
        "tại bộ phận một cửa": "direct",
        "một cửa": "direct",
        "trực tuyến toàn trình": "online_full",
        "toàn trình": "online_full",
        "mức độ 4": "online_full",
        "trực tuyến một phần": "online_partial",
        "một phần": "online_partial",
        "mức độ 3": "online_partial",
        "bưu chính công ích": "postal",
        "bưu chính": "postal",
        "bccI": "postal",
    },
    "state": {
        "đang giải quyết": "in_progress",
        "đang xử lý": "in_progress",
        "chờ bổ sung": "in_progress",
        "tạm dừng": "in_progress",
        "đã giải quyết": "done",
        "đã có kết quả": "done",
        "đã trả kết quả": "done",
        "hoàn thành": "done",
        "trả lại/rút hồ sơ": "returned",
        "trả lại": "returned",
        "rút hồ sơ": "returned",
        "công dân rút hồ sơ": "returned",
        "từ chối": "refused",
        "từ chối giải quyết": "refused",
    },
    "rating": {
        "rất hài lòng": 5,
        "hài lòng": 4,
        "bình thường": 3,
        "chấp nhận được": 3,
        "không hài lòng": 2,
        "rất không hài lòng": 1,
    },
    "yes": ["có", "x", "1", "true", "đúng", "yes", "đã", "rồi"],
    "no": ["", "không", "0", "false", "sai", "no", "chưa"],
}
# The fields a re-import compares (and the history keeps); the rest is derived from them.
SOURCE_FIELDS = [
    "unit_id",
    "procedure_code",
    "procedure_name",
    "received_at",
    "due_at",
    "legal_days",
    "closed_at",
    "returned_at",
    "channel",
    "paid_online",
    "electronic_result",
    "digitised",
    "supplement_count",
    "pauses",
    "state",
    "rating",
]
DERIVED_FIELDS = ["received_on", "due_on", "closed_on", "outcome", "overrun_days"]


def word(text: str) -> str:
    """A value as mappings compare it: NFC, lower case, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).lower().split())


@dataclass
class Mapping:
    """Headers by field, and the words of a source system."""

    name: str
    columns: dict[str, str]
    channel: dict[str, str]
    state: dict[str, str]
    rating: dict[str, int]
    yes: set[str]
    no: set[str]

    @classmethod
    def named(cls, name: str | None) -> Mapping:
        """The built-in layout (no name, or "mac-dinh"), or a saved mapping by name."""
        columns = {name: header for name, (header, _required) in DEFAULT_COLUMNS.items()}
        values: dict[str, Any] = {key: value for key, value in DEFAULT_VALUES.items()}
        label = "mac-dinh"
        if name and name != "mac-dinh":
            saved = RecordMapping.objects.filter(name=name).first()
            if saved is None:
                known = ", ".join(
                    ["mac-dinh", *RecordMapping.objects.values_list("name", flat=True)]
                )
                raise ImportRefused(
                    [
                        RowError(
                            0,
                            "",
                            _("There is no mapping “%(name)s” (known: %(known)s).")
                            % {"name": name, "known": known},
                        )
                    ]
                )
            columns.update(
                {key: str(header) for key, header in saved.columns.items() if key in columns}
            )
            for key in ("channel", "state", "rating"):
                values[key] = {**values[key], **saved.values.get(key, {})}
            for key in ("yes", "no"):
                values[key] = [*values[key], *saved.values.get(key, [])]
            label = saved.name
        return cls(
            label,
            columns,
            {word(k): v for k, v in values["channel"].items()},
            {word(k): v for k, v in values["state"].items()},
            {word(k): int(v) for k, v in values["rating"].items()},
            {word(v) for v in values["yes"]},
            {word(v) for v in values["no"]},
        )


@dataclass
class RecordSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    replaced_statistics: list[str] = field(default_factory=list)

    def message(self) -> str:
        text = _(
            "Imported dossiers: %(created)s new, %(updated)s changed, %(unchanged)s unchanged."
        ) % {
            "created": f"{self.created:,}".replace(",", "."),
            "updated": f"{self.updated:,}".replace(",", "."),
            "unchanged": f"{self.unchanged:,}".replace(",", "."),
        }
        if self.replaced_statistics:
            text += " " + _("Entered figures replaced by the records: %(list)s.") % {
                "list": ", ".join(self.replaced_statistics)
            }
        return text


# Parsing cells ---------------------------------------------------------------------------------

_DATE_TIME = re.compile(
    r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T,]+(\d{1,2})[:hg](\d{2})(?::(\d{2}))?)?$"
)


def parse_moment(value: Any) -> datetime.datetime | None:
    """A cell as a moment in Vietnam's time: a spreadsheet date, "dd/mm/yyyy[ HH:MM[:SS]]"
    or ISO "yyyy-mm-dd[THH:MM[:SS]]"; None for a blank cell; ValueError otherwise."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=LOCAL) if value.tzinfo is None else value.astimezone(LOCAL)
    if isinstance(value, datetime.date):
        return datetime.datetime(value.year, value.month, value.day, tzinfo=LOCAL)
    text = cell_text(value)
    if not text:
        return None
    match = _DATE_TIME.match(text)
    if match:
        day, month, year, hour, minute, second = match.groups()
        return datetime.datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            tzinfo=LOCAL,
        )
    moment = datetime.datetime.fromisoformat(text)
    return moment.replace(tzinfo=LOCAL) if moment.tzinfo is None else moment.astimezone(LOCAL)


def _local_day(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(LOCAL).date()


def parse_pauses(text: str) -> list[tuple[datetime.datetime, datetime.datetime | None]]:
    """ "05/03/2024 - 08/03/2024; 12/03/2024 -" (an open pause has no end)."""
    pauses = []
    for part in text.replace("\n", ";").split(";"):
        if not part.strip():
            continue
        pieces = re.split(r"\s+-\s+|\s*–\s*|\s+đến\s+|-\s*$", part.strip())
        start = parse_moment(pieces[0].strip())
        end = parse_moment(pieces[1].strip()) if len(pieces) > 1 and pieces[1].strip() else None
        if start is None:
            raise ValueError(part)
        pauses.append((start, end))
    return pauses


@dataclass
class ParsedRecord:
    row: int
    code: str
    unit_id: int
    values: dict[str, Any]


class _RowReader:
    """Turns one row into a record's values, or the row's errors."""

    def __init__(self, mapping: Mapping, user: User, calendar: WorkCalendar) -> None:
        self.mapping = mapping
        self.calendar = calendar
        self.allowed_paths = None if user.is_superuser else user.role_paths(set(ENTRY_ROLES))
        self.units: dict[str, list[tuple[datetime.date, datetime.date, int, str]]] = defaultdict(
            list
        )
        for pk, code, valid_from, valid_to, path in Unit.objects.values_list(
            "pk", "code", "valid_from", "valid_to", "path"
        ).order_by("valid_from"):
            self.units[code].append((valid_from, valid_to or FOREVER, pk, path))

    def unit_on(self, code: str, day: datetime.date) -> tuple[int | None, str]:
        spans = self.units.get(code)
        if not spans:
            return None, _("there is no unit with code %(code)s") % {"code": code}
        for valid_from, valid_to, pk, path in spans:
            if valid_from <= day <= valid_to:
                if self.allowed_paths is not None and not any(
                    path.startswith(allowed) for allowed in self.allowed_paths
                ):
                    return None, _("you may not import dossiers of this unit")
                return pk, ""
        return None, _("no unit had the code %(code)s on %(day)s") % {
            "code": code,
            "day": day.strftime("%d/%m/%Y"),
        }

    def read(
        self, number: int, cells: dict[str, Any], errors: list[RowError]
    ) -> ParsedRecord | None:
        columns = self.mapping.columns
        code = cell_text(cells.get(columns["code"]))
        unit_code = cell_text(cells.get(columns["unit"]))
        before = len(errors)

        def bad(name: str, message: str, value: Any = None) -> None:
            errors.append(
                RowError(number, columns.get(name, name), message, cell_text(value), unit=unit_code)
            )

        def moment(name: str) -> datetime.datetime | None:
            value = cells.get(columns[name])
            try:
                return parse_moment(value)
            except (ValueError, OverflowError):
                bad(
                    name,
                    _("“%(value)s” is not a date (dd/mm/yyyy hh:mm)") % {"value": cell_text(value)},
                    value,
                )
                return None

        def flag(name: str) -> bool:
            text = word(cell_text(cells.get(columns[name])))
            if text in self.mapping.yes:
                return True
            if text not in self.mapping.no:
                bad(name, _("“%(value)s” is not yes or no (có / không)") % {"value": text}, text)
            return False

        def choice(name: str, words: dict[str, Any]) -> Any:
            text = word(cell_text(cells.get(columns[name])))
            if text in words:
                return words[text]
            if name == "rating" and text.isdigit() and 1 <= int(text) <= 5:
                return int(text)
            known = ", ".join(sorted(key for key in words if key))
            bad(
                name,
                _("“%(value)s” is not one of: %(known)s") % {"value": text, "known": known},
                text,
            )
            return None

        if not code:
            bad("code", _("the dossier code is missing"))
        received = moment("received_at")
        if received is None and len(errors) == before:
            bad("received_at", _("the day the dossier was received is missing"))
        due = moment("due_at") if "due_at" in columns else None
        closed = moment("closed_at") if "closed_at" in columns else None
        returned = moment("returned_at") if "returned_at" in columns else None
        legal_days = None
        if "legal_days" in columns:
            value = cells.get(columns["legal_days"])
            try:
                legal_days = cell_decimal(value)
            except ValueError:
                bad(
                    "legal_days",
                    _("“%(value)s” is not a number of working days") % {"value": cell_text(value)},
                    value,
                )
            else:
                if legal_days is not None and not 0 <= legal_days <= 3650:
                    bad(
                        "legal_days",
                        _("the time allowed must be between 0 and 3650 working days"),
                        value,
                    )
        if due is None and legal_days is None and received is not None:
            bad(
                "due_at",
                _(
                    "give the due day or the time allowed in working days: without either the dossier cannot be judged"
                ),
            )
        state = choice("state", self.mapping.state)
        channel = choice("channel", self.mapping.channel) if "channel" in columns else "direct"
        rating = None
        if "rating" in columns and cell_text(cells.get(columns["rating"])):
            rating = choice("rating", self.mapping.rating)
        flags = {
            name: flag(name) if name in columns else False
            for name in ("paid_online", "electronic_result", "digitised")
        }
        pauses: list[tuple[datetime.datetime, datetime.datetime | None]] = []
        if "pauses" in columns and cell_text(cells.get(columns["pauses"])):
            text = cell_text(cells.get(columns["pauses"]))
            try:
                pauses = parse_pauses(text)
            except (ValueError, OverflowError):
                bad(
                    "pauses",
                    _("“%(value)s” is not a list of pauses (dd/mm/yyyy - dd/mm/yyyy; …)")
                    % {"value": text},
                    text,
                )
        supplements = len(pauses)
        if "supplement_count" in columns and cell_text(cells.get(columns["supplement_count"])):
            value = cells.get(columns["supplement_count"])
            try:
                number_given = cell_decimal(value)
            except ValueError:
                number_given = None
            if (
                number_given is None
                or number_given != int(number_given)
                or not 0 <= number_given <= 100
            ):
                bad(
                    "supplement_count",
                    _("“%(value)s” is not a number of requests") % {"value": cell_text(value)},
                    value,
                )
            elif int(number_given) < len(pauses):
                bad(
                    "supplement_count",
                    _("fewer requests than the pauses listed (%(pauses)s)")
                    % {"pauses": len(pauses)},
                    value,
                )
            else:
                supplements = int(number_given)
        unit_id = None
        if received is not None and unit_code:
            unit_id, problem = self.unit_on(unit_code, _local_day(received))
            if unit_id is None:
                bad("unit", problem, unit_code)
        elif not unit_code:
            bad("unit", _("the unit code is missing"))
        if state is not None and received is not None:
            if state == "in_progress" and closed is not None:
                bad(
                    "closed_at",
                    _("a dossier in progress has no finishing day; clear it or change the state"),
                    closed,
                )
            if state != "in_progress" and closed is None:
                bad(
                    "closed_at",
                    _("the finishing day is missing for a dossier that is not in progress"),
                )
            if closed is not None and closed < received:
                bad(
                    "closed_at",
                    _("finished before it was received"),
                    cells.get(columns["closed_at"]),
                )
            if due is not None and due < received:
                bad("due_at", _("due before it was received"), cells.get(columns["due_at"]))
            for start, end in pauses:  # compared by day: a pause is often written as days
                if (
                    _local_day(start) < _local_day(received)
                    or (end is not None and end < start)
                    or (
                        closed is not None
                        and end is not None
                        and _local_day(end) > _local_day(closed)
                    )
                ):
                    bad(
                        "pauses",
                        _(
                            "a pause must lie between receiving and finishing, and end after it starts"
                        ),
                        cell_text(cells.get(columns["pauses"])),
                    )
                    break
        if len(errors) > before or received is None or unit_id is None or state is None:
            return None
        received_on = _local_day(received)
        closed_on = _local_day(closed) if closed is not None else None
        try:
            judgement = judge(
                self.calendar,
                received_on=received_on,
                legal_days=legal_days,
                given_due=_local_day(due) if due is not None else None,
                pauses=[(_local_day(s), _local_day(e) if e else None) for s, e in pauses],
                supplement_count=supplements,
                state=state,
                closed_on=closed_on,
            )
        except OutsideCalendar as outside:
            bad(
                "received_at",
                _("the day %(day)s is outside the working calendar (2000–2040)")
                % {"day": outside.args[0]},
            )
            return None
        return ParsedRecord(
            number,
            code,
            unit_id,
            {
                "unit_id": unit_id,
                "procedure_code": cell_text(cells.get(columns.get("procedure_code", "")))[:50],
                "procedure_name": cell_text(cells.get(columns.get("procedure_name", "")))[:500],
                "received_at": received,
                "due_at": due,
                "legal_days": legal_days,
                "closed_at": closed,
                "returned_at": returned,
                "channel": channel,
                **flags,
                "supplement_count": supplements,
                "pauses": [[s.isoformat(), e.isoformat() if e else None] for s, e in pauses],
                "state": state,
                "rating": rating,
                "received_on": received_on,
                "due_on": judgement.due_on,
                "closed_on": closed_on,
                "outcome": judgement.outcome,
                "overrun_days": min(judgement.overrun_days, 32767),
            },
        )


# The import -------------------------------------------------------------------------------------

Progress = Callable[[int, str], None]


def _rows(
    source: Path | IO[bytes], filename: str, limits: ReadLimits
) -> tuple[Any, Iterator[tuple[int, dict[str, Any]]], IO[bytes]]:
    handle: IO[bytes] = source.open("rb") if isinstance(source, Path) else source
    handle.seek(0)
    reader = open_table(handle, filename, limits)
    return reader, iter(reader), handle


def _fraction(handle: IO[bytes], size: int) -> float:
    try:
        return min(1.0, handle.tell() / size) if size else 0.0
    except (OSError, ValueError):
        return 0.0


def import_records(
    source: Path | IO[bytes],
    filename: str,
    user: User,
    mapping_name: str | None = None,
    replace_entered: bool = False,
    progress: Progress | None = None,
    limits: ReadLimits | None = None,
) -> RecordSummary:
    """Check then write a file of dossier records; all or nothing (``ImportRefused`` lists
    every bad row). ``replace_entered``: delete the unit's typed or imported totals of the
    periods its records now cover, instead of refusing the file."""
    report = progress or (lambda percent, message: None)
    limits = limits or ReadLimits.named("dossier_records")
    mapping = Mapping.named(mapping_name)
    calendar = work_calendar()
    rows = _RowReader(mapping, user, calendar)

    # Pass 1: every row checked; nothing kept but what the checks across rows need.
    reader, stream, handle = _rows(source, filename, limits)
    size = _size(handle)
    header_errors = [
        RowError(1, mapping.columns[name], _("the column is missing from the header row"))
        for name in REQUIRED
        if mapping.columns[name] not in reader.headers
    ]
    if header_errors:
        raise ImportRefused(header_errors)
    present = {name: header for name, header in mapping.columns.items() if header in reader.headers}
    rows.mapping = Mapping(
        mapping.name,
        present,
        mapping.channel,
        mapping.state,
        mapping.rating,
        mapping.yes,
        mapping.no,
    )
    errors: list[RowError] = []
    first_row_of: dict[str, int] = {}
    earliest: dict[int, datetime.date] = {}
    latest: dict[int, datetime.date] = {}
    total = 0
    for number, cells in stream:
        total += 1
        parsed = rows.read(number, cells, errors)
        if parsed is None:
            continue
        if parsed.code in first_row_of:
            errors.append(
                RowError(
                    number,
                    present["code"],
                    _("the dossier %(code)s is already on row %(row)d")
                    % {"code": parsed.code, "row": first_row_of[parsed.code]},
                    parsed.code,
                )
            )
            continue
        first_row_of[parsed.code] = number
        day = parsed.values["received_on"]
        if day < earliest.get(parsed.unit_id, datetime.date.max):
            earliest[parsed.unit_id] = day
        if day > latest.get(parsed.unit_id, datetime.date.min):
            latest[parsed.unit_id] = day
        if total % 20000 == 0:
            report(
                5 + int(40 * _fraction(handle, size)),
                _("Checked %(count)s rows") % {"count": f"{total:,}".replace(",", ".")},
            )
    spans = _spans(earliest, latest)
    errors += _overlaps_with_entered(spans, replace_entered)
    if errors:
        raise ImportRefused(errors)
    if total == 0:
        raise ImportRefused([RowError(2, "", _("The file has no dossiers."))])

    # Pass 2: read again, judged and written in batches, in one transaction.
    summary = RecordSummary()
    reader, stream, handle = _rows(source, filename, limits)
    done = 0
    with transaction.atomic():
        batch: list[ParsedRecord] = []
        for number, cells in stream:
            parsed = rows.read(number, cells, errors)
            if parsed is None:  # the file changed between the passes
                raise ImportRefused(errors)
            batch.append(parsed)
            if len(batch) >= BATCH:
                _write(batch, user, summary)
                done += len(batch)
                batch = []
                report(
                    45 + int(50 * done / total),
                    _("Saved %(count)s of %(total)s dossiers")
                    % {
                        "count": f"{done:,}".replace(",", "."),
                        "total": f"{total:,}".replace(",", "."),
                    },
                )
        _write(batch, user, summary)
        summary.replaced_statistics = _record_units(spans, replace_entered)
    return summary


def _size(handle: IO[bytes]) -> int:
    position = handle.tell()
    handle.seek(0, 2)
    size = handle.tell()
    handle.seek(position)
    return size


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _month_end(day: datetime.date) -> datetime.date:
    following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


Span = tuple[datetime.date, datetime.date]


def _spans(earliest: dict[int, datetime.date], latest: dict[int, datetime.date]) -> dict[int, Span]:
    """The days each unit's records will cover once the file is in: from the month of its
    earliest record to the month of its latest, with the records it already has."""
    spans = {unit: (_month_start(day), _month_end(latest[unit])) for unit, day in earliest.items()}
    for recorded in RecordedUnit.objects.filter(unit_id__in=list(spans)):
        since, until = spans[recorded.unit_id]
        spans[recorded.unit_id] = (min(since, recorded.since), max(until, recorded.until))
    return spans


def _clashing(spans: dict[int, Span]) -> list[DossierStatistics]:
    """Entered totals of the units for periods their records cover."""
    return [
        statistics
        for statistics in DossierStatistics.objects.filter(unit_id__in=list(spans))
        .select_related("unit")
        .order_by("unit__code", "period_start")
        if statistics.period_start <= spans[statistics.unit_id][1]
        and statistics.period_end >= spans[statistics.unit_id][0]
    ]


def _overlaps_with_entered(spans: dict[int, Span], replace: bool) -> list[RowError]:
    """Units whose typed or imported totals cover days their records now cover."""
    if replace or not spans:
        return []
    by_unit: dict[int, list[DossierStatistics]] = defaultdict(list)
    for statistics in _clashing(spans):
        by_unit[statistics.unit_id].append(statistics)
    return [
        RowError(
            0,
            "",
            _(
                "%(unit)s already has entered figures for %(periods)s, days its records now cover "
                "(%(since)s to %(until)s); a unit's figures come from one source: choose to "
                "replace the entered figures, or import only records of other periods"
            )
            % {
                "unit": clashing[0].unit,
                "periods": ", ".join(str(statistics.period) for statistics in clashing),
                "since": spans[unit_id][0].strftime("%d/%m/%Y"),
                "until": spans[unit_id][1].strftime("%d/%m/%Y"),
            },
        )
        for unit_id, clashing in by_unit.items()
    ]


def _record_units(spans: dict[int, Span], replace: bool) -> list[str]:
    """Mark the units as having records for their span (and count them); drop the entered
    totals of the days the records cover when asked to."""
    units = list(spans)
    counts = dict(
        DossierRecord.objects.filter(unit_id__in=units)
        .values_list("unit_id")
        .annotate(total=Count("pk"))
        .order_by()
    )
    current = RecordedUnit.objects.in_bulk(units)
    new, changed = [], []
    for unit_id, (since, until) in spans.items():
        recorded = current.get(unit_id)
        if recorded is None:
            new.append(
                RecordedUnit(
                    unit_id=unit_id, since=since, until=until, records=counts.get(unit_id, 0)
                )
            )
            continue
        recorded.since, recorded.until, recorded.records = since, until, counts.get(unit_id, 0)
        changed.append(recorded)
    replaced: list[str] = []
    if replace:
        stale = _clashing(spans)
        replaced = [f"{s.unit.code} {s.period}" for s in stale]
        DossierStatistics.objects.filter(pk__in=[s.pk for s in stale]).delete()
    RecordedUnit.objects.bulk_create(new)
    RecordedUnit.objects.bulk_update(changed, ["since", "until", "records"])
    return replaced


def _comparable(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.astimezone(LOCAL).isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize())
    return value


def _write(batch: list[ParsedRecord], user: User, summary: RecordSummary) -> None:
    if not batch:
        return
    existing = DossierRecord.objects.in_bulk([parsed.code for parsed in batch], field_name="code")
    new, changed, changes = [], [], []
    for parsed in batch:
        current = existing.get(parsed.code)
        if current is None:
            new.append(DossierRecord(code=parsed.code, **parsed.values))
            continue
        before = {name: _comparable(getattr(current, name)) for name in SOURCE_FIELDS}
        after = {name: _comparable(parsed.values[name]) for name in SOURCE_FIELDS}
        if before == after:
            summary.unchanged += 1
            continue
        for name, value in parsed.values.items():
            setattr(current, name, value)
        changed.append(current)
        changes.append(
            DossierRecordChange(
                record=current,
                changed_by=user if user.pk else None,
                before={k: v for k, v in before.items() if after[k] != v},
                after={k: v for k, v in after.items() if before[k] != v},
            )
        )
    DossierRecord.objects.bulk_create(new, batch_size=BATCH)
    if changed:
        DossierRecord.objects.bulk_update(
            changed, [*SOURCE_FIELDS, *DERIVED_FIELDS], batch_size=500
        )
        DossierRecordChange.objects.bulk_create(changes, batch_size=BATCH)
    summary.created += len(new)
    summary.updated += len(changed)


def rejudge_records(day: datetime.date, progress: Progress | None = None) -> int:
    """Judge again, by the calendar as it now is, the dossiers whose time may run across
    ``day`` (a day an administrator added or removed); returns how many changed."""
    from django.db.models import Q

    report = progress or (lambda percent, message: None)
    calendar = work_calendar()
    affected = DossierRecord.objects.filter(received_on__lte=day).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gte=day) | Q(due_on__gte=day)
    )
    total = affected.count()
    changed_count = 0
    batch: list[DossierRecord] = []

    def flush() -> None:
        nonlocal changed_count
        if batch:
            DossierRecord.objects.bulk_update(batch, DERIVED_FIELDS, batch_size=500)
            changed_count += len(batch)
            batch.clear()

    with transaction.atomic():
        for seen, record in enumerate(affected.iterator(chunk_size=BATCH), start=1):
            pauses = [
                (
                    _local_day(datetime.datetime.fromisoformat(start)),
                    _local_day(datetime.datetime.fromisoformat(end)) if end else None,
                )
                for start, end in record.pauses
            ]
            judgement = judge(
                calendar,
                received_on=record.received_on,
                legal_days=record.legal_days,
                given_due=_local_day(record.due_at) if record.due_at else None,
                pauses=pauses,
                supplement_count=record.supplement_count,
                state=record.state,
                closed_on=record.closed_on,
            )
            values = (judgement.due_on, judgement.outcome, min(judgement.overrun_days, 32767))
            if values != (record.due_on, record.outcome, record.overrun_days):
                record.due_on, record.outcome, record.overrun_days = values
                batch.append(record)
                if len(batch) >= BATCH:
                    flush()
            if seen % 20000 == 0:
                report(int(100 * seen / max(total, 1)), f"{seen}/{total}")
        flush()
    return changed_count
