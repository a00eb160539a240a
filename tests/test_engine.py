"""The pure scoring engine, checked by hand against published figures and by properties."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
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
    ParameterError,
    ZeroDenominator,
    rank,
    rank_results,
    round_points,
    score_unit,
)
from scoring.engine.scoring import _score_each_leaf

D = Decimal
BANDS = Classification.of([("Tốt", 90), ("Khá", 80), ("Trung bình", 65), ("Yếu", 0)])


def leaf(code, max_score, method=Method.MANUAL, **params):
    return Criterion(code, f"Tiêu chí {code}", D(max_score), MethodSpec(method, **params))


def node(code, *children):
    return Criterion(
        code, f"Nhóm {code}", sum((c.max_score for c in children), D(0)), None, tuple(children)
    )


def test_round_points_is_half_up_to_two_places():
    assert round_points(D("0.125")) == D("0.13")
    assert round_points(D("84.665")) == D("84.67")
    assert round_points(D("0.661290")) == D("0.66")


def test_codes_sort_by_their_numbers():
    tree = CriteriaTree([node("1", leaf("1.10", 1), leaf("1.9", 1), leaf("1.2", 1))])
    assert [n.code for n in tree.nodes] == ["1", "1.2", "1.9", "1.10"]


# The published deductions of xã Vĩnh Long, 2022 (figures.md), scored on a tree that has
# those codes and maxima; everything else at full points.
VINH_LONG_LOSSES = {
    "1.1.3": D("0.5"),
    "1.4.2": D(1),
    "1.5.4": D(1),
    "2.2.1": D(2),
    "2.3": D(2),
    "3.11.2": D("0.84"),
    "3.12.1": D(1),
    "3.12.2": D("0.5"),
    "3.12.3": D("0.5"),
    "3.13.2": D("0.5"),
    "6.2": D(2),
    "6.3": D(2),
}


def vinh_long_tree():
    levels = (Level("Từ 3 hình thức", D(2)), Level("1–2 hình thức", D(1)), Level("Không", D(0)))
    ratio = dict(numerator="ket_qua_dien_tu", denominator="da_giai_quyet")
    return CriteriaTree(
        [
            node(
                "1",
                node("1.1", leaf("1.1.1", 1, Method.YES_NO), leaf("1.1.3", 2, step=D("0.5"))),
                node(
                    "1.4",
                    leaf("1.4.1", 1, Method.YES_NO),
                    leaf("1.4.2", 2, Method.LEVELS, levels=levels),
                ),
                node(
                    "1.5",
                    leaf("1.5.1", 1, Method.YES_NO),
                    leaf("1.5.4", 2, Method.COUNT, per_item=D(1)),
                ),
            ),
            node("2", node("2.2", leaf("2.2.1", 2, Method.YES_NO)), leaf("2.3", 2, Method.YES_NO)),
            node(
                "3",
                node("3.11", leaf("3.11.2", 1, Method.PROPORTIONAL, **ratio)),
                node(
                    "3.12",
                    leaf("3.12.1", 1, Method.PROPORTIONAL, **ratio),
                    leaf("3.12.2", "0.5", Method.PROPORTIONAL, **ratio),
                    leaf("3.12.3", "0.5", Method.PROPORTIONAL, **ratio),
                ),
                node(
                    "3.13",
                    leaf("3.13.2", "0.5", Method.PROPORTIONAL, **ratio),
                    leaf(
                        "3.13.3",
                        "0.5",
                        Method.THRESHOLDS,
                        numerator="dvc_muc_do_cao",
                        denominator="tong_tthc",
                        bands=(Band(D(80), D("0.5")), Band(D(50), D("0.25"))),
                    ),
                ),
            ),
            node(
                "6",
                leaf("6.1", 2),
                leaf("6.2", 2, Method.YES_NO),
                leaf(
                    "6.3",
                    2,
                    Method.THRESHOLDS,
                    value_input="ty_le_giai_ngan",
                    bands=(Band(D(95), D(2)), Band(D(80), D(1))),
                ),
            ),
            # The rest of the 100 points, all earned.
            leaf("7", 77),
        ],
        BANDS,
    )


def vinh_long_inputs():
    ratio = lambda a, b: LeafInput(numbers={"ket_qua_dien_tu": D(a), "da_giai_quyet": D(b)})  # noqa: E731
    return {
        "1.1.1": LeafInput(answer=True),
        "1.1.3": LeafInput(value=D("1.5"), reason="Báo cáo năm không nêu nhiệm vụ đã hoàn thành"),
        "1.4.1": LeafInput(answer=True),
        "1.4.2": LeafInput(level="1–2 hình thức", reason="Không có hình thức tuyên truyền mới"),
        "1.5.1": LeafInput(answer=True),
        "1.5.4": LeafInput(value=D(1), reason="Một sáng kiến được công nhận, cần hai"),
        "2.2.1": LeafInput(answer=False, reason="Kế hoạch gộp chung với kế hoạch khác"),
        "2.3": LeafInput(answer=False, reason="Không triển khai trong năm"),
        "3.11.2": ratio(16, 100),
        "3.12.1": ratio(0, 100),
        "3.12.2": ratio(0, 100),
        "3.12.3": ratio(0, 100),
        "3.13.2": ratio(0, 100),
        "3.13.3": LeafInput(numbers={"dvc_muc_do_cao": D(124), "tong_tthc": D(124)}),
        "6.1": LeafInput(value=D(2)),
        "6.2": LeafInput(answer=False, reason="Không có tài liệu kiểm chứng"),
        "6.3": LeafInput(numbers={"ty_le_giai_ngan": D("60")}),
        "7": LeafInput(value=D(77)),
    }


def test_vinh_long_scores_100_minus_the_published_deductions():
    result = score_unit(vinh_long_tree(), vinh_long_inputs())
    assert sum(VINH_LONG_LOSSES.values()) == D("13.84")
    assert result.max_total == D(100)
    assert result.total == D("86.16")
    assert result.index == D("86.16")
    assert result.classification == "Khá"
    assert {d.code: d.lost for d in result.deductions} == VINH_LONG_LOSSES
    by_code = {d.code: d for d in result.deductions}
    assert by_code["1.1.3"].reason.startswith("Báo cáo năm")
    assert by_code["3.11.2"].max_score == D(1)
    assert [d.code for d in result.deductions] == sorted(
        VINH_LONG_LOSSES, key=lambda c: tuple(map(int, c.split(".")))
    )


def test_subtotals_and_field_indices():
    result = score_unit(vinh_long_tree(), vinh_long_inputs())
    assert result.score_of("1.1") == D("2.5")
    assert result.score_of("1") == D("6.5")  # 9 − 0.5 − 1 − 1
    assert result.fields["2"] == D(0)
    assert result.field_indices["1"] == D("72.22")
    assert result.field_indices["2"] == D(0)


def test_not_applicable_leaves_its_maximum_out_of_the_index():
    tree = CriteriaTree([node("1", leaf("1.1", 2), leaf("1.2", 8))], BANDS)
    result = score_unit(
        tree,
        {
            "1.1": LeafInput(not_applicable=True, reason="Không phát sinh"),
            "1.2": LeafInput(value=D(8)),
        },
    )
    assert (result.total, result.max_total, result.index) == (D(8), D(8), D(100))
    assert result.not_applicable == ["1.1"]
    assert result.deductions == []
    assert not result.is_applicable("1.1") and result.is_applicable("1")


def test_zero_denominator_follows_the_declared_rule():
    def one(rule):
        tree = CriteriaTree(
            [leaf("1", 2, Method.PROPORTIONAL, numerator="a", denominator="b", on_zero=rule)]
        )
        return score_unit(tree, {"1": LeafInput(numbers={"a": D(0), "b": D(0)})})

    assert one(ZeroDenominator.FULL).total == D(2)
    assert one(ZeroDenominator.ZERO).total == D(0)
    na = one(ZeroDenominator.NOT_APPLICABLE)
    assert (na.total, na.max_total, na.not_applicable) == (D(0), D(0), ["1"])


def test_a_ratio_above_one_is_capped_at_the_maximum():
    tree = CriteriaTree([leaf("1", 1, Method.PROPORTIONAL, numerator="a", denominator="b")])
    assert score_unit(tree, {"1": LeafInput(numbers={"a": D(431), "b": D(396)})}).total == D(1)


def test_proportional_rounds_once_half_up():
    tree = CriteriaTree([leaf("1", 1, Method.PROPORTIONAL, numerator="a", denominator="b")])
    assert score_unit(tree, {"1": LeafInput(numbers={"a": D(82), "b": D(124)})}).total == D("0.66")


@pytest.mark.parametrize(
    ("criterion", "given"),
    [
        (leaf("1", 2), LeafInput(value=D("2.5"))),
        (leaf("1", 2), LeafInput(value=D("-0.5"))),
        (leaf("1", 2, step=D("0.5")), LeafInput(value=D("0.3"))),
        (leaf("1", 2), LeafInput()),
        (leaf("1", 2, Method.YES_NO), LeafInput(value=D(2))),
        (
            leaf("1", 2, Method.LEVELS, levels=(Level("A", D(2)), Level("B", D(0)))),
            LeafInput(level="C"),
        ),
        (leaf("1", 2, Method.COUNT, per_item=D(1)), LeafInput(value=D("1.5"))),
        (leaf("1", 2, Method.COUNT, per_item=D(1)), LeafInput(value=D(-1))),
        (
            leaf("1", 1, Method.PROPORTIONAL, numerator="a", denominator="b"),
            LeafInput(numbers={"a": D(-1), "b": D(3)}),
        ),
        (
            leaf("1", 1, Method.PROPORTIONAL, numerator="a", denominator="b"),
            LeafInput(numbers={"a": D(1)}),
        ),
        (leaf("1", 2, Method.SURVEY), LeafInput(value=D(3))),
    ],
)
def test_values_outside_the_method_range_are_rejected(criterion, given):
    with pytest.raises(InputError) as error:
        score_unit(CriteriaTree([criterion]), {"1": given})
    assert error.value.code == "1"


def test_count_and_levels_and_thresholds():
    count = CriteriaTree([leaf("1", 2, Method.COUNT, per_item=D(1))])
    assert score_unit(count, {"1": LeafInput(value=D(5))}).total == D(2)
    bands = (Band(D(100), D(2)), Band(D(80), D(1)))
    thresholds = CriteriaTree([leaf("1", 2, Method.THRESHOLDS, value_input="x", bands=bands)])
    assert [
        score_unit(thresholds, {"1": LeafInput(numbers={"x": D(v)})}).total
        for v in (100, 99.9, 80, 79)
    ] == [
        D(2),
        D(1),
        D(1),
        D(0),
    ]


def test_bonus_and_penalty_are_capped_and_move_the_total_within_bounds():
    tree = CriteriaTree(
        [
            node("1", leaf("1.1", 10)),
            node("9", leaf("9.1", 2, Method.BONUS), leaf("9.2", 3, Method.PENALTY)),
        ]
    )
    result = score_unit(
        tree,
        {"1.1": LeafInput(value=D(7)), "9.1": LeafInput(value=D(2)), "9.2": LeafInput(value=D(1))},
    )
    assert result.max_total == D(10)
    assert result.total == D(8)
    assert [(a.code, a.points) for a in result.adjustments] == [("9.1", D(2)), ("9.2", D(-1))]
    with pytest.raises(InputError):
        score_unit(tree, {"1.1": LeafInput(value=D(7)), "9.1": LeafInput(value=D(3))})
    full = score_unit(tree, {"1.1": LeafInput(value=D(10)), "9.1": LeafInput(value=D(2))})
    assert full.total == D(10)  # never above the maximum


def test_unscored_leaves_count_zero_and_are_listed():
    tree = CriteriaTree([node("1", leaf("1.1", 1), leaf("1.2", 1))])
    result = score_unit(tree, {"1.1": LeafInput(value=D(1))})
    assert result.unscored == ["1.2"]
    assert result.total == D(1)


@pytest.mark.parametrize(
    ("spec", "max_score"),
    [
        (MethodSpec(Method.MANUAL, step=D("0.3")), D(2)),
        (MethodSpec(Method.LEVELS, levels=(Level("A", D(3)), Level("B", D(0)))), D(2)),
        (MethodSpec(Method.LEVELS, levels=(Level("A", D(2)),)), D(2)),
        (MethodSpec(Method.THRESHOLDS, bands=(Band(D(80), D(1)),)), D(2)),
        (MethodSpec(Method.PROPORTIONAL, numerator="a"), D(1)),
        (MethodSpec(Method.COUNT, per_item=D(0)), D(2)),
    ],
)
def test_bad_parameters_are_rejected(spec, max_score):
    with pytest.raises(ParameterError):
        spec.validate(max_score)


def test_ranking_ties_share_a_rank_in_both_rules():
    scores = {"a": D("91.44"), "b": D("87.26"), "c": D("87.26"), "d": D("80")}
    competition = rank(scores)
    dense = rank(scores, dense=True)
    assert [str(competition[k]) for k in "abcd"] == ["1/4", "2/4", "2/4", "4/4"]
    assert [str(dense[k]) for k in "abcd"] == ["1/4", "2/4", "2/4", "3/4"]


def test_rank_of_18_as_published():
    scores = {f"x{i}": D(95) - i for i in range(18)}
    scores["vinh_long"] = D("84.66")  # between x10 (85) and x11 (84)
    del scores["x17"]
    assert str(rank(scores)["vinh_long"]) == "12/18"


# Property tests -----------------------------------------------------------------------

points = st.decimals(min_value=0, max_value=10, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def trees_and_inputs(draw):
    fields = []
    inputs = {}
    for f in range(1, draw(st.integers(1, 4)) + 1):
        criteria = []
        for c in range(1, draw(st.integers(1, 4)) + 1):
            leaves = []
            for s in range(1, draw(st.integers(1, 4)) + 1):
                code = f"{f}.{c}.{s}"
                maximum = draw(points.filter(lambda p: p > 0))
                kind = draw(st.sampled_from(["manual", "yes_no", "ratio", "na", "missing"]))
                if kind == "ratio":
                    leaves.append(
                        leaf(code, maximum, Method.PROPORTIONAL, numerator="a", denominator="b")
                    )
                    inputs[code] = LeafInput(
                        numbers={
                            "a": D(draw(st.integers(0, 500))),
                            "b": D(draw(st.integers(0, 400))),
                        }
                    )
                elif kind == "yes_no":
                    leaves.append(leaf(code, maximum, Method.YES_NO))
                    inputs[code] = LeafInput(answer=draw(st.booleans()))
                else:
                    leaves.append(leaf(code, maximum))
                    if kind == "manual":
                        inputs[code] = LeafInput(
                            value=draw(st.decimals(min_value=0, max_value=maximum, places=2))
                        )
                    elif kind == "na":
                        inputs[code] = LeafInput(not_applicable=True)
            criteria.append(node(f"{f}.{c}", *leaves))
        fields.append(node(str(f), *criteria))
    return CriteriaTree(fields, BANDS), inputs


@settings(max_examples=200, deadline=None)
@given(trees_and_inputs())
def test_scores_stay_within_bounds_and_add_up(case):
    tree, inputs = case
    result = score_unit(tree, inputs)
    for position, n in enumerate(tree.nodes):
        score, maximum = result.scores[position], result.maxima[position]
        assert 0 <= score <= maximum
        if not n.is_leaf:
            children = [tree.position[child.code] for child in n.children]
            assert score == sum((result.scores[i] for i in children), D(0))
            assert maximum == sum((result.maxima[i] for i in children), D(0))
    assert 0 <= result.total <= result.max_total
    assert 0 <= result.index <= 100
    for deduction in result.deductions:
        assert deduction.lost == deduction.max_score - result.score_of(deduction.code) > 0
    lost = sum((d.lost for d in result.deductions), D(0))
    assert result.total == result.max_total - lost


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.text(min_size=1, max_size=4), st.decimals(0, 100, places=2), min_size=1, max_size=40
    ),
    st.booleans(),
)
def test_ranking_orders_by_score_and_equal_scores_share_a_rank(scores, dense):
    ranks = rank(scores, dense=dense)
    for a in scores:
        assert ranks[a].of == len(scores)
        for b in scores:
            if scores[a] > scores[b]:
                assert ranks[a].position < ranks[b].position
            if scores[a] == scores[b]:
                assert ranks[a].position == ranks[b].position
    assert min(r.position for r in ranks.values()) == 1


def test_rank_results_ranks_by_index():
    tree = CriteriaTree([leaf("1", 10)])
    results = {
        u: score_unit(tree, {"1": LeafInput(value=D(v))})
        for u, v in {"a": 5, "b": 9, "c": 9}.items()
    }
    assert {u: str(r) for u, r in rank_results(results).items()} == {
        "a": "3/3",
        "b": "1/3",
        "c": "1/3",
    }


def test_the_engine_imports_nothing_from_django():
    import ast
    import pathlib

    package = pathlib.Path(__file__).resolve().parent.parent / "scoring" / "engine"
    sources = sorted(package.glob("*.py"))
    assert len(sources) >= 5  # __init__, methods, tree, scoring, ranking
    imported = set()
    for source in sources:
        for statement in ast.walk(ast.parse(source.read_text())):
            if isinstance(statement, ast.Import):
                imported |= {alias.name for alias in statement.names}
            elif isinstance(statement, ast.ImportFrom):
                imported.add(statement.module or "")
    assert not any(name.split(".")[0] == "django" for name in imported)
    # Within the engine, only the engine itself; outside it, only the standard library.
    outside = {name for name in imported if name.split(".")[0] == "scoring"}
    assert all(name.startswith("scoring.engine") for name in outside)


# The fast path and the leaf-by-leaf path give the same result -----------------------------

KINDS = ["manual", "stepped", "yes_no", "levels", "ratio", "ratio_zero", "thresholds", "count"]


def _leaf_and_input(draw, code):
    """A leaf of a random method and an input for it: valid, missing, not applicable, given
    directly as points, or (rarely) outside the method's range."""
    maximum = D(draw(st.integers(1, 40))) / 4
    kind = draw(st.sampled_from(KINDS))
    if kind == "manual":
        made = leaf(code, maximum)
        given = LeafInput(value=draw(st.decimals(0, maximum, places=2)))
    elif kind == "stepped":
        made = leaf(code, maximum, step=D("0.25"))
        given = LeafInput(value=D(draw(st.integers(0, int(maximum * 4)))) / 4)
    elif kind == "yes_no":
        made = leaf(code, maximum, Method.YES_NO)
        given = LeafInput(answer=draw(st.booleans()))
    elif kind == "levels":
        levels = (Level("Đủ", maximum), Level("Một phần", maximum / 2), Level("Không", D(0)))
        made = leaf(code, maximum, Method.LEVELS, levels=levels)
        given = LeafInput(level=draw(st.sampled_from(["Đủ", "Một phần", "Không"])))
    elif kind in ("ratio", "ratio_zero"):
        made = leaf(
            code,
            maximum,
            Method.PROPORTIONAL,
            numerator="a",
            denominator="b",
            on_zero=draw(st.sampled_from(list(ZeroDenominator))),
        )
        low = 0 if kind == "ratio_zero" else 1
        given = LeafInput(
            numbers={"a": D(draw(st.integers(0, 600))), "b": D(draw(st.integers(low, 500)))}
        )
    elif kind == "thresholds":
        bands = (Band(D(90), maximum), Band(D(50), maximum / 2))
        made = leaf(code, maximum, Method.THRESHOLDS, value_input="x", bands=bands)
        given = LeafInput(numbers={"x": D(draw(st.integers(0, 100)))})
    else:
        made = leaf(code, maximum, Method.COUNT, per_item=D("0.5"))
        given = LeafInput(value=D(draw(st.integers(0, 20))))
    twist = draw(st.sampled_from(["plain"] * 12 + ["missing", "na", "points", "wrong"]))
    if twist == "missing":
        return made, None
    if twist == "na":
        return made, LeafInput(not_applicable=True, reason="Không phát sinh")
    if twist == "points":
        return made, LeafInput(points=draw(st.decimals(0, maximum, places=2)))
    if twist == "wrong":
        return made, LeafInput(value=maximum + 1, answer=None, level="?")
    return made, given


