"""The read-only REST API of the core: units, scoped to the signed-in user's units exactly as
the pages are (token or session authentication). Each app serves its own endpoints beside
it (``scoring.api``, ``dossiers.api``) on this shared base."""

from __future__ import annotations

import datetime
from typing import Any

from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.routers import DefaultRouter

from cchc.models import CodeError, Unit, User


def request_user(request: Request) -> User:
    assert isinstance(request.user, User)
    return request.user


class ScopedViewSet(viewsets.ReadOnlyModelViewSet):
    """Read-only; ``scoped`` gives the user's objects. The schema generator (which has no
    user) sees the class's empty queryset."""

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return self.scoped(request_user(self.request))

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


def day_param(request: Request, name: str = "on") -> datetime.date | None:
    """A date of the query string (YYYY-MM-DD); ``ValidationError`` (400) when malformed."""
    text = request.query_params.get(name, "")
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise serializers.ValidationError({name: "YYYY-MM-DD"}) from None


def unit_param(
    request: Request,
    user: User,
    code: str,
    first: datetime.date | None = None,
    last: datetime.date | None = None,
) -> Unit:
    """The unit a code names, read at ``?on=`` or within [first, last] (or today's where no
    date applies), among the units the user sees: 404 if none, 400 naming the units where
    the code names several."""
    units = Unit.objects.visible_to(user)
    on = day_param(request)
    try:
        if on is not None:
            return units.at(code, on)
        if first is not None and last is not None:
            return units.during(code, first, last)
        return units.current(code)
    except CodeError as error:
        if not error.units:
            raise NotFound from None
        raise serializers.ValidationError({"code": error.messages}) from None


class UnitViewSet(ScopedViewSet):
    """Administrative units the user may see. A unit is named by its code, read on ``?on=``
    (YYYY-MM-DD) or, without a date, the unit in force today: codes were reused in 2025."""

    serializer_class = UnitSerializer
    queryset = Unit.objects.none()
    lookup_field = "code"

    def scoped(self, user: User) -> Any:
        units = (
            Unit.objects.visible_to(user)
            .select_related("parent")
            .prefetch_related("predecessors")
            .order_by("path")
        )
        on = day_param(self.request)
        return units.in_force_on(on) if on is not None else units

    def get_object(self) -> Unit:
        unit = unit_param(self.request, request_user(self.request), self.kwargs["code"])
        self.check_object_permissions(self.request, unit)
        return unit


router = DefaultRouter()
router.register("units", UnitViewSet, basename="api-unit")
urlpatterns = router.urls
