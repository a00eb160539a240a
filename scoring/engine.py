"""The scoring engine: pure Python, no Django.

Given a criteria tree and the inputs of each leaf, it returns leaf scores, node subtotals,
the total, the index in %, each field's component index, the classification, the
deductions and, for many units, the ranking. Arithmetic is ``Decimal`` throughout and
rounding happens in one place, ``round_points`` (2 places, half-up).

The tree is compiled once into flat arrays (leaves in code order, each with its
ancestors' positions), so that scoring a unit is one pass over its leaves.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import TypeVar

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")

K = TypeVar("K", bound=Hashable)


def gettext_noop(text: str) -> str:
    """Marks a message for translation where it is shown (the engine stays Django-free)."""
    return text


def round_points(value: Decimal) -> Decimal:
    """The one rounding rule of the product: 2 decimal places, half-up."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def code_key(code: str) -> tuple[int, ...]:
    """Sort key of a dotted code: "1.10" comes after "1.9"."""
    return tuple(int(part) for part in code.split("."))


class Method(enum.StrEnum):
    MANUAL = "manual"
    YES_NO = "yes_no"
    LEVELS = "levels"
    THRESHOLDS = "thresholds"
    PROPORTIONAL = "proportional"
    COUNT = "count"
    SURVEY = "survey"
    BONUS = "bonus"
    PENALTY = "penalty"


ADJUSTMENT_METHODS = frozenset({Method.BONUS, Method.PENALTY})


class ZeroDenominator(enum.StrEnum):
    """What a ratio criterion scores when its denominator is zero."""

    FULL = "full"
    ZERO = "zero"
    NOT_APPLICABLE = "not_applicable"


class InputError(ValueError):
    """A leaf input the method cannot accept (outside its range, unknown level, ...).

    ``template`` is an English message with ``%(name)s`` placeholders, marked for
    translation, and ``params`` fills them; the interface translates and formats both.
    """

    def __init__(self, code: str, template: str, **params: object) -> None:
        self.code = code
        self.template = template
        self.params = params
        super().__init__(f"{code}: {template % params}")


class ParameterError(ValueError):
    """A method's parameters are inconsistent with the method or the maximum."""


@dataclass(frozen=True)
class Level:
    label: str
    points: Decimal


@dataclass(frozen=True)
class Band:
    """A value at or above ``minimum`` earns ``points`` (the highest band that fits wins)."""

    minimum: Decimal
    points: Decimal


@dataclass(frozen=True)
class MethodSpec:
    """A scoring method with its parameters."""

    method: Method
    step: Decimal | None = None  # manual: allowed increments
    levels: tuple[Level, ...] = ()  # levels
    bands: tuple[Band, ...] = ()  # thresholds, sorted by minimum, highest first
    value_input: str | None = None  # thresholds on a named number
    numerator: str | None = None  # proportional, or thresholds on a ratio (in %)
    denominator: str | None = None
    on_zero: ZeroDenominator = ZeroDenominator.NOT_APPLICABLE
    per_item: Decimal | None = None  # count
    allow_not_applicable: bool = False  # the unit may declare it does not apply (with a reason)

    def input_names(self) -> tuple[str, ...]:
        return tuple(n for n in (self.value_input, self.numerator, self.denominator) if n)

    def validate(self, max_score: Decimal) -> None:
        """Raise ``ParameterError`` when the parameters do not fit the method or maximum."""
        check = _PARAMETER_CHECKS.get(self.method)
        if check is not None:
            check(self, max_score)


def _check_manual(spec: MethodSpec, max_score: Decimal) -> None:
    if spec.step is not None and (spec.step <= 0 or max_score % spec.step != 0):
        raise ParameterError(gettext_noop("step must be positive and divide the maximum"))


def _check_levels(spec: MethodSpec, max_score: Decimal) -> None:
    if len(spec.levels) < 2:
        raise ParameterError(gettext_noop("levels need at least two levels"))
    labels = [level.label for level in spec.levels]
    if len(set(labels)) != len(labels):
        raise ParameterError(gettext_noop("level labels must differ"))
    if any(not ZERO <= level.points <= max_score for level in spec.levels):
        raise ParameterError(
            gettext_noop("every level's points must lie between 0 and the maximum")
        )


def _check_thresholds(spec: MethodSpec, max_score: Decimal) -> None:
    if not spec.bands:
        raise ParameterError(gettext_noop("thresholds need at least one band"))
    if bool(spec.value_input) == bool(spec.numerator and spec.denominator):
        raise ParameterError(
            gettext_noop("thresholds need either a value or a numerator and a denominator")
        )
    minima = [band.minimum for band in spec.bands]
    if minima != sorted(minima, reverse=True) or len(set(minima)) != len(minima):
        raise ParameterError(gettext_noop("band minima must be distinct"))
    if any(not ZERO <= band.points <= max_score for band in spec.bands):
        raise ParameterError(gettext_noop("every band's points must lie between 0 and the maximum"))


