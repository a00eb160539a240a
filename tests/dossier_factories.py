"""Dossier figures for tests."""

from __future__ import annotations

from typing import Any

from cchc.models import Unit
from dossiers.figures import COUNT_NAMES
from dossiers.models import DossierStatistics
from dossiers.periods import Period
from tests.factories import merge_into_vinh_linh


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


def merged_after_half_a_year(world: Any) -> Unit:
    """Communes A and B of the test world with monthly figures for January–June 2025, then
    merged on 1 July 2025 (their district ended the day before) into xã Vĩnh Linh (45101),
    which is returned."""
    for month in range(1, 7):
        figures(world.commune_a, f"2025-{month:02d}", resolved_on_time=10)
        figures(world.commune_b, f"2025-{month:02d}", resolved_early=5, resolved_late=1)
    return merge_into_vinh_linh(world)
