"""Pages of the core: the home page, units, and unit files."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cchc.access import request_user, require_administrator, visible_unit_or_404
from cchc.admin_log import record_admin_action
from cchc.forms import UnitFileForm
from cchc.models import (
    CodeError,
    Job,
    Lineage,
    Reorganisation,
    Unit,
    UnitKind,
    UnitQuerySet,
    User,
    unit_labels,
)
from cchc.reorganisation import divided_links, set_division
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
    """The tree of units, browsed lazily from the top (each unit's sub-units load when it is
    opened), or a search by code or name across the whole map."""
    user = request_user(request)
    units = Unit.objects.visible_to(user)
    query = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    show_all = request.GET.get("on") == "all"
    day = _parse_day(request.GET.get("on")) or timezone.localdate()
    if not show_all:
        units = units.in_force_on(day)
    if kind in UnitKind.values:
        units = units.filter(kind=kind)
    if query:
        units = units.search(query)
    searching = bool(query) or kind in UnitKind.values
    if not searching:
        units = _tops(user, units)
    page = Paginator(units.order_by("path"), UNITS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "cchc/unit_list.html",
        {
            "page": page,
            "labels": unit_labels(page.object_list) if searching else {},
            "with_children": _with_children(page.object_list, day, show_all),
            "query": query,
            "kind": kind,
            "kinds": UnitKind.choices,
            "day": day,
            "show_all": show_all,
            "searching": searching,
        },
    )


def _tops(user: User, units: UnitQuerySet) -> UnitQuerySet:
    """The highest units the user sees: the roots, or the units of the user's roles."""
    if user.is_superuser:
        return units.filter(parent__isnull=True)
    paths = user.role_paths(None)
    tops = [p for p in paths if not any(p != other and p.startswith(other) for other in paths)]
    return units.filter(path__in=tops)


def _with_children(units: Any, day: datetime.date, show_all: bool) -> set[int]:
    children = Unit.objects.filter(parent__in=list(units))
    if not show_all:
        children = children.in_force_on(day)
    return set(children.values_list("parent_id", flat=True).distinct())


@login_required
def unit_children(request: HttpRequest, pk: int) -> HttpResponse:
    """One unit's sub-units, loaded into the tree when it is opened (htmx, or a page)."""
    user = request_user(request)
    unit = get_object_or_404(Unit.objects.visible_to(user), pk=pk)
    show_all = request.GET.get("on") == "all"
    day = _parse_day(request.GET.get("on")) or timezone.localdate()
    children = Unit.objects.visible_to(user).filter(parent=unit).order_by("code")
    if not show_all:
        children = children.in_force_on(day)
    children_list = list(children[:1000])
    htmx = request.headers.get("HX-Request") == "true"
    return render(
        request,
        "cchc/partials/unit_children.html" if htmx else "cchc/unit_children_page.html",
        {
            "unit": unit,
            "children": children_list,
            "with_children": _with_children(children_list, day, show_all),
            "on": "all" if show_all else day.isoformat(),
        },
    )


@login_required
def unit_search(request: HttpRequest) -> JsonResponse:
    """Units the user sees whose code starts with, or whose name holds, the text typed (in
    force on ``?ngay=`` when given), each with its type, province, code and span."""
    user = request_user(request)
    units = Unit.objects.visible_to(user).search(request.GET.get("q", ""))
    day = _parse_day(request.GET.get("ngay"))
    if day is not None:
        units = units.in_force_on(day)
    kinds = [k for k in request.GET.get("loai", "").split(",") if k in UnitKind.values]
    if kinds:
        units = units.filter(kind__in=kinds)
    found = list(units.order_by("depth", "code")[:20])
    labels = unit_labels(found)
    return JsonResponse({"results": [{"id": u.pk, "label": labels[u.pk]} for u in found]})


@login_required
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A unit, named by its code read on ``?ngay=`` (today's unit where no date is given);
    where the code names several units and no date says which, the page lists them."""
    user = request_user(request)
    try:
        unit = visible_unit_or_404(user, code, _parse_day(request.GET.get("ngay")))
    except CodeError as error:
        return render(
            request, "cchc/unit_choice.html", {"code": code, "units": error.units}, status=300
        )
    visible = Unit.objects.visible_to(user)
    predecessors = unit.all_predecessors()
    successors = unit.all_successors()
    lineage_pks = [other.pk for other in predecessors + successors]
    links = {
        (link.successor_id, link.predecessor_id): link
        for link in Lineage.objects.filter(Q(successor=unit) | Q(predecessor=unit))
    }
    context = {
        "unit": unit,
        "ancestors": unit.ancestors(),
        "children": visible.filter(parent=unit).order_by("code")[:UNITS_PER_PAGE],
        "children_count": visible.filter(parent=unit).count(),
        "predecessors": [(p, links.get((unit.pk, p.pk))) for p in predecessors],
        "successors": [(s, links.get((s.pk, unit.pk))) for s in successors],
        # Lineage crosses scopes (a merged commune's predecessors may sit elsewhere):
        # names are shown, links only to units the user may open.
        "linkable": set(visible.filter(pk__in=lineage_pks).values_list("pk", flat=True)),
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
    if not job.finished or not job.result:  # a failed import's result is its list of errors
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


@login_required
def reorganisation_list(request: HttpRequest) -> HttpResponse:
    require_administrator(request_user(request))
    return render(
        request, "cchc/reorganisation_list.html", {"reorganisations": Reorganisation.objects.all()}
    )


@login_required
@require_http_methods(["GET", "POST"])
def reorganisation_page(request: HttpRequest, pk: int) -> HttpResponse:
    """How the figures and results of units the reorganisation divided follow it: all to the
    successor taking the main part, or each successor's share."""
    user = request_user(request)
    visible = Unit.objects.visible_to(user)
    touching = Reorganisation.objects.filter(
        Q(links__successor__in=visible) | Q(links__predecessor__in=visible)
    ).distinct()
    reorganisation = get_object_or_404(touching, pk=pk)
    require_administrator(user)
    divided = divided_links(reorganisation, visible)
    errors: list[str] = []
    if request.method == "POST":
        shares: dict[int, Decimal | None] = {}
        for links in divided.values():
            for link in links:
                text = request.POST.get(f"share_{link.pk}", "").strip().replace(",", ".")
                try:
                    shares[link.pk] = Decimal(text) if text else None
                except InvalidOperation:
                    errors.append(
                        _("%(unit)s: “%(text)s” is not a number.")
                        % {"unit": link.successor, "text": text}
                    )
        if not errors:
            try:
                set_division(reorganisation, request.POST.get("rule", ""), shares)
            except ValidationError as error:
                errors = error.messages
            else:
                record_admin_action(
                    user, user, f"Cách tính số liệu đơn vị bị chia: {reorganisation}"
                )
                messages.success(request, _("Saved."))
                return redirect("reorganisation_page", pk=pk)
    rows = [
        (
            unit,
            [
                (
                    link,
                    request.POST.get(f"share_{link.pk}", "")
                    if request.method == "POST"
                    else (
                        "" if link.share is None else str(link.share.normalize()).replace(".", ",")
                    ),
                )
                for link in links
            ],
        )
        for unit, links in divided.items()
    ]
    return render(
        request,
        "cchc/reorganisation_page.html",
        {
            "reorganisation": reorganisation,
            "divided": rows,
            "rules": Reorganisation.DivisionRule.choices,
            "errors": errors,
            "posted": request.POST,
        },
        status=400 if errors else 200,
    )
