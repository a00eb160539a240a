"""The engine's fast path for one tree, compiled into one Python function.

``compile_total(tree)`` writes a function that reads every scored leaf's input, checks it and
adds its points, all inline: no call, tuple or lookup table per leaf, which is most of what
a call per leaf costs. It returns the leaves' sum, or None for anything outside the common
case (a leaf missing, not applicable, an input its method refuses, a zero denominator);
the caller then scores that unit leaf by leaf, which gives the exact result or error.

The same rules as the leaf scorers (``methods.scorer_for``), in the same order of operations,
so that the sum is the same digit for digit (the tests compare both on random trees). The
source holds only names made here (``K3``, ``M3``…): every code, label and number of the
criteria set is passed as a value in the function's namespace, never written into the text.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from scoring.engine.methods import CENT, HUNDRED, ONE, ROUND_HALF_UP, ZERO, Method, MethodSpec

if TYPE_CHECKING:
    from scoring.engine.tree import CriteriaTree

Total = Callable[[Mapping[str, Any]], "Decimal | None"]

_MANUAL_METHODS = (Method.MANUAL, Method.SURVEY)


def _method_lines(n: int, spec: MethodSpec, maximum: Decimal, names: dict[str, Any]) -> list[str]:
    """The lines adding leaf ``n``'s points to ``t`` from its input ``g`` (a ``return None``
    wherever its scorer would not give points straight away); [] for a method without them."""
    method = spec.method
    names[f"M{n}"] = maximum
    if method in _MANUAL_METHODS:
        # A None fails the comparison (TypeError), which declines like any refusal.
        lines = ["v = g.value", f"if v < ZERO or v > M{n}: return None"]
        if spec.step is not None:
            names[f"S{n}"] = spec.step
            lines.append(f"if v % S{n}: return None")
        return [*lines, "t += v"]
    if method is Method.YES_NO:
        return ["a = g.answer", "if a is None: return None", f"t += M{n} if a else ZERO"]
    if method is Method.LEVELS:
        names[f"L{n}"] = {level.label: level.points for level in spec.levels}
        return [f't += L{n}[g.level or ""]']
    if method is Method.COUNT:
        names[f"P{n}"] = spec.per_item or ONE
        return [
            "v = g.value",
            "if v < ZERO or v % 1: return None",
            f"t += min(v * P{n}, M{n})",
        ]
    if method is Method.PROPORTIONAL:
        names[f"N{n}"], names[f"D{n}"] = spec.numerator, spec.denominator
        share = "(x / y)" if maximum == ONE else f"(M{n} * x / y)"
        return [
            f"f = g.numbers; x = f[N{n}]; y = f[D{n}]",
            f"if ZERO <= x < y: t += {share}.quantize(CENT, HALF_UP)",
            f"elif ZERO < y <= x: t += M{n}",
            "else: return None",
        ]
    if method is Method.THRESHOLDS:
        band_points = _band_lines(n, spec, names)
        if spec.value_input:
            names[f"V{n}"] = spec.value_input
            return [
                "f = g.numbers",
                f"v = f[V{n}] if f is not None and V{n} in f else g.value",
                "if v is None: return None",
                f"t += {band_points}",
            ]
        names[f"N{n}"], names[f"D{n}"] = spec.numerator, spec.denominator
        return [
            f"f = g.numbers; x = f[N{n}]; y = f[D{n}]",
            "if x < ZERO or y <= ZERO: return None",
            "v = x / y * HUNDRED",
            f"t += {band_points}",
        ]
    return []


# Up to this many bands are compared one after another, highest first; more by bisection.
_CHAINED_BANDS = 4


def _band_lines(n: int, spec: MethodSpec, names: dict[str, Any]) -> str:
    """The points of the bands reached by ``v``: those of the last band, by minimum, whose
    minimum ``v`` reaches (zero below them all), as the leaf's scorer finds by bisection
    (among equal minima, the last written)."""
    ascending = sorted(spec.bands, key=lambda band: band.minimum)
    if len(ascending) > _CHAINED_BANDS:
        names[f"B{n}"] = [band.minimum for band in ascending]
        names[f"A{n}"] = (ZERO, *(band.points for band in ascending))
        return f"A{n}[bisect_right(B{n}, v)]"
    chain = []
    for k, band in reversed(list(enumerate(ascending))):
        names[f"B{n}_{k}"], names[f"A{n}_{k}"] = band.minimum, band.points
        chain.append(f"A{n}_{k} if v >= B{n}_{k} else ")
    return f"({''.join(chain)}ZERO)"


# A tree with more scored leaves gets no function: writing one costs about 0.1 ms a leaf
# (a second for 10,000), in every process, and a real criteria set has about a hundred.
MOST_COMPILED_LEAVES = 1000


def compile_total(tree: CriteriaTree) -> Total | None:
    """The function summing the scored leaves' points of a unit (None where the common case
    does not hold), or None for a tree with a method it has no lines for or more than
    ``MOST_COMPILED_LEAVES`` scored leaves (every unit is then scored leaf by leaf)."""
    if len(tree.leaf_plan) > MOST_COMPILED_LEAVES:
        return None
    names: dict[str, Any] = {
        "ZERO": ZERO,
        "CENT": CENT,
        "HALF_UP": ROUND_HALF_UP,
        "HUNDRED": HUNDRED,
        "bisect_right": bisect_right,
    }
    body: list[str] = []
    for n, (position, code, maximum, _scorer) in enumerate(tree.leaf_plan):
        spec = tree.nodes[position].method
        assert spec is not None
        lines = _method_lines(n, spec, maximum, names)
        if not lines:
            return None
        names[f"K{n}"] = code
        body += [
            f"g = inputs[K{n}]",
            "if g.not_applicable: return None",
            "p = g.points",
            "if p is None:",
            *(f"    {line}" for line in lines),
            f"elif ZERO <= p <= M{n}: t += p",  # points given directly, as ``direct_points``
            "else: return None",
        ]
    source = "\n".join(
        [
            "def total(inputs):",
            "    t = ZERO",
            "    try:",
            *(f"        {line}" for line in body or ["pass"]),
            "    except (KeyError, TypeError, ArithmeticError):",
            "        return None",
            "    return t",
        ]
    )
    # The text holds only names made above; the criteria set's own text is in ``names``.
    exec(compile(source, "<criteria tree>", "exec"), names)
    total: Total = names["total"]
    return total
