"""The public survey form: no sign-in, reached only through a unit's random address; it
shows the unit's name and the questionnaire, and links to nothing else of the product."""

from __future__ import annotations

import secrets

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from cchc.network import client_address, keyed_hash
from surveys.models import Questionnaire, UnitLink
from surveys.responses import (
    AnswerProblems,
    Submission,
    SurveyNotOpen,
    TooManyAnswers,
    asked_of,
    submit_online,
)

DEVICE_COOKIE = "ks"
TRAP = "website"  # the hidden field; people leave it empty


def _link(slug: str) -> UnitLink:
    link = (
        UnitLink.objects.select_related("unit", "questionnaire", "questionnaire__criteria_set")
        .filter(slug=slug)
        .first()
    )
    if link is None:
        raise Http404
    return link


def _device(request: HttpRequest) -> tuple[str, str | None]:
    """The device's keyed hash, and a new cookie value when it has none yet."""
    value = request.COOKIES.get(DEVICE_COOKIE, "")
    new = None
    if not value or len(value) > 64:
        value = new = secrets.token_urlsafe(18)
    return keyed_hash("device", value), new


def _with_cookie(request: HttpRequest, response: HttpResponse, new: str | None) -> HttpResponse:
    if new:
        response.set_cookie(
            DEVICE_COOKIE,
            new,
            max_age=365 * 86400,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def survey_form(request: HttpRequest, slug: str) -> HttpResponse:
    link = _link(slug)
    questionnaire = link.questionnaire
    _hash, new_cookie = _device(request)
    context: dict[str, object] = {"link": link, "questionnaire": questionnaire, "trap": TRAP}
    if questionnaire.status != Questionnaire.Status.OPEN:
        return _with_cookie(
            request, render(request, "surveys/public_closed.html", context, status=410), new_cookie
        )
    groups = list(questionnaire.groups.all())
    code = (request.POST.get("nhom") or request.GET.get("nhom") or "").strip()
    if len(groups) == 1:
        code = groups[0].code
    group = next((g for g in groups if g.code == code), None)
    token = (request.POST.get("ma") or request.GET.get("ma") or "").strip()[:12]
    context.update({"groups": groups, "group": group, "token": token})
    if group is None:
        return _with_cookie(
            request, render(request, "surveys/public_groups.html", context), new_cookie
        )
    questions = asked_of(questionnaire, group)
    answers = {q.code: request.POST.get(f"q-{q.code}", "") for q in questions}
    problems: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        device, _new = _device(request)
        network = keyed_hash("network", client_address(request))
        submission = Submission(group.code, answers, token, request.POST.get(TRAP, ""))
        try:
            submit_online(link, submission, device, network)
        except TooManyAnswers:
            return render(request, "surveys/public_too_many.html", context, status=429)
        except SurveyNotOpen:
            return render(request, "surveys/public_closed.html", context, status=410)
        except AnswerProblems as refused:
            problems, status = refused.problems, 400
        else:
            return redirect("survey_thanks", slug=slug)
    context.update(
        {
            "questions": [
                (q, answers.get(q.code, ""), problems.get(q.code, "")) for q in questions
            ],
            "form_problem": problems.get(""),
            "problem_count": len(problems),
        }
    )
    return _with_cookie(
        request, render(request, "surveys/public_form.html", context, status=status), new_cookie
    )


@never_cache
def survey_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    link = _link(slug)
    return render(
        request, "surveys/public_thanks.html", {"link": link, "questionnaire": link.questionnaire}
    )
