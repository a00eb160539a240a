"""Ranking units by their index: equal values share a rank (1, 2, 2, 4, or dense 1, 2, 2, 3)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter
from typing import TypeVar

from scoring.engine.scoring import UnitResult

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Rank:
    position: int
    of: int

    def __str__(self) -> str:
        return f"{self.position}/{self.of}"


def rank(values: Mapping[K, Decimal], dense: bool = False) -> dict[K, Rank]:
    """Rank by value, highest first. Equal values share a rank: 1, 2, 2, 4 by default
    (standard competition ranking) or 1, 2, 2, 3 when ``dense``."""
    ordered = sorted(values.items(), key=itemgetter(1), reverse=True)
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
