"""Scoring units: leaf scores, subtotals, the total, the index in %, each field's component
index, the classification, the deductions and the adjustments (bonus, penalty)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from itertools import repeat
from operator import call
from typing import Any, TypeVar

from scoring.engine.methods import (
    HUNDRED,
    ZERO,
    LeafInput,
    Method,
    round_points,
    within_max,
)
from scoring.engine.tree import CriteriaTree

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Deduction:
    code: str
    title: str
    lost: Decimal
    max_score: Decimal
    reason: str


@dataclass(frozen=True)
class Adjustment:
    code: str
    title: str
    points: Decimal  # positive for a bonus, negative for a penalty
    reason: str


@dataclass
class UnitResult:
    """The scores of one unit: by node (in tree order), totals, index, deductions."""

    tree: CriteriaTree = field(repr=False)
    inputs: Mapping[str, LeafInput] = field(repr=False)
    scores: list[Decimal]
    maxima: list[Decimal]
    not_applicable: list[str]
    total: Decimal
    max_total: Decimal
    index: Decimal
    classification: str | None
    adjustments: list[Adjustment]
    unscored: list[str]

    def is_applicable(self, code: str) -> bool:
        """False for a leaf marked not applicable and a parent with nothing applicable."""
        position = self.tree.position[code]
        return bool(self.maxima[position]) or self.tree.nodes[position].is_adjustment

    def score_of(self, code: str) -> Decimal:
        return self.scores[self.tree.position[code]]

    def max_of(self, code: str) -> Decimal:
        return self.maxima[self.tree.position[code]]

    @cached_property
    def deductions(self) -> list[Deduction]:
        """Every applicable sub-criterion that lost points, in code order, with its reason."""
        found = []
        for position in self.tree.scored_leaves:
            maximum = self.maxima[position]
            lost = maximum - self.scores[position]
            if maximum and lost:
                node = self.tree.nodes[position]
                given = self.inputs.get(node.code)
                found.append(
                    Deduction(node.code, node.title, lost, maximum, given.reason if given else "")
                )
        return found

    @property
    def fields(self) -> dict[str, Decimal]:
        """Each field's (top-level node's) score, by code."""
        return {root.code: self.score_of(root.code) for root in self.tree.roots}

    @property
    def field_indices(self) -> dict[str, Decimal | None]:
        """Each field's component index in %; None where nothing in it applies."""
        indices: dict[str, Decimal | None] = {}
        for root in self.tree.roots:
            maximum = self.max_of(root.code)
            indices[root.code] = (
                round_points(self.score_of(root.code) / maximum * HUNDRED) if maximum else None
            )
        return indices


def score_unit(tree: CriteriaTree, inputs: Mapping[str, LeafInput]) -> UnitResult:
    """Score one unit. Raises ``InputError`` for an input its method cannot accept.

    The common case (every scored leaf has an input and every one applies) runs as a few
    ``map`` calls over the tree's compiled plan; anything else (a leaf missing, not
    applicable, a zero denominator) is scored leaf by leaf by ``_score_each_leaf``. Both give
    the same result: the test suite compares them on random trees and inputs."""
    try:
        givens = tree.leaf_inputs(inputs)
    except KeyError:
        return _score_each_leaf(tree, inputs)
    values: list[Any] = [ZERO]
    values += map(call, tree.leaf_scorers, givens)
    try:
        for getters in tree.sum_levels:
            values += map(sum, map(call, getters, repeat(values)))
        total = sum(tree.root_slots(values))
    except TypeError:  # a None among the points: a leaf that does not apply
        return _score_each_leaf(tree, inputs)
    scores = list(tree.scores_order(values))
    del scores[-1]
    return _finish(tree, inputs, scores, tree.max_scores, total, tree.max_total, [], [])


def _score_each_leaf(tree: CriteriaTree, inputs: Mapping[str, LeafInput]) -> UnitResult:
    scores = [ZERO] * len(tree.nodes)
    maxima = tree.max_scores
    not_applicable: list[str] = []
    unscored: list[str] = []
    get = inputs.get
    for position, code, _maximum, scorer in tree.leaf_plan:
        given = get(code)
        if given is None:
            unscored.append(code)
            continue
        points = scorer(given)
        if points is None:  # not applicable, declared or by a zero denominator
            not_applicable.append(code)
            continue
        scores[position] = points
    # Subtotals in one bottom-up pass: each node adds itself to its parent.
    for child, parent in tree.bottom_up:
        scores[parent] += scores[child]
    if not_applicable:
        maxima = tree.maxima_without(not_applicable)
    max_total = sum((maxima[root] for root in tree.root_positions), ZERO)
    total = sum((scores[root] for root in tree.root_positions), ZERO)
    return _finish(tree, inputs, scores, maxima, total, max_total, not_applicable, unscored)


def _finish(
    tree: CriteriaTree,
    inputs: Mapping[str, LeafInput],
    scores: list[Decimal],
    maxima: list[Decimal],
    total: Decimal,
    max_total: Decimal,
    not_applicable: list[str],
    unscored: list[str],
) -> UnitResult:
    """The result from the scores and subtotals (either path): the bonus and penalty, the
    total kept within 0 and the maximum, the index and the classification."""
    adjustments = _adjustments(tree, inputs, scores)
    total = min(max(total + sum((a.points for a in adjustments), ZERO), ZERO), max_total)
    index = round_points(total / max_total * HUNDRED) if max_total else ZERO
    return UnitResult(
        tree=tree,
        inputs=inputs,
        scores=scores,
        maxima=maxima,
        not_applicable=not_applicable,
        total=total,
        max_total=max_total,
        index=index,
        classification=tree.classification.classify(index),
        adjustments=adjustments,
        unscored=unscored,
    )


def _adjustments(
    tree: CriteriaTree, inputs: Mapping[str, LeafInput], scores: list[Decimal]
) -> list[Adjustment]:
    adjustments = []
    for leaf in tree.adjustment_leaves:
        node = tree.nodes[leaf]
        given = inputs.get(node.code)
        if given is None or given.not_applicable or not given.value:
            continue
        points = within_max(node, given.value)
        assert node.method is not None
        signed = points if node.method.method is Method.BONUS else -points
        scores[leaf] = signed
        adjustments.append(Adjustment(node.code, node.title, signed, given.reason))
    return adjustments


def score_units(
    tree: CriteriaTree, inputs_by_unit: Mapping[K, Mapping[str, LeafInput]]
) -> dict[K, UnitResult]:
    return {unit: score_unit(tree, inputs) for unit, inputs in inputs_by_unit.items()}
