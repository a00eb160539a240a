"""Pages of dossier records: the import, a unit's figures counted from its records with a
link from each count to the dossiers behind it, those lists, and one dossier."""

from __future__ import annotations

import datetime
import io
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from openpyxl import Workbook

from cchc.access import request_user
from cchc.models import Unit
from cchc.spreadsheets import ImportRefused, safe_row
from dossiers.figures import COUNT_FIELDS
from dossiers.forms import RecordFileForm
from dossiers.models import ENTRY_ROLES, DossierRecord, Outcome, RecordedUnit
from dossiers.periods import Period
from dossiers.record_counts import RECORD_COUNTS, records_behind, statistics_counts
from dossiers.record_imports import DEFAULT_COLUMNS, import_records
from dossiers.reports import build_report
from dossiers.service_index import subtree_counts

logger = logging.getLogger(__name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXTRA_COUNTS = [
    "received",
    "resolved",
    "resolved_in_time",
    "online",
    "pending",
    "at_most_one_supplement",
    "result_returned",
    "rated",
    "satisfied",
]
EXPORT_LIMIT = 200_000


def _visible_unit(request: HttpRequest, pk: Any) -> Unit:
    if not str(pk).isdigit():
        raise Http404
    return get_object_or_404(Unit.objects.visible_to(request_user(request)), pk=int(pk))


def _periods(request: HttpRequest, unit: Unit) -> tuple[Period, Period]:
    """The range the address asks for (``tu``, ``den``), else the year of the unit's latest
    records (or this year)."""
    try:
        start = Period.parse(request.GET.get("tu", ""))
        end = Period.parse(request.GET.get("den", "") or str(start))
    except ValueError:
        latest = (
            DossierRecord.objects.filter(unit__path__startswith=unit.path)
            .order_by("-received_on")
            .values_list("received_on", flat=True)
            .first()
        )
        year = latest.year if latest else datetime.date.today().year
        start = end = Period.parse(str(year))
    if end.end < start.start:
        start, end = end, start
    return start, end


def _list_url(unit: Unit, start: Period, end: Period, count: str) -> str:
    query = urlencode({"don_vi": str(unit.pk), "tu": str(start), "den": str(end), "dem": count})
    return f"{reverse('record_list')}?{query}"


@login_required
def unit_figures(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _visible_unit(request, pk)
    start, end = _periods(request, unit)
    report = build_report(unit, start, end)
    total = report.total
    recorded = RecordedUnit.objects.filter(unit=unit).first()
    # A count links to its dossiers when all of it comes from the records of the unit and
    # the units under it (not from entered totals, nor from predecessors' figures).
    linked = total.sources == {"records"} and not total.includes_predecessors
    counts = subtree_counts(unit, start.start, end.end) if linked else {}
    if linked and statistics_counts(counts) != total.counts:  # never link a list that differs
        logger.info("record counts of %s %s–%s differ from the report", unit.pk, start, end)
        linked = False
    rows = [
        (
            field.label,
            total.counts[field.name],
            _list_url(unit, start, end, field.name) if linked else "",
        )
        for field in COUNT_FIELDS
    ]
    extra = [
        (RECORD_COUNTS[name].label, counts[name], _list_url(unit, start, end, name))
        for name in EXTRA_COUNTS
        if linked
    ]
    return render(
        request,
        "dossiers/unit_figures.html",
        {
            "unit": unit,
            "start": start,
            "end": end,
            "report": report,
            "total": total,
            "rows": rows,
            "extra": extra,
            "recorded": recorded,
            "linked": linked,
            "records_count": DossierRecord.objects.filter(unit=unit).count() if recorded else 0,
        },
    )


@login_required
def record_list(request: HttpRequest) -> HttpResponse:
    unit = _visible_unit(request, request.GET.get("don_vi", ""))
    start, end = _periods(request, unit)
    count = request.GET.get("dem", "received")
    if count not in RECORD_COUNTS:
        raise Http404
    units = Unit.objects.filter(path__startswith=unit.path).values("pk")
    records = (
        records_behind(count, units, start.start, end.end)
        .select_related("unit")
        .order_by("received_at", "code")
    )
    if request.GET.get("format") == "xlsx":
        return _records_xlsx(records[:EXPORT_LIMIT], unit, start, end, count)
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    query = urlencode({"don_vi": str(unit.pk), "tu": str(start), "den": str(end), "dem": count})
    return render(
        request,
        "dossiers/record_list.html",
        {
            "unit": unit,
            "start": start,
            "end": end,
            "count": RECORD_COUNTS[count],
            "page": page,
            "query": query,
            "late": count in ("resolved_late", "pending_overdue"),
            "back": reverse("unit_figures", args=[unit.pk]) + f"?tu={start}&den={end}",
        },
    )


def _records_xlsx(records: Any, unit: Unit, start: Period, end: Period, count: str) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Hồ sơ")
    sheet.append(
        [f"{RECORD_COUNTS[count].label} — {unit} — {start.label_vi()} đến {end.label_vi()}"]
    )
    sheet.append(
        [
            "Mã hồ sơ",
            "Mã đơn vị",
            "Thủ tục",
            "Ngày tiếp nhận",
            "Hạn giải quyết",
            "Ngày có kết quả",
            "Kết quả",
            "Số ngày làm việc quá hạn",
            "Hình thức nộp",
            "Trạng thái",
        ]
    )
    for record in records.iterator(chunk_size=2000):
        sheet.append(
            safe_row(
                [
                    record.code,
                    record.unit.code,
                    record.procedure_name,
                    _local(record.received_at),
                    record.due_on,
                    _local(record.closed_at),
                    record.get_outcome_display() if record.outcome else "",
                    record.overrun_days or None,
                    record.get_channel_display(),
                    record.get_state_display(),
                ]
            )
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="ho-so-{unit.code}-{start}-{count}.xlsx"'
    )
    return response


def _local(moment: datetime.datetime | None) -> datetime.datetime | None:
    from django.utils import timezone

    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


@login_required
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(
        DossierRecord.objects.visible_to(request_user(request)).select_related("unit"), pk=pk
    )
    return render(
        request,
        "dossiers/record_detail.html",
        {
            "record": record,
            "changes": record.changes.select_related("changed_by")[:50],
            "late": record.outcome == Outcome.LATE,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def records_import(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not Unit.objects.actionable_by(user, ENTRY_ROLES).exists():
        raise PermissionDenied
    form = RecordFileForm(request.POST or None, request.FILES or None)
    errors: list[Any] = []
    summary = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        mapping = form.cleaned_data["mapping"]
        replace = form.cleaned_data["replace_entered"]
        if upload.size > settings.IMPORT_BACKGROUND_FROM_BYTES:
            from cchc.jobs import start_job

            job = start_job(
                "dossier_records_import",
                _("Import of dossier records: %(name)s") % {"name": upload.name},
                user,
                {"filename": upload.name, "mapping": mapping, "replace_entered": replace},
                upload=upload,
            )
            return redirect("job_page", pk=job.pk)
        try:
            summary = import_records(upload, upload.name, user, mapping, replace)
        except ImportRefused as refused:
            errors = refused.errors
    return render(
        request,
        "dossiers/records_import.html",
        {
            "form": form,
            "errors": errors,
            "summary": summary,
            "columns": [(header, required) for header, required in DEFAULT_COLUMNS.values()],
            "background_mb": settings.IMPORT_BACKGROUND_FROM_BYTES // (1024 * 1024),
        },
        status=400 if errors else 200,
    )


@login_required
def records_template(request: HttpRequest) -> HttpResponse:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Hồ sơ TTHC"
    sheet.append([header for header, _required in DEFAULT_COLUMNS.values()])
    sheet.append(
        [
            "000.00.19.H45-240105-0001",
            "19375",
            "1.001612",
            "Chứng thực bản sao từ bản chính",
            "05/01/2024 08:30",
            "",
            1,
            "08/01/2024 10:00",
            "08/01/2024 15:00",
            "Trực tuyến một phần",
            "Có",
            "Có",
            "Có",
            0,
            "",
            "Đã giải quyết",
            "Hài lòng",
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="mau-ho-so-tthc.xlsx"'
    return response
