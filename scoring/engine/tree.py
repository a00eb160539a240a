"""The criteria tree, compiled once into flat arrays (leaves in code order, each with its
ancestors' positions) so that scoring a unit is one pass over its leaves; and the
classification bands."""

from __future__ import annotations

import operator
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from itertools import repeat
from typing import Any, cast

from scoring.engine.compiled import Total, compile_total
from scoring.engine.methods import ADJUSTMENT_METHODS, ZERO, MethodSpec, code_key, scorer_for


@dataclass(frozen=True)
class Criterion:
    """A node of the criteria tree; a leaf has a method, a parent has children."""

    code: str
    title: str
    max_score: Decimal
    method: MethodSpec | None = None
    children: tuple[Criterion, ...] = ()

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def is_adjustment(self) -> bool:
        return self.method is not None and self.method.method in ADJUSTMENT_METHODS


@dataclass(frozen=True)
class ClassBand:
    label: str
    minimum: Decimal


@dataclass(frozen=True)
class Classification:
    """Ordered labels with the lowest index (in %) each needs, e.g. Tốt ≥ 90."""

    bands: tuple[ClassBand, ...]

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, Decimal | int | str]]) -> Classification:
        bands = tuple(ClassBand(label, Decimal(minimum)) for label, minimum in pairs)
        return cls(tuple(sorted(bands, key=lambda band: band.minimum, reverse=True)))

    def classify(self, index: Decimal) -> str | None:
        """The label of the first band (highest minimum first) whose minimum the index
        reaches; None below them all. Found by bisection over the minima, lowest first:
        among equal minima, the band written first is the last of that list."""
        lowest_first = self._lowest_first
        if lowest_first is None:  # bands given out of order: the first reached, as written
            return next((band.label for band in self.bands if index >= band.minimum), None)
        minima, labels = lowest_first
        reached = bisect_right(minima, index)
        return labels[reached - 1] if reached else None

    @cached_property
    def _lowest_first(self) -> tuple[list[Decimal], list[str]] | None:
        bands = self.bands[::-1]
        minima = [band.minimum for band in bands]
        if minima != sorted(minima):
            return None
        return minima, [band.label for band in bands]


