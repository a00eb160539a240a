"""Pages of the self-assessment: the list, the officer's page with per-sub-criterion saving
(htmx), evidence, submission; opening, reopening and extending for administrators."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc.access import request_user, require_role_on, seen_by_key_or_404, seen_or_404
from cchc.admin_log import record_admin_action
from cchc.models import Role, Unit, User
from cchc.statements import KeyRead, RowsRead
from scoring.assessment.deadlines import running_deadline
from scoring.assessment.letters import letter_docx, letter_pdf
from scoring.assessment.loading import (
    dossier_values_for,
    items_of,
    score_self_assessment,
    with_links,
)
from scoring.assessment.results import Refreshed
from scoring.assessment.self_assessment import (
    AssessmentLocked,
    StaleItem,
    extend_deadline,
    is_required,
    is_self_assessed,
    open_assessments,
    progress_of,
    record_self_assessment,
    reopen_assessment,
    submit_assessment,
)
from scoring.assessment.sign_off import may_sign_off, sign_off
from scoring.assessment.workflow import IllegalMove, allowed_moves, holds
from scoring.criteria.parameters import describe, spec_from_json
from scoring.criteria.sets import visible_criteria_sets
from scoring.criteria.trees import criteria_rows, tree_and_rows
from scoring.forms.assessment import (
    ItemForm,
    OpenAssessmentsForm,
    ReopenForm,
    dossier_inputs_of,
    initial_of,
)
from scoring.forms.item_fields import fields_html, shown_fields
from scoring.models import (
    Assessment,
    AssessmentItem,
    Criterion,
    StateChange,
    SubmissionLetter,
)
from scoring.models.assessments import AssessmentState as S

ENTRY_ROLES = [Role.OFFICER, Role.ADMINISTRATOR]


# How every assessment's page and save reads it, per set of people named with it: building
# that query took Django ten times as long as the database took to answer it.
_READS: dict[tuple[str, ...], KeyRead] = {}


def assessment_read(related: tuple[str, ...] = ()) -> KeyRead:
    """The assessment by key with its criteria set, its unit and ``related`` (foreign keys
    of the assessment itself)."""
    read = _READS.get(related)
    if read is None:
        read = _READS.setdefault(related, KeyRead(Assessment, ("criteria_set", "unit", *related)))
    return read


_CRITERION = KeyRead(Criterion)


def criterion_or_404(assessment: Assessment, criterion_pk: int) -> Criterion:
    """The assessment's criterion with key ``criterion_pk`` (of its set); 404 otherwise."""
    found: Criterion | None = _CRITERION.get(criterion_pk)
    if found is None or found.criteria_set_id != assessment.criteria_set_id:
        raise Http404
    return found


def assessment_or_404(request: HttpRequest, pk: int, *related: str) -> Assessment:
    """The assessment with key ``pk``, read with its unit, its criteria set and ``related``,
    if the user sees its unit; 404 otherwise (the one rule of every assessment's page)."""
    if not any("__" in name for name in related):
        found: Assessment = seen_by_key_or_404(assessment_read(related), request_user(request), pk)
        return found
    queryset = Assessment.objects.select_related("criteria_set", *related)
    return seen_or_404(queryset, request_user(request), pk)


def _editable_criterion(assessment: Assessment, criterion_pk: int) -> Criterion:
    criterion = criterion_or_404(assessment, criterion_pk)
    if not is_self_assessed(criterion):
        raise ValidationError(_("This sub-criterion is not self-assessed."))
    return criterion


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
def assessment_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    assessments = (
        Assessment.objects.visible_to(user)
        .select_related("unit", "criteria_set")
        .annotate(
            scored=Count(
                "items", filter=Q(items__self_score__isnull=False) | Q(items__not_applicable=True)
            )
        )
        .order_by("-criteria_set__year", "unit__path")
    )
    page = Paginator(assessments, 50).get_page(request.GET.get("page"))
    return render(request, "scoring/assessment_list.html", {"page": page, "now": timezone.now()})


