"""Scoring methods: their parameters (``MethodSpec``), their checks, the input a unit gives a
leaf (``LeafInput``) and the scorer of each method. Pure Python, no Django.

Arithmetic is ``Decimal`` throughout and rounding happens in one place, ``round_points``
(2 places, half-up).
"""

from __future__ import annotations

import enum
import operator
from bisect import bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def gettext_noop(text: str) -> str:
    """Marks a message for translation where it is shown (the engine stays Django-free)."""
    return text


# The one rounding rule of the product: 2 decimal places, half-up. A C-level callable (no
# Python frame), with the rounding passed by position (by keyword it costs twice the time):
# the engine rounds every ratio of every unit through it.
round_points: Callable[[Decimal], Decimal] = operator.methodcaller("quantize", CENT, ROUND_HALF_UP)


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


class LeafNode(Protocol):
    """What a scorer needs of a leaf: its code, maximum and method."""

    @property
    def code(self) -> str: ...

    @property
    def max_score(self) -> Decimal: ...

    @property
    def method(self) -> MethodSpec | None: ...


# Leaf scorers ----------------------------------------------------------------------------


def within_max(node: LeafNode, value: Decimal) -> Decimal:
    if value < ZERO or value > node.max_score:
        raise InputError(
            node.code,
            gettext_noop("%(value)s is outside 0–%(max)s"),
            value=value,
            max=node.max_score,
        )
    return value


def _ratio(node: LeafNode, spec: MethodSpec, given: LeafInput) -> Decimal | bool | None:
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


def score_leaf(node: LeafNode, given: LeafInput) -> Decimal | None:
    """One leaf's points for ``given``; None when it does not apply. Raises ``InputError``."""
    return scorer_for(node)(given)


def direct_points(code: str, maximum: Decimal, points: Decimal) -> Decimal:
    if not ZERO <= points <= maximum:
        raise InputError(
            code, gettext_noop("%(value)s is outside 0–%(max)s"), value=points, max=maximum
        )
    return points


def scorer_for(node: LeafNode) -> Callable[[LeafInput], Decimal | None]:
    """The leaf's scorer: its points for an input, None where it does not apply (declared so,
    or by a zero denominator), ``InputError`` for an input the method cannot take. Points
    given directly are checked against the maximum."""
    spec = node.method
    if spec is None:
        raise ParameterError(f"{node.code}: a leaf needs a scoring method")
    maximum = node.max_score
    method = spec.method

    def declared(given: LeafInput) -> Decimal | None:
        """Not applicable (None), or points given directly."""
        if given.not_applicable:
            return None
        assert given.points is not None
        return direct_points(node.code, maximum, given.points)

    if method in (Method.MANUAL, Method.SURVEY, Method.BONUS, Method.PENALTY):
        # Range and step are checked by comparison: a new Decimal's first hash (a set lookup)
        # costs more than both checks, and the points come straight from the database.
        step = spec.step

        def manual(given: LeafInput) -> Decimal | None:
            if given.not_applicable or given.points is not None:
                return declared(given)
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
            if given.not_applicable or given.points is not None:
                return declared(given)
            if given.answer is None:
                raise InputError(node.code, gettext_noop("answer yes or no"))
            return maximum if given.answer else ZERO

        return yes_no

    if method is Method.LEVELS:
        points_of = {level.label: level.points for level in spec.levels}

        def levels(given: LeafInput) -> Decimal | None:
            if given.not_applicable or given.points is not None:
                return declared(given)
            try:
                return points_of[given.level or ""]
            except KeyError:
                raise InputError(node.code, gettext_noop("choose one of the levels")) from None

        return levels

    if method is Method.COUNT:
        per_item = spec.per_item or ONE

        def count(given: LeafInput) -> Decimal | None:
            if given.not_applicable or given.points is not None:
                return declared(given)
            value = given.value
            if value is None or value < ZERO or value % 1:
                raise InputError(
                    node.code, gettext_noop("the count must be a whole number of 0 or more")
                )
            return min(value * per_item, maximum)

        return count

    if method is Method.PROPORTIONAL:
        both = operator.itemgetter(spec.numerator, spec.denominator)
        # 1 × a count is the count itself (a count has far fewer than 28 digits).
        unit_maximum = maximum == ONE

        def proportional(given: LeafInput) -> Decimal | None:
            if given.not_applicable or given.points is not None:
                return declared(given)
            try:  # the common case first: both counts there, 0 <= numerator < denominator
                numerator, denominator = both(given.numbers)  # type: ignore[arg-type]
                if ZERO <= numerator < denominator:
                    if unit_maximum:  # a frequent maximum: one multiplication less
                        return (numerator / denominator).quantize(CENT, ROUND_HALF_UP)
                    return (maximum * numerator / denominator).quantize(CENT, ROUND_HALF_UP)
                if ZERO < denominator <= numerator:
                    return maximum
            except (KeyError, TypeError):  # a count missing, or no counts at all
                pass
            ratio = _ratio(node, spec, given)
            if ratio is None:
                return None
            if ratio is True:
                return maximum
            assert isinstance(ratio, Decimal)
            return round_points(maximum * min(ratio, ONE))

        return proportional

    if method is Method.THRESHOLDS:
        value_input = spec.value_input
        # The bands by minimum, lowest first: a value's points are those of the last band
        # whose minimum it reaches (zero below them all), found by one bisection.
        ascending = sorted(spec.bands, key=lambda band: band.minimum)
        minima = [band.minimum for band in ascending]
        points_above = (ZERO, *(band.points for band in ascending))

        def thresholds(given: LeafInput) -> Decimal | None:
            if given.not_applicable or given.points is not None:
                return declared(given)
            if value_input:
                try:
                    value = given.numbers[value_input]  # type: ignore[index]
                except (KeyError, TypeError):  # not among the figures, or no figures
                    value = given.value
                if value is None:
                    raise InputError(
                        node.code,
                        gettext_noop("the figure %(name)s is missing"),
                        name=value_input,
                    )
            else:
                ratio = _ratio(node, spec, given)
                if ratio is None:
                    return None
                if ratio is True:
                    return maximum
                assert isinstance(ratio, Decimal)
                value = ratio * HUNDRED
            return points_above[bisect_right(minima, value)]

        return thresholds

    raise ParameterError(f"{node.code}: unknown method {method}")
