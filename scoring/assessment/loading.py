"""Loads assessment items from the database into the engine's inputs (the criteria tree
comes from ``scoring.criteria.trees``) and scores them: the self-assessment as the unit
entered it, and the final (appraised) result."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from cchc.statements import RowsRead
from dossiers.reports import dossier_inputs_for
from scoring.criteria.trees import tree_and_rows
from scoring.engine import (
    CriteriaTree,
    InputError,
    LeafInput,
    MethodSpec,
    UnitResult,
    score_unit,
)
from scoring.models import Assessment, AssessmentItem, CriteriaSet, EvidenceLink
from scoring.models import Criterion as CriterionRow
from scoring.models.assessments import AssessmentState as S

# Once the appraisal is finished every sub-criterion counts as appraised: a kept self
# score is the appraiser's score too.
APPRAISAL_DONE = (S.APPRAISED, S.APPROVED, S.PUBLISHED)


# Every page and save of an assessment reads its items, and a page the evidence of each:
# statements written once (``cchc.statements``), as Django's query of the items took longer
# to build than to run, and its prefetch of the evidence built one query per item (about
# 45 µs each, 4 ms for a hundred sub-criteria).
_ITEMS = RowsRead(AssessmentItem, by="assessment")
_LINKS = RowsRead(EvidenceLink, ("evidence",), by="item__assessment")


def items_of(assessment: Assessment) -> list[AssessmentItem]:
    """The assessment's items, in the order of their keys."""
    return _ITEMS.rows(assessment)


def with_links(assessment: Assessment, items: list[AssessmentItem]) -> list[AssessmentItem]:
    """``items`` (of ``assessment``), each with ``links``: the list of its evidence links,
    each with its evidence, in the order they were made. One query for all (none without
    items)."""
    linked: dict[int, list[EvidenceLink]] = defaultdict(list)
    for link in _LINKS.rows(assessment) if items else ():
        linked[link.item_id].append(link)
    for item in items:
        item.links = linked.get(item.pk, [])  # type: ignore[attr-defined]
    return items


def dossier_values_for(assessment: Assessment) -> dict[str, Decimal]:
    """The inputs the unit's dossier figures give for the set's year; empty without figures."""
    values, counts = dossier_inputs_for(assessment.unit, assessment.criteria_set.year)
    return values if any(counts.values()) else {}


def input_of(item: AssessmentItem, spec: MethodSpec, dossier: dict[str, Decimal]) -> LeafInput:
    """The engine's input for an item; figures from dossier statistics win over typed ones."""
    numbers = {name: Decimal(str(value)) for name, value in item.self_numbers.items()}
    numbers.update({name: dossier[name] for name in spec.input_names() if name in dossier})
    return LeafInput(
        value=item.self_value,
        answer=item.self_answer,
        level=item.self_level or None,
        numbers=numbers,
        not_applicable=item.not_applicable,
        reason=item.not_applicable_reason or item.explanation,
        points=item.self_points,
    )


def self_inputs(
    assessment: Assessment,
    tree: CriteriaTree,
    rows: Sequence[CriterionRow],
    dossier: dict[str, Decimal] | None = None,
    items: Iterable[AssessmentItem] | None = None,
) -> dict[str, LeafInput]:
    """Every self-assessed item of the assessment as engine inputs (``dossier``: the unit's
    dossier values, ``items``: its items, when the caller already has them)."""
    if dossier is None:
        dossier = dossier_values_for(assessment)
    by_pk = {row.pk: row for row in rows}
    inputs = {}
    for item in assessment.items.all() if items is None else items:
        if not item.is_scored:  # created for its evidence, not answered yet
            continue
        row = by_pk.get(item.criterion_id)
        node = tree.nodes[tree.position[row.code]] if row is not None else None
        if row is not None and node is not None and node.method is not None:
            inputs[row.code] = input_of(item, node.method, dossier)
    return inputs


def _scored_leniently(tree: CriteriaTree, inputs: dict[str, LeafInput]) -> UnitResult:
    while True:  # an item whose stored inputs no longer fit its method counts as unscored
        try:
            return score_unit(tree, inputs)
        except InputError as error:
            inputs.pop(error.code)


def score_self_assessment(
    assessment: Assessment,
    dossier: dict[str, Decimal] | None = None,
    items: Iterable[AssessmentItem] | None = None,
    kept: tuple[CriteriaTree, tuple[CriterionRow, ...]] | None = None,
) -> UnitResult:
    """The unit's self-assessment scored by the engine (unscored sub-criteria count 0);
    ``items``: the assessment's items when the caller already has them; ``kept``: the set's
    tree and rows when the caller read them in the same request."""
    tree, rows = kept if kept is not None else tree_and_rows(assessment.criteria_set)
    return _scored_leniently(tree, self_inputs(assessment, tree, rows, dossier, items))


def final_input(item: AssessmentItem) -> LeafInput | None:
    """The appraised result of an item: the appraised score, or the self score kept. The
    reason is the appraiser's (never the unit's own explanation: a deduction's reason is
    the appraisal's)."""
    if item.final_not_applicable:
        return LeafInput(not_applicable=True, reason=item.not_applicable_reason)
    if item.final_score is None:
        return None
    return LeafInput(points=item.final_score, reason=item.appraisal_reason)


def _final_inputs(
    items: Iterable[AssessmentItem], tree: CriteriaTree, codes: dict[int, str]
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


def score_final(
    assessment: Assessment,
    items: Iterable[AssessmentItem] | None = None,
    kept: tuple[CriteriaTree, tuple[CriterionRow, ...]] | None = None,
) -> UnitResult:
    """The assessment scored with its appraised results (``items``: its items when the
    caller already has them; ``kept``: the set's tree and rows when the caller read them in
    the same request)."""
    tree, rows = kept if kept is not None else tree_and_rows(assessment.criteria_set)
    codes = {row.pk: row.code for row in rows}
    chosen = list(assessment.items.all()) if items is None else items
    return _scored_leniently(tree, _final_inputs(chosen, tree, codes))


def appraised_codes(assessment: Assessment, items: Iterable[AssessmentItem]) -> set[str] | None:
    """The codes of the sub-criteria an appraiser has looked at; None when all of them
    count as appraised (the appraisal is finished)."""
    if assessment.state in APPRAISAL_DONE:
        return None
    return {item.criterion.code for item in items if item.appraised_at is not None}


def score_final_many(
    criteria_set: CriteriaSet, assessments: list[Assessment]
) -> dict[int, UnitResult]:
    """The final result of many assessments of one set: two queries whatever their number."""
    tree, rows = tree_and_rows(criteria_set)
    codes = {row.pk: row.code for row in rows}
    wanted = {a.pk for a in assessments}
    items: dict[int, list[AssessmentItem]] = defaultdict(list)
    for item in AssessmentItem.objects.filter(assessment__criteria_set=criteria_set):
        if item.assessment_id in wanted:
            items[item.assessment_id].append(item)
    return {
        a.pk: _scored_leniently(tree, _final_inputs(items[a.pk], tree, codes)) for a in assessments
    }