def _page_context(
    request: HttpRequest,
    assessment: Assessment,
    bound: dict[int, ItemForm] | None = None,
    open_fields: set[str] | None = None,
    dossier: dict[str, Decimal] | None = None,
) -> dict[str, Any]:
    """The page's context. Only the fields in ``open_fields`` (by default the one asked for
    with ?linh_vuc=, the one holding a form with errors, or else the first) get their
    sub-criteria's forms; the others are loaded when the officer opens them."""
    user = request_user(request)
    kept = tree_and_rows(assessment.criteria_set)
    criteria = criteria_rows(assessment.criteria_set, kept)
    by_pk = {criterion.pk: criterion for criterion in criteria}
    fields = [c for c in criteria if c.parent_id is None]
    loaded = with_links(assessment, items_of(assessment))
    items = {item.criterion_id: item for item in loaded}
    if open_fields is None:
        open_fields = {request.GET.get("linh_vuc", "")} & {f.code for f in fields}
        open_fields |= {by_pk[pk].code.split(".")[0] for pk in (bound or {})}
        if not open_fields and fields:
            open_fields = {_first_field_with_work(criteria, items) or fields[0].code}
    if dossier is None:
        dossier = dossier_values_for(assessment)
    can_edit = _can_edit(user, assessment)
    children: dict[int | None, list[Criterion]] = {}
    for criterion in criteria:
        children.setdefault(criterion.parent_id, []).append(criterion)
    for criterion in criteria:
        criterion.kids = children.get(criterion.pk, [])  # type: ignore[attr-defined]
        if criterion.method and criterion.code.split(".")[0] in open_fields:
            _decorate(criterion, items.get(criterion.pk), dossier, (bound or {}).get(criterion.pk))
    for field in fields:
        field.loaded = field.code in open_fields  # type: ignore[attr-defined]
    result = score_self_assessment(assessment, dossier, loaded, kept)
    return {
        "assessment": assessment,
        "fields": fields,
        "progress": progress_of(assessment, criteria, dossier, loaded),
        "result": result,
        "can_edit": can_edit,
        "can_administer": holds(user, assessment.unit, [Role.ADMINISTRATOR]),
        "reopen_form": ReopenForm(),
        "history": _HISTORY.rows(assessment),
        "deadline": running_deadline(assessment),
        "window_open": assessment.accepts_self_assessment(timezone.now()),
        "may_sign_off": may_sign_off(user, assessment)
        and assessment.accepts_self_assessment(timezone.now()),
        "letter": assessment.letters.first() if assessment.state != S.DRAFT else None,
        "may_withdraw": "withdraw" in allowed_moves(user, assessment),
        # What a sub-criterion shows after a save, named so that each one's template finds
        # them at once (a name a template does not find costs it three exceptions).
        "notice": "",
        "refused": False,
    }


# The assessment's moves, oldest first, with who made each (the page's history).
_HISTORY = RowsRead(StateChange, ("changed_by",), by="assessment", order=("changed_at", "pk"))


def _can_edit(user: User, assessment: Assessment) -> bool:
    """The self-assessment is open and the user enters the unit's data."""
    return assessment.accepts_self_assessment(timezone.now()) and _may_enter(user, assessment.unit)


def _first_field_with_work(
    criteria: list[Criterion], items: dict[int, AssessmentItem]
) -> str | None:
    """The field of the first sub-criterion still to score: where the officer has work."""
    for criterion in criteria:
        item = items.get(criterion.pk)
        if is_required(criterion) and (item is None or not item.is_scored):
            return criterion.code.split(".")[0]
    return None


