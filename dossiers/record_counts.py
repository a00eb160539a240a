"""Counts of a period from dossier records, by grouped queries.

Every count is a condition on a record for the days ``start`` to ``end``; the same condition
gives the count (``record_counts``, one grouped query for any number of units) and the list
of dossiers behind it (``records_behind``), so that a count and its list cannot disagree.

A record takes part in a period when it was received by its end and was still open at its
start: received on or before ``end`` and not finished before ``start``. Then
received (new + carried over) = resolved + returned + still open at the end, by
construction, as the dossier statistics require.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from dossiers.figures import COUNT_NAMES
from dossiers.models import DossierRecord

Day = datetime.date
Condition = Callable[[Day, Day], Q]


def _new(start: Day, end: Day) -> Q:
    return Q(received_on__gte=start)


def _finished(state: str) -> Condition:
    def condition(start: Day, end: Day) -> Q:
        return Q(state=state, closed_on__lte=end)

    return condition


def _resolved(start: Day, end: Day) -> Q:
    return Q(state="done", closed_on__lte=end)


def _open_at_end(start: Day, end: Day) -> Q:
    return Q(closed_on__isnull=True) | Q(closed_on__gt=end)


def _overdue_at_end(start: Day, end: Day) -> Q:
    # RULE_OPEN_AT_PERIOD_END: judged on the period's last day.
    return _open_at_end(start, end) & Q(due_on__isnull=False, due_on__lt=end)


@dataclass(frozen=True)
class RecordCount:
    name: str
    label: Any
    condition: Condition


def _and(*conditions: Condition) -> Condition:
    def condition(start: Day, end: Day) -> Q:
        combined = Q()
        for part in conditions:
            combined &= part(start, end)
        return combined

    return condition


def _q(**lookups: Any) -> Condition:
    return lambda start, end: Q(**lookups)


COUNTS = [
    RecordCount("new_received", _("New in the period"), _new),
    RecordCount("carried_over", _("Carried over"), lambda start, end: Q(received_on__lt=start)),
    RecordCount("online_full", _("Online, full process"), _and(_new, _q(channel="online_full"))),
    RecordCount("online_partial", _("Online, partial"), _and(_new, _q(channel="online_partial"))),
    RecordCount("postal", _("Public postal service"), _and(_new, _q(channel="postal"))),
    RecordCount("resolved_early", _("Resolved early"), _and(_resolved, _q(outcome="early"))),
    RecordCount("resolved_on_time", _("Resolved on time"), _and(_resolved, _q(outcome="on_time"))),
    RecordCount("resolved_late", _("Resolved late"), _and(_resolved, _q(outcome="late"))),
    RecordCount(
        "pending_within",
        _("In progress, within the time"),
        lambda start, end: _open_at_end(start, end) & ~Q(due_on__lt=end),
    ),
    RecordCount("pending_overdue", _("In progress, overdue"), _overdue_at_end),
    RecordCount(
        "returned",
        _("Returned, withdrawn or refused"),
        lambda start, end: Q(state__in=["returned", "refused"], closed_on__lte=end),
    ),
    RecordCount("paid_online", _("Paid online"), _and(_new, _q(paid_online=True))),
    RecordCount(
        "electronic_results",
        _("Results issued electronically"),
        _and(_resolved, _q(electronic_result=True)),
    ),
    RecordCount("digitised", _("Digitised"), _and(_new, _q(digitised=True))),
    # Beyond the statistics: what the service index's indicators divide.
    RecordCount("received", _("Received (new and carried over)"), lambda start, end: Q()),
    RecordCount("resolved", _("Resolved"), _resolved),
    RecordCount(
        "resolved_in_time",
        _("Resolved early or on time"),
        _and(_resolved, _q(outcome__in=["early", "on_time"])),
    ),
    RecordCount(
        "online",
        _("Online (full or partial)"),
        _and(_new, _q(channel__in=["online_full", "online_partial"])),
    ),
    RecordCount("pending", _("In progress at the end"), _open_at_end),
    RecordCount(
        "pending_in_time",
        _("In progress at the end, within the time"),
        lambda start, end: _open_at_end(start, end) & ~Q(due_on__lt=end),
    ),
    RecordCount(
        "at_most_one_supplement",
        _("Resolved with at most one supplement request"),
        _and(_resolved, _q(supplement_count__lte=1)),
    ),
    RecordCount(
        "result_returned",
        _("Resolved with the day the result was handed over"),
        _and(_resolved, _q(returned_at__isnull=False)),
    ),
    RecordCount(
        "rated", _("Resolved and rated by the applicant"), _and(_resolved, _q(rating__isnull=False))
    ),
    RecordCount(
        "satisfied",
        _("Rated satisfied or very satisfied (4–5)"),
        _and(_resolved, _q(rating__gte=4)),
    ),
]
RECORD_COUNTS = {count.name: count for count in COUNTS}
assert all(name in RECORD_COUNTS for name in COUNT_NAMES)


def taking_part(start: Day, end: Day) -> Q:
    """The records of a period: received by its end, not finished before its start."""
    return Q(received_on__lte=end) & (Q(closed_on__isnull=True) | Q(closed_on__gte=start))


UnitIds = Iterable[int] | QuerySet[Any, Any]


def record_counts(
    unit_ids: UnitIds, start: Day, end: Day, names: Iterable[str] | None = None
) -> dict[int, dict[str, int]]:
    """Every count (or those ``names``) of each unit for the days ``start`` to ``end``, in
    one grouped query. Units without records in the period are absent."""
    wanted = [RECORD_COUNTS[name] for name in (names or RECORD_COUNTS)]
    units = unit_ids if isinstance(unit_ids, QuerySet) else list(unit_ids)  # a subquery stays one
    rows: Any = (
        DossierRecord.objects.filter(taking_part(start, end), unit_id__in=units)
        .values("unit_id")
        .annotate(
            **{count.name: Count("pk", filter=count.condition(start, end)) for count in wanted}
        )
        .order_by()
    )
    return {row["unit_id"]: {count.name: int(row[count.name]) for count in wanted} for row in rows}


def statistics_counts(counts: dict[str, int]) -> dict[str, int]:
    """The counts the dossier statistics have, out of all record counts."""
    return {name: counts.get(name, 0) for name in COUNT_NAMES}


def records_behind(count: str, unit_ids: UnitIds, start: Day, end: Day) -> QuerySet[DossierRecord]:
    """The dossiers one count of a period counts."""
    condition = RECORD_COUNTS[count].condition(start, end)
    units = unit_ids if isinstance(unit_ids, QuerySet) else list(unit_ids)
    return DossierRecord.objects.filter(taking_part(start, end), condition, unit_id__in=units)