class CriteriaTree:
    """A criteria tree compiled for fast scoring."""

    def __init__(
        self,
        roots: Sequence[Criterion],
        classification: Classification | None = None,
        dense_ranking: bool = False,
    ) -> None:
        self.roots = tuple(sorted(roots, key=lambda node: code_key(node.code)))
        self.classification = classification or Classification(())
        self.dense_ranking = dense_ranking
        self.nodes: list[Criterion] = []
        self.position: dict[str, int] = {}
        self.parent_of: list[int] = []
        self.field_of: list[int] = []
        for root in self.roots:
            self._flatten(root, -1, len(self.nodes))
        self.root_positions = [self.position[root.code] for root in self.roots]
        self.leaves = [i for i, node in enumerate(self.nodes) if node.is_leaf]
        self.scored_leaves = [i for i in self.leaves if not self.nodes[i].is_adjustment]
        self.adjustment_leaves = [i for i in self.leaves if self.nodes[i].is_adjustment]
        self.ancestors: list[tuple[int, ...]] = [self._ancestors(i) for i in range(len(self.nodes))]
        self.max_scores = self._node_maxima()
        adjustments = set(self.adjustment_leaves)
        self.bottom_up = [
            (i, self.parent_of[i])
            for i in reversed(range(len(self.nodes)))
            if self.parent_of[i] >= 0 and i not in adjustments
        ]
        self.leaf_plan = [
            (i, self.nodes[i].code, self.nodes[i].max_score, scorer_for(self.nodes[i]))
            for i in self.scored_leaves
        ]
        self._compile_sums()

    def _compile_sums(self) -> None:
        """The plan for every node's points when a unit's leaves all scored (``subtotals``, asked
        for by ``UnitResult.scores`` after the compiled sum): slot 0 holds zero, slots 1… the
        scored leaves' points, then each parent's sum, computed level by level from the
        leaves up so that a level is one ``map`` over slots already filled.
        ``scores_order`` reads the scores in tree order out of the slots (an adjustment leaf
        reads slot 0; its signed points are set afterwards)."""
        self.leaf_codes = [code for _i, code, _m, _s in self.leaf_plan]
        # The inputs of every scored leaf in one call (a tuple even for one leaf; a tree of
        # adjustments only has nothing to read).
        self.leaf_inputs: Callable[[Mapping[str, object]], tuple[object, ...]] = (
            operator.itemgetter(*self.leaf_codes, *self.leaf_codes[:1])
            if self.leaf_codes
            else lambda _inputs: ()
        )
        self.leaf_scorers: list[Callable[[Any], Any]] = [s for _i, _c, _m, s in self.leaf_plan]
        slot = {position: n for n, position in enumerate(self.scored_leaves, start=1)}
        height = [0] * len(self.nodes)
        for position in reversed(range(len(self.nodes))):
            parent = self.parent_of[position]
            if parent >= 0:
                height[parent] = max(height[parent], height[position] + 1)
        Slots = Callable[[Sequence[Any]], tuple[Any, ...]]
        self.sum_levels: list[list[Slots]] = []
        adjustments = set(self.adjustment_leaves)
        for level in range(1, max(height, default=0) + 1):
            getters = []
            for position, node in enumerate(self.nodes):
                if node.is_leaf or height[position] != level:
                    continue
                kids = [
                    slot[self.position[child.code]]
                    for child in node.children
                    if self.position[child.code] not in adjustments
                ]
                # Always a tuple, zero first (twice for a node of adjustments only).
                getters.append(cast(Slots, operator.itemgetter(0, *(kids or [0]))))
                slot[position] = len(slot) + 1
            self.sum_levels.append(getters)
        self.scores_order = operator.itemgetter(
            *(slot.get(i, 0) if i not in adjustments else 0 for i in range(len(self.nodes))), 0
        )

    def subtotals(self, points: Sequence[Decimal]) -> list[Decimal]:
        """Every node's points in tree order from the scored leaves' points (in the order of
        ``scored_leaves``): each parent's is the sum of its children's, level by level from
        the leaves up; an adjustment leaf's is zero here (its signed points are set by the
        result)."""
        values: list[Any] = [ZERO]
        values += points
        for getters in self.sum_levels:
            values += map(sum, map(operator.call, getters, repeat(values)))
        scores = list(self.scores_order(values))
        del scores[-1]
        return scores

    def _flatten(self, node: Criterion, parent: int, field_position: int) -> None:
        position = len(self.nodes)
        self.nodes.append(node)
        self.position[node.code] = position
        self.parent_of.append(parent)
        self.field_of.append(field_position if parent >= 0 else position)
        for child in sorted(node.children, key=lambda child: code_key(child.code)):
            self._flatten(child, position, self.field_of[position])

    def _ancestors(self, position: int) -> tuple[int, ...]:
        chain = []
        parent = self.parent_of[position]
        while parent >= 0:
            chain.append(parent)
            parent = self.parent_of[parent]
        return tuple(chain)

    def _node_maxima(self) -> list[Decimal]:
        maxima = [ZERO] * len(self.nodes)
        for leaf in self.scored_leaves:
            points = self.nodes[leaf].max_score
            maxima[leaf] = points
            for ancestor in self.ancestors[leaf]:
                maxima[ancestor] += points
        for leaf in self.adjustment_leaves:
            maxima[leaf] = self.nodes[leaf].max_score
        return maxima

    @cached_property
    def total_of(self) -> Total | None:
        """The scored leaves' sum for a unit in the common case (None otherwise), by a
        function compiled for this tree the first time a unit is scored."""
        return compile_total(self)

    @cached_property
    def max_total(self) -> Decimal:
        return sum((self.nodes[i].max_score for i in self.scored_leaves), ZERO)

    def mismatched_parents(self) -> list[tuple[str, Decimal, Decimal]]:
        """Parents whose declared maximum differs from their children's sum."""
        return [
            (node.code, node.max_score, self.max_scores[i])
            for i, node in enumerate(self.nodes)
            if not node.is_leaf and node.max_score != self.max_scores[i]
        ]

    def maxima_without(self, codes: Iterable[str]) -> list[Decimal]:
        """Node maxima when the leaves ``codes`` do not apply."""
        maxima = list(self.max_scores)
        for code in codes:
            leaf = self.position[code]
            maxima[leaf] = ZERO
            for ancestor in self.ancestors[leaf]:
                maxima[ancestor] -= self.nodes[leaf].max_score
        return maxima
