"""Models of dossiers: typed or imported period totals (``statistics``), one row per dossier
from the one-stop system (``records``), the working-day calendar's exceptions
(``calendar``) and the service index's table (``service_index``)."""

from dossiers.models.calendar import CalendarDay
from dossiers.models.records import (
    Channel,
    DossierRecord,
    DossierRecordChange,
    Outcome,
    RecordedUnit,
    RecordMapping,
    RecordState,
)
from dossiers.models.service_index import PortalFigure, ServiceIndexIndicator, ServiceIndexVersion
from dossiers.models.statistics import (
    ENTRY_ROLES,
    RECEIVED,
    RESOLVED,
    DossierChange,
    DossierStatistics,
    DossierStatisticsQuerySet,
)

__all__ = [
    "ENTRY_ROLES",
    "RECEIVED",
    "RESOLVED",
    "CalendarDay",
    "Channel",
    "DossierChange",
    "DossierRecord",
    "DossierRecordChange",
    "DossierStatistics",
    "DossierStatisticsQuerySet",
    "Outcome",
    "PortalFigure",
    "RecordMapping",
    "RecordState",
    "RecordedUnit",
    "ServiceIndexIndicator",
    "ServiceIndexVersion",
]
