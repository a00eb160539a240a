"""Reporting periods of dossier statistics: a month, quarter, half-year or year.

Written as ``2023`` (year), ``2023-H1`` (half-year), ``2023-Q1`` (quarter), ``2023-03``
(month).
"""

from __future__ import annotations

import calendar
import datetime
import enum
import re
from dataclasses import dataclass


class PeriodKind(enum.StrEnum):
    YEAR = "year"
    HALF = "half"
    QUARTER = "quarter"
    MONTH = "month"


MONTHS_IN = {PeriodKind.YEAR: 12, PeriodKind.HALF: 6, PeriodKind.QUARTER: 3, PeriodKind.MONTH: 1}
# Finest first: where a unit has figures of several kinds in a range, the finest are used.
FINEST_FIRST = [PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.HALF, PeriodKind.YEAR]
_PATTERNS = [
    (re.compile(r"^(\d{4})$"), PeriodKind.YEAR),
    (re.compile(r"^(\d{4})-[Hh]([12])$"), PeriodKind.HALF),
    (re.compile(r"^(\d{4})-[Qq]([1-4])$"), PeriodKind.QUARTER),
    (re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"), PeriodKind.MONTH),
]


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period; ``number`` is the month, quarter or half (0 for a year)."""

    year: int
    kind: PeriodKind
    number: int

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read ``2023``, ``2023-H1``, ``2023-Q1`` or ``2023-03``; raise ValueError otherwise."""
        cleaned = str(text).strip()
        for pattern, kind in _PATTERNS:
            match = pattern.match(cleaned)
            if match:
                year = int(match.group(1))
                if not 1990 <= year <= 2100:
                    break
                number = int(match.group(2)) if kind is not PeriodKind.YEAR else 0
                return cls(year, kind, number)
        raise ValueError(cleaned)

    @property
    def first_month(self) -> int:
        return 1 if self.kind is PeriodKind.YEAR else (self.number - 1) * MONTHS_IN[self.kind] + 1

    @property
    def last_month(self) -> int:
        return self.first_month + MONTHS_IN[self.kind] - 1

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, self.first_month, 1)

    @property
    def end(self) -> datetime.date:
        month = self.last_month
        return datetime.date(self.year, month, calendar.monthrange(self.year, month)[1])

    def __str__(self) -> str:
        if self.kind is PeriodKind.YEAR:
            return str(self.year)
        if self.kind is PeriodKind.MONTH:
            return f"{self.year}-{self.number:02d}"
        letter = "H" if self.kind is PeriodKind.HALF else "Q"
        return f"{self.year}-{letter}{self.number}"

    def label_vi(self) -> str:
        """As Vietnamese reports write it: "Quý 1/2023", "Tháng 3/2023", "6 tháng đầu năm 2022"."""
        if self.kind is PeriodKind.YEAR:
            return f"Năm {self.year}"
        if self.kind is PeriodKind.MONTH:
            return f"Tháng {self.number}/{self.year}"
        if self.kind is PeriodKind.QUARTER:
            return f"Quý {self.number}/{self.year}"
        return f"6 tháng {'đầu' if self.number == 1 else 'cuối'} năm {self.year}"
