"""The satisfaction survey (điều tra xã hội học): a questionnaire for a criteria set, its
respondent groups, sections, questions and weighted answers, the rules that turn answers
into the points of the set's survey sub-criteria; and the responses, online (through each
unit's public link, optionally with one-time tokens) or from paper forms."""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cchc.models import Unit
from scoring.models import CriteriaSet, Criterion


def new_slug() -> str:
    """A unit's public address part: random, so that no one finds another unit's survey by
    guessing (24 characters of [A-Za-z0-9_-])."""
    return secrets.token_urlsafe(18)


TOKEN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read from paper


def new_token() -> str:
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(8))


def new_public_id() -> str:
    """A response's number in the open data: random, so that it says nothing of the order."""
    return secrets.token_hex(8)


class QuestionnaireQuerySet(models.QuerySet["Questionnaire"]):
    def visible_to(self, user: Any) -> QuestionnaireQuerySet:
        """Those of the criteria sets the user sees (their scope holds one of the user's units
        or lies under one)."""
        from scoring.models import CriteriaSet as Sets

        return self.filter(criteria_set__in=Sets.objects.visible_to(user))


class Questionnaire(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Being prepared")
        OPEN = "open", _("Open for answers")
        CLOSED = "closed", _("Closed")

    criteria_set = models.OneToOneField(
        CriteriaSet, on_delete=models.PROTECT, related_name="questionnaire"
    )
    title = models.CharField(_("title"), max_length=300)
    introduction = models.TextField(
        _("what respondents are told"),
        help_text=_("Who runs the survey, why, and how the answers are used."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    uses_tokens = models.BooleanField(
        _("by invitation only (one-time codes)"),
        default=False,
        help_text=_("Each answer needs a code printed on a slip; a code answers once."),
    )
    margin = models.DecimalField(
        _("margin of error"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.05"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("0.2"))],
        help_text=_("e in n = N / (1 + N·e²)"),
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = QuestionnaireQuerySet.as_manager()

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["-criteria_set__year", "title"]

    def __str__(self) -> str:
        return self.title


class RespondentGroup(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="groups"
    )
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("respondent group"), max_length=200)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("respondent group")
        verbose_name_plural = _("respondent groups")
        ordering = ["sort", "code"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="one_group_code")
        ]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    section = models.CharField(_("section"), max_length=300)
    code = models.CharField(_("code"), max_length=20)
    text = models.TextField(_("question"))
    groups = models.ManyToManyField(
        RespondentGroup,
        blank=True,
        related_name="questions",
        help_text=_("Asked of these groups only; none: of everyone."),
    )
    required = models.BooleanField(_("an answer is required"), default=False)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["sort", "code"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="one_question_code")
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.text}"


class Choice(models.Model):
    """One answer to a question; its weight (0–100%) scores it; none: not scored (e.g.
    "I do not know")."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    code = models.CharField(_("code"), max_length=5)
    text = models.CharField(_("answer"), max_length=300)
    weight = models.DecimalField(
        _("weight (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["sort", "code"]
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="one_choice_code"),
            models.CheckConstraint(
                condition=Q(weight__isnull=True) | Q(weight__gte=0, weight__lte=100),
                name="choice_weight_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.text}"


class ScoringRule(models.Model):
    """How the answers score one survey sub-criterion of the set: ``mean``: the mean weight
    of the answers to its questions × the sub-criterion's maximum; ``table``: the points of
    the band the mean weight falls in (``table``: [[from %, points], …])."""

    class Method(models.TextChoices):
        MEAN = "mean", _("Mean weight × maximum")
        TABLE = "table", _("Table of bands")

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="rules")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("how"), max_length=10, choices=Method.choices, default=Method.MEAN)
    questions = models.ManyToManyField(Question, related_name="rules")
    table = models.JSONField(_("bands"), default=list, blank=True)

    class Meta:
        verbose_name = _("scoring rule")
        verbose_name_plural = _("scoring rules")
        ordering = ["criterion__sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "criterion"], name="one_rule_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code}: {self.get_method_display()}"


class UnitLink(models.Model):
    """A unit's public survey address (``/khao-sat/<slug>/``)."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="links")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="survey_links")
    slug = models.CharField(max_length=40, unique=True, default=new_slug)

    class Meta:
        verbose_name = _("survey link")
        verbose_name_plural = _("survey links")
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "unit"], name="one_link_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.unit}: {self.slug}"


class Token(models.Model):
    """A one-time code printed on a slip: it lets one answer in."""

    link = models.ForeignKey(UnitLink, on_delete=models.CASCADE, related_name="tokens")
    code = models.CharField(max_length=12, unique=True, default=new_token)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")

    def __str__(self) -> str:
        return self.code


class Response(models.Model):
    """One respondent's answers. Nothing identifies the person: the device and the network
    address are kept only as keyed hashes, to limit repeated answers."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        PAPER = "paper", _("Paper form")

    class Status(models.TextChoices):
        COUNTED = "counted", _("Counted")
        REVIEW = "review", _("Set aside for review")
        REJECTED = "rejected", _("Not counted")

    link = models.ForeignKey(UnitLink, on_delete=models.PROTECT, related_name="responses")
    group = models.ForeignKey(RespondentGroup, on_delete=models.PROTECT, related_name="responses")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.COUNTED
    )
    status_reason = models.CharField(_("why"), max_length=200, blank=True)
    form_number = models.CharField(_("paper form number"), max_length=30, blank=True)
    token = models.OneToOneField(
        Token, on_delete=models.PROTECT, null=True, blank=True, related_name="response"
    )
    device = models.CharField(max_length=64, blank=True)
    network = models.CharField(max_length=64, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True, db_index=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["link", "form_number"],
                condition=~Q(form_number=""),
                name="one_response_per_paper_form",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.link.unit} {self.public_id}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    choice = models.ForeignKey(Choice, on_delete=models.PROTECT, related_name="answers")

    class Meta:
        verbose_name = _("answer given")
        verbose_name_plural = _("answers given")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.response_id}: {self.question_id} = {self.choice_id}"