@login_required
def assessment_field(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """One field's sub-criteria, loaded into the page when the officer opens it."""
    assessment = assessment_or_404(request, pk)
    context = _page_context(request, assessment, open_fields={code})
    field = next((f for f in context["fields"] if f.code == code), None)
    if field is None:
        raise Http404
    return render(request, "scoring/partials/field_items.html", {**context, "field": field})


def _decorate(
    criterion: Criterion,
    item: AssessmentItem | None,
    dossier: dict[str, Decimal],
    form: ItemForm | None,
) -> None:
    """Attach what the page shows of a sub-criterion: method in words, its item, its form."""
    spec = spec_from_json(criterion.method, criterion.parameters)
    criterion.described = describe(spec, criterion.max_score)  # type: ignore[attr-defined]
    criterion.item = item  # type: ignore[attr-defined]
    criterion.self_assessed = is_self_assessed(criterion)  # type: ignore[attr-defined]
    criterion.required = is_required(criterion)  # type: ignore[attr-defined]
    criterion.links = item.links if item else []  # type: ignore[attr-defined]
    if not criterion.self_assessed:  # type: ignore[attr-defined]
        return
    if form is None:  # what the item holds: its inputs are kept (scoring/forms/item_fields.py)
        initial = initial_of(item) if item else {}
        criterion.form_errors = []  # type: ignore[attr-defined]
        criterion.dossier_inputs = dossier_inputs_of(spec, dossier)  # type: ignore[attr-defined]
        criterion.fields_html = shown_fields(criterion, spec, dossier, initial)  # type: ignore[attr-defined]
    else:  # what the officer typed, with its errors
        criterion.form_errors = form.non_field_errors()  # type: ignore[attr-defined]
        criterion.dossier_inputs = form.dossier_inputs  # type: ignore[attr-defined]
        criterion.fields_html = fields_html(form)  # type: ignore[attr-defined]


def _may_enter(user: User, unit: Unit) -> bool:
    return holds(user, unit, ENTRY_ROLES)


@login_required
def assessment_page(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_or_404(request, pk)
    return render(request, "scoring/assessment_page.html", _page_context(request, assessment))


def render_item(
    request: HttpRequest,
    assessment: Assessment,
    criterion: Criterion,
    form: ItemForm | None = None,
    notice: str = "",
    status: int = 200,
    refused: bool = False,
    dossier: dict[str, Decimal] | None = None,
    refreshed: Refreshed | None = None,
) -> HttpResponse:
    """The sub-criterion's part of the page, with the summary swapped in out of band. Only
    what these two parts show is read: the items (the one shown, the progress and the
    total) and the tree; ``refreshed``: the items, tree and total a save's transaction just
    read and scored (only their evidence is read then)."""
    user = request_user(request)
    if dossier is None:
        dossier = dossier_values_for(assessment)
    # Every item once, with its evidence: the progress and the total need them all.
    if refreshed is None:
        loaded = with_links(assessment, items_of(assessment))
        kept = tree_and_rows(assessment.criteria_set)
        result = score_self_assessment(assessment, dossier, loaded, kept)
    else:
        loaded, kept, result, _final = refreshed
        with_links(assessment, loaded)
    item = next((item for item in loaded if item.criterion_id == criterion.pk), None)
    _decorate(criterion, item, dossier, form)
    can_edit = _can_edit(user, assessment)
    context = {
        "assessment": assessment,
        "criterion": criterion,
        "progress": progress_of(assessment, list(kept[1]), dossier, loaded),
        "result": result,
        "can_edit": can_edit,
        "notice": notice,
        "refused": refused,
        "oob": True,
    }
    return render(request, "scoring/partials/item_response.html", context, status=status)


def back_to_item(assessment: Assessment, criterion: Criterion) -> HttpResponse:
    return redirect(reverse("assessment_page", args=[assessment.pk]) + f"#item-{criterion.pk}")


@login_required
@require_POST
def item_save(request: HttpRequest, pk: int, criterion_pk: int) -> HttpResponse:
    user = request_user(request)
    assessment = assessment_or_404(request, pk)
    require_role_on(user, assessment.unit, ENTRY_ROLES)
    criterion = criterion_or_404(assessment, criterion_pk)
    spec = spec_from_json(criterion.method, criterion.parameters)
    dossier = dossier_values_for(assessment)
    form = ItemForm(request.POST, criterion=criterion, spec=spec, dossier=dossier)
    if form.is_valid():
        try:
            saved = record_self_assessment(
                assessment,
                criterion,
                form.self_input(),
                user,
                form.cleaned_data.get("version"),
                dossier,
            )
        except AssessmentLocked:
            closed = _(
                "The self-assessment is closed (submitted or past its deadline); nothing was saved."
            )
            if is_htmx(request):
                return render_item(request, assessment, criterion, notice=closed, refused=True)
            messages.error(request, closed)
            return back_to_item(assessment, criterion)
        except StaleItem as conflict:
            form.add_error(
                None,
                _(
                    "Someone else saved this sub-criterion meanwhile (their score: %(score)s). "
                    "Nothing was overwritten; check and save again."
                )
                % {
                    "score": conflict.current.self_score
                    if conflict.current.self_score is not None
                    else "—"
                },
            )
            data = request.POST.copy()
            data[form.add_prefix("version")] = str(conflict.current.version)
            form.data = data
        except ValidationError as error:
            form.add_service_errors(
                error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
            )
        else:
            if not is_htmx(request):
                messages.success(request, _("Saved %(code)s.") % {"code": criterion.code})
                return back_to_item(assessment, criterion)
            return render_item(
                request,
                assessment,
                criterion,
                notice=_("Saved."),
                dossier=dossier,
                refreshed=saved.refreshed,
            )
    if is_htmx(request):
        return render_item(request, assessment, criterion, form, dossier=dossier)
    context = _page_context(request, assessment, {criterion.pk: form})
    return render(request, "scoring/assessment_page.html", context, status=400)


@login_required
@require_POST
def assessment_submit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    assessment = assessment_or_404(request, pk)
    require_role_on(user, assessment.unit, ENTRY_ROLES)
    try:
        problems = submit_assessment(assessment, user)
    except AssessmentLocked:
        messages.error(
            request, _("The self-assessment is closed (already submitted or past its deadline).")
        )
        return redirect("assessment_page", pk=pk)
    if problems:
        context = _page_context(request, assessment)
        context["problems"] = problems
        return render(request, "scoring/assessment_page.html", context, status=400)
    messages.success(request, _("Submitted. The self-assessment can no longer be changed."))
    return redirect("assessment_page", pk=pk)


@login_required
@require_POST
def assessment_sign_off(request: HttpRequest, pk: int) -> HttpResponse:
    """The commune leader approves the self-assessment as it stands, before it is sent."""
    user = request_user(request)
    assessment = assessment_or_404(request, pk)
    if not may_sign_off(user, assessment):
        raise PermissionDenied
    try:
        sign_off(assessment, user)
    except IllegalMove as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _(
                "Approved. The officer can now submit the self-assessment; a change clears the approval."
            ),
        )
    return redirect("assessment_page", pk=pk)


@login_required
def letter_download(request: HttpRequest, pk: int, letter_pk: int, format: str) -> HttpResponse:
    """The letter asking for appraisal with the summary table, as PDF or .docx."""
    assessment = assessment_or_404(request, pk)
    letter = get_object_or_404(
        SubmissionLetter.objects.select_related("assessment__unit", "assessment__criteria_set"),
        pk=letter_pk,
        assessment=assessment,
    )
    name = f"cong-van-de-nghi-tham-dinh-{letter.number}-{assessment.unit.code}"
    if format == "pdf":
        response = HttpResponse(letter_pdf(letter), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    elif format == "docx":
        response = HttpResponse(
            letter_docx(letter),
            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.docx"'
    else:
        raise Http404
    return response


@login_required
@require_POST
def assessment_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    assessment = assessment_or_404(request, pk)
    require_role_on(user, assessment.unit, [Role.ADMINISTRATOR])
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            if request.POST.get("action") == "extend":
                extend_deadline(
                    assessment,
                    user,
                    form.cleaned_data["deadline"] or assessment.deadline,
                    form.cleaned_data["reason"],
                )
                record_admin_action(
                    user, assessment, f"Gia hạn tự đánh giá: {form.cleaned_data['reason']}"
                )
                messages.success(request, _("The deadline was extended."))
            else:
                reopen_assessment(
                    assessment, user, form.cleaned_data["reason"], form.cleaned_data["deadline"]
                )
                record_admin_action(
                    user, assessment, f"Mở lại tự đánh giá: {form.cleaned_data['reason']}"
                )
                messages.success(request, _("The self-assessment was reopened for the unit."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, _("Give the reason."))
    return redirect("assessment_page", pk=pk)


@login_required
@require_POST
def assessments_open(request: HttpRequest, set_pk: int) -> HttpResponse:
    user = request_user(request)
    criteria_set = get_object_or_404(visible_criteria_sets(user), pk=set_pk)
    require_role_on(user, criteria_set.scope, [Role.ADMINISTRATOR])
    form = OpenAssessmentsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the deadline."))
        return redirect("criteria_set_detail", pk=set_pk)
    try:
        opened, existing = open_assessments(criteria_set, form.cleaned_data["deadline"], user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        record_admin_action(user, criteria_set, f"Mở kỳ tự đánh giá cho {opened} đơn vị")
        messages.success(
            request,
            _("Opened the self-assessment for %(opened)s units (%(existing)s already open).")
            % {"opened": opened, "existing": existing},
        )
    return redirect("criteria_set_detail", pk=set_pk)
