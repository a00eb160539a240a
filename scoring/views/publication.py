"""Pages of results: the ranking (with its .xlsx and PDF), the unit scorecard, publication
under a decision (and its corrections)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.timezone import localdate
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc.access import request_user, visible_unit_of_year
from cchc.admin_log import record_admin_action
from cchc.conditional import not_modified, tagged
from cchc.documents import XLSX_TYPE
from cchc.models import Unit, User
from cchc.page_cache import cached_fragment, fragment_key, reader_tag
from scoring.criteria.sets import ranking_groups_of
from scoring.forms.publication import DecisionForm
from scoring.models import CriteriaSet
from scoring.publication.changes import publication_token
from scoring.publication.decisions import published_decision_pdf
from scoring.publication.published import (
    PublicationRefused,
    may_publish,
    publish_results,
    readiness,
)
from scoring.publication.rankings import (
    NoRanking,
    Ranking,
    RankingRequest,
    may_see_provisional,
    open_ranking,
    ranking_file_name,
    ranking_xlsx,
    sorted_rows,
    years_with_results,
)
from scoring.publication.scorecards import build_scorecard, scorecard_pdf
from scoring.views.assessments import assessment_or_404

ROWS_PER_PAGE = 100


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


def ranking_request(user: User, params: QueryDict, years: list[int]) -> RankingRequest:
    """What the page's address (or a form) asks for; the year defaults to the latest with
    results."""
    year = _int(params.get("year")) or (years[0] if years else None)
    if year is None:
        raise Http404
    code = params.get("unit", "")
    unit = visible_unit_of_year(user, code, year) if code else None
    return RankingRequest(
        year=year,
        set_pk=_int(params.get("bo")),
        group_pk=_int(params.get("nhom")),
        decision_pk=_int(params.get("quyet_dinh")),
        unit=unit,
        provisional=params.get("tam_thoi") == "1",
    )


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _ranking_tag(request: HttpRequest) -> str | None:
    """The tag of the ranking page this request asks for, for this reader: what the address
    asks, the publication token (renewed by any write to what the page reads), the day. Read
    before the page's data, so that a tag never names data older than its token. None for
    the files (they carry tags of their own), where a message is waiting and in a
    transaction that wrote what the page reads."""
    token = publication_token()
    if request.GET.get("format") or token is None:
        return None
    return reader_tag(
        request,
        "ranking",
        token,
        localdate().isoformat(),
        tuple(sorted(request.GET.lists())),
    )


@login_required
def ranking_page(request: HttpRequest) -> HttpResponseBase:
    user = request_user(request)
    page_tag = _ranking_tag(request)
    if page_tag and (unchanged := not_modified(request, page_tag)) is not None:
        return unchanged  # nothing the page reads was written since the browser's copy
    years = years_with_results(user)
    if not years and not request.GET.get("year"):
        return render(request, "scoring/ranking.html", {"years": [], "ranking": None})
    wanted = ranking_request(user, request.GET, years)
    try:
        ranking, choices = open_ranking(user, wanted)
    except NoRanking:
        raise Http404 from None
    if ranking is not None and request.GET.get("format") == "xlsx":
        return _download(
            ranking_xlsx(ranking), XLSX_TYPE, ranking_file_name(ranking, "xep-hang", "xlsx")
        )
    if ranking is not None and request.GET.get("format") == "pdf":
        prefix = "quyet-dinh" if ranking.decision is not None else "xep-hang-tam-thoi"
        pdf, tag = published_decision_pdf(ranking)
        if tag and (unchanged := not_modified(request, tag)) is not None:
            return unchanged
        response = _download(pdf, "application/pdf", ranking_file_name(ranking, prefix, "pdf"))
        return tagged(response, tag) if tag else response
    context: dict[str, Any] = {
        "ranking": ranking,
        "choices": choices,
        "years": years,
        "year": wanted.year,
        "wanted": wanted,
    }
    if ranking is None:
        return render(request, "scoring/ranking.html", context)
    query = request.GET.get("q", "").strip().casefold()
    classification = request.GET.get("classification", "")
    rows = sorted_rows(ranking, request.GET.get("sort", "rank"))
    if query:
        rows = [r for r in rows if query in r.unit_label.casefold() or query in r.unit_code]
    if classification:
        rows = [row for row in rows if row.classification == classification]
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    own_units = set(
        Unit.objects.visible_to(user)
        .filter(pk__in=[row.unit_id for row in ranking.rows])
        .values_list("pk", flat=True)
    )
    table_context = {
        "ranking": ranking,
        "page": page,
        "sort": request.GET.get("sort", "rank"),
        "base_query": _base_query(ranking),
        "own_units": own_units,
        "request": request,
    }
    context.update(
        {
            "page": page,
            "query": request.GET.get("q", ""),
            "classification": classification,
            "base_query": table_context["base_query"],
            "can_publish": may_publish(user, ranking.criteria_set),
            "can_see_provisional": may_see_provisional(user, ranking.criteria_set),
        }
    )
    decision = ranking.decision
    if decision is None or ranking.provisional:  # changes with every appraisal: made each time
        context["table"] = _ranking_table(table_context)
        return render(request, "scoring/ranking.html", context)
    # A published decision never changes; what is attached to its rows on each read (last
    # year's index, the warnings) is part of the key, with the page's rows and own units.
    key = fragment_key(
        "ranking-table",
        decision.pk,
        decision.number,
        decision.published_at.isoformat(),
        ranking.group.pk if ranking.group else 0,
        tuple(sorted(request.GET.lists())),
        page.number,
        tuple(
            (
                row.unit_id,
                row.unit_id in own_units,
                row.previous.index if row.previous else None,
                tuple(row.previous.via_predecessors) if row.previous else (),
                tuple(row.warnings),
            )
            for row in page.object_list
        ),
    )
    context["table"] = cached_fragment(key, lambda: _ranking_table(table_context))
    response = render(request, "scoring/ranking.html", context)
    return tagged(response, page_tag) if page_tag else response


def _ranking_table(context: dict[str, Any]) -> str:
    """The ranking's counts, chart, table and pages: the costly part of the page."""
    ranking: Ranking = context["ranking"]
    return render_to_string(
        "scoring/partials/ranking_table.html",
        {**context, "field_averages": ranking.field_averages()},
    )


