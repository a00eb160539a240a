"""Django admin for units, users and roles, with the merge operation as an action."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin

from cchc.admin_log import record_admin_action
from cchc.forms import MergeForm
from cchc.models import Lineage, Reorganisation, RoleAssignment, Unit, User
from cchc.reorganisation import merge_units, parent_on
from cchc.unit_files import UnitResource


class UnitQuerysetScope:
    """Staff who are not superusers see only their own units in the admin too."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        if request.user.is_superuser:
            return queryset
        return queryset.filter(pk__in=Unit.objects.visible_to(request.user).values("pk"))


class LineageInline(admin.TabularInline):
    model = Lineage
    fk_name = "successor"
    extra = 0
    autocomplete_fields = ["predecessor"]
    fields = ["predecessor", "main", "share", "reorganisation"]
    verbose_name = _("predecessor")
    verbose_name_plural = _("predecessors")


@admin.register(Unit)
class UnitAdmin(UnitQuerysetScope, ExportMixin, admin.ModelAdmin):
    resource_classes = [UnitResource]
    list_display = ["code", "name", "kind", "parent", "valid_from", "valid_to"]
    list_filter = ["kind", "valid_to"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "depth"]
    inlines = [LineageInline]
    actions = ["merge_selected"]
    list_select_related = ["parent"]

    @admin.action(description=_("Merge the selected units into a new unit"))
    def merge_selected(self, request: HttpRequest, queryset: QuerySet[Unit]) -> HttpResponse | None:
        codes = sorted(queryset.values_list("code", flat=True))
        form = MergeForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            data = dict(form.cleaned_data)
            try:
                parent = parent_on(data.pop("parent_code"), data["effective"])
                successor = merge_units(list(queryset), parent=parent, **data)
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                record_admin_action(request.user, successor, f"Hợp nhất {', '.join(codes)}")  # type: ignore[arg-type]
                self.message_user(
                    request,
                    _("Merged %(codes)s into %(unit)s.")
                    % {"codes": ", ".join(codes), "unit": successor},
                    messages.SUCCESS,
                )
                return None
        return render(
            request,
            "admin/cchc/unit/merge.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "units": queryset,
                "codes": codes,
                "opts": self.model._meta,
                "title": _("Merge units"),
            },
        )


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 1
    autocomplete_fields = ["unit"]


@admin.register(User)
class CchcUserAdmin(UserAdmin):
    inlines = [RoleAssignmentInline]
    list_display = ["username", "full_name", "email", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = (*UserAdmin.fieldsets, (_("Profile"), {"fields": ("full_name",)}))  # type: ignore[misc]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "unit"]
    list_filter = ["role"]
    autocomplete_fields = ["user", "unit"]
    search_fields = ["user__username", "unit__code", "unit__name"]


@admin.register(Reorganisation)
class ReorganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "effective", "division_rule"]
