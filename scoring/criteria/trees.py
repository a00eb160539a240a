"""A criteria set loaded from the database as the engine's tree."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from scoring.criteria.parameters import spec_from_json
from scoring.engine import Classification, CriteriaTree, Criterion
from scoring.models import CriteriaSet
from scoring.models import Criterion as CriterionRow


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


def tree_and_rows(criteria_set: CriteriaSet) -> tuple[CriteriaTree, list[CriterionRow]]:
    rows = list(criteria_set.criteria.order_by("sort_key"))
    return tree_from_rows(rows, classification_of(criteria_set), criteria_set.dense_ranking), rows


def criterion_node(row: CriterionRow) -> Criterion:
    """One leaf criterion as an engine node."""
    return Criterion(
        row.code,
        row.title,
        row.max_score,
        spec_from_json(row.method, row.parameters) if row.method else None,
    )
