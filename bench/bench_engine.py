"""Scores and ranks 3,321 communes × 100 sub-criteria with the engine, and compares the time
with a plain loop that sums the same numbers (the floor).

Prints: bench engine_rank_3321x100: SECONDS s, RATIOx vs plain loop
"""

from __future__ import annotations

import gc
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scoring.engine import (
    Band,
    Classification,
    CriteriaTree,
    Criterion,
    LeafInput,
    Level,
    Method,
    MethodSpec,
    rank_results,
    score_units,
)

UNITS = 3321
FIELDS, CRITERIA, LEAVES = 5, 4, 5  # 100 sub-criteria
D = Decimal


def build_tree() -> CriteriaTree:
    methods = [
        MethodSpec(Method.MANUAL, step=D("0.25")),
        MethodSpec(Method.YES_NO),
        MethodSpec(
            Method.LEVELS,
            levels=(Level("Đủ", D(1)), Level("Một phần", D("0.5")), Level("Không", D(0))),
        ),
        MethodSpec(Method.PROPORTIONAL, numerator="a", denominator="b"),
        MethodSpec(
            Method.THRESHOLDS, value_input="x", bands=(Band(D(90), D(1)), Band(D(50), D("0.5")))
        ),
    ]
    fields = []
    for f in range(1, FIELDS + 1):
        criteria = []
        for c in range(1, CRITERIA + 1):
            leaves = tuple(
                Criterion(f"{f}.{c}.{s}", "x", D(1), methods[(s - 1) % len(methods)])
                for s in range(1, LEAVES + 1)
            )
            criteria.append(Criterion(f"{f}.{c}", "x", D(LEAVES), None, leaves))
        fields.append(Criterion(str(f), "x", D(LEAVES * CRITERIA), None, tuple(criteria)))
    return CriteriaTree(
        fields, Classification.of([("Tốt", 90), ("Khá", 80), ("Trung bình", 65), ("Yếu", 0)])
    )


def build_inputs(tree: CriteriaTree) -> tuple[dict[int, dict[str, LeafInput]], list[list[Decimal]]]:
    generator = random.Random(2025)
    inputs: dict[int, dict[str, LeafInput]] = {}
    plain: list[list[Decimal]] = []
    for unit in range(UNITS):
        leaves: dict[str, LeafInput] = {}
        numbers: list[Decimal] = []
        for position in tree.leaves:
            criterion = tree.nodes[position]
            assert criterion.method is not None
            method = criterion.method.method
            if method is Method.MANUAL:
                value = D(generator.randint(0, 4)) / 4
                leaves[criterion.code] = LeafInput(value=value)
            elif method is Method.YES_NO:
                answer = generator.random() < 0.9
                leaves[criterion.code] = LeafInput(answer=answer)
                value = D(1) if answer else D(0)
            elif method is Method.LEVELS:
                label = generator.choice(["Đủ", "Một phần", "Không"])
                leaves[criterion.code] = LeafInput(level=label)
                value = {"Đủ": D(1), "Một phần": D("0.5"), "Không": D(0)}[label]
            elif method is Method.PROPORTIONAL:
                b = D(generator.randint(1, 500))
                a = D(generator.randint(0, int(b)))
                leaves[criterion.code] = LeafInput(numbers={"a": a, "b": b})
                value = a / b
            else:
                x = D(generator.randint(0, 100))
                leaves[criterion.code] = LeafInput(numbers={"x": x})
                value = x
            numbers.append(value)
        inputs[unit] = leaves
        plain.append(numbers)
    return inputs, plain


def best_of(runs: int, work, fresh) -> float:  # type: ignore[no-untyped-def]
    """The shortest of ``runs`` timings of ``work`` on data from ``fresh()``, built anew (and
    not timed) before each run: a page scores objects just read from the database, so no run
    may profit from what an earlier one left in them (a ``Decimal`` keeps its hash once
    computed, and hashing a new one costs more than adding it)."""
    times = []
    for _ in range(runs):
        data = fresh()
        gc.collect()  # the building's garbage is not charged to the run that follows it
        start = time.perf_counter()
        work(data)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    tree = build_tree()
    assert len(tree.leaves) == 100

    def engine(data) -> None:  # type: ignore[no-untyped-def]
        inputs, _plain = data
        rank_results(score_units(tree, inputs))

    def floor(data) -> None:  # type: ignore[no-untyped-def]
        _inputs, plain = data
        totals = {}
        for unit, numbers in enumerate(plain):
            total = D(0)
            for number in numbers:
                total += number
            totals[unit] = total
        sorted(totals.values())

    engine_seconds = best_of(5, engine, lambda: build_inputs(tree))
    floor_seconds = best_of(5, floor, lambda: build_inputs(tree))
    print(
        f"bench engine_rank_{UNITS}x{len(tree.leaves)}: {engine_seconds:.2f} s, "
        f"{engine_seconds / floor_seconds:.1f}x vs plain loop"
    )


if __name__ == "__main__":
    main()
