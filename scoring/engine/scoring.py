"""Scoring units: leaf scores, subtotals, the total, the index in %, each field's component
index, the classification, the deductions and the adjustments (bonus, penalty)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from operator import call
from typing import TypeVar

from scoring.engine.methods import (
    CENT,
    HUNDRED,
    ROUND_HALF_UP,
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


@dataclass(slots=True)
class UnitResult:
    """The scores of one unit: by node (in tree order), totals, index, deductions.

    The fast path keeps only the total: every node's points (``scores``) are worked out the
    first time they are asked for (a ranking never does), by scoring the same inputs again;
    like the deductions, which read the reasons from them, the result holds its inputs and
    they must not change after scoring."""

    tree: CriteriaTree = field(repr=False)
    inputs: Mapping[str, LeafInput] = field(repr=False)
    maxima: list[Decimal]
    not_applicable: list[str]
    total: Decimal
    max_total: Decimal
    index: Decimal
    classification: str | None
    adjustments: list[Adjustment]
    unscored: list[str]
    node_scores: list[Decimal] | None = field(default=None, repr=False, compare=False)
    _scores: list[Decimal] | None = field(default=None, init=False, repr=False, compare=False)
    _deductions: list[Deduction] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def scores(self) -> list[Decimal]:
        """Every node's points in tree order: a leaf's own, a parent's the sum of its
        children's, an adjustment leaf's signed points."""
        if self._scores is None:
            self._scores = self._node_points()
        return self._scores

    def _node_points(self) -> list[Decimal]:
        if self.node_scores is not None:
            scores = list(self.node_scores)
        else:  # the fast path: every scored leaf has an input and applies
            tree = self.tree
            scores = tree.subtotals(
                list(map(call, tree.leaf_scorers, tree.leaf_inputs(self.inputs)))
            )
        position = self.tree.position
        for adjustment in self.adjustments:
            scores[position[adjustment.code]] = adjustment.points
        return scores

    def is_applicable(self, code: str) -> bool:
        """False for a leaf marked not applicable and a parent with nothing applicable."""
        position = self.tree.position[code]
        return bool(self.maxima[position]) or self.tree.nodes[position].is_adjustment

    def score_of(self, code: str) -> Decimal:
        return self.scores[self.tree.position[code]]

    def max_of(self, code: str) -> Decimal:
        return self.maxima[self.tree.position[code]]

    @property
    def deductions(self) -> list[Deduction]:
        """Every applicable sub-criterion that lost points, in code order, with its reason."""
        if self._deductions is None:
            self._deductions = self._lost_points()
        return self._deductions

    def _lost_points(self) -> list[Deduction]:
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

    The common case (every scored leaf has an input its method takes, and every one applies)
    is one call of the function compiled for the tree (``CriteriaTree.total_of``); anything
    else (a leaf missing, not applicable, a zero denominator, an input refused) is scored leaf
    by leaf by ``_score_each_leaf``, which also gives the exact error. Both give the same
    result: the test suite compares them on random trees and inputs."""
    total_of = tree.total_of
    total = total_of(inputs) if total_of is not None else None
    if total is None:
        return _score_each_leaf(tree, inputs)
    # The nodes' points are not kept: ``UnitResult.scores`` scores the inputs again if asked.
    return _finish(tree, inputs, tree.max_scores, total, tree.max_total, [], [])


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
    return _finish(
        tree, inputs, maxima, total, max_total, not_applicable, unscored, node_scores=scores
    )


def _finish(
    tree: CriteriaTree,
    inputs: Mapping[str, LeafInput],
    maxima: list[Decimal],
    total: Decimal,
    max_total: Decimal,
    not_applicable: list[str],
    unscored: list[str],
    node_scores: list[Decimal] | None = None,
) -> UnitResult:
    """The result from the total and, on the leaf-by-leaf path, the nodes' scores: the bonus and
    penalty, the total kept within 0 and the maximum, the index and the classification."""
    adjustments = _adjustments(tree, inputs) if tree.adjustment_leaves else []
    for adjustment in adjustments:
        total += adjustment.points
    total, index = _total_and_index(total, max_total)
    return UnitResult(
        tree,
        inputs,
        maxima,
        not_applicable,
        total,
        max_total,
        index,
        tree.classification.classify(index),
        adjustments,
        unscored,
        node_scores,
    )


def _total_and_index(total: Decimal, max_total: Decimal) -> tuple[Decimal, Decimal]:
    """The total kept within 0 and the maximum, and the index it gives in % (2 places,
    half-up; 0 where nothing applies): the one place both are worked out."""
    if total < ZERO:
        total = ZERO
    elif total > max_total:
        total = max_total
    index = (total / max_total * HUNDRED).quantize(CENT, ROUND_HALF_UP) if max_total else ZERO
    return total, index


def _adjustments(tree: CriteriaTree, inputs: Mapping[str, LeafInput]) -> list[Adjustment]:
    adjustments = []
    for leaf in tree.adjustment_leaves:
        node = tree.nodes[leaf]
        given = inputs.get(node.code)
        if given is None or given.not_applicable or not given.value:
            continue
        points = within_max(node, given.value)
        assert node.method is not None
        signed = points if node.method.method is Method.BONUS else -points
        adjustments.append(Adjustment(node.code, node.title, signed, given.reason))
    return adjustments


def score_units(
    tree: CriteriaTree, inputs_by_unit: Mapping[K, Mapping[str, LeafInput]]
) -> dict[K, UnitResult]:
    return {unit: score_unit(tree, inputs) for unit, inputs in inputs_by_unit.items()}
