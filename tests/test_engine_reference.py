"""The engine's leaf scorers, written for speed, against a plain reference written for
reading: for random leaves and inputs (edges included: a count equal to its denominator,
zero denominators, values on a band's minimum, off-step and out-of-range values, points with
three places) both give the same points, digit for digit, or the same error."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from scoring.engine import (
    Band,
    Classification,
    CriteriaTree,
    Criterion,
    InputError,
    LeafInput,
    Level,
    Method,
    MethodSpec,
    ZeroDenominator,
    score_leaf,
    score_unit,
)
from scoring.engine.scoring import _score_each_leaf

D = Decimal


class Refused(Exception):
    """The reference's refusal: the leaf's code and the message's template."""

    def __init__(self, code: str, template: str) -> None:
        super().__init__(code, template)
        self.code, self.template = code, template


def _half_up(value: Decimal) -> Decimal:
    return value.quantize(D("0.01"), rounding=ROUND_HALF_UP)


def reference(node: Criterion, given: LeafInput) -> Decimal | None:
    """What a leaf scores, as the method's rules say, one rule after another."""
    spec, maximum, code = node.method, node.max_score, node.code
    assert spec is not None
    if given.not_applicable:
        return None
    if given.points is not None:
        if not D(0) <= given.points <= maximum:
            raise Refused(code, "%(value)s is outside 0–%(max)s")
        return given.points
    method = spec.method
    if method in (Method.MANUAL, Method.SURVEY, Method.BONUS, Method.PENALTY):
        if given.value is None:
            raise Refused(code, "a score is required")
        if given.value < 0 or given.value > maximum:
            raise Refused(code, "%(value)s is outside 0–%(max)s")
        if spec.step is not None and given.value % spec.step != 0:
            raise Refused(code, "%(value)s is not a multiple of %(step)s")
        return given.value
    if method is Method.YES_NO:
        if given.answer is None:
            raise Refused(code, "answer yes or no")
        return maximum if given.answer else D(0)
    if method is Method.LEVELS:
        for level in spec.levels:
            if level.label == given.level:
                return level.points
        raise Refused(code, "choose one of the levels")
    if method is Method.COUNT:
        if given.value is None or given.value < 0 or given.value % 1 != 0:
            raise Refused(code, "the count must be a whole number of 0 or more")
        return min(given.value * (spec.per_item or 1), maximum)
    if method is Method.THRESHOLDS and spec.value_input:
        numbers = given.numbers or {}
        value = numbers.get(spec.value_input, given.value)
        if value is None:
            raise Refused(code, "the figure %(name)s is missing")
        return _band_points(spec, value)
    # A ratio: proportional, or thresholds on a ratio in %.
    numbers = given.numbers or {}
    for name in (spec.numerator, spec.denominator):
        if name not in numbers:
            raise Refused(code, "the figure %(name)s is missing")
    numerator = numbers[spec.numerator or ""]
    denominator = numbers[spec.denominator or ""]
    if numerator < 0 or denominator < 0:
        raise Refused(code, "a count cannot be negative")
    if denominator == 0:
        if spec.on_zero is ZeroDenominator.NOT_APPLICABLE:
            return None
        full = spec.on_zero is ZeroDenominator.FULL
        if method is Method.THRESHOLDS:
            return maximum if full else _band_points(spec, D(0))
        return maximum if full else _half_up(maximum * 0)
    if method is Method.THRESHOLDS:
        return _band_points(spec, numerator / denominator * 100)
    if numerator >= denominator:
        return maximum  # full points, as the maximum is written
    return _half_up(maximum * numerator / denominator)


def _band_points(spec: MethodSpec, value: Decimal) -> Decimal:
    reached = [band for band in spec.bands if value >= band.minimum]
    return max(reached, key=lambda band: band.minimum).points if reached else D(0)


def _outcome(score, *args):  # type: ignore[no-untyped-def]
    try:
        points = score(*args)
    except (InputError, Refused) as error:
        return ("error", error.code, error.template)
    return None if points is None else str(points)