@st.composite
def deep_trees_and_inputs(draw):
    """Trees of uneven depth (a field may hold a leaf, a criterion may hold sub-criteria of
    its own), with a bonus and a penalty now and then."""
    inputs: dict[str, LeafInput] = {}

    def grow(code, depth):
        if depth >= 3 or (depth > 0 and draw(st.integers(0, 3)) == 0):
            made, given = _leaf_and_input(draw, code)
            if given is not None:
                inputs[code] = given
            return made
        children = [grow(f"{code}.{n}", depth + 1) for n in range(1, draw(st.integers(1, 4)) + 1)]
        return node(code, *children)

    fields = [grow(str(f), 0) for f in range(1, draw(st.integers(1, 4)) + 1)]
    if draw(st.booleans()):
        fields.append(node("9", leaf("9.1", 2, Method.BONUS), leaf("9.2", 3, Method.PENALTY)))
        inputs["9.1"] = LeafInput(value=D(draw(st.integers(0, 2))), reason="Sáng kiến")
        inputs["9.2"] = LeafInput(value=D(draw(st.integers(0, 3))), reason="Vi phạm")
    return CriteriaTree(fields, BANDS), inputs


def _outcome(scorer, tree, inputs):
    try:
        result = scorer(tree, inputs)
    except InputError as error:
        return ("error", error.code, error.template)
    return (
        [str(score) for score in result.scores],
        result.maxima,
        result.not_applicable,
        result.unscored,
        str(result.total),
        result.max_total,
        str(result.index),
        result.classification,
        result.adjustments,
        result.deductions,
        result.field_indices,
    )


