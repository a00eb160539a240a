"""The appraisal council (Hội đồng thẩm định): formed for a criteria set by an administrator,
it meets in rounds on the assessments appraised; each member records an opinion per unit
(agree with the appraised scores, or propose changes, each with its reason; a member given
fields proposes changes in them); the chair closes the round and each unit is approved when
the configured majority of the members agreed (more than half by default), or sent back to
the appraiser with the proposals. Approval locks the scores. The minutes come out as PDF."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.documents import render_pdf
from cchc.models import NotificationKind, Role, Unit, User
from cchc.notifications import Message, deliver
from scoring.assessment.results import refresh_result
from scoring.assessment.workflow import IllegalMove, record_move
from scoring.criteria.parameters import format_number
from scoring.models import (
    Assessment,
    Council,
    CouncilMember,
    CouncilOpinion,
    CouncilOutcome,
    CouncilRound,
    Criterion,
)
from scoring.models.assessments import AssessmentState as S

PROPOSAL = re.compile(r"^\s*([0-9A-Za-z.]+)\s*=\s*([0-9]+(?:[.,][0-9]+)?)\s*[:;-]\s*(.+?)\s*$")


def administers(user: User, council: Council) -> bool:
    return (
        Unit.objects.actionable_by(user, [Role.ADMINISTRATOR])
        .filter(pk=council.criteria_set.scope_id)
        .exists()
    )


def member_of(council: Council, user: User) -> CouncilMember | None:
    return council.members.filter(user=user).first()


def may_chair(council: Council, user: User) -> bool:
    member = member_of(council, user)
    return (member is not None and member.position == CouncilMember.Position.CHAIR) or administers(
        user, council
    )


@transaction.atomic
def open_round(council: Council, user: User, place: str = "") -> CouncilRound:
    """A round on every assessment of the set appraised and not yet approved."""
    council = Council.objects.select_for_update().get(pk=council.pk)
    if not may_chair(council, user):
        raise PermissionDenied
    if council.rounds.filter(closed_at__isnull=True).exists():
        raise IllegalMove(_("A round is already open; close it first."))
    if not council.members.filter(position=CouncilMember.Position.CHAIR).exists():
        raise IllegalMove(_("Name the council's chair first."))
    appraised = list(
        Assessment.objects.filter(criteria_set=council.criteria_set, state=S.APPRAISED)
    )
    if not appraised:
        raise IllegalMove(_("No assessment of the set is appraised and waiting for the council."))
    number = (council.rounds.aggregate(last=Max("number"))["last"] or 0) + 1
    round_ = CouncilRound.objects.create(
        council=council, number=number, place=place.strip(), opened_by=user
    )
    round_.assessments.set(appraised)
    path = reverse("council_round", args=[round_.pk])
    deliver(
        Message(
            member.user,
            NotificationKind.COUNCIL_ROUND,
            f"{council.name}: phiên thẩm định lần {number}",
            f"Hội đồng xem xét kết quả thẩm định của {len(appraised)} đơn vị; hãy ghi ý kiến của mình.",
            path,
            f"council-round:{round_.pk}",
        )
        for member in council.members.select_related("user")
    )
    return round_


@dataclass(frozen=True)
class Proposal:
    code: str
    score: Decimal
    reason: str

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "score": str(self.score), "reason": self.reason}


def parse_proposals(text: str, assessment: Assessment, member: CouncilMember) -> list[Proposal]:
    """Lines "1.2 = 1,5: reason", each checked: a sub-criterion of the set (in the member's
    fields, where assigned), a score within its maximum, and a reason."""
    criteria = {c.code: c for c in assessment.criteria_set.criteria.exclude(method="")}
    found, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = PROPOSAL.match(line)
        if match is None:
            problems.append(
                _("Line %(n)s: write the change as “1.2 = 1,5: the reason”.") % {"n": number}
            )
            continue
        code, score_text, reason = match.groups()
        criterion: Criterion | None = criteria.get(code)
        if criterion is None:
            problems.append(
                _("Line %(n)s: %(code)s is not a sub-criterion of the set.")
                % {"n": number, "code": code}
            )
            continue
        if member.fields and code.split(".")[0] not in member.fields:
            problems.append(
                _("Line %(n)s: %(code)s is outside the fields assigned to you (%(fields)s).")
                % {"n": number, "code": code, "fields": ", ".join(member.fields)}
            )
            continue
        try:
            score = Decimal(score_text.replace(",", "."))
        except InvalidOperation:
            problems.append(_("Line %(n)s: the score is not a number.") % {"n": number})
            continue
        if not Decimal(0) <= score <= criterion.max_score:
            problems.append(
                _("Line %(n)s: the score of %(code)s lies between 0 and %(max)s.")
                % {"n": number, "code": code, "max": format_number(criterion.max_score)}
            )
            continue
        found.append(Proposal(code, score, reason))
    if problems:
        raise ValidationError(problems)
    return found


@transaction.atomic
def record_opinion(
    round_: CouncilRound,
    assessment: Assessment,
    user: User,
    agrees: bool,
    proposals_text: str,
    note: str = "",
) -> CouncilOpinion:
    round_ = (
        CouncilRound.objects.select_for_update()
        .select_related("council__criteria_set")
        .get(pk=round_.pk)
    )
    member = member_of(round_.council, user)
    if member is None:
        raise PermissionDenied
    if not round_.is_open:
        raise IllegalMove(_("The round is closed."))
    if not round_.assessments.filter(pk=assessment.pk).exists():
        raise IllegalMove(_("This unit is not in the round."))
    proposals = parse_proposals(proposals_text, assessment, member)
    if not agrees and not proposals:
        raise ValidationError([_("Propose at least one change, with its reason, or agree.")])
    if agrees and proposals:
        raise ValidationError(
            [_("Agreeing means no change: clear the proposals, or do not agree.")]
        )
    opinion, _created = CouncilOpinion.objects.update_or_create(
        round=round_,
        assessment=assessment,
        member=member,
        defaults={
            "agrees": agrees,
            "proposals": [p.as_json() for p in proposals],
            "note": note.strip(),
        },
    )
    return opinion


@transaction.atomic
def close_round(round_: CouncilRound, user: User) -> list[CouncilOutcome]:
    """Count each unit's votes: approved by the majority (the scores are locked), or sent
    back to the appraiser with the changes proposed."""
    round_ = (
        CouncilRound.objects.select_for_update()
        .select_related("council__criteria_set")
        .get(pk=round_.pk)
    )
    council = round_.council
    if not may_chair(council, user):
        raise PermissionDenied
    if not round_.is_open:
        raise IllegalMove(_("The round is already closed."))
    members = list(council.members.select_related("user"))
    needed = council.needed(len(members))
    opinions: dict[int, list[CouncilOpinion]] = {}
    for opinion in CouncilOpinion.objects.filter(round=round_).select_related("member__user"):
        opinions.setdefault(opinion.assessment_id, []).append(opinion)
    outcomes = []
    for assessment in round_.assessments.select_for_update().select_related("unit"):
        given = opinions.get(assessment.pk, [])
        agreeing = sum(1 for opinion in given if opinion.agrees)
        approved = agreeing >= needed
        outcomes.append(
            CouncilOutcome.objects.create(
                round=round_,
                assessment=assessment,
                agreeing=agreeing,
                members=len(members),
                needed=needed,
                approved=approved,
            )
        )
        if assessment.state != S.APPRAISED:
            continue
        votes = _("%(agreeing)s of %(members)s members agreed (%(needed)s needed)") % {
            "agreeing": agreeing,
            "members": len(members),
            "needed": needed,
        }
        if approved:
            assessment.approved_by = user
            record_move(
                assessment, S.APPROVED, user, f"{council.name}, phiên {round_.number}: {votes}"
            )
        else:
            changes = "; ".join(
                f"{p['code']} = {p['score']} ({p['reason']}, {opinion.member.user})"
                for opinion in given
                for p in opinion.proposals
            )
            record_move(
                assessment,
                S.UNDER_APPRAISAL,
                user,
                f"{council.name}, phiên {round_.number}: {votes}. "
                + (f"Đề nghị: {changes}" if changes else ""),
            )
        assessment.save()
        refresh_result(assessment)
    round_.closed_at, round_.closed_by = timezone.now(), user
    round_.members_at_close = [
        {"name": str(m.user), "position": m.get_position_display(), "title": m.title}
        for m in members
    ]
    round_.save(update_fields=["closed_at", "closed_by", "members_at_close"])
    return outcomes


def minutes_pdf(round_: CouncilRound) -> bytes:
    """The minutes of a closed round (biên bản họp hội đồng), in the form of Decree 30/2020."""
    council = round_.council
    members = round_.members_at_close or [
        {"name": str(m.user), "position": m.get_position_display(), "title": m.title}
        for m in council.members.select_related("user")
    ]
    outcomes = {o.assessment_id: o for o in round_.outcomes.all()}
    opinions: dict[int, list[CouncilOpinion]] = {}
    for opinion in round_.opinions.select_related("member__user").order_by("member__sort", "pk"):
        opinions.setdefault(opinion.assessment_id, []).append(opinion)
    units = [
        (
            assessment,
            getattr(assessment, "result", None),
            outcomes.get(assessment.pk),
            opinions.get(assessment.pk, []),
        )
        for assessment in round_.assessments.select_related("unit", "result").order_by("unit__path")
    ]
    chair = next(
        (
            m
            for m in council.members.select_related("user")
            if m.position == CouncilMember.Position.CHAIR
        ),
        None,
    )
    secretary = next(
        (
            m
            for m in council.members.select_related("user")
            if m.position == CouncilMember.Position.SECRETARY
        ),
        None,
    )
    return render_pdf(
        "scoring/council_minutes.html",
        {
            "round": round_,
            "council": council,
            "members": members,
            "units": units,
            "chair": chair,
            "secretary": secretary,
            "opened": timezone.localtime(round_.opened_at),
            "closed": timezone.localtime(round_.closed_at) if round_.closed_at else None,
        },
    )
