"""Pages of the core: the home page, units, and unit files."""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cchc.access import request_user, require_administrator, visible_unit_or_404
from cchc.admin_log import record_admin_action
from cchc.forms import UnitFileForm
from cchc.models import Job, Unit, UnitKind
from cchc.spreadsheets import ImportRefused, read_table
from cchc.unit_files import COLUMNS, export_units, import_units

UNITS_PER_PAGE = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _parse_day(text: str | None) -> datetime.date | None:
    if not text:
        return None
    for date_format in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, date_format).date()
        except ValueError:
            continue
    return None


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    units = Unit.objects.visible_to(user)
    query = request.GET.get("q", "").strip()
    if query:
        units = units.filter(Q(code__icontains=query) | Q(name__icontains=query))
    kind = request.GET.get("kind", "")
    if kind in UnitKind.values:
        units = units.filter(kind=kind)
    show_all = request.GET.get("on") == "all"
    day = _parse_day(request.GET.get("on")) or timezone.localdate()
    if not show_all:
        units = units.in_force_on(day)
    page = Paginator(units.order_by("path"), UNITS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "cchc/unit_list.html",
        {
            "page": page,
            "query": query,
            "kind": kind,
            "kinds": UnitKind.choices,
            "day": day,
            "show_all": show_all,
        },
    )


@login_required
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request_user(request)
    unit = visible_unit_or_404(user, code)
    visible = Unit.objects.visible_to(user)
    predecessors = unit.all_predecessors()
    successors = unit.all_successors()
    lineage_pks = [other.pk for other in predecessors + successors]
    context = {
        "unit": unit,
        "ancestors": unit.ancestors(),
        "children": visible.filter(parent=unit).order_by("code")[:UNITS_PER_PAGE],
        "children_count": visible.filter(parent=unit).count(),
        "predecessors": predecessors,
        "successors": successors,
        # Lineage crosses scopes (a merged commune's predecessors may sit elsewhere):
        # names are shown, links only to units the user may open.
        "linkable": set(visible.filter(pk__in=lineage_pks).values_list("code", flat=True)),
    }
    return render(request, "cchc/unit_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def unit_import(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    require_administrator(user)
    form = UnitFileForm(request.POST or None, request.FILES or None)
    errors = []
    summary = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            summary = import_units(read_table(upload, upload.name), user)
        except ImportRefused as refused:
            errors = refused.errors
        else:
            record_admin_action(
                user,
                user,
                f"Nhập đơn vị từ {upload.name}: {summary.created} mới, {summary.updated} thay đổi",
            )
    status = 400 if errors else 200
    return render(
        request,
        "cchc/unit_import.html",
        {"form": form, "errors": errors, "summary": summary, "columns": COLUMNS},
        status=status,
    )


@login_required
def unit_export(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    require_administrator(user)
    file_format = "csv" if request.GET.get("format") == "csv" else "xlsx"
    units = Unit.objects.visible_to(user).order_by("path")
    if request.GET.get("template"):
        units = units.none()
    content = export_units(units, file_format)
    filename = "mau-don-vi" if request.GET.get("template") else "don-vi-hanh-chinh"
    response = HttpResponse(
        content, content_type="text/csv; charset=utf-8" if file_format == "csv" else XLSX
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{file_format}"'
    return response


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    return render(request, "cchc/job_list.html", {"jobs": Job.objects.filter(created_by=user)[:50]})


def _own_job(request: HttpRequest, pk: int) -> Job:
    return get_object_or_404(Job, pk=pk, created_by=request_user(request))


@login_required
def job_page(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    template = (
        "cchc/partials/job_status.html"
        if request.headers.get("HX-Request") == "true"
        else "cchc/job_page.html"
    )
    return render(request, template, {"job": job})


@login_required
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = _own_job(request, pk)
    if job.status != Job.Status.DONE or not job.result:
        raise Http404
    response = FileResponse(job.result.open("rb"), as_attachment=True, filename=job.result_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers: answers when the app and its database answer."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