@settings(max_examples=400, deadline=None)
@given(deep_trees_and_inputs())
def test_the_fast_path_and_the_leaf_by_leaf_path_agree(case):
    tree, inputs = case
    fast = _outcome(score_unit, tree, inputs)
    assert fast == _outcome(_score_each_leaf, tree, inputs)
    # Every leaf scored and applicable takes the fast path, which then must agree too.
    complete = {
        code: LeafInput(points=tree.nodes[tree.position[code]].max_score)
        for code in tree.leaf_codes
    }
    complete.update({code: given for code, given in inputs.items() if code.startswith("9.")})
    assert _outcome(score_unit, tree, complete) == _outcome(_score_each_leaf, tree, complete)


def test_the_fast_path_is_taken_when_every_leaf_applies(monkeypatch):
    tree = CriteriaTree(
        [node("1", leaf("1.1", 2), leaf("1.2", 3, Method.YES_NO)), leaf("2", 5)], BANDS
    )
    inputs = {
        "1.1": LeafInput(value=D("1.5")),
        "1.2": LeafInput(answer=True),
        "2": LeafInput(value=D(5)),
    }

    def refuse(*_args):
        raise AssertionError("the leaf-by-leaf path was taken")

    monkeypatch.setattr("scoring.engine.scoring._score_each_leaf", refuse)
    result = score_unit(tree, inputs)
    assert result.scores == [D("4.5"), D("1.5"), D(3), D(5)]
    assert result.total == D("9.5") and result.index == D("95.00")
