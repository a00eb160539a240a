"""Pages of the appraisal council: the councils of the sets one sees, a council with its
members (formed by the set's administrator), its rounds (opened and closed by the chair), the
members' opinions on each unit, and the minutes as PDF."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cchc.access import request_user
from cchc.admin_log import record_admin_action
from cchc.models import Role, RoleAssignment, Unit, User
from scoring.appraisal.council import (
    administers,
    close_round,
    may_chair,
    member_of,
    minutes_pdf,
    open_round,
    record_opinion,
)
from scoring.assessment.workflow import IllegalMove
from scoring.criteria.sets import visible_criteria_sets
from scoring.models import (
    AssessmentResult,
    Council,
    CouncilMember,
    CouncilOpinion,
    CouncilRound,
    CriteriaSet,
)

READERS = [Role.ADMINISTRATOR, Role.APPRAISER, Role.LEADER]


def visible_councils(user: User) -> QuerySet[Council]:
    """Councils of the sets one sees, for their members and for the administrators,
    appraisers and leaders of the set's scope."""
    sets = visible_criteria_sets(user)
    scopes = Unit.objects.actionable_by(user, READERS)
    return (
        Council.objects.filter(criteria_set__in=sets)
        .filter(Q(members__user=user) | Q(criteria_set__scope__in=scopes))
        .distinct()
        .select_related("criteria_set")
    )


def _council_or_404(request: HttpRequest, pk: int) -> Council:
    return get_object_or_404(visible_councils(request_user(request)), pk=pk)


def _round_or_404(request: HttpRequest, pk: int) -> CouncilRound:
    councils = visible_councils(request_user(request))
    return get_object_or_404(
        CouncilRound.objects.filter(council__in=councils).select_related(
            "council__criteria_set", "opened_by", "closed_by"
        ),
        pk=pk,
    )


class CouncilForm(forms.ModelForm):
    class Meta:
        model = Council
        fields = ["criteria_set", "name", "founding_decision", "majority"]
        labels = {"criteria_set": gettext_lazy("criteria set")}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scopes = Unit.objects.actionable_by(user, [Role.ADMINISTRATOR])
        self.fields["criteria_set"].queryset = (  # type: ignore[attr-defined]
            CriteriaSet.objects.filter(scope__in=scopes, council__isnull=True).order_by("-year")
        )


