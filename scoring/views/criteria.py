"""Pages of criteria sets: list, tree, import, export, copy and publish."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cchc.access import request_user, require_administrator, require_role_on
from cchc.admin_log import record_admin_action
from cchc.conditional import not_modified, tagged
from cchc.models import Role, Unit
from cchc.page_cache import fragment_key, kept, reader_tag
from cchc.spreadsheets import ImportRefused, read_table
from scoring.criteria.files import COLUMNS, export_criteria
from scoring.criteria.parameters import describe, spec_from_json
from scoring.criteria.sets import (
    SetDetails,
    copy_criteria_set,
    groups_text,
    import_criteria_set,
    parse_groups,
    publish_criteria_set,
    ranking_groups_of,
    set_ranking_groups,
    visible_criteria_sets,
)
from scoring.forms.assessment import OpenAssessmentsForm
from scoring.forms.criteria import CopyForm, CriteriaImportForm
from scoring.models import CriteriaSet, ReadOnlyError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _visible_set_or_404(request: HttpRequest, pk: int) -> CriteriaSet:
    return get_object_or_404(visible_criteria_sets(request_user(request)), pk=pk)


@login_required
def criteria_set_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    sets = visible_criteria_sets(user).order_by("-year", "title")
    return render(
        request,
        "scoring/criteria_set_list.html",
        {"sets": sets, "can_import": user.is_administrator},
    )


@login_required
def criteria_set_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    user = request_user(request)
    criteria_set = _visible_set_or_404(request, pk)
    # The criteria change only with the set's criteria version: their tree is kept in the
    # shared cache under it. The rows are read after the version, so what is kept under a
    # version is never older than it.
    key = fragment_key("criteria-tree", criteria_set.pk, criteria_set.criteria_version)
    can_administer = (
        Unit.objects.actionable_by(user, [Role.ADMINISTRATOR])
        .filter(pk=criteria_set.scope_id)
        .exists()
    )
    groups = ranking_groups_of(criteria_set)
    groups_locked = criteria_set.decisions.exists()
    tag = reader_tag(
        request,
        key,
        [
            getattr(criteria_set, name)
            for name in (
                "title",
                "year",
                "unit_kinds",
                "scope_id",
                "issuer_id",
                "decision_number",
                "decision_date",
                "status",
                "published_at",
                "declared_total",
                "classification_bands",
                "ranking_rule",
            )
        ],
        str(criteria_set.scope),
        str(criteria_set.issuer) if criteria_set.issuer_id else "",
        can_administer,
        groups_text(groups),
        groups_locked,
    )
    if tag and (unchanged := not_modified(request, tag)) is not None:
        return unchanged
    tree, leaf_count = kept(key, lambda: _criteria_tree(criteria_set))
    response = render(
        request,
        "scoring/criteria_set_detail.html",
        {
            "set": criteria_set,
            "tree": mark_safe(tree),  # our template escaped it
            "leaf_count": leaf_count,
            "can_administer": can_administer,
            "open_form": OpenAssessmentsForm(),
            "groups": groups,
            "groups_text": groups_text(groups),
            "groups_locked": groups_locked,
            "copy_form": CopyForm(
                initial={
                    "year": criteria_set.year + 1,
                    "title": criteria_set.title.replace(
                        str(criteria_set.year), str(criteria_set.year + 1)
                    ),
                }
            ),
        },
    )
    return tagged(response, tag) if tag else response


def _criteria_tree(criteria_set: CriteriaSet) -> tuple[str, int]:
    """The set's criteria as nested lists, each leaf with its method described, and the
    number of sub-criteria (leaves)."""
    criteria = list(criteria_set.criteria.order_by("sort_key"))
    for criterion in criteria:
        criterion.described = (  # type: ignore[attr-defined]
            describe(spec_from_json(criterion.method, criterion.parameters), criterion.max_score)
            if criterion.method
            else ""
        )
    children: dict[int, list] = {}
    for criterion in criteria:
        if criterion.parent_id:
            children.setdefault(criterion.parent_id, []).append(criterion)
    for criterion in criteria:
        criterion.kids = children.get(criterion.pk, [])  # type: ignore[attr-defined]
    fields = [c for c in criteria if c.parent_id is None]
    html = render_to_string("scoring/partials/criteria_tree.html", {"fields": fields})
    return str(html), sum(1 for criterion in criteria if criterion.method)


@login_required
@require_http_methods(["GET", "POST"])
def criteria_import(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    require_administrator(user)
    scopes = Unit.objects.actionable_by(user, [Role.ADMINISTRATOR]).order_by("path")
    form = CriteriaImportForm(request.POST or None, request.FILES or None, scopes=scopes)
    errors = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        details = SetDetails(
            year=data["year"],
            title=data["title"],
            scope=data["scope"],
            decision_number=data["decision_number"],
            decision_date=data["decision_date"],
            declared_total=data["declared_total"],
            unit_kinds=data["unit_kinds"],
            classification_bands=data["classification"],
            ranking_rule=data["ranking_rule"],
        )
        try:
            criteria_set, created = import_criteria_set(read_table(upload, upload.name), details)
        except ImportRefused as refused:
            errors = refused.errors
        else:
            record_admin_action(user, criteria_set, f"Nhập bộ tiêu chí từ {upload.name}")
            messages.success(
                request,
                _("Criteria set imported.")
                if created
                else _("The draft set's criteria were replaced."),
            )
            return redirect("criteria_set_detail", pk=criteria_set.pk)
    return render(
        request,
        "scoring/criteria_import.html",
        {"form": form, "errors": errors, "columns": COLUMNS},
        status=400 if errors else 200,
    )


@login_required
def criteria_export(request: HttpRequest, pk: int) -> HttpResponse:
    criteria_set = _visible_set_or_404(request, pk)
    response = HttpResponse(export_criteria(criteria_set), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="bo-tieu-chi-{criteria_set.year}-{criteria_set.pk}.xlsx"'
    )
    return response


@login_required
def criteria_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(export_criteria(None), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="mau-bo-tieu-chi.xlsx"'
    return response


@login_required
@require_POST
def criteria_copy(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    source = _visible_set_or_404(request, pk)
    require_role_on(user, source.scope, [Role.ADMINISTRATOR])
    form = CopyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the year and title of the copy."))
        return redirect("criteria_set_detail", pk=pk)
    try:
        with transaction.atomic():
            copy = copy_criteria_set(source, form.cleaned_data["year"], form.cleaned_data["title"])
    except IntegrityError:
        messages.error(request, _("A set with this year and title already exists for these units."))
        return redirect("criteria_set_detail", pk=pk)
    record_admin_action(user, copy, f"Sao chép từ “{source}”")
    messages.success(request, _("Copied as a draft for %(year)s.") % {"year": copy.year})
    return redirect("criteria_set_detail", pk=copy.pk)


@login_required
@require_POST
def criteria_publish(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    criteria_set = _visible_set_or_404(request, pk)
    require_role_on(user, criteria_set.scope, [Role.ADMINISTRATOR])
    try:
        publish_criteria_set(criteria_set)
    except ReadOnlyError:
        messages.error(request, _("The set is already published."))
    except ValidationError as error:  # the tree no longer adds up
        for message in error.messages:
            messages.error(request, message)
    else:
        record_admin_action(user, criteria_set, "Công bố bộ tiêu chí")
        messages.success(request, _("The criteria set is published and can no longer change."))
    return redirect("criteria_set_detail", pk=pk)


@login_required
@require_POST
def criteria_groups(request: HttpRequest, pk: int) -> HttpResponse:
    """Rank the set's units in groups (one line per group: name, then its unit types)."""
    user = request_user(request)
    criteria_set = _visible_set_or_404(request, pk)
    require_role_on(user, criteria_set.scope, [Role.ADMINISTRATOR])
    try:
        set_ranking_groups(criteria_set, parse_groups(request.POST.get("groups", "")))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        record_admin_action(user, criteria_set, "Đặt nhóm xếp hạng")
        messages.success(request, _("The ranking groups are saved."))
    return redirect("criteria_set_detail", pk=pk)
