"""Staff pages of the survey: questionnaires (import, export, copy, open, close), each unit's
results with its poster, one-time codes and paper entry, the answers set aside for review,
and the open data.

Who may do what: an administrator of the criteria set's scope runs the questionnaire;
Home Affairs staff (appraisers, administrators) of a unit enter its paper forms; whoever
sees a unit sees its results and may print its poster.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cchc.access import request_user
from cchc.documents import XLSX_TYPE, Sheet, xlsx_bytes
from cchc.models import Role, Unit, User
from cchc.spreadsheets import ImportRefused, read_table, safe_row
from scoring.engine import Method
from scoring.models import CriteriaSet
from surveys.forms import CopyForm, PaperForm, PaperImportForm, QuestionnaireImportForm, TokensForm
from surveys.models import Answer, Questionnaire, Response, UnitLink
from surveys.posters import poster_pdf, public_url, slips_pdf
from surveys.questionnaires import copy_questionnaire, export_questionnaire, import_questionnaire
from surveys.responses import (
    AnswerProblems,
    DuplicateForm,
    enter_paper,
    import_paper,
    make_tokens,
    open_survey,
)
from surveys.results import close_survey, overview, unit_results

STAFF_ROLES = (Role.ADMINISTRATOR, Role.APPRAISER)
PDF = "application/pdf"


def _questionnaire(request: HttpRequest, pk: int) -> Questionnaire:
    user = request_user(request)
    return get_object_or_404(
        Questionnaire.objects.visible_to(user).select_related(
            "criteria_set", "criteria_set__scope"
        ),
        pk=pk,
    )


def _administered_sets(user: User) -> Any:
    return CriteriaSet.objects.filter(
        scope__in=Unit.objects.actionable_by(user, [Role.ADMINISTRATOR]),
        criteria__method=Method.SURVEY.value,
    ).distinct()


def _require_administrator(user: User, questionnaire: Questionnaire) -> None:
    if (
        not Unit.objects.actionable_by(user, [Role.ADMINISTRATOR])
        .filter(pk=questionnaire.criteria_set.scope_id)
        .exists()
    ):
        raise PermissionDenied


def _link(request: HttpRequest, questionnaire: Questionnaire, unit_pk: int) -> UnitLink:
    user = request_user(request)
    return get_object_or_404(
        UnitLink.objects.select_related("unit", "questionnaire"),
        questionnaire=questionnaire,
        unit__in=Unit.objects.visible_to(user),
        unit_id=unit_pk,
    )


def _require_staff_on(user: User, unit: Unit) -> None:
    if not Unit.objects.actionable_by(user, STAFF_ROLES).filter(pk=unit.pk).exists():
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def questionnaire_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    sets = _administered_sets(user)
    form = QuestionnaireImportForm(request.POST or None, request.FILES or None, sets=sets)
    errors: list[Any] = []
    if request.method == "POST":
        if not sets.exists():
            raise PermissionDenied
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                questionnaire = import_questionnaire(
                    upload, upload.name, form.cleaned_data["criteria_set"], user
                )
            except ImportRefused as refused:
                errors = refused.errors
            else:
                messages.success(request, _("The questionnaire was imported."))
                return redirect("questionnaire_detail", pk=questionnaire.pk)
    questionnaires = Questionnaire.objects.visible_to(user).select_related("criteria_set")
    return render(
        request,
        "surveys/questionnaire_list.html",
        {
            "questionnaires": questionnaires,
            "form": form,
            "errors": errors,
            "can_import": sets.exists(),
        },
        status=400 if errors else 200,
    )


@login_required
def questionnaire_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    questionnaire = _questionnaire(request, pk)
    visible = set(
        Unit.objects.visible_to(user)
        .filter(survey_links__questionnaire=questionnaire)
        .values_list("pk", flat=True)
    )
    rows = [row for row in overview(questionnaire).rows if row[0].unit_id in visible]
    is_admin = (
        Unit.objects.actionable_by(user, [Role.ADMINISTRATOR])
        .filter(pk=questionnaire.criteria_set.scope_id)
        .exists()
    )
    return render(
        request,
        "surveys/questionnaire_detail.html",
        {
            "questionnaire": questionnaire,
            "rows": rows,
            "is_admin": is_admin,
            "copy_form": CopyForm(
                sets=_administered_sets(user).exclude(pk=questionnaire.criteria_set_id)
            ),
            "paper_form": PaperImportForm(),
            "questions": questionnaire.questions.prefetch_related("choices", "groups"),
            "rules": questionnaire.rules.select_related("criterion").prefetch_related("questions"),
            "review_count": Response.objects.filter(
                link__questionnaire=questionnaire, status=Response.Status.REVIEW
            ).count(),
        },
    )


@login_required
def questionnaire_export(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = _questionnaire(request, pk)
    response = HttpResponse(export_questionnaire(questionnaire), content_type=XLSX_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="phieu-khao-sat-{questionnaire.criteria_set.year}.xlsx"'
    )
    return response


@login_required
@require_POST
def questionnaire_copy(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    questionnaire = _questionnaire(request, pk)
    _require_administrator(user, questionnaire)
    form = CopyForm(request.POST, sets=_administered_sets(user))
    if not form.is_valid():
        messages.error(request, _("Choose the criteria set to copy to."))
        return redirect("questionnaire_detail", pk=pk)
    try:
        copied = copy_questionnaire(questionnaire, form.cleaned_data["target"], user)
    except ImportRefused as refused:
        messages.error(request, "; ".join(str(error) for error in refused.errors))
        return redirect("questionnaire_detail", pk=pk)
    messages.success(request, _("The questionnaire was copied."))
    return redirect("questionnaire_detail", pk=copied.pk)


@login_required
@require_POST
def questionnaire_open(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    questionnaire = _questionnaire(request, pk)
    _require_administrator(user, questionnaire)
    if questionnaire.status == Questionnaire.Status.CLOSED:
        messages.error(request, _("A closed survey is not opened again."))
    else:
        count = open_survey(questionnaire)
        messages.success(
            request,
            _("The survey is open: %(count)s units have their public link.") % {"count": count},
        )
    return redirect("questionnaire_detail", pk=pk)


@login_required
@require_POST
def questionnaire_close(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    questionnaire = _questionnaire(request, pk)
    _require_administrator(user, questionnaire)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm closing the survey."))
        return redirect("questionnaire_detail", pk=pk)
    if questionnaire.status == Questionnaire.Status.CLOSED:
        messages.info(request, _("The survey is already closed."))
        return redirect("questionnaire_detail", pk=pk)
    closing = close_survey(questionnaire, user)
    messages.success(
        request,
        _("The survey is closed; %(count)s survey scores were set in the assessments.")
        % {"count": len(closing.applied)},
    )
    if closing.skipped:
        messages.warning(request, _("Not set: %(list)s") % {"list": "; ".join(closing.skipped)})
    return redirect("questionnaire_detail", pk=pk)


@login_required
def unit_page(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    questionnaire = _questionnaire(request, pk)
    link = _link(request, questionnaire, unit_pk)
    user = request_user(request)
    return render(
        request,
        "surveys/unit_results.html",
        {
            "questionnaire": questionnaire,
            "link": link,
            "results": unit_results(link),
            "url": public_url(link),
            "can_enter": Unit.objects.actionable_by(user, STAFF_ROLES)
            .filter(pk=link.unit_id)
            .exists(),
            "is_admin": Unit.objects.actionable_by(user, [Role.ADMINISTRATOR])
            .filter(pk=questionnaire.criteria_set.scope_id)
            .exists(),
            "tokens_form": TokensForm(),
            "tokens_left": link.tokens.filter(used_at__isnull=True).count(),
        },
    )


@login_required
def poster(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    link = _link(request, _questionnaire(request, pk), unit_pk)
    response = HttpResponse(poster_pdf(link), content_type=PDF)
    response["Content-Disposition"] = f'inline; filename="ap-phich-khao-sat-{link.unit.code}.pdf"'
    return response


@login_required
@require_POST
def tokens(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    questionnaire = _questionnaire(request, pk)
    link = _link(request, questionnaire, unit_pk)
    _require_administrator(request_user(request), questionnaire)
    form = TokensForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for ms in form.errors.values() for m in ms))
        return redirect("survey_unit", pk=pk, unit_pk=unit_pk)
    created = make_tokens(link, form.cleaned_data["count"])
    response = HttpResponse(slips_pdf(link, created), content_type=PDF)
    response["Content-Disposition"] = f'attachment; filename="ma-moi-{link.unit.code}.pdf"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def paper_entry(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    user = request_user(request)
    questionnaire = _questionnaire(request, pk)
    link = _link(request, questionnaire, unit_pk)
    _require_staff_on(user, link.unit)
    form = PaperForm(request.POST or None, questionnaire=questionnaire)
    status = 200
    if request.method == "POST" and form.is_valid():
        group = questionnaire.groups.get(code=form.cleaned_data["group"])
        try:
            enter_paper(link, form.cleaned_data["form_number"], group, form.answers(), user)
        except DuplicateForm as duplicate:
            form.add_error(
                "form_number",
                _("The form %(number)s of this unit was already entered.")
                % {"number": duplicate.args[0]},
            )
        except AnswerProblems as refused:
            for code, problem in refused.problems.items():
                form.add_error(f"q-{code}" if code else None, problem)
        else:
            messages.success(
                request,
                _("Form %(number)s saved. Enter the next one.")
                % {"number": form.cleaned_data["form_number"]},
            )
            return redirect("paper_entry", pk=pk, unit_pk=unit_pk)
    if form.errors:
        status = 400
    entered = Response.objects.filter(link=link, channel=Response.Channel.PAPER).count()
    return render(
        request,
        "surveys/paper_entry.html",
        {"questionnaire": questionnaire, "link": link, "form": form, "entered": entered},
        status=status,
    )


@login_required
@require_POST
def paper_import(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    questionnaire = _questionnaire(request, pk)
    units = Unit.objects.actionable_by(user, STAFF_ROLES)
    if not units.filter(survey_links__questionnaire=questionnaire).exists():
        raise PermissionDenied
    form = PaperImportForm(request.POST, request.FILES)
    errors: list[Any] = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            count = import_paper(questionnaire, read_table(upload, upload.name), user, units)
        except ImportRefused as refused:
            errors = refused.errors
        else:
            messages.success(request, _("Imported %(count)s paper forms.") % {"count": count})
            return redirect("questionnaire_detail", pk=pk)
    else:
        errors = []
        messages.error(request, " ".join(str(m) for ms in form.errors.values() for m in ms))
        return redirect("questionnaire_detail", pk=pk)
    return render(
        request,
        "surveys/paper_import_errors.html",
        {"questionnaire": questionnaire, "errors": errors},
        status=400,
    )


@login_required
def review_list(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    questionnaire = _questionnaire(request, pk)
    _require_administrator(user, questionnaire)
    held = (
        Response.objects.filter(link__questionnaire=questionnaire, status=Response.Status.REVIEW)
        .select_related("link__unit", "group")
        .order_by("submitted_at")
    )
    page = Paginator(held, 50).get_page(request.GET.get("page"))
    return render(request, "surveys/review.html", {"questionnaire": questionnaire, "page": page})


@login_required
@require_POST
def review_decide(request: HttpRequest, pk: int, response_pk: int) -> HttpResponse:
    user = request_user(request)
    questionnaire = _questionnaire(request, pk)
    _require_administrator(user, questionnaire)
    held = get_object_or_404(
        Response, pk=response_pk, link__questionnaire=questionnaire, status=Response.Status.REVIEW
    )
    decision = request.POST.get("decision")
    if decision not in ("count", "reject"):
        raise Http404
    held.status = Response.Status.COUNTED if decision == "count" else Response.Status.REJECTED
    held.status_reason = (
        f"{held.status_reason}; {user}: {'tính' if decision == 'count' else 'không tính'}"[:200]
    )
    held.save(update_fields=["status", "status_reason"])
    return redirect("survey_review", pk=pk)


@login_required
def open_data(request: HttpRequest, pk: int) -> HttpResponse:
    """The counted answers without anything that could point to a person: a random number per
    response, the unit, the group, the channel, the month, and each answer's code."""
    user = request_user(request)
    questionnaire = _questionnaire(request, pk)
    questions = list(questionnaire.questions.order_by("sort", "code"))
    responses = (
        Response.objects.filter(
            link__questionnaire=questionnaire,
            status=Response.Status.COUNTED,
            link__unit__in=Unit.objects.visible_to(user),
        )
        .select_related("link__unit", "group")
        .order_by("public_id")
    )
    answers: dict[int, dict[int, str]] = {}
    for response_id, question_id, code in Answer.objects.filter(response__in=responses).values_list(
        "response_id", "question_id", "choice__code"
    ):
        answers.setdefault(response_id, {})[question_id] = code
    headers = [
        "Mã phiếu",
        "Mã đơn vị",
        "Đơn vị",
        "Nhóm",
        "Hình thức",
        "Tháng",
        *(q.code for q in questions),
    ]
    rows = [
        [
            r.public_id,
            r.link.unit.code,
            str(r.link.unit),
            r.group.code,
            "giấy" if r.channel == Response.Channel.PAPER else "trực tuyến",
            f"{r.submitted_at:%m/%Y}",
            *(answers.get(r.pk, {}).get(q.pk, "") for q in questions),
        ]
        for r in responses
    ]
    name = f"khao-sat-{questionnaire.criteria_set.year}-du-lieu-mo"
    if request.GET.get("format") == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        writer.writerows(safe_row(row) for row in rows)
        response = HttpResponse(
            buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    legend = [
        [
            q.code,
            q.section,
            q.text,
            "; ".join(
                f"{c.code}={c.text} ({c.weight if c.weight is not None else '-'}%)"
                for c in q.choices.all()
            ),
        ]
        for q in questionnaire.questions.prefetch_related("choices")
    ]
    content = xlsx_bytes(
        Sheet("Phiếu trả lời", headers, rows, title_lines=[questionnaire.title]),
        Sheet("Câu hỏi", ["Mã câu", "Phần", "Câu hỏi", "Phương án (trọng số)"], legend),
    )
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response
