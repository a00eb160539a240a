"""The appraisal council (Hội đồng thẩm định) of a criteria set, its rounds, each member's
opinion on each unit, and each round's outcome; and the letter a unit sends with its
self-assessment."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from scoring.models.assessments import Assessment
from scoring.models.criteria import CriteriaSet


class Council(models.Model):
    class Majority(models.TextChoices):
        MORE_THAN_HALF = "half", _("More than half of the members")
        TWO_THIRDS = "two_thirds", _("At least two thirds of the members")

    criteria_set = models.OneToOneField(
        CriteriaSet, on_delete=models.PROTECT, related_name="council"
    )
    name = models.CharField(_("name"), max_length=300)
    founding_decision = models.CharField(
        _("decision forming it"), max_length=200, blank=True, help_text=_("e.g. 123/QĐ-UBND")
    )
    majority = models.CharField(
        _("decided by"), max_length=12, choices=Majority.choices, default=Majority.MORE_THAN_HALF
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("appraisal council")
        verbose_name_plural = _("appraisal councils")

    def __str__(self) -> str:
        return self.name

    def needed(self, members: int) -> int:
        """How many agreeing members approve: more than half, or two thirds."""
        if self.majority == self.Majority.TWO_THIRDS:
            return -(-2 * members // 3)
        return members // 2 + 1


class CouncilMember(models.Model):
    class Position(models.TextChoices):
        CHAIR = "chair", _("Chair")
        SECRETARY = "secretary", _("Secretary")
        MEMBER = "member", _("Member")

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    position = models.CharField(
        _("position"), max_length=10, choices=Position.choices, default=Position.MEMBER
    )
    title = models.CharField(_("office held"), max_length=200, blank=True)
    fields = models.JSONField(
        _("fields appraised"), default=list, blank=True, help_text=_("codes; empty: every field")
    )
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("council member")
        verbose_name_plural = _("council members")
        ordering = ["sort", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["council", "user"], name="one_seat_per_person"),
            models.UniqueConstraint(
                fields=["council"],
                condition=models.Q(position="chair"),
                name="one_chair_per_council",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_position_display()})"


class CouncilRound(models.Model):
    """A meeting of the council on the assessments appraised when it opened."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField()
    place = models.CharField(_("place"), max_length=300, blank=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assessments = models.ManyToManyField(Assessment, related_name="council_rounds")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    members_at_close = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("council round")
        verbose_name_plural = _("council rounds")
        ordering = ["council", "number"]
        constraints = [
            models.UniqueConstraint(fields=["council", "number"], name="one_round_number")
        ]

    def __str__(self) -> str:
        return f"{self.council} #{self.number}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class CouncilOpinion(models.Model):
    """One member's opinion on one unit's appraised scores: agree, or changes proposed with
    their reasons ([{"code", "score", "reason"}])."""

    round = models.ForeignKey(CouncilRound, on_delete=models.CASCADE, related_name="opinions")
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(CouncilMember, on_delete=models.PROTECT, related_name="opinions")
    agrees = models.BooleanField(_("agrees with the appraised scores"))
    proposals = models.JSONField(_("changes proposed"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("council member's opinion")
        verbose_name_plural = _("council members' opinions")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "assessment", "member"], name="one_opinion_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member}: {'đồng ý' if self.agrees else 'đề nghị điều chỉnh'}"


class CouncilOutcome(models.Model):
    """What a closed round decided for one unit, with the votes behind it."""

    round = models.ForeignKey(CouncilRound, on_delete=models.CASCADE, related_name="outcomes")
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="+")
    agreeing = models.PositiveSmallIntegerField()
    members = models.PositiveSmallIntegerField()
    needed = models.PositiveSmallIntegerField()
    approved = models.BooleanField()

    class Meta:
        verbose_name = _("council outcome")
        verbose_name_plural = _("council outcomes")
        constraints = [
            models.UniqueConstraint(fields=["round", "assessment"], name="one_outcome_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.assessment}: {self.agreeing}/{self.members}"


class SubmissionLetter(models.Model):
    """The letter asking for appraisal (công văn đề nghị thẩm định), numbered per set."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="letters")
    number = models.PositiveIntegerField()
    issued_at = models.DateTimeField(auto_now_add=True)
    signer_name = models.CharField(max_length=200)
    signer_title = models.CharField(max_length=200)
    # The summary as submitted: [[code, field, maximum, self score], ...] and the totals, so
    # that a letter reads the same after a reopening changes the self scores.
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("letter asking for appraisal")
        verbose_name_plural = _("letters asking for appraisal")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "number"], name="one_letter_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}/{self.assessment.unit}"
