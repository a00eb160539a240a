"""Django admin for dossier statistics (read the history; edits go through the entry form)."""

from __future__ import annotations

from django.contrib import admin

from dossiers.models import (
    CalendarDay,
    DossierChange,
    DossierRecord,
    DossierStatistics,
    PortalFigure,
    RecordMapping,
    ServiceIndexIndicator,
    ServiceIndexVersion,
)


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


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["day", "kind", "note", "changed_by"]
    list_filter = ["kind"]
    date_hierarchy = "day"
    exclude = ["changed_by"]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        obj.changed_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(RecordMapping)
class RecordMappingAdmin(admin.ModelAdmin):
    list_display = ["name", "description"]
    search_fields = ["name", "description"]


class ServiceIndexIndicatorInline(admin.TabularInline):
    model = ServiceIndexIndicator
    extra = 0


@admin.register(ServiceIndexVersion)
class ServiceIndexVersionAdmin(admin.ModelAdmin):
    list_display = ["name", "valid_from", "source"]
    inlines = [ServiceIndexIndicatorInline]


@admin.register(PortalFigure)
class PortalFigureAdmin(admin.ModelAdmin):
    list_display = ["unit", "period", "score", "entered_by", "entered_at"]
    search_fields = ["unit__code", "unit__name"]
    raw_id_fields = ["unit", "entered_by"]


@admin.register(DossierRecord)
class DossierRecordAdmin(admin.ModelAdmin):
    """Read only: records change by re-importing them, which keeps their history."""

    list_display = ["code", "unit", "received_at", "due_on", "closed_at", "outcome", "state"]
    list_filter = ["state", "outcome", "channel"]
    search_fields = ["code", "unit__code", "procedure_name"]
    raw_id_fields = ["unit"]
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
