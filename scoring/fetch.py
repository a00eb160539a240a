"""Loads criteria rows from the database into the engine's dataclasses."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from dossiers.reports import dossier_inputs_for
from scoring.engine import (
    Classification,
    CriteriaTree,
    Criterion,
    InputError,
    LeafInput,
    UnitResult,
    score_unit,
)
from scoring.models import Assessment, AssessmentItem, CriteriaSet
from scoring.models import Criterion as CriterionRow
from scoring.parameters import spec_from_json


def classification_of(criteria_set: CriteriaSet) -> Classification:
    return Classification.of(
        (label, Decimal(str(minimum))) for label, minimum in criteria_set.classification_bands
    )


def tree_from_rows(
    rows: list[CriterionRow], classification: Classification, dense: bool
) -> CriteriaTree:
    children: dict[int | None, list[CriterionRow]] = defaultdict(list)
    for row in rows:
        children[row.parent_id].append(row)

    def build(row: CriterionRow) -> Criterion:
        return Criterion(
            code=row.code,
            title=row.title,
            max_score=row.max_score,
            method=spec_from_json(row.method, row.parameters) if row.method else None,
            children=tuple(build(child) for child in children[row.pk]),
        )

    return CriteriaTree([build(row) for row in children[None]], classification, dense_ranking=dense)


def load_tree(criteria_set: CriteriaSet) -> CriteriaTree:
    """The criteria set as an engine tree (one query)."""
    rows = list(criteria_set.criteria.order_by("sort_key"))
    return tree_from_rows(rows, classification_of(criteria_set), criteria_set.dense_ranking)


def criterion_node(row: CriterionRow) -> Criterion:
    """One leaf criterion as an engine node."""
    return Criterion(
        row.code,
        row.title,
        row.max_score,
        spec_from_json(row.method, row.parameters) if row.method else None,
    )


def dossier_values_for(assessment: Assessment) -> dict[str, Decimal]:
    """The inputs the unit's dossier figures give for the set's year; empty without figures."""
    values, counts = dossier_inputs_for(assessment.unit, assessment.criteria_set.year)
    return values if any(counts.values()) else {}


def self_inputs(
    assessment: Assessment,
    tree: CriteriaTree,
    rows: list[CriterionRow],
    dossier: dict[str, Decimal] | None = None,
) -> dict[str, LeafInput]:
    """Every self-assessed item of the assessment as engine inputs (``dossier``: the unit's
    dossier values when the caller already has them)."""
    from scoring.self_assessment import input_of

    if dossier is None:
        dossier = dossier_values_for(assessment)
    by_pk = {row.pk: row for row in rows}
    inputs = {}
    for item in assessment.items.all():
        if not item.is_scored:  # created for its evidence, not answered yet
            continue
        row = by_pk.get(item.criterion_id)
        node = tree.nodes[tree.position[row.code]] if row is not None else None
        if node is not None and node.method is not None:
            inputs[row.code] = input_of(item, node.method, dossier)  # type: ignore[union-attr]
    return inputs


def score_self_assessment(
    assessment: Assessment, dossier: dict[str, Decimal] | None = None
) -> UnitResult:
    """The unit's self-assessment scored by the engine (unscored sub-criteria count 0)."""
    rows = list(assessment.criteria_set.criteria.order_by("sort_key"))
    tree = tree_from_rows(
        rows, classification_of(assessment.criteria_set), assessment.criteria_set.dense_ranking
    )
    inputs = self_inputs(assessment, tree, rows, dossier)
    while True:  # an item whose stored inputs no longer fit its method counts as unscored
        try:
            return score_unit(tree, inputs)
        except InputError as error:
            inputs.pop(error.code)


def final_input(item: AssessmentItem) -> LeafInput | None:
    """The appraised result of an item: the appraised score, or the self score kept; the
    reason is the appraiser's, or the unit's explanation where the unit lost the points."""
    if item.final_not_applicable:
        return LeafInput(not_applicable=True, reason=item.not_applicable_reason)
    if item.final_score is None:
        return None
    reason = item.appraisal_reason or item.explanation
    return LeafInput(points=item.final_score, reason=reason)


def _final_inputs(
    items: list[AssessmentItem], tree: CriteriaTree, codes: dict[int, str]
) -> dict[str, LeafInput]:
    inputs = {}
    for item in items:
        code = codes.get(item.criterion_id)
        given = final_input(item)
        if code is not None and given is not None:
            node = tree.nodes[tree.position[code]]
            if node.is_adjustment and given.points is not None:
                given = LeafInput(value=given.points, reason=given.reason)
            inputs[code] = given
    return inputs


def score_final(assessment: Assessment) -> UnitResult:
    """The assessment scored with its appraised results."""
    rows = list(assessment.criteria_set.criteria.order_by("sort_key"))
    tree = tree_from_rows(
        rows, classification_of(assessment.criteria_set), assessment.criteria_set.dense_ranking
    )
    codes = {row.pk: row.code for row in rows}
    return score_unit(tree, _final_inputs(list(assessment.items.all()), tree, codes))
