"""Django admin for dossier statistics (read the history; edits go through the entry form)."""

from __future__ import annotations

from django.contrib import admin

from dossiers.models import DossierChange, DossierStatistics


class DossierChangeInline(admin.TabularInline):
    model = DossierChange
    extra = 0
    can_delete = False
    readonly_fields = ["changed_at", "changed_by", "source", "before", "after"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(DossierStatistics)
class DossierStatisticsAdmin(admin.ModelAdmin):
    list_display = ["unit", "period_kind", "year", "number", "updated_at", "updated_by"]
    list_filter = ["period_kind", "year"]
    search_fields = ["unit__code", "unit__name"]
    raw_id_fields = ["unit", "updated_by"]
    inlines = [DossierChangeInline]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # changes go through the entry form or an import, which keep the history
