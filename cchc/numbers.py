"""The one way numbers are written: in Vietnamese 84,66 and 8.525 (decimal comma, thousands
dot), in English 84.66 and 8,525; points to at most two decimals, counts without decimals.
Templates (the ``number`` filter), forms, messages, PDFs and spreadsheets' texts all call
``format_number``."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils import formats

TWO_PLACES = Decimal("0.01")


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
    if places is None:
        number = number.quantize(TWO_PLACES, ROUND_HALF_UP)
        if number == number.to_integral_value():
            number = number.quantize(Decimal(1))
        else:
            number = number.normalize()
    else:
        number = number.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    digits = format(abs(number), "f")
    whole, _dot, fraction = digits.partition(".")
    thousands = formats.get_format("THOUSAND_SEPARATOR")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = thousands.join(groups)
    if fraction:
        text += formats.get_format("DECIMAL_SEPARATOR") + fraction
    return sign + text