figures = st.one_of(
    st.integers(-2, 600).map(D),
    st.decimals(-1, 200, places=3),
    st.sampled_from([D("0.0"), D("1.00"), D("90"), D("50.0"), D("89.999")]),
)
maxima = st.one_of(st.integers(1, 40).map(lambda n: D(n) / 4), st.just(D(1)), st.just(D("1.00")))


@st.composite
def leaves_and_inputs(draw):  # type: ignore[no-untyped-def]
    maximum = draw(maxima)
    method = draw(st.sampled_from(list(Method)))
    params: dict[str, Any] = {}
    if method in (Method.MANUAL, Method.SURVEY, Method.BONUS, Method.PENALTY):
        params["step"] = draw(st.sampled_from([None, D("0.25"), D("0.5"), D("0.125")]))
        if params["step"] is not None and maximum % params["step"]:
            params["step"] = None
        given = LeafInput(
            value=draw(st.one_of(st.none(), st.decimals(-1, maximum + 1, places=3), figures))
        )
    elif method is Method.YES_NO:
        given = LeafInput(answer=draw(st.one_of(st.none(), st.booleans())))
    elif method is Method.LEVELS:
        params["levels"] = (Level("Đủ", maximum), Level("Một phần", maximum / 2))
        given = LeafInput(level=draw(st.sampled_from([None, "Đủ", "Một phần", "Khác"])))
    elif method is Method.COUNT:
        params["per_item"] = D("0.5")
        given = LeafInput(value=draw(st.one_of(st.none(), figures)))
    elif method is Method.THRESHOLDS and draw(st.booleans()):
        params["value_input"] = "x"
        params["bands"] = (Band(D(90), maximum), Band(D(50), maximum / 2))
        numbers = draw(st.one_of(st.none(), st.fixed_dictionaries({"x": figures}), st.just({})))
        given = LeafInput(numbers=numbers, value=draw(st.one_of(st.none(), figures)))
    else:
        if method is Method.THRESHOLDS:
            params["bands"] = (Band(D(100), maximum), Band(D(50), maximum / 2))
        else:
            method = Method.PROPORTIONAL
        params.update(numerator="a", denominator="b")
        params["on_zero"] = draw(st.sampled_from(list(ZeroDenominator)))
        numbers = draw(
            st.one_of(
                st.fixed_dictionaries({"a": figures, "b": figures}),
                st.integers(0, 500).map(lambda n: {"a": D(n), "b": D(n)}),
                st.fixed_dictionaries({"a": figures}),
                st.none(),
            )
        )
        given = LeafInput(numbers=numbers)
    twist = draw(st.sampled_from(["plain"] * 8 + ["na", "points"]))
    if twist == "na":
        given = LeafInput(not_applicable=True, reason="Không phát sinh")
    elif twist == "points":
        given = LeafInput(points=draw(st.decimals(-1, maximum + 1, places=3)))
    return Criterion("1.1", "Tiêu chí", maximum, MethodSpec(method, **params)), given


@settings(max_examples=3000, deadline=None)
@given(leaves_and_inputs())
def test_each_scorer_gives_what_the_plain_reference_gives(case):  # type: ignore[no-untyped-def]
    criterion, given_input = case
    assert _outcome(score_leaf, criterion, given_input) == _outcome(
        reference, criterion, given_input
    )


def test_a_count_equal_to_its_denominator_earns_the_maximum_as_written():
    criterion = Criterion(
        "1.1", "x", D("0.5"), MethodSpec(Method.PROPORTIONAL, numerator="a", denominator="b")
    )
    points = score_leaf(criterion, LeafInput(numbers={"a": D(7), "b": D(7)}))
    assert str(points) == "0.5"
    assert str(score_leaf(criterion, LeafInput(numbers={"a": D(6), "b": D(7)}))) == "0.43"


