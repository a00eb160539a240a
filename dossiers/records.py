"""Questions about a unit's dossier records that pages, imports and reports share."""

from __future__ import annotations

from dossiers.models import RecordedUnit


def records_span(unit_id: int) -> RecordedUnit | None:
    """The days from which to which the unit's figures come from its records (None: never)."""
    return RecordedUnit.objects.filter(unit_id=unit_id).first()
