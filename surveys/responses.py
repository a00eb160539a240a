"""Answers coming in: online through a unit's public link (one-time codes, limits per device
and per network address, a hidden field against bots, repeated answers from one device set
aside for review), and paper forms entered by staff or imported from a spreadsheet (each
form's number once per unit)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.models import User
from cchc.spreadsheets import ImportRefused, RowError, Table, cell_text
from surveys.models import (
    Answer,
    Choice,
    Question,
    Questionnaire,
    RespondentGroup,
    Response,
    Token,
    UnitLink,
)


class SurveyNotOpen(Exception):
    """The survey does not take answers now."""


class TooManyAnswers(Exception):
    """More answers from this device or network than the limits allow; nothing was saved."""


class AnswerProblems(Exception):
    """The answers given do not make a response; by question code (or "" for the form)."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(problems)
        self.problems = problems


def asked_of(questionnaire: Questionnaire, group: RespondentGroup) -> list[Question]:
    """The questions the group is asked, in order (a question for no group is for all)."""
    questions = questionnaire.questions.prefetch_related("groups", "choices").order_by(
        "sort", "code"
    )
    return [q for q in questions if not q.groups.all() or group in q.groups.all()]


def check_answers(
    questions: list[Question], answers: dict[str, str]
) -> tuple[list[tuple[Question, Choice]], dict[str, str]]:
    """The chosen answers, or the problem of each question (unknown code, missing answer)."""
    chosen, problems = [], {}
    for question in questions:
        code = (answers.get(question.code) or "").strip().upper()
        if not code:
            if question.required:
                problems[question.code] = _("Choose an answer.")
            continue
        choice = next((c for c in question.choices.all() if c.code.upper() == code), None)
        if choice is None:
            problems[question.code] = _(
                "“%(code)s” is not an answer of this question (%(codes)s)."
            ) % {
                "code": code,
                "codes": ", ".join(c.code for c in question.choices.all()),
            }
            continue
        chosen.append((question, choice))
    return chosen, problems


def limits() -> dict[str, int]:
    return dict(settings.SURVEY_LIMITS)


def _count_in_window(key: str, seconds: int) -> int:
    """Add one to a counter kept for ``seconds`` (in the shared cache); its new value."""
    cache.add(key, 0, timeout=seconds)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout=seconds)
        return 1


@dataclass
class Submission:
    group_code: str
    answers: dict[str, str]
    token: str = ""
    trap: str = ""  # the hidden field: people leave it empty


def submit_online(
    link: UnitLink, submission: Submission, device: str, network: str
) -> Response | None:
    """Save one online response. None when the hidden field was filled (a bot: told thanks,
    nothing kept). Raises SurveyNotOpen, TooManyAnswers or AnswerProblems (nothing saved)."""
    questionnaire = link.questionnaire
    if questionnaire.status != Questionnaire.Status.OPEN:
        raise SurveyNotOpen
    if submission.trap:
        return None
    allowed = limits()
    now = timezone.now()
    hour = now.strftime("%Y%m%d%H")
    if (
        _count_in_window(f"survey:net:{questionnaire.pk}:{network}:{hour}", 3600)
        > allowed["per_network_hour"]
    ):
        raise TooManyAnswers
    if (
        _count_in_window(f"survey:dev:{questionnaire.pk}:{device}:{now:%Y%m%d}", 86400)
        > allowed["per_device_day"]
    ):
        raise TooManyAnswers
    group = questionnaire.groups.filter(code=submission.group_code).first()
    if group is None:
        raise AnswerProblems({"": _("Choose who you are answering as.")})
    chosen, problems = check_answers(asked_of(questionnaire, group), submission.answers)
    if problems:
        raise AnswerProblems(problems)
    if not chosen:
        raise AnswerProblems({"": _("Answer at least one question.")})
    recent = Response.objects.filter(
        link__questionnaire=questionnaire,
        device=device,
        submitted_at__gte=now - datetime.timedelta(minutes=allowed["review_minutes"]),
    ).exists()
    with transaction.atomic():
        token = None
        if questionnaire.uses_tokens:
            token = (
                Token.objects.select_for_update()
                .filter(link=link, code=submission.token.strip().upper())
                .first()
            )
            if token is None:
                raise AnswerProblems({"": _("The code is not one of this unit's survey codes.")})
            if token.used_at is not None:
                raise AnswerProblems({"": _("This code has already been used to answer.")})
            token.used_at = now
            token.save(update_fields=["used_at"])
        response = Response.objects.create(
            link=link,
            group=group,
            channel=Response.Channel.ONLINE,
            status=Response.Status.REVIEW if recent else Response.Status.COUNTED,
            status_reason=(
                _("another answer from the same device within %(minutes)s minutes")
                % {"minutes": allowed["review_minutes"]}
                if recent
                else ""
            ),
            token=token,
            device=device,
            network=network,
        )
        Answer.objects.bulk_create(
            Answer(response=response, question=question, choice=choice)
            for question, choice in chosen
        )
    return response


class DuplicateForm(Exception):
    """A paper form with this number was already entered for the unit."""