@settings(max_examples=300, deadline=None)
@given(st.lists(leaves_and_inputs(), min_size=1, max_size=8))
def test_a_units_scores_asked_after_its_total_match_the_leaf_by_leaf_path(cases):  # type: ignore[no-untyped-def]
    """The fast path keeps only the total and scores the inputs again when the nodes' points
    are asked for; both must be those of the leaf-by-leaf path."""
    leaves, inputs = [], {}
    for number, (criterion, given_input) in enumerate(cases, start=1):
        code = f"1.{number}"
        leaves.append(Criterion(code, "x", criterion.max_score, criterion.method))
        inputs[code] = given_input
    field = Criterion("1", "x", sum((c.max_score for c in leaves), D(0)), None, tuple(leaves))
    tree = CriteriaTree([field], Classification.of([("Tốt", 90), ("Yếu", 0)]))

    def outcome(score):  # type: ignore[no-untyped-def]
        try:
            result = score(tree, inputs)
        except InputError as error:
            return ("error", error.code)
        return (str(result.total), str(result.index), [str(s) for s in result.scores])

    assert outcome(score_unit) == outcome(_score_each_leaf)


def _ratio_leaf(maximum: str, a: int, b: int, method: Method = Method.PROPORTIONAL):  # type: ignore[no-untyped-def]
    bands = (Band(D("12.5"), D(1)), Band(D(10), D("0.5"))) if method is Method.THRESHOLDS else ()
    spec = MethodSpec(method, numerator="a", denominator="b", bands=bands)
    return Criterion("1.1", "x", D(maximum), spec), LeafInput(numbers={"a": D(a), "b": D(b)})


@settings(max_examples=3000, deadline=None)
@given(leaves_and_inputs())
# Exact halves, rounded up: 1/8 = 0.125 -> 0.13; 0.5 × 1/4 = 0.125 -> 0.13; 1/8 = 12.5 % is on
# a band's minimum.
@example(_ratio_leaf("1", 1, 8))
@example(_ratio_leaf("0.5", 1, 4))
@example(_ratio_leaf("1", 1, 8, Method.THRESHOLDS))
def test_the_compiled_sum_gives_what_the_plain_reference_gives(case):  # type: ignore[no-untyped-def]
    """The function compiled for a tree adds each leaf's points inline; for one leaf its sum
    is the reference's points (digit for digit, as added to zero), and it declines (None, the
    leaf-by-leaf path then decides) wherever the reference refuses or the leaf does not
    apply."""
    criterion, given_input = case
    assert criterion.method is not None
    tree = CriteriaTree([Criterion("1", "x", criterion.max_score, None, (criterion,))])
    assert tree.total_of is not None
    total = tree.total_of({criterion.code: given_input})
    expected = _outcome(reference, criterion, given_input)
    if criterion.is_adjustment:  # a bonus or penalty is added afterwards, not by the sum
        assert str(total) == "0"
    elif total is not None:
        assert expected is not None and expected[0] != "error"
        assert str(total) == str(D(0) + D(expected))
    # Declining is always allowed for correctness (the slow path gives the same), but every
    # answer the reference scores must take the compiled path, a zero denominator (scored by
    # its own rule) aside: otherwise a method would silently lose its speed.
    spec = criterion.method
    by_ratio = spec.numerator is not None and not spec.value_input
    zero_denominator = by_ratio and (given_input.numbers or {}).get("b") == 0
    scored = expected is not None and expected[0] != "error"
    assert total is not None or not scored or zero_denominator


