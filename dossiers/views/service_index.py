"""The service index page (with its .xlsx and JSON), its table, and the portal's figure."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc.access import request_user, require_role_on
from cchc.models import Unit
from dossiers.forms import PortalFigureForm, RecordRangeForm
from dossiers.models import ENTRY_ROLES, PortalFigure, ServiceIndexVersion
from dossiers.periods import Period
from dossiers.service_index import ensure_default_table, index_report, index_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def index_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    visible = Unit.objects.visible_to(user)
    form = RecordRangeForm(request.GET or None, units=visible)
    report = None
    if request.GET and "unit" in form.errors and request.GET.get("unit_1", "").isdigit():
        raise Http404  # an address naming a unit the reader may not see
    if request.GET and form.is_valid():
        data = form.cleaned_data
        report = index_report(data["unit"], data["start"], data["end"])
        if request.GET.get("format") == "json":
            return JsonResponse(report.as_json(), json_dumps_params={"ensure_ascii": False})
        if request.GET.get("format") == "xlsx":
            response = HttpResponse(index_xlsx(report), content_type=XLSX)
            response["Content-Disposition"] = (
                f'attachment; filename="chi-so-phuc-vu-{data["unit"].code}-{data["start"]}.xlsx"'
            )
            return response
    elif not request.GET:
        top = visible.order_by("depth", "path").first()
        if top is not None:
            form = RecordRangeForm(
                initial={"unit": top, "start": "2024", "end": "2024"}, units=visible
            )
    can_enter = (
        report is not None
        and report.start == report.end
        and Unit.objects.actionable_by(user, ENTRY_ROLES).filter(pk=report.unit.pk).exists()
    )
    return render(
        request,
        "dossiers/service_index.html",
        {
            "form": form,
            "report": report,
            "can_enter": can_enter,
            "portal_form": PortalFigureForm(
                initial={"score": report.portal.score, "note": report.portal.note}
                if report is not None and report.portal
                else None
            ),
            "query": urlencode([(k, str(v)) for k, v in request.GET.items() if k != "format"]),
        },
    )


@login_required
@require_POST
def portal_figure_save(request: HttpRequest, pk: int) -> HttpResponse:
    """The portal's published score for one unit and period, entered beside ours."""
    user = request_user(request)
    unit = get_object_or_404(Unit.objects.visible_to(user), pk=pk)
    require_role_on(user, unit, ENTRY_ROLES)
    try:
        period = Period.parse(request.POST.get("period", ""))
    except ValueError:
        raise Http404 from None
    form = PortalFigureForm(request.POST)
    back = "?" + urlencode(
        {"unit": unit.code, "unit_1": str(unit.pk), "start": str(period), "end": str(period)}
    )
    if form.is_valid():
        PortalFigure.objects.update_or_create(
            unit=unit,
            period=str(period),
            defaults={
                "score": form.cleaned_data["score"],
                "note": form.cleaned_data["note"],
                "entered_by": user,
            },
        )
        messages.success(request, _("The portal's figure was saved."))
    else:
        messages.error(request, " ".join(str(m) for ms in form.errors.values() for m in ms))
    return redirect(reverse("service_index") + back)


@login_required
def index_table(request: HttpRequest) -> HttpResponse:
    """Every version of the table, the one in force first; changed in the administration."""
    request_user(request)
    ensure_default_table()
    versions = ServiceIndexVersion.objects.prefetch_related("indicators")
    return render(request, "dossiers/service_index_table.html", {"versions": versions})