def _base_query(ranking: Ranking) -> str:
    """The address parameters that name this ranking (for sorting and exports)."""
    parts = [f"year={ranking.year}", f"bo={ranking.criteria_set.pk}"]
    if ranking.group is not None:
        parts.append(f"nhom={ranking.group.pk}")
    if ranking.decision is not None and not ranking.decision.is_current:
        parts.append(f"quyet_dinh={ranking.decision.pk}")
    if ranking.provisional:
        parts.append("tam_thoi=1")
    return "&".join(parts)


@login_required
def scorecard_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    assessment = assessment_or_404(request, pk, "criteria_set__scope")
    scorecard = build_scorecard(assessment, user, provisional=request.GET.get("tam_thoi") == "1")
    if scorecard is None:
        raise Http404  # not published: officers and leaders wait for publication
    if request.GET.get("format") == "pdf":
        return _download(
            scorecard_pdf(scorecard),
            "application/pdf",
            f"ket-qua-{assessment.unit.code}-{assessment.criteria_set.year}.pdf",
        )
    return render(request, "scoring/scorecard.html", {"card": scorecard})


@login_required
def publish_page(request: HttpRequest, set_pk: int) -> HttpResponse:
    """Publish the results of the set (or of one of its ranking groups) under a decision;
    where a decision stands, a correcting decision supersedes it."""
    user = request_user(request)
    criteria_set = get_object_or_404(
        CriteriaSet.objects.visible_to(user).select_related("scope", "issuer"), pk=set_pk
    )
    if not may_publish(user, criteria_set):
        raise PermissionDenied
    groups = ranking_groups_of(criteria_set)
    group = None
    if groups:
        group_pk = _int(request.GET.get("nhom") or request.POST.get("nhom"))
        group = next((g for g in groups if g.pk == group_pk), None)
        if group is None:
            return render(
                request, "scoring/publish_groups.html", {"set": criteria_set, "groups": groups}
            )
    state = readiness(criteria_set, group)
    form = DecisionForm(
        request.POST or None, criteria_set=criteria_set, correcting=state.current is not None
    )
    if request.method == "POST" and form.is_valid():
        try:
            decision = publish_results(
                criteria_set, group, form.save(commit=False), user, corrects=state.current
            )
        except PublicationRefused as refused:
            form.add_error(None, refused)
        else:
            record_admin_action(
                user, decision, f"Công bố kết quả theo Quyết định {decision.number}"
            )
            messages.success(
                request,
                _("Published the results of %(count)s units under decision %(number)s.")
                % {"count": state.total, "number": decision.number},
            )
            query = f"?year={criteria_set.year}&bo={criteria_set.pk}"
            if group is not None:
                query += f"&nhom={group.pk}"
            return redirect(reverse("ranking") + query)
    return render(
        request,
        "scoring/publish.html",
        {"set": criteria_set, "group": group, "form": form, "state": state},
    )


@login_required
@require_POST
def ranking_job(request: HttpRequest) -> HttpResponse:
    """The decision PDF or the ranking .xlsx made in the background."""
    from cchc.jobs import start_job

    user = request_user(request)
    kind = request.POST.get("kind", "")
    if kind not in ("decision_pdf", "ranking_xlsx"):
        raise Http404
    wanted = ranking_request(user, request.POST, years_with_results(user))
    try:
        ranking, _choices = open_ranking(user, wanted)
    except NoRanking:
        raise Http404 from None
    if ranking is None:
        raise Http404
    exact = RankingRequest(
        year=ranking.year,
        set_pk=ranking.criteria_set.pk,
        group_pk=ranking.group.pk if ranking.group is not None else None,
        decision_pk=ranking.decision.pk if ranking.decision is not None else None,
        provisional=ranking.provisional,
    )
    titles = {"decision_pdf": _("Decision PDF"), "ranking_xlsx": _("Ranking .xlsx")}
    job = start_job(kind, f"{titles[kind]} — {ranking.title}", user, exact.as_params())
    return redirect("job_page", pk=job.pk)