def enter_paper(
    link: UnitLink, form_number: str, group: RespondentGroup, answers: dict[str, str], user: User
) -> Response:
    """One paper form typed in by staff; its number once per unit."""
    number = form_number.strip()
    if not number:
        raise AnswerProblems({"": _("Write the form's number.")})
    chosen, problems = check_answers(asked_of(link.questionnaire, group), answers)
    if problems:
        raise AnswerProblems(problems)
    if not chosen:
        raise AnswerProblems({"": _("Answer at least one question.")})
    try:
        with transaction.atomic():
            response = Response.objects.create(
                link=link,
                group=group,
                channel=Response.Channel.PAPER,
                form_number=number,
                entered_by=user,
            )
            Answer.objects.bulk_create(
                Answer(response=response, question=question, choice=choice)
                for question, choice in chosen
            )
    except IntegrityError:
        raise DuplicateForm(number) from None
    return response


PAPER_COLUMNS = ["Số phiếu", "Mã đơn vị", "Nhóm"]


@transaction.atomic
def import_paper(questionnaire: Questionnaire, table: Table, user: User, units: Any) -> int:
    """Paper forms from a spreadsheet: ``Số phiếu``, ``Mã đơn vị``, ``Nhóm`` and one column
    per question code holding the answer's code. All or nothing; every bad row listed."""
    errors = table.missing_columns(PAPER_COLUMNS)
    if errors:
        raise ImportRefused(errors)
    links = {
        link.unit.code: link
        for link in questionnaire.links.select_related("unit").filter(unit__in=units)
    }
    groups = {group.code: group for group in questionnaire.groups.all()}
    taken = set(
        Response.objects.filter(link__questionnaire=questionnaire)
        .exclude(form_number="")
        .values_list("link_id", "form_number")
    )
    seen: dict[tuple[int, str], int] = {}
    known = {question.code for question in questionnaire.questions.all()}
    unknown_columns = [h for h in table.headers if h and h not in PAPER_COLUMNS and h not in known]
    for header in unknown_columns:
        errors.append(RowError(1, header, _("no question has this code")))
    ready = []
    for number, values in table.rows:
        unit_code = cell_text(values.get("Mã đơn vị"))
        form = cell_text(values.get("Số phiếu"))
        link = links.get(unit_code)
        if link is None:
            errors.append(
                RowError(
                    number,
                    "Mã đơn vị",
                    _("no unit %(code)s takes part in this survey, or it is not yours")
                    % {"code": unit_code},
                    unit_code,
                    unit=unit_code,
                )
            )
            continue
        group = groups.get(cell_text(values.get("Nhóm")))
        if group is None:
            errors.append(
                RowError(
                    number,
                    "Nhóm",
                    _("write one of the groups' codes: %(codes)s") % {"codes": ", ".join(groups)},
                    cell_text(values.get("Nhóm")),
                    unit=unit_code,
                )
            )
            continue
        if not form:
            errors.append(
                RowError(number, "Số phiếu", _("the form's number is missing"), unit=unit_code)
            )
            continue
        key = (link.pk, form)
        if key in taken:
            errors.append(
                RowError(
                    number,
                    "Số phiếu",
                    _("the form %(form)s of this unit was already entered") % {"form": form},
                    form,
                    unit=unit_code,
                )
            )
            continue
        if key in seen:
            errors.append(
                RowError(
                    number,
                    "Số phiếu",
                    _("the form %(form)s is already on row %(row)d")
                    % {"form": form, "row": seen[key]},
                    form,
                    unit=unit_code,
                )
            )
            continue
        seen[key] = number
        answers = {code: cell_text(values.get(code)) for code in known if code in values}
        chosen, problems = check_answers(asked_of(questionnaire, group), answers)
        for code, problem in problems.items():
            errors.append(RowError(number, code, problem, answers.get(code, ""), unit=unit_code))
        if not problems:
            ready.append((link, group, form, chosen))
    if errors:
        raise ImportRefused(errors)
    for link, group, form, chosen in ready:
        response = Response.objects.create(
            link=link,
            group=group,
            channel=Response.Channel.PAPER,
            form_number=form,
            entered_by=user,
        )
        Answer.objects.bulk_create(
            Answer(response=response, question=q, choice=c) for q, c in chosen
        )
    return len(ready)


def open_survey(questionnaire: Questionnaire) -> int:
    """Open the survey: a public link for every unit the set scores (created once)."""
    from scoring.assessment.self_assessment import units_scored_by

    units = units_scored_by(questionnaire.criteria_set)
    existing = set(questionnaire.links.values_list("unit_id", flat=True))
    UnitLink.objects.bulk_create(
        UnitLink(questionnaire=questionnaire, unit=unit)
        for unit in units
        if unit.pk not in existing
    )
    questionnaire.status = Questionnaire.Status.OPEN
    questionnaire.save(update_fields=["status"])
    return questionnaire.links.count()


def make_tokens(link: UnitLink, count: int) -> list[Token]:
    return Token.objects.bulk_create(Token(link=link) for _ in range(count))