def _check_proportional(spec: MethodSpec, max_score: Decimal) -> None:
    if not (spec.numerator and spec.denominator):
        raise ParameterError(gettext_noop("proportional needs a numerator and a denominator"))


def _check_count(spec: MethodSpec, max_score: Decimal) -> None:
    if spec.per_item is None or spec.per_item <= 0:
        raise ParameterError(gettext_noop("count needs positive points per item"))


_PARAMETER_CHECKS: dict[Method, Callable[[MethodSpec, Decimal], None]] = {
    Method.MANUAL: _check_manual,
    Method.LEVELS: _check_levels,
    Method.THRESHOLDS: _check_thresholds,
    Method.PROPORTIONAL: _check_proportional,
    Method.COUNT: _check_count,
}


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


@dataclass(frozen=True, slots=True)
class LeafInput:
    """What a unit entered (or an appraiser set) for one leaf.

    ``value``: manual points, count of items, survey points, bonus/penalty points, or the
    number a threshold reads; ``answer``: yes/no; ``level``: the chosen level's label;
    ``numbers``: named inputs of ratios; ``reason``: why points were lost or why the leaf
    does not apply; ``points``: the points themselves, where no inputs are known.
    """

    value: Decimal | None = None
    answer: bool | None = None
    level: str | None = None
    numbers: Mapping[str, Decimal] | None = None
    not_applicable: bool = False
    reason: str = ""
    points: Decimal | None = None  # given directly (e.g. migrated from a spreadsheet)


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
        for band in self.bands:
            if index >= band.minimum:
                return band.label
        return None


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
            (i, self.nodes[i].code, self.nodes[i].max_score, _scorer(self.nodes[i]))
            for i in self.scored_leaves
        ]

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
    """Score one unit. Raises ``InputError`` for an input its method cannot accept."""
    scores = [ZERO] * len(tree.nodes)
    maxima = tree.max_scores
    not_applicable: list[str] = []
    unscored: list[str] = []
    get = inputs.get
    for position, code, maximum, scorer in tree.leaf_plan:
        given = get(code)
        if given is None:
            unscored.append(code)
            continue
        if given.not_applicable:
            points = None
        elif given.points is not None:
            points = _direct_points(code, maximum, given.points)
        else:
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
    adjustments = _adjustments(tree, inputs, scores)
    max_total = sum((maxima[root] for root in tree.root_positions), ZERO)
    total = sum((scores[root] for root in tree.root_positions), ZERO)
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
        points = _within(node, given.value)
        assert node.method is not None
        signed = points if node.method.method is Method.BONUS else -points
        scores[leaf] = signed
        adjustments.append(Adjustment(node.code, node.title, signed, given.reason))
    return adjustments


def score_units(
    tree: CriteriaTree, inputs_by_unit: Mapping[K, Mapping[str, LeafInput]]
) -> dict[K, UnitResult]:
    return {unit: score_unit(tree, inputs) for unit, inputs in inputs_by_unit.items()}


@dataclass(frozen=True)
class Rank:
    position: int
    of: int

    def __str__(self) -> str:
        return f"{self.position}/{self.of}"


def rank(values: Mapping[K, Decimal], dense: bool = False) -> dict[K, Rank]:
    """Rank by value, highest first. Equal values share a rank: 1, 2, 2, 4 by default
    (standard competition ranking) or 1, 2, 2, 3 when ``dense``."""
    ordered = sorted(values.items(), key=lambda item: item[1], reverse=True)
    ranks: dict[K, Rank] = {}
    count = len(ordered)
    position = 0
    previous: Decimal | None = None
    distinct = 0
    for seen, (unit, value) in enumerate(ordered, start=1):
        if value != previous:
            distinct += 1
            position = distinct if dense else seen
            previous = value
        ranks[unit] = Rank(position, count)
    return ranks


def rank_results(results: Mapping[K, UnitResult], dense: bool = False) -> dict[K, Rank]:
    """Rank units by their index (equal to the points where every maximum is the same)."""
    return rank({unit: result.index for unit, result in results.items()}, dense=dense)


# Leaf scorers ----------------------------------------------------------------------------


def _within(node: Criterion, value: Decimal) -> Decimal:
    if value < ZERO or value > node.max_score:
        raise InputError(
            node.code,
            gettext_noop("%(value)s is outside 0–%(max)s"),
            value=value,
            max=node.max_score,
        )
    return value


