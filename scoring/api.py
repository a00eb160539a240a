"""The read-only REST API of scoring: criteria sets and rankings, with the same access as
the pages (a ranking is opened exactly as the ranking page opens it)."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from cchc.api import ScopedViewSet, request_user, unit_param
from cchc.models import User
from scoring.models import CriteriaSet
from scoring.publication.rankings import NoRanking, RankingRequest, open_ranking, ranking_json


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
        return CriteriaSet.objects.visible_to(user).select_related("scope").order_by("-year", "pk")


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
    """A ranking of ``year``: of a set (``set``, ``group``), of a decision (``decision``), or
    of the set covering the unit ``parent``; the same figures as the page."""

    @extend_schema(
        parameters=[
            OpenApiParameter("year", OpenApiTypes.INT, required=True),
            OpenApiParameter("parent", OpenApiTypes.STR),
            OpenApiParameter("set", OpenApiTypes.INT),
            OpenApiParameter("group", OpenApiTypes.INT),
            OpenApiParameter("decision", OpenApiTypes.INT),
            OpenApiParameter("provisional", OpenApiTypes.BOOL),
        ],
        responses={200: RANKING_ROW},
    )
    def get(self, request: Request) -> Response:
        user = request_user(request)
        params = request.query_params
        year_text = params.get("year", "")
        if not year_text.isdigit():
            return Response({"year": "required, e.g. 2022"}, status=400)
        parent = params.get("parent", "")
        year = int(year_text)
        unit = (
            unit_param(
                request, user, parent, datetime.date(year, 1, 1), datetime.date(year, 12, 31)
            )
            if parent
            else None
        )
        wanted = RankingRequest(
            year=year,
            set_pk=_number(params.get("set")),
            group_pk=_number(params.get("group")),
            decision_pk=_number(params.get("decision")),
            unit=unit,
            provisional=params.get("provisional") == "1",
        )
        try:
            ranking, _choices = open_ranking(user, wanted)
        except NoRanking:
            return Response({"detail": "Not found."}, status=404)
        if ranking is None:
            return Response({"detail": "Not found."}, status=404)
        return Response(ranking_json(ranking))


def _number(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


router = SimpleRouter()
router.register("criteria-sets", CriteriaSetViewSet, basename="api-criteria-set")
urlpatterns = [*router.urls]
urlpatterns.append(path("rankings/", RankingView.as_view(), name="api_ranking"))
