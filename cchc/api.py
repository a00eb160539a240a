"""The read-only REST API: units, criteria sets, rankings and dossier statistics, scoped to
the signed-in user's units exactly as the pages are (token or session authentication)."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cchc.models import Unit, User
from dossiers.figures import COUNT_NAMES
from dossiers.models import DossierStatistics
from scoring.criteria_sets import visible_criteria_sets
from scoring.models import CriteriaSet
from scoring.rankings import build_ranking, ranking_json


def _user(request: Request) -> User:
    assert isinstance(request.user, User)
    return request.user


class ScopedViewSet(viewsets.ReadOnlyModelViewSet):
    """Read-only; ``scoped`` gives the user's objects. The schema generator (which has no
    user) sees the class's empty queryset."""

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return self.scoped(_user(self.request))

    def scoped(self, user: User) -> Any:
        raise NotImplementedError


class UnitSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", default=None, read_only=True)
    predecessor_codes = serializers.SerializerMethodField()

    class Meta:
        model = Unit
        fields = [
            "code",
            "name",
            "kind",
            "parent_code",
            "valid_from",
            "valid_to",
            "predecessor_codes",
        ]

    def get_predecessor_codes(self, unit: Unit) -> list[str]:
        return [p.code for p in unit.predecessors.all()]


class UnitViewSet(ScopedViewSet):
    """Administrative units the user may see."""

    serializer_class = UnitSerializer
    queryset = Unit.objects.none()
    lookup_field = "code"

    def scoped(self, user: User) -> Any:
        return (
            Unit.objects.visible_to(user)
            .select_related("parent")
            .prefetch_related("predecessors")
            .order_by("path")
        )


class CriteriaSetSerializer(serializers.ModelSerializer):
    scope_code = serializers.CharField(source="scope.code", read_only=True)
    criteria = serializers.SerializerMethodField()

    class Meta:
        model = CriteriaSet
        fields = [
            "id",
            "year",
            "title",
            "scope_code",
            "unit_kinds",
            "status",
            "declared_total",
            "classification_bands",
            "ranking_rule",
            "decision_number",
            "decision_date",
            "criteria",
        ]

    def get_criteria(self, criteria_set: CriteriaSet) -> list[dict[str, Any]]:
        return [
            {
                "code": c.code,
                "title": c.title,
                "max_score": str(c.max_score),
                "method": c.method,
                "parameters": c.parameters,
            }
            for c in criteria_set.criteria.order_by("sort_key")
        ]


class CriteriaSetViewSet(ScopedViewSet):
    """Criteria sets that score the user's units or were issued above them."""

    serializer_class = CriteriaSetSerializer
    queryset = CriteriaSet.objects.none()

    def scoped(self, user: User) -> Any:
        return visible_criteria_sets(user).order_by("-year", "pk")


class DossierStatisticsSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    period = serializers.SerializerMethodField()

    class Meta:
        model = DossierStatistics
        fields = ["id", "unit_code", "period", *COUNT_NAMES, "updated_at"]

    def get_period(self, statistics: DossierStatistics) -> str:
        return str(statistics.period)


class DossierStatisticsViewSet(ScopedViewSet):
    """Dossier figures of the user's units; filter with ?unit=CODE&year=YYYY."""

    serializer_class = DossierStatisticsSerializer
    queryset = DossierStatistics.objects.none()

    def scoped(self, user: User) -> Any:
        figures = DossierStatistics.objects.filter(
            unit__in=Unit.objects.visible_to(user)
        ).select_related("unit")
        unit, year = self.request.query_params.get("unit"), self.request.query_params.get("year")
        if unit:
            figures = figures.filter(unit__code=unit)
        if year and year.isdigit():
            figures = figures.filter(year=int(year))
        return figures.order_by("unit__path", "period_start", "period_kind")


RANKING_ROW = inline_serializer(
    name="RankingRow",
    fields={
        "unit_code": serializers.CharField(),
        "unit_name": serializers.CharField(),
        "score": serializers.FloatField(),
        "max_score": serializers.FloatField(),
        "index_percent": serializers.FloatField(),
        "rank": serializers.IntegerField(),
        "rank_of": serializers.IntegerField(),
        "classification": serializers.CharField(),
        "fields": serializers.DictField(child=serializers.FloatField()),
    },
)


class RankingView(APIView):
    """The ranking of the units under ``parent`` for ``year`` (the same figures as the page)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("parent", OpenApiTypes.STR, required=True),
            OpenApiParameter("year", OpenApiTypes.INT, required=True),
        ],
        responses={200: RANKING_ROW},
    )
    def get(self, request: Request) -> Response:
        user = _user(request)
        parent = get_object_or_404(
            Unit.objects.visible_to(user), code=request.query_params.get("parent", "")
        )
        year_text = request.query_params.get("year", "")
        if not year_text.isdigit():
            return Response({"year": "required, e.g. 2022"}, status=400)
        ranking = build_ranking(parent, int(year_text), user)
        return Response({"provisional": ranking.provisional, "results": ranking_json(ranking)})
