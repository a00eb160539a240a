"""Pages of a unit's published result beyond the ranking: the deduction report (page and
PDF) and the remediation plan, with the remediation overview of every unit."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc.access import request_user
from scoring.assessment.workflow import may
from scoring.models import RemediationTask
from scoring.publication.deduction_report import (
    DeductionReport,
    deduction_report_pdf,
    provisional_report,
    published_report,
    published_result_of,
)
from scoring.publication.rankings import may_see_provisional
from scoring.publication.remediation import StaleTask, progress_by_unit, update_task
from scoring.views.assessments import assessment_or_404


def _report_or_404(request: HttpRequest, pk: int) -> DeductionReport:
    """The published report; the provisional one for the appraisers and administrators of
    the set (also on asking, while a published one exists)."""
    user = request_user(request)
    assessment = assessment_or_404(request, pk, "criteria_set__scope")
    published = published_result_of(assessment)
    allowed = may_see_provisional(user, assessment.criteria_set)
    if published is not None and not (allowed and request.GET.get("tam_thoi") == "1"):
        return published_report(assessment, published)
    if allowed:
        return provisional_report(assessment)
    raise Http404  # results are seen by the unit and leaders once published


@login_required
def deduction_report_page(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_or_404(request, pk)
    if request.GET.get("format") == "pdf":
        response = HttpResponse(deduction_report_pdf(report), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="bao-cao-diem-tru-{report.assessment.unit.code}.pdf"'
        )
        return response
    return render(request, "scoring/deduction_report.html", {"report": report})


@login_required
def remediation_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    assessment = assessment_or_404(request, pk, "criteria_set__scope")
    published = published_result_of(assessment)
    if published is None:
        raise Http404
    tasks = assessment.remediation_tasks.select_related("updated_by").order_by("sort_key")
    return render(
        request,
        "scoring/remediation_page.html",
        {
            "assessment": assessment,
            "published": published,
            "tasks": tasks,
            "can_edit": may(user, assessment, "officer"),
            "statuses": RemediationTask.Status.choices,
        },
    )


@login_required
@require_POST
def remediation_update(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    user = request_user(request)
    assessment = assessment_or_404(request, pk, "criteria_set__scope")
    task = get_object_or_404(RemediationTask, pk=task_pk, assessment=assessment)
    if not may(user, assessment, "officer"):
        raise PermissionDenied
    status = request.POST.get("status", "")
    deadline_text = request.POST.get("deadline", "")
    try:
        deadline = datetime.date.fromisoformat(deadline_text) if deadline_text else None
    except ValueError:
        messages.error(request, _("The deadline is not a date."))
        return redirect("remediation_page", pk=pk)
    if status not in RemediationTask.Status.values:
        messages.error(request, _("Choose a status."))
        return redirect("remediation_page", pk=pk)
    try:
        update_task(
            task,
            action=request.POST.get("action", ""),
            assignee=request.POST.get("assignee", ""),
            deadline=deadline,
            status=status,
            user=user,
            expected_version=int(request.POST.get("version") or 0),
        )
    except StaleTask as conflict:
        messages.error(
            request,
            _(
                "%(code)s was changed by %(user)s meanwhile; nothing was overwritten. Check and save again."
            )
            % {"code": task.code, "user": conflict.current.updated_by or "—"},
        )
    else:
        messages.success(request, _("Saved %(code)s.") % {"code": task.code})
    return redirect("remediation_page", pk=pk)


@login_required
def remediation_overview(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    page = Paginator(progress_by_unit(user), 100).get_page(request.GET.get("page"))
    return render(request, "scoring/remediation_overview.html", {"page": page})
