"""The working-day calendar and the deadline rules (dossiers.deadlines)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from dossiers.deadlines import WorkCalendar, due_day, judge, overdue_at, work_calendar
from dossiers.models import CalendarDay

D = datetime.date
CALENDAR = WorkCalendar()


@pytest.mark.parametrize(
    ("received", "days", "due"),
    [
        (D(2024, 2, 2), 3, D(2024, 2, 7)),  # Friday: Mon, Tue, Wed
        (D(2024, 2, 7), 1, D(2024, 2, 15)),  # the day before Tết 2024 (8–14 Feb)
        (D(2024, 2, 7), 2, D(2024, 2, 16)),
        (D(2023, 1, 19), 2, D(2023, 1, 30)),  # Tết 2023 (20–26 Jan) then a weekend
        (D(2024, 5, 3), 1, D(2024, 5, 4)),  # a Saturday worked in exchange for 29/4
        (D(2024, 4, 26), 1, D(2024, 5, 2)),  # 29/4, 30/4, 1/5 off
        (D(2024, 8, 30), 1, D(2024, 9, 4)),  # Quốc khánh 2 and 3/9 2024
        (D(2024, 3, 9), 1, D(2024, 3, 11)),  # received on a Saturday
        (D(2024, 3, 4), 0, D(2024, 3, 4)),  # the same day
    ],
)
def test_working_days_skip_weekends_and_public_holidays_lunar_ones_included(received, days, due):
    assert CALENDAR.add_working_days(received, days) == due


def test_the_calendar_counts_working_days_between_two_days():
    assert CALENDAR.working_days_between(D(2024, 2, 7), D(2024, 2, 16)) == 2
    assert CALENDAR.working_days_between(D(2024, 2, 16), D(2024, 2, 7)) == 0
    assert not CALENDAR.is_working_day(D(2024, 2, 10)) and CALENDAR.is_working_day(D(2024, 5, 4))
    # 2024: 366 days, 104 weekend days, 11 public holidays on weekdays, one Saturday worked.
    assert CALENDAR.working_days_between(D(2023, 12, 31), D(2024, 12, 31)) == 251


def test_an_administrators_days_change_the_calendar(db):
    assert work_calendar().add_working_days(D(2024, 3, 7), 1) == D(2024, 3, 8)
    CalendarDay.objects.create(day=D(2024, 3, 8), kind="off", note="Nghỉ bù (thử)")
    CalendarDay.objects.create(day=D(2024, 3, 9), kind="work", note="Làm bù (thử)")
    changed = work_calendar()
    assert changed.add_working_days(D(2024, 3, 7), 1) == D(2024, 3, 9)
    assert changed.add_working_days(D(2024, 3, 7), 2) == D(2024, 3, 11)


def test_a_pause_for_a_supplement_moves_the_due_day_by_its_working_days():
    # Received Monday 4/3/2024, 5 days: due Monday 11/3. Asked on Tuesday 5/3, the
    # supplement came on Friday 8/3: Wednesday to Friday (3 working days) do not count.
    assert due_day(CALENDAR, D(2024, 3, 4), Decimal(5), None, []) == D(2024, 3, 11)
    paused = [(D(2024, 3, 5), D(2024, 3, 8))]
    assert due_day(CALENDAR, D(2024, 3, 4), Decimal(5), None, paused) == D(2024, 3, 14)
    # A pause over Tết: only its working days count. Received 5/2/2024 with 3 days: due
    # 15/2 (6, 7, then 15 after Tết); paused 7, 15 and 16/2: due three working days later.
    assert due_day(
        CALENDAR, D(2024, 2, 5), Decimal(3), None, [(D(2024, 2, 6), D(2024, 2, 16))]
    ) == D(2024, 2, 20)
    # Asked after the time had run out: no time is given back.
    assert due_day(
        CALENDAR, D(2024, 3, 4), Decimal(1), None, [(D(2024, 3, 6), D(2024, 3, 8))]
    ) == D(2024, 3, 5)
    # A pause not yet ended stops the clock.
    assert due_day(CALENDAR, D(2024, 3, 4), Decimal(5), None, [(D(2024, 3, 5), None)]) is None
    # Half a day counts as a day; a due day given by the source is used as given.
    assert due_day(CALENDAR, D(2024, 3, 4), Decimal("0.5"), None, []) == D(2024, 3, 5)
    assert due_day(CALENDAR, D(2024, 3, 4), None, D(2024, 3, 20), []) == D(2024, 3, 20)


def judged(**values):
    base: dict[str, Any] = {
        "received_on": D(2024, 3, 4),
        "legal_days": Decimal(3),
        "given_due": None,
        "pauses": [],
        "supplement_count": 0,
        "state": "done",
        "closed_on": D(2024, 3, 6),
    }
    base.update(values)
    return judge(CALENDAR, **base)


def test_outcomes_early_on_time_late_with_the_working_days_over():
    assert judged(closed_on=D(2024, 3, 6)).outcome == "early"  # due Thursday 7/3
    assert judged(closed_on=D(2024, 3, 7)).outcome == "on_time"
    late = judged(closed_on=D(2024, 3, 12))
    assert (late.outcome, late.overrun_days, late.due_on) == ("late", 3, D(2024, 3, 7))
    assert judged(state="returned", closed_on=D(2024, 3, 20)).outcome == "returned"
    assert judged(state="in_progress", closed_on=None).outcome == ""


def test_a_dossier_asked_for_supplements_more_than_once_is_late_even_when_early():
    once = judged(supplement_count=1, pauses=[(D(2024, 3, 4), D(2024, 3, 5))])
    assert once.outcome == "early"
    twice = judged(
        supplement_count=2, pauses=[(D(2024, 3, 4), D(2024, 3, 5)), (D(2024, 3, 5), D(2024, 3, 5))]
    )
    assert twice.outcome == "late" and twice.overrun_days == 0


def test_a_finished_dossier_with_an_unended_pause_is_judged_with_the_pause_ending_at_the_finish():
    result = judged(pauses=[(D(2024, 3, 5), None)], supplement_count=1, closed_on=D(2024, 3, 12))
    # Paused from 6/3 to 12/3 (5 working days): due 7/3 + 5 = 14/3; finished on 12/3: early.
    assert result.due_on == D(2024, 3, 14) and result.outcome == "early"


def test_an_open_dossier_is_judged_at_the_end_of_the_period():
    due = D(2024, 3, 28)
    assert overdue_at(due, D(2024, 3, 31))  # the first quarter ends after its due day
    assert not overdue_at(due, D(2024, 3, 28))
    assert not overdue_at(None, D(2024, 12, 31))  # the clock is stopped
