"""Dossier figures for tests."""

from __future__ import annotations

from cchc.models import Unit
from dossiers.figures import COUNT_NAMES
from dossiers.models import DossierStatistics
from dossiers.periods import Period


def figures(unit: Unit, period: str, **counts: int) -> DossierStatistics:
    """Figures that hold together: whatever is not resolved is in progress within the deadline,
    and new_received defaults to what is accounted for."""
    values = dict.fromkeys(COUNT_NAMES, 0)
    values.update(counts)
    if "new_received" not in counts:
        accounted = sum(
            values[n]
            for n in (
                "resolved_early",
                "resolved_on_time",
                "resolved_late",
                "pending_within",
                "pending_overdue",
                "returned",
            )
        )
        values["new_received"] = accounted - values["carried_over"]
    parsed = Period.parse(period)
    statistics = DossierStatistics(
        unit=unit, period_kind=parsed.kind.value, year=parsed.year, number=parsed.number, **values
    )
    statistics.save()
    return statistics
