"""Deadlines as the law counts them: working days, the due day of a dossier, and whether it
was resolved early, on time or late.

Each rule has a name here, used in the code and in the README:

- ``RULE_WEEKEND``: Saturday and Sunday are not working days, except a Saturday worked in
  exchange for a day off (the government's swapped days, which the holidays library knows,
  and any an administrator adds as a working day).
- ``RULE_HOLIDAYS``: the public holidays of the Labour Code, the lunar ones included (Tết
  Nguyên đán, Giỗ Tổ Hùng Vương), with their observed and substituted days, from the
  ``holidays`` library; plus the days off an administrator adds.
- ``RULE_DUE_DAY``: the time allowed runs from the day after the dossier is received; the
  due day is the last working day of that time (a part of a day counts as a whole day; no
  time allowed means the same day). A due time the source system gives is used as given.
- ``RULE_PAUSE``: the working days of a pause for a supplement (from the day after the
  request up to the day the supplement arrives) do not count: the due day moves by as many
  working days. A pause not yet ended stops the clock: an open dossier in it is not overdue.
- ``RULE_REPEATED_SUPPLEMENT``: a dossier asked for supplements more than once is late,
  whenever it is finished (asking only once for everything missing is the rule).
- ``RULE_OUTCOME``: finished before its due day: early; on it: on time; after it: late, by
  the working days after the due day up to the finishing day.
- ``RULE_OPEN_AT_PERIOD_END``: a dossier still open when a period ends is judged on that
  day: overdue if its due day is before it, within its time otherwise.
"""

from __future__ import annotations

import bisect
import datetime
import math
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import holidays as holiday_library

RULE_WEEKEND = "RULE_WEEKEND"
RULE_HOLIDAYS = "RULE_HOLIDAYS"
RULE_DUE_DAY = "RULE_DUE_DAY"
RULE_PAUSE = "RULE_PAUSE"
RULE_REPEATED_SUPPLEMENT = "RULE_REPEATED_SUPPLEMENT"
RULE_OUTCOME = "RULE_OUTCOME"
RULE_OPEN_AT_PERIOD_END = "RULE_OPEN_AT_PERIOD_END"

FIRST_YEAR, LAST_YEAR = 2000, 2040  # the calendar's span (dossiers outside it are refused)
Day = datetime.date


class OutsideCalendar(ValueError):
    """A day outside the years the calendar covers."""


class WorkCalendar:
    """Which days are working days, from FIRST_YEAR to LAST_YEAR, with fast counting: the
    n-th working day after a day and the working days between two days are binary searches
    in the sorted list of working days."""

    def __init__(self, days_off: Iterable[Day] = (), working: Iterable[Day] = ()) -> None:
        years = range(FIRST_YEAR, LAST_YEAR + 1)
        public = holiday_library.country_holidays("VN", years=years)
        extra_off, extra_working = set(days_off), set(working)
        weekend_workdays = set(public.weekend_workdays)  # RULE_WEEKEND: swapped Saturdays
        self.holidays: dict[Day, str] = dict(public.items())
        self.first, self.last = Day(FIRST_YEAR, 1, 1), Day(LAST_YEAR, 12, 31)
        days: list[Day] = []
        day = self.first
        one = datetime.timedelta(days=1)
        while day <= self.last:
            if day in extra_working or (
                day not in extra_off
                and day not in self.holidays  # RULE_HOLIDAYS
                and (day.weekday() < 5 or day in weekend_workdays)  # RULE_WEEKEND
            ):
                days.append(day)
            day += one
        self.working_days = days
        self.extra_off, self.extra_working = extra_off, extra_working

    def _check(self, day: Day) -> None:
        if not self.first <= day <= self.last:
            raise OutsideCalendar(day)

    def is_working_day(self, day: Day) -> bool:
        self._check(day)
        position = bisect.bisect_left(self.working_days, day)
        return position < len(self.working_days) and self.working_days[position] == day

    def add_working_days(self, day: Day, count: int) -> Day:
        """The ``count``-th working day after ``day`` (``day`` itself when count is 0)."""
        self._check(day)
        if count <= 0:
            return day
        position = bisect.bisect_right(self.working_days, day) + count - 1
        if position >= len(self.working_days):
            raise OutsideCalendar(day)
        return self.working_days[position]

    def working_days_between(self, after: Day, until: Day) -> int:
        """Working days d with after < d <= until (0 when until is not after ``after``)."""
        if until <= after:
            return 0
        self._check(after)
        self._check(until)
        return bisect.bisect_right(self.working_days, until) - bisect.bisect_right(
            self.working_days, after
        )


