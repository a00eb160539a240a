"""The administration site: Django's, with a unit search that shows each unit's type,
province, code and span (so that two "Xã Vĩnh Long" or a reused code cannot be confused)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from cchc.models import Unit, unit_labels


class UnitAwareAutocomplete(AutocompleteJsonView):
    def serialize_result(self, obj: Any, to_field_name: str) -> dict[str, Any]:
        result = super().serialize_result(obj, to_field_name)
        if isinstance(obj, Unit):
            result["text"] = self._labels.get(obj.pk, result["text"])
        return result

    def get_context_data(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(*args, **kwargs)
        units = [obj for obj in context["object_list"] if isinstance(obj, Unit)]
        self._labels = unit_labels(units)
        return context


class CchcAdminSite(admin.AdminSite):
    site_header = _("CCHC index administration")
    site_title = _("CCHC index")
    index_title = _("Administration")

    # Apps whose names their authors did not mark for translation.
    APP_NAMES = {"axes": _("Sign-in attempts"), "django_tasks_db": _("Background jobs")}

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[Any]:
        apps = super().get_app_list(request, app_label)
        for app in apps:
            if app["app_label"] in self.APP_NAMES:
                app["name"] = self.APP_NAMES[app["app_label"]]
        return apps

    def autocomplete_view(self, request: HttpRequest) -> HttpResponse:
        response = UnitAwareAutocomplete.as_view(admin_site=self)(request)
        assert isinstance(response, HttpResponse)
        return response
