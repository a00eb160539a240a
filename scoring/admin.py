"""Django admin for criteria sets; a published set's criteria are shown read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from scoring.models import CriteriaSet, Criterion


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["code", "title", "max_score", "method", "parameters"]
    ordering = ["sort_key"]
    show_change_link = False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or not obj.is_published

    has_add_permission = has_change_permission  # type: ignore[assignment]
    has_delete_permission = has_change_permission


@admin.register(CriteriaSet)
class CriteriaSetAdmin(admin.ModelAdmin):
    list_display = ["title", "year", "scope", "status", "decision_number"]
    list_filter = ["status", "year"]
    search_fields = ["title", "decision_number"]
    raw_id_fields = ["scope", "issuer", "copied_from"]
    inlines = [CriterionInline]

    def get_readonly_fields(
        self, request: HttpRequest, obj: CriteriaSet | None = None
    ) -> list[str]:
        if obj is not None and obj.is_published:
            return [field.name for field in CriteriaSet._meta.fields]
        return ["published_at"]
