"""Pages of evidence: uploading a file for a sub-criterion, linking one already uploaded,
unlinking, downloading (after the unit scope check) and replacing with a new version."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc.access import request_user, require_role_on, seen_by_key_or_404
from cchc.conditional import not_modified, tagged
from cchc.models import User
from cchc.redirects import safe_target
from cchc.statements import KeyRead
from scoring.assessment.evidence import (
    accepts_evidence,
    link_evidence,
    replace_evidence,
    store_evidence,
    unlink_evidence,
)
from scoring.forms.assessment import EvidenceUploadForm
from scoring.models import Assessment, AssessmentItem, Criterion, Evidence, EvidenceLink
from scoring.views.assessments import (
    ENTRY_ROLES,
    assessment_or_404,
    back_to_item,
    is_htmx,
    render_item,
)


def _item_for(assessment: Assessment, criterion: Criterion, user: User) -> AssessmentItem:
    item, _created = AssessmentItem.objects.get_or_create(
        assessment=assessment, criterion=criterion, defaults={"updated_by": user}
    )
    return item


def _evidence_action(
    request: HttpRequest, pk: int, criterion_pk: int
) -> tuple[User, Assessment, Criterion]:
    user = request_user(request)
    assessment = assessment_or_404(request, pk)
    require_role_on(user, assessment.unit, ENTRY_ROLES)
    criterion = get_object_or_404(
        Criterion, pk=criterion_pk, criteria_set_id=assessment.criteria_set_id
    )
    return user, assessment, criterion


def _after_evidence(
    request: HttpRequest,
    assessment: Assessment,
    criterion: Criterion,
    notice: str,
    refused: bool = False,
) -> HttpResponse:
    """Back to where the form was, the notice shown as an error when ``refused``."""
    tell = messages.error if refused else messages.success
    nxt = safe_target(request, request.POST.get("next"), "")
    if nxt:  # back to the page the form was on (the explanation page)
        if notice:
            tell(request, notice)
        return redirect(nxt)
    if is_htmx(request):
        return render_item(request, assessment, criterion, notice=notice, refused=refused)
    if notice:
        tell(request, notice)
    return back_to_item(assessment, criterion)


def _evidence_open(assessment: Assessment, criterion: Criterion) -> bool:
    """Whether the evidence of this sub-criterion may change now (self-assessment, or the
    item returned for explanation). Writes nothing: the item is created only once the
    request has passed every check."""
    if assessment.accepts_self_assessment(timezone.now()):
        return True
    item = AssessmentItem.objects.filter(assessment=assessment, criterion=criterion).first()
    return item is not None and accepts_evidence(item)


def _library_options(assessment: Assessment) -> SafeString:
    """The unit's current files as the options of a list, to link one to another
    sub-criterion (a unit holds hundreds of files by the end of the year)."""
    files = (
        Evidence.objects.filter(unit=assessment.unit, replaced_by__isnull=True)
        .order_by("original_name")
        .values_list("pk", "original_name")
    )
    return format_html_join("", '<option value="{}">{}</option>', files)


@login_required
def evidence_panel(request: HttpRequest, pk: int, criterion_pk: int) -> HttpResponse:
    """The forms that add evidence to a sub-criterion (a new file, or one the unit already
    uploaded): loaded into the sub-criterion when the officer opens "Add evidence", or a
    page of their own without JavaScript. The unit's file list is read only here, for the
    one sub-criterion being given evidence."""
    _user, assessment, criterion = _evidence_action(request, pk, criterion_pk)
    standalone = not is_htmx(request)
    context = {
        "assessment": assessment,
        "c": criterion,
        "open": _evidence_open(assessment, criterion),
        "library": _library_options(assessment),
        "standalone": standalone,
        "field_code": criterion.code.split(".")[0],
    }
    template = "evidence_panel.html" if standalone else "partials/evidence_panel.html"
    return render(request, f"scoring/{template}", context)


@login_required
@require_POST
def evidence_upload(request: HttpRequest, pk: int, criterion_pk: int) -> HttpResponse:
    user, assessment, criterion = _evidence_action(request, pk, criterion_pk)
    if not _evidence_open(assessment, criterion):
        return _after_evidence(
            request,
            assessment,
            criterion,
            _("The self-assessment is closed; nothing was uploaded."),
            refused=True,
        )
    form = EvidenceUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _after_evidence(
            request,
            assessment,
            criterion,
            " ".join(str(m) for ms in form.errors.values() for m in ms),
            refused=True,
        )
    try:
        with transaction.atomic():  # the file and its link, or neither
            evidence = store_evidence(
                assessment.unit,
                form.cleaned_data["file"],
                user,
                form.cleaned_data["document_number"],
                form.cleaned_data["document_date"],
            )
            link_evidence(_item_for(assessment, criterion, user), evidence, user)
    except ValidationError as error:
        return _after_evidence(
            request, assessment, criterion, " ".join(error.messages), refused=True
        )
    return _after_evidence(
        request, assessment, criterion, _("Uploaded %(name)s.") % {"name": evidence.original_name}
    )


@login_required
@require_POST
def evidence_link(request: HttpRequest, pk: int, criterion_pk: int) -> HttpResponse:
    user, assessment, criterion = _evidence_action(request, pk, criterion_pk)
    if not _evidence_open(assessment, criterion):
        return _after_evidence(
            request,
            assessment,
            criterion,
            _("The self-assessment is closed; nothing was changed."),
            refused=True,
        )
    evidence_id = request.POST.get("evidence", "")
    evidence = get_object_or_404(
        Evidence, pk=int(evidence_id) if evidence_id.isdigit() else 0, unit=assessment.unit
    )
    link_evidence(_item_for(assessment, criterion, user), evidence, user)
    return _after_evidence(
        request, assessment, criterion, _("Linked %(name)s.") % {"name": evidence.original_name}
    )


@login_required
@require_POST
def evidence_unlink(request: HttpRequest, pk: int, criterion_pk: int, link_pk: int) -> HttpResponse:
    user, assessment, criterion = _evidence_action(request, pk, criterion_pk)
    if not _evidence_open(assessment, criterion):
        return _after_evidence(
            request,
            assessment,
            criterion,
            _("The self-assessment is closed; nothing was changed."),
            refused=True,
        )
    link = get_object_or_404(
        EvidenceLink, pk=link_pk, item__assessment=assessment, item__criterion=criterion
    )
    unlink_evidence(link, user)
    return _after_evidence(
        request, assessment, criterion, _("The file no longer supports this sub-criterion.")
    )


# Every download reads it so, a browser's check of the file it holds (304) included.
_EVIDENCE = KeyRead(Evidence, ("unit",))


def _visible_evidence_or_404(request: HttpRequest, pk: int) -> Evidence:
    found: Evidence = seen_by_key_or_404(_EVIDENCE, request_user(request), pk)
    return found


@login_required
def evidence_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The file, streamed from storage in blocks (never read whole into memory). A stored
    file never changes (a new version is a new record), so its hash is its ETag: a browser
    that has it gets 304, after the same permission check."""
    evidence = _visible_evidence_or_404(request, pk)
    if evidence.sha256 and (unchanged := not_modified(request, evidence.sha256)) is not None:
        return unchanged
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return tagged(response, evidence.sha256) if evidence.sha256 else response


@login_required
@require_POST
def evidence_replace(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    evidence = _visible_evidence_or_404(request, pk)
    require_role_on(user, evidence.unit, ENTRY_ROLES)
    form = EvidenceUploadForm(request.POST, request.FILES)
    back = safe_target(request, request.POST.get("next"), reverse("assessment_list"))
    if form.is_valid():
        try:
            new = replace_evidence(evidence, form.cleaned_data["file"], user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("A new version of %(name)s was uploaded; the old one is kept.")
                % {"name": new.original_name},
            )
    else:
        messages.error(request, _("Choose the new file."))
    return redirect(back)
