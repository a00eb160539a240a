"""Pages of results: the ranking (with its .xlsx and PDF), the unit scorecard, publication."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc.access import request_user, require_role_on, visible_unit_or_404
from cchc.admin_log import record_admin_action
from cchc.models import Role, Unit
from scoring.decisions import decision_pdf, publish_set, scorecard_pdf
from scoring.forms import DecisionForm
from scoring.models import Assessment, CriteriaSet
from scoring.models.assessments import AssessmentState as S
from scoring.rankings import build_ranking, ranking_xlsx, sorted_rows
from scoring.scorecards import build_scorecard

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROWS_PER_PAGE = 100


def _year(request: HttpRequest) -> int:
    text = request.GET.get("year", "")
    return int(text) if text.isdigit() else timezone.localdate().year - 1


@login_required
def ranking_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    code = request.GET.get("unit", "")
    parent = (
        visible_unit_or_404(user, code)
        if code
        else Unit.objects.visible_to(user).order_by("depth", "path").first()
    )
    if parent is None:
        raise Http404
    year = _year(request)
    ranking = build_ranking(parent, year, user)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(ranking_xlsx(ranking), content_type=XLSX)
        response["Content-Disposition"] = (
            f'attachment; filename="xep-hang-{parent.code}-{year}.xlsx"'
        )
        return response
    if request.GET.get("format") == "pdf":
        response = HttpResponse(decision_pdf(ranking), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="quyet-dinh-{parent.code}-{year}.pdf"'
        )
        return response
    query = request.GET.get("q", "").strip().casefold()
    classification = request.GET.get("classification", "")
    rows = sorted_rows(ranking, request.GET.get("sort", "rank"))
    if query:
        rows = [row for row in rows if query in row.unit_label.casefold() or query in row.unit_code]
    if classification:
        rows = [row for row in rows if row.classification == classification]
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "scoring/ranking.html",
        {
            "ranking": ranking,
            "parent": parent,
            "year": year,
            "page": page,
            "query": request.GET.get("q", ""),
            "classification": classification,
            "sort": request.GET.get("sort", "rank"),
            "field_averages": ranking.field_averages(),
            "can_publish": ranking.criteria_set is not None
            and Unit.objects.actionable_by(user, [Role.ADMINISTRATOR])
            .filter(pk=ranking.criteria_set.scope_id)
            .exists(),
        },
    )


def _visible_assessment(request: HttpRequest, pk: int) -> Assessment:
    user = request_user(request)
    visible = Assessment.objects.filter(unit__in=Unit.objects.visible_to(user)).select_related(
        "unit", "criteria_set"
    )
    return get_object_or_404(visible, pk=pk)


@login_required
def scorecard_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    assessment = _visible_assessment(request, pk)
    scorecard = build_scorecard(assessment, user)
    if scorecard is None:
        raise Http404  # not published: officers and leaders wait for publication
    if request.GET.get("format") == "pdf":
        response = HttpResponse(scorecard_pdf(scorecard), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="ket-qua-{assessment.unit.code}-{assessment.criteria_set.year}.pdf"'
        )
        return response
    return render(request, "scoring/scorecard.html", {"card": scorecard})


@login_required
def publish_page(request: HttpRequest, set_pk: int) -> HttpResponse:
    user = request_user(request)
    criteria_set = get_object_or_404(
        CriteriaSet.objects.select_related("scope", "issuer"), pk=set_pk
    )
    if not Unit.objects.visible_to(user).filter(pk=criteria_set.scope_id).exists():
        raise Http404
    require_role_on(user, criteria_set.scope, [Role.ADMINISTRATOR])
    approved = criteria_set.assessments.filter(state=S.APPROVED).count()
    waiting = criteria_set.assessments.exclude(state__in=[S.APPROVED, S.PUBLISHED]).count()
    existing = getattr(criteria_set, "decision", None)
    form = DecisionForm(request.POST or None, instance=existing, criteria_set=criteria_set)
    if request.method == "POST" and form.is_valid():
        try:
            published = publish_set(criteria_set, form, user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            record_admin_action(
                user, criteria_set.decision, f"Công bố kết quả của {published} đơn vị"
            )
            messages.success(
                request, _("Published the results of %(count)s units.") % {"count": published}
            )
            return redirect(f"/xep-hang/?unit={criteria_set.scope.code}&year={criteria_set.year}")
    return render(
        request,
        "scoring/publish.html",
        {"set": criteria_set, "form": form, "approved": approved, "waiting": waiting},
    )


@login_required
@require_POST
def ranking_job(request: HttpRequest) -> HttpResponse:
    """The decision PDF or the ranking .xlsx made in the background."""
    from cchc.jobs import start_job

    user = request_user(request)
    parent = visible_unit_or_404(user, request.POST.get("unit", ""))
    year = request.POST.get("year", "")
    kind = request.POST.get("kind", "")
    if not year.isdigit() or kind not in ("decision_pdf", "ranking_xlsx"):
        raise Http404
    titles = {"decision_pdf": _("Decision PDF"), "ranking_xlsx": _("Ranking .xlsx")}
    job = start_job(
        kind, f"{titles[kind]} — {parent} — {year}", user, {"unit": parent.code, "year": year}
    )
    return redirect("job_page", pk=job.pk)
