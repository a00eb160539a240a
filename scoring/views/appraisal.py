"""Pages of the appraisal: the appraiser's list and page, moves between states, the unit's
explanation page, the deduction report (page and PDF), the audit trail, the remediation plan."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cchc.access import holds_role, request_user
from cchc.models import Role, Unit, User
from scoring.appraisal.items import (
    StaleAppraisal,
    answer_question,
    appraise_item,
    return_items,
)
from scoring.assessment import audit
from scoring.assessment.deadlines import running_deadline
from scoring.assessment.loading import score_final
from scoring.assessment.workflow import (
    APPRAISING,
    MOVES,
    PAGE_MOVES,
    IllegalMove,
    allowed_moves,
    may,
    move_assessment,
)
from scoring.criteria.parameters import describe, spec_from_json
from scoring.criteria.trees import criteria_rows, tree_and_rows
from scoring.engine import UnitResult
from scoring.models import (
    Assessment,
    AssessmentItem,
    AuditEntry,
    Criterion,
    EvidenceLink,
    ExplanationRequest,
)
from scoring.models.assessments import AssessmentState as S
from scoring.views.assessments import assessment_or_404, criterion_or_404, is_htmx

IMAGE_TYPES = {"image/png", "image/jpeg"}
PEOPLE_SHOWN = ("appraised_by", "approved_by")  # read with the assessment: its pages name them


def _is_appraiser_or_admin(user: User, assessment: Assessment) -> bool:
    return holds_role(user, assessment.unit, [Role.APPRAISER, Role.ADMINISTRATOR])


@login_required
def appraisal_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    units = Unit.objects.actionable_by(user, [Role.APPRAISER, Role.ADMINISTRATOR])
    if not units.exists():
        raise PermissionDenied
    assessments = (
        Assessment.objects.filter(unit__in=units)
        .exclude(state=S.DRAFT)
        .select_related("unit", "criteria_set")
        .annotate(
            appraised=Count("items", filter=Q(items__appraised_at__isnull=False)),
            questions=Count("items__explanation_requests"),
        )
        .order_by("-criteria_set__year", "state", "unit__path")
    )
    state = request.GET.get("state", "")
    if state in S.values:
        assessments = assessments.filter(state=state)
    page = Paginator(assessments, 50).get_page(request.GET.get("page"))
    sets = {assessment.criteria_set_id for assessment in page.object_list}
    leaves = dict(
        Criterion.objects.filter(criteria_set__in=sets)
        .exclude(method="")
        .values("criteria_set")
        .annotate(n=Count("pk"))
        .values_list("criteria_set", "n")
    )
    for assessment in page.object_list:
        assessment.leaves = leaves.get(assessment.criteria_set_id, 0)  # type: ignore[attr-defined]
        assessment.appraisal_done = assessment.state in (S.APPRAISED, S.APPROVED, S.PUBLISHED)  # type: ignore[attr-defined]
    return render(
        request, "scoring/appraisal_list.html", {"page": page, "states": S.choices, "state": state}
    )


# What a row shows after a save, named for every row so that its template finds them at
# once (a name a template does not find costs it three exceptions, fifty-five rows a page).
NOTHING_TYPED: dict[str, Any] = {"errors": None, "typed": None, "notice": ""}


def _appraisal_context(request: HttpRequest, assessment: Assessment) -> dict[str, Any]:
    user = request_user(request)
    kept = tree_and_rows(assessment.criteria_set)
    criteria = criteria_rows(assessment.criteria_set, kept)
    loaded = list(_items_shown(assessment.items.all()))
    items = {item.criterion_id: item for item in loaded}
    editing = assessment.state in APPRAISING and may(user, assessment, "appraiser")
    for criterion in criteria:
        item = items.get(criterion.pk)
        criterion.item = item  # type: ignore[attr-defined]
        if criterion.method:
            criterion.described = describe(  # type: ignore[attr-defined]
                spec_from_json(criterion.method, criterion.parameters), criterion.max_score
            )
    result = score_final(assessment, loaded, kept)
    return {
        "assessment": assessment,
        "criteria": criteria,
        "result": result,
        "editing": editing,
        "moves": [(name, MOVES[name].label) for name in allowed_moves(user, assessment)],
        "can_return": editing,
        "default_explanation_deadline": timezone.localtime(
            timezone.now() + datetime.timedelta(days=5)
        ),
        "deadline": running_deadline(assessment),
        "letter": assessment.letters.first(),
        "council_round": assessment.council_rounds.filter(closed_at__isnull=True).first(),
        "image_types": IMAGE_TYPES,
        **NOTHING_TYPED,
    }


@login_required
def appraisal_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    assessment = assessment_or_404(request, pk, *PEOPLE_SHOWN)
    if not _is_appraiser_or_admin(user, assessment):
        raise PermissionDenied
    return render(request, "scoring/appraisal_page.html", _appraisal_context(request, assessment))


def _decimal(text: str) -> Decimal | None:
    cleaned = text.strip().replace(" ", "")
    if not cleaned:
        return None
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        raise ValidationError({"score": _("Write the score as a number, e.g. 1,5.")}) from None


@login_required
@require_POST
def appraise(request: HttpRequest, pk: int, criterion_pk: int) -> HttpResponse:
    user = request_user(request)
    assessment = assessment_or_404(request, pk, *PEOPLE_SHOWN)
    criterion = criterion_or_404(assessment, criterion_pk)
    errors: dict[str, list[str]] = {}
    notice = ""
    typed = {"score": request.POST.get("score", ""), "reason": request.POST.get("reason", "")}
    final = None
    try:
        version = int(request.POST.get("version") or 0)
        final = appraise_item(
            assessment, criterion, _decimal(typed["score"]), typed["reason"], user, version
        ).refreshed.final
        notice = _("Saved.")
        typed = {}
    except StaleAppraisal as conflict:
        current = conflict.current
        errors["general"] = [
            _(
                "Another appraiser saved %(code)s meanwhile: %(score)s (%(reason)s). Nothing was overwritten; check and save again."
            )
            % {
                "code": criterion.code,
                "score": audit.shown(current.final_score) or "—",
                "reason": current.appraisal_reason or "—",
            }
        ]
        typed["version"] = str(current.appraisal_version)
    except IllegalMove as error:
        errors["general"] = error.messages
    except ValidationError as error:
        errors = (
            dict(error.message_dict)
            if hasattr(error, "error_dict")
            else {"general": error.messages}
        )
        if "__all__" in errors:  # templates cannot read names that start with "_"
            errors["general"] = errors.pop("__all__")
    if not is_htmx(request):
        for messages_ in errors.values():
            for message in messages_:
                messages.error(request, f"{criterion.code}: {message}")
        return redirect(f"{request.path.rsplit('/muc/', 1)[0]}/#row-{criterion.pk}")
    context = _row_context(request, assessment, criterion, final)
    context.update({"errors": errors, "typed": typed, "notice": notice, "oob": True})
    return render(request, "scoring/partials/appraisal_response.html", context)


def _row_context(
    request: HttpRequest,
    assessment: Assessment,
    criterion: Criterion,
    final: UnitResult | None = None,
) -> dict[str, Any]:
    """What the row of one sub-criterion and the summary show (not the whole page's);
    ``final``: the result a save's transaction just scored (read and scored here otherwise)."""
    user = request_user(request)
    criterion.item = _items_shown(assessment.items.filter(criterion=criterion)).first()  # type: ignore[attr-defined]
    criterion.described = describe(  # type: ignore[attr-defined]
        spec_from_json(criterion.method, criterion.parameters), criterion.max_score
    )
    editing = assessment.state in APPRAISING and may(user, assessment, "appraiser")
    return {
        "assessment": assessment,
        "criterion": criterion,
        "result": score_final(assessment) if final is None else final,
        "editing": editing,
        "can_return": editing,
        "image_types": IMAGE_TYPES,
        **NOTHING_TYPED,
    }


def _items_shown(items: QuerySet[AssessmentItem]) -> QuerySet[AssessmentItem]:
    """Items with what their rows show: evidence, questions, and how many changes their
    history holds (the history itself is read when the appraiser opens it: it grows with
    every save, and a row would otherwise write all of it, on every page and save)."""
    return items.annotate(
        history_count=Subquery(
            AuditEntry.objects.filter(item=OuterRef("pk"))
            .order_by()
            .values("item")
            .annotate(count=Count("pk"))
            .values("count")
        )
    ).prefetch_related(
        # As lists on each item (``links``, ``questions``): kept in the related managers,
        # Django would build a filtered query per item (about 45 µs each, twice per row).
        Prefetch(
            "evidence_links",
            queryset=EvidenceLink.objects.select_related("evidence").order_by("pk"),
            to_attr="links",
        ),
        Prefetch(
            "explanation_requests",
            queryset=ExplanationRequest.objects.order_by("round", "pk"),
            to_attr="questions",
        ),
    )


@login_required
@require_safe
def item_history(request: HttpRequest, pk: int, criterion_pk: int) -> HttpResponse:
    """The changes to one sub-criterion's scores, oldest first: loaded into its row when the
    appraiser opens "History", or a page of its own without JavaScript."""
    user = request_user(request)
    assessment = assessment_or_404(request, pk)
    if not _is_appraiser_or_admin(user, assessment):
        raise PermissionDenied
    criterion = criterion_or_404(assessment, criterion_pk)
    entries = (
        AuditEntry.objects.filter(assessment=assessment, item__criterion=criterion)
        .select_related("changed_by")
        .order_by("changed_at", "pk")
    )
    standalone = not is_htmx(request)
    template = "item_history.html" if standalone else "partials/item_history.html"
    return render(
        request,
        f"scoring/{template}",
        {"assessment": assessment, "c": criterion, "entries": entries},
    )


@login_required
@require_POST
def appraisal_move(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    user = request_user(request)
    assessment = assessment_or_404(request, pk, *PEOPLE_SHOWN)
    if name not in PAGE_MOVES:
        raise Http404
    try:
        move_assessment(assessment, name, user, request.POST.get("reason", ""))
    except IllegalMove as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Done: %(move)s.") % {"move": MOVES[name].label})
    if name == "resend":
        return redirect("explanation_page", pk=pk)
    if _is_appraiser_or_admin(user, assessment):
        return redirect("appraisal_page", pk=pk)
    return redirect("assessment_page", pk=pk)


def _local_moment(text: str) -> datetime.datetime | None:
    """A datetime-local field's value, in Vietnam's time."""
    try:
        moment = datetime.datetime.strptime(text.strip(), "%Y-%m-%dT%H:%M")
    except ValueError:
        return None
    return timezone.make_aware(moment)


@login_required
@require_POST
def appraisal_return(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    assessment = assessment_or_404(request, pk, *PEOPLE_SHOWN)
    criteria = {c.pk: c for c in assessment.criteria_set.criteria.exclude(method="")}
    questions = {
        criteria[int(key[2:])]: str(value)
        for key, value in request.POST.items()
        if key.startswith("q_") and key[2:].isdigit() and int(key[2:]) in criteria
    }
    typed = request.POST.get("han_giai_trinh", "").strip()
    deadline = _local_moment(typed) if typed else None
    if typed and deadline is None:
        messages.error(request, _("Write the explanation deadline as a day and a time."))
        return redirect("appraisal_page", pk=pk)
    try:
        return_items(assessment, questions, user, deadline)
    except IllegalMove as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Returned to the unit for explanation."))
    return redirect("appraisal_page", pk=pk)


def _explanation_context(request: HttpRequest, assessment: Assessment) -> dict[str, Any]:
    user = request_user(request)
    requests = list(
        ExplanationRequest.objects.filter(item__assessment=assessment)
        .select_related("item__criterion", "asked_by", "answered_by")
        .prefetch_related(
            Prefetch(
                "item__evidence_links", queryset=EvidenceLink.objects.select_related("evidence")
            )
        )
        .order_by("-round", "item__criterion__sort_key")
    )
    current = [
        r
        for r in requests
        if r.round == assessment.explanation_round and assessment.state == S.RETURNED
    ]
    return {
        "assessment": assessment,
        "current": current,
        "earlier": [r for r in requests if r not in current],
        "can_answer": assessment.state == S.RETURNED and may(user, assessment, "officer"),
        "deadline": running_deadline(assessment),
    }


@login_required
def explanation_page(request: HttpRequest, pk: int) -> HttpResponse:
    """What the unit sees while explaining: only the returned sub-criteria, with the questions."""
    assessment = assessment_or_404(request, pk, *PEOPLE_SHOWN)
    return render(
        request, "scoring/explanation_page.html", _explanation_context(request, assessment)
    )


@login_required
@require_POST
def explanation_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Every answer typed on the page, saved at once; with "send", the explanation sent too.
    Nothing typed is lost: an answer refused comes back as it was typed."""
    user = request_user(request)
    assessment = assessment_or_404(request, pk, *PEOPLE_SHOWN)
    if not may(user, assessment, "officer"):
        raise PermissionDenied
    questions = ExplanationRequest.objects.filter(
        item__assessment=assessment, round=assessment.explanation_round
    ).select_related("item__criterion", "item__assessment")
    typed = {q.pk: request.POST.get(f"answer-{q.pk}", q.answer) for q in questions}
    errors: dict[int, str] = {}
    with transaction.atomic():
        for question in questions:
            text = typed[question.pk].strip()
            if not text or text == question.answer.strip():
                continue
            try:
                answer_question(question, text, user)
            except IllegalMove as error:
                errors[question.pk] = " ".join(error.messages)
    sending = request.POST.get("action") == "send"
    if not errors and sending:
        try:
            move_assessment(assessment, "resend", user)
        except IllegalMove as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The explanation was sent to the appraisers."))
            return redirect("assessment_page", pk=pk)
    elif not errors:
        messages.success(request, _("Your answers were saved; send the explanation when ready."))
        return redirect("explanation_page", pk=pk)
    assessment.refresh_from_db()
    context = _explanation_context(request, assessment)
    context.update({"typed": typed, "errors": errors})
    return render(request, "scoring/explanation_page.html", context, status=400)


@login_required
@require_POST
def explanation_answer(request: HttpRequest, pk: int, request_pk: int) -> HttpResponse:
    user = request_user(request)
    assessment = assessment_or_404(request, pk, *PEOPLE_SHOWN)
    question = get_object_or_404(ExplanationRequest, pk=request_pk, item__assessment=assessment)
    try:
        answer_question(question, request.POST.get("answer", ""), user)
    except ValidationError as error:
        messages.error(request, f"{question.item.criterion.code}: " + " ".join(error.messages))
    else:
        messages.success(
            request, _("Answer saved for %(code)s.") % {"code": question.item.criterion.code}
        )
    return redirect("explanation_page", pk=pk)
