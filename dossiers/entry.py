"""Recording one unit's figures for one period from the entry form."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from cchc.models import Unit, User
from dossiers.models import DossierChange, DossierStatistics
from dossiers.periods import Period


class StaleFigures(Exception):
    """Someone saved these figures since the form was opened; nothing was overwritten."""

    def __init__(self, current: DossierStatistics) -> None:
        super().__init__("stale figures")
        self.current = current


@transaction.atomic
def record_figures(
    unit: Unit, period: Period, counts: dict[str, int], user: User, expected_version: int | None
) -> DossierStatistics:
    """Create or update the figures. ``expected_version`` is the version the user edited
    (None for figures the user believed new); a mismatch raises ``StaleFigures``."""
    current = (
        DossierStatistics.objects.select_for_update()
        .filter(unit=unit, period_kind=period.kind.value, year=period.year, number=period.number)
        .first()
    )
    if current is None:
        if expected_version is not None:
            raise StaleFigures(DossierStatistics(unit=unit, **counts))
        statistics = DossierStatistics(
            unit=unit,
            period_kind=period.kind.value,
            year=period.year,
            number=period.number,
            updated_by=user,
            **counts,
        )
        try:
            with transaction.atomic():  # a savepoint: another may be creating them right now
                statistics.save()
        except IntegrityError:  # they did, and committed first
            raise StaleFigures(
                DossierStatistics.objects.get(
                    unit=unit, period_kind=period.kind.value, year=period.year, number=period.number
                )
            ) from None
        DossierChange.objects.create(
            statistics=statistics, changed_by=user, source=DossierChange.Source.FORM, after=counts
        )
        return statistics
    if expected_version != current.version:
        raise StaleFigures(current)
    before = current.counts()
    if before == counts:
        return current
    for name, value in counts.items():
        setattr(current, name, value)
    current.version += 1
    current.updated_by = user
    current.save()
    DossierChange.objects.create(
        statistics=current,
        changed_by=user,
        source=DossierChange.Source.FORM,
        before=before,
        after=counts,
    )
    return current
