"""Publishing a criteria set's results under a decision, and the decision as a PDF in the
form of Vietnamese administrative documents (Nghị định 30/2020/NĐ-CP)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from cchc.models import User
from scoring.appraisal import move_assessment
from scoring.models import CriteriaSet
from scoring.models.assessments import AssessmentState as S
from scoring.rankings import Ranking
from scoring.scorecards import Scorecard


@transaction.atomic
def publish_set(criteria_set: CriteriaSet, form: Any, user: User) -> int:
    """Save the decision and publish every approved assessment of the set; refused while any
    unit is not approved yet."""
    pending = list(
        criteria_set.assessments.exclude(state__in=[S.APPROVED, S.PUBLISHED]).select_related(
            "unit"
        )[:20]
    )
    if pending:
        names = ", ".join(str(a.unit) for a in pending)
        raise ValidationError(_("Not every unit is approved yet: %(units)s.") % {"units": names})
    decision = form.save(commit=False)
    decision.criteria_set = criteria_set
    decision.published_by = user
    decision.save()
    published = 0
    for assessment in criteria_set.assessments.filter(state=S.APPROVED):
        move_assessment(
            assessment, "publish", user, _("Decision %(number)s") % {"number": decision.number}
        )
        published += 1
    return published


def _pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_to_string(template, context)).write_pdf()


def decision_pdf(ranking: Ranking) -> bytes:
    """The decision with its appendix table; without a decision yet, the provisional table."""
    decision = getattr(ranking.criteria_set, "decision", None) if ranking.criteria_set else None
    return _pdf("scoring/decision_pdf.html", {"ranking": ranking, "decision": decision})


def scorecard_pdf(card: Scorecard) -> bytes:
    return _pdf("scoring/scorecard_pdf.html", {"card": card})
