"""The read-only REST API of dossier statistics, with the same access as the pages."""

from __future__ import annotations

import datetime
from typing import Any

from rest_framework import serializers
from rest_framework.routers import SimpleRouter

from cchc.api import ScopedViewSet, unit_param
from cchc.models import User
from dossiers.figures import COUNT_NAMES
from dossiers.models import DossierStatistics


class DossierStatisticsSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    period = serializers.SerializerMethodField()

    class Meta:
        model = DossierStatistics
        fields = ["id", "unit_code", "period", *COUNT_NAMES, "updated_at"]

    def get_period(self, statistics: DossierStatistics) -> str:
        return str(statistics.period)


class DossierStatisticsViewSet(ScopedViewSet):
    """Dossier figures of the user's units; filter with ?unit=CODE&year=YYYY (the code read
    within that year, or on ?on=YYYY-MM-DD: codes were reused in 2025)."""

    serializer_class = DossierStatisticsSerializer
    queryset = DossierStatistics.objects.none()

    def scoped(self, user: User) -> Any:
        figures = DossierStatistics.objects.visible_to(user).select_related("unit")
        code, year = self.request.query_params.get("unit"), self.request.query_params.get("year")
        first = last = None
        if year and year.isdigit():
            figures = figures.filter(year=int(year))
            first, last = datetime.date(int(year), 1, 1), datetime.date(int(year), 12, 31)
        if code:
            figures = figures.filter(unit=unit_param(self.request, user, code, first, last))
        return figures.order_by("unit__path", "period_start", "period_kind")


router = SimpleRouter()
router.register("dossier-statistics", DossierStatisticsViewSet, basename="api-dossier-statistics")
urlpatterns = router.urls