def _ratio(node: Criterion, spec: MethodSpec, given: LeafInput) -> Decimal | bool | None:
    """numerator / denominator; True for "full points" and None for "not applicable"
    when the denominator is zero."""
    numbers = given.numbers or {}
    assert spec.numerator and spec.denominator
    try:
        numerator = numbers[spec.numerator]
        denominator = numbers[spec.denominator]
    except KeyError as missing:
        raise InputError(
            node.code, gettext_noop("the figure %(name)s is missing"), name=missing.args[0]
        ) from None
    if numerator < ZERO or denominator < ZERO:
        raise InputError(node.code, gettext_noop("a count cannot be negative"))
    if denominator == ZERO:
        if spec.on_zero is ZeroDenominator.FULL:
            return True
        if spec.on_zero is ZeroDenominator.ZERO:
            return ZERO
        return None
    return numerator / denominator


def score_leaf(node: Criterion, given: LeafInput) -> Decimal | None:
    """One leaf's points for ``given``; None when it does not apply. Raises ``InputError``."""
    if given.not_applicable:
        return None
    if given.points is not None:
        return _direct_points(node.code, node.max_score, given.points)
    return _scorer(node)(given)


def _direct_points(code: str, maximum: Decimal, points: Decimal) -> Decimal:
    if not ZERO <= points <= maximum:
        raise InputError(
            code, gettext_noop("%(value)s is outside 0–%(max)s"), value=points, max=maximum
        )
    return points


def _scorer(node: Criterion) -> Callable[[LeafInput], Decimal | None]:
    spec = node.method
    if spec is None:
        raise ParameterError(f"{node.code}: a leaf needs a scoring method")
    maximum = node.max_score
    method = spec.method

    if method in (Method.MANUAL, Method.SURVEY, Method.BONUS, Method.PENALTY):
        step = spec.step

        def manual(given: LeafInput) -> Decimal | None:
            value = given.value
            if value is None:
                raise InputError(node.code, gettext_noop("a score is required"))
            if value < ZERO or value > maximum:
                raise InputError(
                    node.code,
                    gettext_noop("%(value)s is outside 0–%(max)s"),
                    value=value,
                    max=maximum,
                )
            if step is not None and value % step:
                raise InputError(
                    node.code,
                    gettext_noop("%(value)s is not a multiple of %(step)s"),
                    value=value,
                    step=step,
                )
            return value

        return manual

    if method is Method.YES_NO:

        def yes_no(given: LeafInput) -> Decimal | None:
            if given.answer is None:
                raise InputError(node.code, gettext_noop("answer yes or no"))
            return maximum if given.answer else ZERO

        return yes_no

    if method is Method.LEVELS:
        points_of = {level.label: level.points for level in spec.levels}

        def levels(given: LeafInput) -> Decimal | None:
            try:
                return points_of[given.level or ""]
            except KeyError:
                raise InputError(node.code, gettext_noop("choose one of the levels")) from None

        return levels

    if method is Method.COUNT:
        per_item = spec.per_item or ONE

        def count(given: LeafInput) -> Decimal | None:
            value = given.value
            if value is None or value < ZERO or value % 1:
                raise InputError(
                    node.code, gettext_noop("the count must be a whole number of 0 or more")
                )
            return min(value * per_item, maximum)

        return count

    if method is Method.PROPORTIONAL:
        numerator_name, denominator_name = spec.numerator, spec.denominator

        def proportional(given: LeafInput) -> Decimal | None:
            numbers = given.numbers
            if numbers is not None:  # the common case first: both counts there, denominator > 0
                numerator = numbers.get(numerator_name)  # type: ignore[arg-type]
                denominator = numbers.get(denominator_name)  # type: ignore[arg-type]
                if (
                    numerator is not None
                    and denominator is not None
                    and denominator > 0
                    and numerator >= 0
                ):
                    if numerator >= denominator:
                        return maximum
                    return round_points(maximum * numerator / denominator)
            ratio = _ratio(node, spec, given)
            if ratio is None:
                return None
            if ratio is True:
                return maximum
            assert isinstance(ratio, Decimal)
            return round_points(maximum * min(ratio, ONE))

        return proportional

    if method is Method.THRESHOLDS:
        bands = spec.bands

        def thresholds(given: LeafInput) -> Decimal | None:
            if spec.value_input:
                value = (given.numbers or {}).get(spec.value_input, given.value)
                if value is None:
                    raise InputError(
                        node.code,
                        gettext_noop("the figure %(name)s is missing"),
                        name=spec.value_input,
                    )
            else:
                ratio = _ratio(node, spec, given)
                if ratio is None:
                    return None
                if ratio is True:
                    return maximum
                assert isinstance(ratio, Decimal)
                value = ratio * HUNDRED
            for band in bands:
                if value >= band.minimum:
                    return band.points
            return ZERO

        return thresholds

    raise ParameterError(f"{node.code}: unknown method {method}")
