"""Keeping each assessment's stored result (``AssessmentResult``) in step with its scores."""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from django.utils import timezone

from scoring.assessment.loading import items_of, score_final, score_self_assessment
from scoring.criteria.trees import tree_and_rows
from scoring.engine import CriteriaTree, UnitResult
from scoring.models import Assessment, AssessmentItem, AssessmentResult
from scoring.models import Criterion as CriterionRow


class Refreshed(NamedTuple):
    """What ``refresh_result`` read and scored, inside the caller's transaction: a page
    answering the save shows these instead of reading and scoring them again after it."""

    items: list[AssessmentItem]  # every item of the assessment, without their evidence
    kept: tuple[CriteriaTree, tuple[CriterionRow, ...]]  # the set's tree and rows
    own: UnitResult  # the self-assessment's result
    final: UnitResult  # the result with the appraised scores


class Saved(NamedTuple):
    """A saved item (a self-assessed answer, an appraised score), with the assessment's
    items, tree and results as the save's transaction left them."""

    item: AssessmentItem
    refreshed: Refreshed


def stored_fields(result: UnitResult) -> dict[str, list[str]]:
    return {
        root.code: [str(result.score_of(root.code)), str(result.max_of(root.code))]
        for root in result.tree.roots
        if not all(child.is_adjustment for child in root.children) or not root.children
    }


def refresh_result(assessment: Assessment, dossier: dict[str, Decimal] | None = None) -> Refreshed:
    """Score the assessment (appraised where appraised, self scores otherwise) and store it
    (``dossier``: the unit's dossier values when the caller already has them). One UPDATE
    (a row is created only the first time): a save runs this while it holds the write lock.
    Returns what it read and scored."""
    items = items_of(assessment)  # read once for both scores, as is the tree
    kept = tree_and_rows(assessment.criteria_set)
    final = score_final(assessment, items, kept)
    own = score_self_assessment(assessment, dossier, items, kept)
    values = {
        "total": final.total,
        "max_total": final.max_total,
        "index": final.index,
        "classification": final.classification or "",
        "fields": stored_fields(final),
        "self_total": own.total,
        "self_index": own.index,
        "computed_at": timezone.now(),  # auto_now is not applied by update()
    }
    if not AssessmentResult.objects.filter(assessment=assessment).update(**values):
        AssessmentResult.objects.create(assessment=assessment, **values)
    return Refreshed(items, kept, own, final)
