"""The one way numbers are written: in Vietnamese 84,66 and 8.525 (decimal comma, thousands
dot), in English 84.66 and 8,525; points to at most two decimals, counts without decimals.
Templates (the ``number`` filter), forms, messages, PDFs and spreadsheets' texts all call
``format_number``."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import formats, translation

TWO_PLACES = Decimal("0.01")
WHOLE = Decimal(1)
_PLACES = {n: WHOLE.scaleb(-n) for n in range(7)}


@lru_cache(maxsize=16)
def _separators(language: str | None) -> dict[int, str]:
    """The language's separators as a ``str.translate`` table from Python's "1,234.5"."""
    return str.maketrans(
        {
            ",": formats.get_format("THOUSAND_SEPARATOR"),
            ".": formats.get_format("DECIMAL_SEPARATOR"),
        }
    )


@receiver(setting_changed)
def _formats_changed(**_kwargs: Any) -> None:
    _separators.cache_clear()


def format_number(value: Any, places: int | None = None) -> str:
    """``value`` written for the reader: ``places`` fixes the decimals (84,00); without it,
    at most two, trailing zeros dropped (1,5; 1.512). Empty for None and ""."""
    if value is None or value == "":
        return ""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return str(value)
    # Rounding passed by position: by keyword it costs twice the time (pages write hundreds).
    if places is None:
        number = number.quantize(TWO_PLACES, ROUND_HALF_UP)
        if number == number.to_integral_value():
            number = number.quantize(WHOLE)
        else:
            number = number.normalize()
    else:
        number = number.quantize(_PLACES.get(places) or WHOLE.scaleb(-places), ROUND_HALF_UP)
    if not number:
        number = abs(number)  # never "-0"
    return format(number, ",f").translate(_separators(translation.get_language()))