_cache_lock = threading.Lock()
_cache: dict[tuple[object, ...], WorkCalendar] = {}


def work_calendar() -> WorkCalendar:
    """The calendar with the administrators' days (rebuilt when they change)."""
    from dossiers.models import CalendarDay

    rows = list(CalendarDay.objects.values_list("day", "kind").order_by("day"))
    key = tuple(rows)
    with _cache_lock:
        calendar = _cache.get(key)
        if calendar is None:
            calendar = WorkCalendar(
                days_off=[day for day, kind in rows if kind == CalendarDay.Kind.DAY_OFF],
                working=[day for day, kind in rows if kind == CalendarDay.Kind.WORKING],
            )
            _cache.clear()
            _cache[key] = calendar
        return calendar


@dataclass(frozen=True)
class Judgement:
    """What the rules make of one dossier."""

    due_on: Day | None  # None: the clock is stopped by a pause not yet ended
    outcome: str  # "early", "on_time", "late", "returned" or "" (open)
    overrun_days: int


Pause = tuple[Day, Day | None]


def due_day(
    calendar: WorkCalendar,
    received_on: Day,
    legal_days: Decimal | None,
    given_due: Day | None,
    pauses: Sequence[Pause],
) -> Day | None:
    """RULE_DUE_DAY and RULE_PAUSE. Without a given due day or a time allowed, None."""
    if given_due is not None:
        due = given_due
    elif legal_days is not None:
        due = calendar.add_working_days(received_on, math.ceil(legal_days))
    else:
        return None
    for start, end in sorted(pauses, key=lambda pause: pause[0]):
        if start > due:  # asked after the time had run out: it does not give time back
            continue
        if end is None:
            return None  # the clock is stopped
        due = calendar.add_working_days(due, calendar.working_days_between(start, end))
    return due


def judge(
    calendar: WorkCalendar,
    *,
    received_on: Day,
    legal_days: Decimal | None,
    given_due: Day | None,
    pauses: Sequence[Pause],
    supplement_count: int,
    state: str,
    closed_on: Day | None,
) -> Judgement:
    """The due day, outcome and working days over of one dossier (RULE_OUTCOME)."""
    finished = state == "done"
    closing_pauses = [
        (start, end if end is not None or not finished else closed_on) for start, end in pauses
    ]
    due = due_day(calendar, received_on, legal_days, given_due, closing_pauses)
    if state == "in_progress" or closed_on is None:
        return Judgement(due, "", 0)
    if not finished:
        return Judgement(due, "returned", 0)
    overrun = calendar.working_days_between(due, closed_on) if due is not None else 0
    if supplement_count > 1:  # RULE_REPEATED_SUPPLEMENT
        return Judgement(due, "late", overrun)
    if due is None:  # not judged: no time allowed was known (imports require one)
        return Judgement(due, "on_time", 0)
    if closed_on < due:
        return Judgement(due, "early", 0)
    if closed_on == due:
        return Judgement(due, "on_time", 0)
    return Judgement(due, "late", overrun)


def overdue_at(due_on: Day | None, day: Day) -> bool:
    """RULE_OPEN_AT_PERIOD_END: is an open dossier overdue when ``day`` ends?"""
    return due_on is not None and due_on < day
