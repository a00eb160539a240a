"""Pages of dossier statistics: list, entry, history, import, template and report."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from openpyxl import Workbook

from cchc.access import request_user
from cchc.models import CodeError, Unit, UnitQuerySet
from cchc.spreadsheets import ImportRefused, read_table
from dossiers.entry import StaleFigures, record_figures
from dossiers.figures import COUNT_FIELDS, INDICATORS
from dossiers.forms import DossierFileForm, FiguresForm, ReportForm
from dossiers.imports import COLUMNS, ENTRY_ROLES, import_dossiers
from dossiers.models import DossierStatistics, RecordedUnit
from dossiers.periods import Period
from dossiers.reports import ReportRow, build_report, report_xlsx

RECORDED_SHOWN = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SORTABLE = {"code", "name", "received", "resolved", *(indicator.name for indicator in INDICATORS)}


def _sort_value(row: ReportRow, key: str) -> Any:
    if key in ("code", "name", "received", "resolved"):
        return getattr(row, key)
    value = row.percentages[key]
    return value if value is not None else Decimal(-1)


def _entry_units(request: HttpRequest) -> UnitQuerySet:
    user = request_user(request)
    units = Unit.objects.actionable_by(user, ENTRY_ROLES)
    if not units.exists():
        raise PermissionDenied
    return units.order_by("path")


def _entry_unit_of(units: UnitQuerySet, code: str, period: Period | None) -> Unit:
    """The unit a code names for the period (a code may name another unit before 2025)."""
    try:
        if period is not None:
            return units.during(code, period.start, period.end)
        return units.current(code)
    except CodeError:
        raise Http404 from None


@login_required
def figures_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    figures = (
        DossierStatistics.objects.visible_to(user)
        .select_related("unit")
        .order_by("-period_start", "unit__path")
    )
    year = request.GET.get("year", "")
    if year.isdigit():
        figures = figures.filter(year=int(year))
    page = Paginator(figures, 50).get_page(request.GET.get("page"))
    can_enter = Unit.objects.actionable_by(user, ENTRY_ROLES).exists()
    recorded = RecordedUnit.objects.filter(unit__in=Unit.objects.visible_to(user)).select_related(
        "unit"
    )
    return render(
        request,
        "dossiers/figures_list.html",
        {
            "page": page,
            "year": year,
            "can_enter": can_enter,
            "recorded": recorded.order_by("unit__path")[:RECORDED_SHOWN],
            "recorded_total": recorded.count(),
            "recorded_shown": RECORDED_SHOWN,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def figures_entry(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    units = _entry_units(request)
    stale = None
    if request.method == "POST":
        form = FiguresForm(request.POST, units=units)
        if form.is_valid():
            data = form.cleaned_data
            try:
                statistics = record_figures(
                    data["unit"], data["period"], form.counts(), user, data["version"]
                )
            except StaleFigures as conflict:
                stale = conflict.current
                # Keep what the user typed; the next save compares against the other's version.
                data = request.POST.copy()
                data["version"] = str(stale.version) if stale.pk else ""
                form = FiguresForm(data, units=units)
                form.is_valid()
                form.add_error(
                    None,
                    _(
                        "Someone else saved these figures while you were editing. Nothing was overwritten: "
                        "compare with their values below, then save again."
                    ),
                )
            else:
                messages.success(request, _("Figures saved."))
                return redirect("figures_detail", pk=statistics.pk)
    else:
        initial = {}
        existing = None
        code, period_text = request.GET.get("unit"), request.GET.get("period")
        if code and period_text:
            try:
                period = Period.parse(period_text)
            except ValueError:
                period = None
            unit = _entry_unit_of(units, code, period)
            initial = {"unit": unit, "period": period_text}
            if period is not None:
                existing = DossierStatistics.objects.filter(
                    unit=unit, period_kind=period.kind.value, year=period.year, number=period.number
                ).first()
        if existing is not None:
            initial.update(existing.counts())
            initial["version"] = existing.version
        elif units.count() == 1:
            initial.setdefault("unit", units.first())
        form = FiguresForm(initial=initial, units=units)
    stale_rows = (
        [(field.label, getattr(stale, field.name)) for field in COUNT_FIELDS] if stale else []
    )
    return render(
        request,
        "dossiers/figures_entry.html",
        {"form": form, "stale": stale, "stale_rows": stale_rows},
    )


@login_required
def figures_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    statistics = get_object_or_404(
        DossierStatistics.objects.visible_to(user).select_related("unit", "updated_by"),
        pk=pk,
    )
    can_edit = Unit.objects.actionable_by(user, ENTRY_ROLES).filter(pk=statistics.unit_id).exists()
    changes = statistics.changes.select_related("changed_by")[:100]
    rows = [(field.label, getattr(statistics, field.name)) for field in COUNT_FIELDS]
    return render(
        request,
        "dossiers/figures_detail.html",
        {"statistics": statistics, "rows": rows, "changes": changes, "can_edit": can_edit},
    )


@login_required
@require_http_methods(["GET", "POST"])
def figures_import(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    _entry_units(request)
    form = DossierFileForm(request.POST or None, request.FILES or None)
    errors = []
    summary = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if form.cleaned_data["background"] or upload.size > settings.IMPORT_BACKGROUND_FROM_BYTES:
            from cchc.jobs import start_job

            title = _("Import of dossier figures: %(name)s") % {"name": upload.name}
            job = start_job("dossier_import", title, user, {"filename": upload.name}, upload=upload)
            return redirect("job_page", pk=job.pk)
        try:
            summary = import_dossiers(read_table(upload, upload.name), user)
        except ImportRefused as refused:
            errors = refused.errors
    return render(
        request,
        "dossiers/figures_import.html",
        {"form": form, "errors": errors, "summary": summary, "columns": COLUMNS},
        status=400 if errors else 200,
    )


@login_required
def figures_template(request: HttpRequest) -> HttpResponse:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Số liệu hồ sơ TTHC"
    sheet.append([*COLUMNS, "Đã giải quyết"])
    sheet.append(["19375", "2023-Q1", 440, 5, 120, 30, 2, 150, 230, 6, 40, 4, 20, 10, 300, 380])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="mau-so-lieu-ho-so-tthc.xlsx"'
    return response


@login_required
def dossier_report(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    visible = Unit.objects.visible_to(user)
    form = ReportForm(request.GET or None, units=visible)
    report = None
    if "unit" in request.GET and "unit" in (form.errors if request.GET else {}):
        raise Http404  # an address naming a unit the reader may not see
    if request.GET and form.is_valid():
        unit = form.cleaned_data["unit"]
        report = build_report(unit, form.cleaned_data["start"], form.cleaned_data["end"])
        if request.GET.get("format") == "xlsx":
            response = HttpResponse(report_xlsx(report), content_type=XLSX)
            response["Content-Disposition"] = (
                f'attachment; filename="bao-cao-ho-so-{unit.code}.xlsx"'
            )
            return response
        sort = request.GET.get("sort", "code")
        key = sort.lstrip("-")
        if key in SORTABLE:
            report.children.sort(
                key=lambda row: _sort_value(row, key), reverse=sort.startswith("-")
            )
    elif not request.GET:
        top = visible.order_by("depth", "path").first()
        latest = DossierStatistics.objects.filter(unit__in=visible).aggregate(latest=Max("year"))[
            "latest"
        ]
        if top is not None and latest:  # open on the reader's own units, the latest year
            return redirect(f"{request.path}?unit={top.code}&start={latest}&end={latest}")
        if top is not None:
            form = ReportForm(initial={"unit": top}, units=visible)
    columns = [
        ("code", _("Code")),
        ("name", _("Unit")),
        ("received", _("Received")),
        ("resolved", _("Resolved")),
    ]
    columns += [(indicator.name, indicator.label.capitalize() + " (%)") for indicator in INDICATORS]
    return render(
        request,
        "dossiers/report.html",
        {
            "form": form,
            "report": report,
            "indicators": INDICATORS,
            "columns": columns,
            "sort": request.GET.get("sort", "code"),
        },
    )