def test_the_compiled_function_holds_no_text_of_the_criteria_set():
    """Codes, labels and figure names reach the compiled function as values, never as source:
    a hostile one is only a name to look up."""
    hostile = "x'] + __import__('os').system('false') + ['"
    levels = (Level(hostile, D(2)), Level("Không", D(0)))
    leaves = (
        Criterion("1.1", "x", D(2), MethodSpec(Method.LEVELS, levels=levels)),
        Criterion(
            "1.2", "x", D(1), MethodSpec(Method.PROPORTIONAL, numerator=hostile, denominator="b")
        ),
        Criterion(
            "1.3",
            "x",
            D(1),
            MethodSpec(Method.THRESHOLDS, value_input=hostile, bands=(Band(D(50), D(1)),)),
        ),
    )
    tree = CriteriaTree([Criterion("1", "x", D(4), None, leaves)])
    assert tree.total_of is not None
    code = tree.total_of.__code__
    assert not any(hostile in str(constant) for constant in code.co_consts)
    assert not any(hostile in name for name in code.co_names)
    inputs = {
        "1.1": LeafInput(level=hostile),
        "1.2": LeafInput(numbers={hostile: D(1), "b": D(4)}),
        "1.3": LeafInput(numbers={hostile: D(60)}),
    }
    assert tree.total_of(inputs) == D("3.25") == score_unit(tree, inputs).total
    assert _score_each_leaf(tree, inputs).total == D("3.25")


def test_many_bands_are_found_by_bisection_as_the_scorer_finds_them():
    """Up to four bands are compared in a chain; more are found by bisection. Both give the
    points of the highest band reached, on and around every minimum."""
    for count in (1, 4, 5, 7):
        bands = tuple(Band(D(10 * k), D(k) / 4) for k in range(count, 0, -1))
        spec = MethodSpec(Method.THRESHOLDS, value_input="x", bands=bands)
        criterion = Criterion("1.1", "x", D(count) / 4, spec)
        tree = CriteriaTree([Criterion("1", "x", criterion.max_score, None, (criterion,))])
        assert tree.total_of is not None
        for value in [
            D(0),
            D("9.99"),
            *(D(10 * k) + d for k in range(1, count + 1) for d in (D("-0.01"), D(0), D("0.01"))),
        ]:
            given_input = LeafInput(numbers={"x": value})
            expected = reference(criterion, given_input)
            assert expected is not None
            assert str(tree.total_of({"1.1": given_input})) == str(D(0) + expected), (count, value)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from("ABCDE"), st.integers(0, 100)), max_size=5),
    st.decimals(-1, 101, places=2),
)
def test_the_classification_is_the_first_band_reached_highest_first(pairs, index):  # type: ignore[no-untyped-def]
    """Found by bisection; a plain walk down the bands gives the same label, on every
    minimum, between them, below them all and with equal minima."""
    classification = Classification.of(pairs)
    walked = next((band.label for band in classification.bands if index >= band.minimum), None)
    assert classification.classify(index) == walked
    for band in classification.bands:
        assert classification.classify(band.minimum) == next(
            b.label for b in classification.bands if band.minimum >= b.minimum
        )
    # Bands written out of order are walked as written.
    unordered = Classification(tuple(reversed(classification.bands)))
    assert unordered.classify(index) == next(
        (band.label for band in unordered.bands if index >= band.minimum), None
    )


def test_a_tree_too_large_to_compile_is_scored_leaf_by_leaf():
    """A criteria set of more sub-criteria than is worth compiling (an import may hold up to
    its row limit) gets no function, and its units are scored leaf by leaf, correctly."""
    from scoring.engine.compiled import MOST_COMPILED_LEAVES

    count = MOST_COMPILED_LEAVES + 1
    leaves = tuple(
        Criterion(f"1.{n}", "x", D(1), MethodSpec(Method.YES_NO)) for n in range(1, count + 1)
    )
    tree = CriteriaTree([Criterion("1", "x", D(count), None, leaves)])
    assert tree.total_of is None
    inputs = {leaf.code: LeafInput(answer=n % 2 == 0) for n, leaf in enumerate(leaves)}
    result = score_unit(tree, inputs)
    assert result.total == D((count + 1) // 2) == _score_each_leaf(tree, inputs).total
    smaller = CriteriaTree([Criterion("1", "x", D(count - 1), None, leaves[:-1])])
    assert smaller.total_of is not None
