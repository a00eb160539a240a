"""The scoring engine: pure Python, no Django.

Given a criteria tree and the inputs of each leaf, it returns leaf scores, node subtotals,
the total, the index in %, each field's component index, the classification, the
deductions and, for many units, the ranking. Its parts: ``methods`` (method specs, leaf
inputs and scorers), ``tree`` (the compiled criteria tree and classification), ``scoring``
(a unit's result) and ``ranking``.
"""

from scoring.engine.methods import (
    ADJUSTMENT_METHODS,
    CENT,
    HUNDRED,
    ONE,
    ZERO,
    Band,
    InputError,
    LeafInput,
    Level,
    Method,
    MethodSpec,
    ParameterError,
    ZeroDenominator,
    code_key,
    gettext_noop,
    round_points,
    score_leaf,
)
from scoring.engine.ranking import Rank, rank, rank_results
from scoring.engine.scoring import Adjustment, Deduction, UnitResult, score_unit, score_units
from scoring.engine.tree import ClassBand, Classification, CriteriaTree, Criterion

__all__ = [
    "ADJUSTMENT_METHODS",
    "CENT",
    "HUNDRED",
    "ONE",
    "ZERO",
    "Adjustment",
    "Band",
    "ClassBand",
    "Classification",
    "CriteriaTree",
    "Criterion",
    "Deduction",
    "InputError",
    "LeafInput",
    "Level",
    "Method",
    "MethodSpec",
    "ParameterError",
    "Rank",
    "UnitResult",
    "ZeroDenominator",
    "code_key",
    "gettext_noop",
    "rank",
    "rank_results",
    "round_points",
    "score_leaf",
    "score_unit",
    "score_units",
]
