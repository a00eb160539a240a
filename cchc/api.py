"""The read-only REST API of the core: units, scoped to the signed-in user's units exactly as
the pages are (token or session authentication). Each app serves its own endpoints beside
it (``scoring.api``, ``dossiers.api``) on this shared base."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.routers import DefaultRouter

from cchc.models import Unit, User


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


router = DefaultRouter()
router.register("units", UnitViewSet, basename="api-unit")
urlpatterns = router.urls