class MemberForm(forms.ModelForm):
    field_codes = forms.CharField(
        label=gettext_lazy("fields appraised"),
        required=False,
        help_text=gettext_lazy("Field codes separated by commas, e.g. 1, 3; empty: every field"),
    )

    class Meta:
        model = CouncilMember
        fields = ["user", "position", "title"]
        labels = {"user": gettext_lazy("person")}

    def __init__(self, *args: Any, council: Council, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.council = council
        scope = council.criteria_set.scope
        people = RoleAssignment.objects.filter(unit__in=scope.subtree() | scope.ancestors()).values(
            "user"
        )
        self.fields["user"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(pk__in=people, is_active=True)
            .exclude(pk__in=council.members.values("user"))
            .order_by("full_name", "username")
        )

    def clean_field_codes(self) -> list[str]:
        text = self.cleaned_data.get("field_codes") or ""
        codes = [code.strip() for code in text.replace(";", ",").split(",") if code.strip()]
        known = set(
            self.council.criteria_set.criteria.filter(parent__isnull=True).values_list(
                "code", flat=True
            )
        )
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise ValidationError(
                _("Not a field of the set: %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        return codes

    def clean_position(self) -> str:
        position = self.cleaned_data["position"]
        if (
            position == CouncilMember.Position.CHAIR
            and self.council.members.filter(position=CouncilMember.Position.CHAIR).exists()
        ):
            raise ValidationError(_("The council already has a chair."))
        return position


@login_required
def council_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    councils = visible_councils(user).annotate(
        people=Count("members", distinct=True), held=Count("rounds", distinct=True)
    )
    may_create = Unit.objects.actionable_by(user, [Role.ADMINISTRATOR]).exists()
    form = CouncilForm(user=user) if may_create else None
    if request.method == "POST":
        if not may_create:
            raise PermissionDenied
        form = CouncilForm(request.POST, user=user)
        if form.is_valid():
            council = form.save(commit=False)
            council.created_by = user
            council.save()
            record_admin_action(user, council, f"Thành lập {council.name}")
            messages.success(request, _("The council was formed; now name its members."))
            return redirect("council_page", pk=council.pk)
    return render(
        request,
        "scoring/council_list.html",
        {"councils": councils.order_by("-criteria_set__year", "name"), "form": form},
        status=400 if form is not None and form.errors else 200,
    )


def _council_context(request: HttpRequest, council: Council) -> dict[str, Any]:
    user = request_user(request)
    is_admin = administers(user, council)
    return {
        "council": council,
        "members": list(council.members.select_related("user")),
        "rounds": list(council.rounds.select_related("opened_by", "closed_by").order_by("-number")),
        "is_admin": is_admin,
        "may_chair": may_chair(council, user),
        "member_form": MemberForm(council=council) if is_admin else None,
        "needed": council.needed(council.members.count()),
    }


@login_required
def council_page(request: HttpRequest, pk: int) -> HttpResponse:
    council = _council_or_404(request, pk)
    return render(request, "scoring/council_page.html", _council_context(request, council))


@login_required
@require_POST
def council_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    council = _council_or_404(request, pk)
    if not administers(user, council):
        raise PermissionDenied
    form = MemberForm(request.POST, council=council)
    if form.is_valid():
        member = form.save(commit=False)
        member.council = council
        member.fields = form.cleaned_data["field_codes"]
        member.sort = council.members.count() + 1
        member.save()
        record_admin_action(user, council, f"Thêm thành viên {member}")
        messages.success(request, _("%(person)s joined the council.") % {"person": member.user})
        return redirect("council_page", pk=pk)
    context = _council_context(request, council)
    context["member_form"] = form
    return render(request, "scoring/council_page.html", context, status=400)


@login_required
@require_POST
def council_member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    user = request_user(request)
    council = _council_or_404(request, pk)
    member = get_object_or_404(CouncilMember, pk=member_pk, council=council)
    if not administers(user, council):
        raise PermissionDenied
    if member.opinions.exists():
        messages.error(
            request,
            _("%(person)s has given opinions that the minutes keep; they stay a member.")
            % {"person": member.user},
        )
    else:
        record_admin_action(user, council, f"Bỏ thành viên {member}")
        member.delete()
        messages.success(request, _("%(person)s left the council.") % {"person": member.user})
    return redirect("council_page", pk=pk)


@login_required
@require_POST
def council_round_open(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    council = _council_or_404(request, pk)
    try:
        round_ = open_round(council, user, request.POST.get("place", ""))
    except IllegalMove as error:
        messages.error(request, " ".join(error.messages))
        return redirect("council_page", pk=pk)
    messages.success(
        request,
        _("Round %(number)s opened; the members were told.") % {"number": round_.number},
    )
    return redirect("council_round", pk=round_.pk)


def _round_context(request: HttpRequest, round_: CouncilRound) -> dict[str, Any]:
    user = request_user(request)
    council = round_.council
    me = member_of(council, user)
    opinions: dict[int, list[CouncilOpinion]] = {}
    for opinion in round_.opinions.select_related("member__user").order_by("member__sort"):
        opinions.setdefault(opinion.assessment_id, []).append(opinion)
    outcomes = {o.assessment_id: o for o in round_.outcomes.all()}
    results = {
        r.assessment_id: r
        for r in AssessmentResult.objects.filter(assessment__in=round_.assessments.all())
    }
    rows = []
    for assessment in round_.assessments.select_related("unit").order_by("unit__path"):
        given = opinions.get(assessment.pk, [])
        rows.append(
            {
                "assessment": assessment,
                "result": results.get(assessment.pk),
                "opinions": given,
                "agreeing": sum(1 for o in given if o.agrees),
                "mine": next((o for o in given if me and o.member_id == me.pk), None),
                "outcome": outcomes.get(assessment.pk),
            }
        )
    members = council.members.count()
    return {
        "round": round_,
        "council": council,
        "rows": rows,
        "me": me,
        "may_chair": may_chair(council, user),
        "members": members,
        "needed": council.needed(members),
    }


@login_required
def council_round(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round_or_404(request, pk)
    return render(request, "scoring/council_round.html", _round_context(request, round_))


@login_required
@require_POST
def council_opinion(request: HttpRequest, pk: int, assessment_pk: int) -> HttpResponse:
    user = request_user(request)
    round_ = _round_or_404(request, pk)
    assessment = get_object_or_404(round_.assessments.all(), pk=assessment_pk)
    if member_of(round_.council, user) is None:
        raise PermissionDenied
    agrees = request.POST.get("opinion") == "agree"
    try:
        record_opinion(
            round_,
            assessment,
            user,
            agrees,
            request.POST.get("proposals", ""),
            request.POST.get("note", ""),
        )
    except (IllegalMove, ValidationError) as error:
        context = _round_context(request, round_)
        context.update(
            {
                "errors": {assessment.pk: error.messages},
                "typed": {
                    assessment.pk: {
                        "opinion": request.POST.get("opinion", ""),
                        "proposals": request.POST.get("proposals", ""),
                        "note": request.POST.get("note", ""),
                    }
                },
            }
        )
        return render(request, "scoring/council_round.html", context, status=400)
    messages.success(
        request, _("Your opinion on %(unit)s was recorded.") % {"unit": assessment.unit}
    )
    return redirect(f"{request.path.rsplit('/y-kien/', 1)[0]}/#unit-{assessment.pk}")


@login_required
@require_POST
def council_round_close(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    round_ = _round_or_404(request, pk)
    if not may_chair(round_.council, user):
        raise PermissionDenied
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm closing the round."))
        return redirect("council_round", pk=pk)
    try:
        outcomes = close_round(round_, user)
    except IllegalMove as error:
        messages.error(request, " ".join(error.messages))
    else:
        approved = sum(1 for o in outcomes if o.approved)
        messages.success(
            request,
            _("Round closed: %(approved)s units approved, %(back)s sent back to the appraisers.")
            % {"approved": approved, "back": len(outcomes) - approved},
        )
    return redirect("council_round", pk=pk)


@login_required
def council_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round_or_404(request, pk)
    response = HttpResponse(minutes_pdf(round_), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="bien-ban-hoi-dong-{round_.council.criteria_set.year}'
        f'-phien-{round_.number}.pdf"'
    )
    return response
