"""Scoring methods' parameters: the readable text of the ``Tham số`` column, the JSON kept
in the database, and the method explained in words.

The text form is ``key: value`` pairs separated by ``;``; lists inside a value are
separated by ``|``; numbers take a decimal comma or point::

    manual        bước: 0,5
    levels        mức: Từ 3 hình thức trở lên = 2 | Có 1–2 hình thức = 1 | Không có = 0
    thresholds    giá trị: ty_le_dung_han; ngưỡng: 98 = 3 | 95 = 2 | 90 = 1
    thresholds    tử số: a; mẫu số: b; ngưỡng: 100 = 2 | 80 = 1; mẫu số 0: không áp dụng
    proportional  tử số: ket_qua_dien_tu; mẫu số: da_giai_quyet; mẫu số 0: đủ điểm
    count         mỗi mục: 1
    yes_no, survey, bonus, penalty: no parameters (a bonus's or penalty's cap is its maximum)

Any method may add ``không áp dụng: được phép``: the unit may then declare, with a reason,
that the criterion does not apply to it.

A threshold on a ratio reads it in % (numerator / denominator × 100). ``mẫu số 0`` (what a
zero denominator scores) is one of ``đủ điểm``, ``0 điểm``, ``không áp dụng`` (default).
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import translation
from django.utils.translation import gettext as _

from dossiers.figures import input_labels
from scoring.engine import Band, Level, Method, MethodSpec, ParameterError, ZeroDenominator

METHOD_NAMES_VI: dict[Method, str] = {
    Method.MANUAL: "Chấm trực tiếp",
    Method.YES_NO: "Có/Không",
    Method.LEVELS: "Theo mức",
    Method.THRESHOLDS: "Theo ngưỡng",
    Method.PROPORTIONAL: "Theo tỷ lệ",
    Method.COUNT: "Theo số lượng",
    Method.SURVEY: "Điều tra xã hội học",
    Method.BONUS: "Điểm thưởng",
    Method.PENALTY: "Điểm trừ",
}
ZERO_RULE_VI: dict[ZeroDenominator, str] = {
    ZeroDenominator.FULL: "đủ điểm",
    ZeroDenominator.ZERO: "0 điểm",
    ZeroDenominator.NOT_APPLICABLE: "không áp dụng",
}
KEYS = {
    "bước": "step",
    "step": "step",
    "mức": "levels",
    "levels": "levels",
    "giá trị": "value",
    "value": "value",
    "tử số": "numerator",
    "numerator": "numerator",
    "mẫu số": "denominator",
    "denominator": "denominator",
    "ngưỡng": "bands",
    "bands": "bands",
    "mẫu số 0": "zero",
    "zero": "zero",
    "mỗi mục": "per_item",
    "per_item": "per_item",
    "không áp dụng": "allow_na",
    "not_applicable": "allow_na",
}
ALLOWED_KEYS: dict[Method, set[str]] = {
    Method.MANUAL: {"step"},
    Method.LEVELS: {"levels"},
    Method.THRESHOLDS: {"value", "numerator", "denominator", "bands", "zero"},
    Method.PROPORTIONAL: {"numerator", "denominator", "zero"},
    Method.COUNT: {"per_item"},
}
INPUT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,59}$")

# Inputs that dossier statistics provide; any other name is typed by the unit.
INPUT_LABELS: dict[str, str] = input_labels()


def parse_method(text: str) -> Method | None:
    """A method from its code or its Vietnamese name, in any case."""
    wanted = text.strip().casefold()
    for method in Method:
        if wanted in (method.value, METHOD_NAMES_VI[method].casefold()):
            return method
    return None


def parse_number(text: str) -> Decimal:
    cleaned = text.strip().replace(" ", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ParameterError(_("“%(text)s” is not a number") % {"text": text.strip()}) from None
    if not number.is_finite():
        raise ParameterError(_("“%(text)s” is not a number") % {"text": text.strip()})
    return number


def format_number(number: Decimal) -> str:
    """See ``cchc.numbers.format_number``: the one function that writes numbers."""
    from cchc.numbers import format_number as written

    return written(number)


def _pairs(text: str) -> list[tuple[str, str]]:
    pairs = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        key, colon, value = part.partition(":")
        if not colon:
            raise ParameterError(_("“%(part)s” is not of the form key: value") % {"part": part})
        pairs.append((key.strip().casefold(), value.strip()))
    return pairs


def _labelled_numbers(text: str) -> list[tuple[str, Decimal]]:
    items = []
    for part in (p.strip() for p in text.split("|")):
        label, equals, points = part.rpartition("=")
        if not equals or not label.strip():
            raise ParameterError(_("“%(part)s” is not of the form label = points") % {"part": part})
        items.append((label.strip(), parse_number(points)))
    return items


def parse_parameters(method: Method, text: str, max_score: Decimal) -> MethodSpec:
    """Read the ``Tham số`` text of a leaf; raise ``ParameterError`` saying what is wrong."""
    values: dict[str, str] = {}
    for key, value in _pairs(text or ""):
        name = KEYS.get(key)
        if name is None or name not in ALLOWED_KEYS.get(method, set()) | {"allow_na"}:
            raise ParameterError(
                _("“%(key)s” is not a parameter of the method %(method)s")
                % {"key": key, "method": METHOD_NAMES_VI[method]}
            )
        if name in values:
            raise ParameterError(_("“%(key)s” is given twice") % {"key": key})
        values[name] = value
    for name in ("value", "numerator", "denominator"):
        if name in values and not INPUT_NAME.match(values[name]):
            raise ParameterError(
                _(
                    "input names use lower-case letters, digits and _ (e.g. da_giai_quyet): “%(name)s”"
                )
                % {"name": values[name]}
            )
    zero = ZeroDenominator.NOT_APPLICABLE
    if "zero" in values:
        matches = [
            rule
            for rule, label in ZERO_RULE_VI.items()
            if label == values["zero"].casefold() or rule.value == values["zero"]
        ]
        if not matches:
            raise ParameterError(
                _("the zero-denominator rule must be one of: %(rules)s")
                % {"rules": ", ".join(ZERO_RULE_VI.values())}
            )
        zero = matches[0]
    spec = MethodSpec(
        method=method,
        step=parse_number(values["step"]) if "step" in values else None,
        levels=tuple(Level(label, points) for label, points in _labelled_numbers(values["levels"]))
        if "levels" in values
        else (),
        bands=tuple(
            sorted(
                (
                    Band(parse_number(minimum), points)
                    for minimum, points in _labelled_numbers(values["bands"])
                ),
                key=lambda band: band.minimum,
                reverse=True,
            )
        )
        if "bands" in values
        else (),
        value_input=values.get("value"),
        numerator=values.get("numerator"),
        denominator=values.get("denominator"),
        on_zero=zero,
        per_item=parse_number(values["per_item"]) if "per_item" in values else None,
        allow_not_applicable=_allow_na(values.get("allow_na")),
    )
    try:
        spec.validate(max_score)
    except ParameterError as error:
        raise ParameterError(_(str(error))) from None
    return spec


ALLOW_NA_WORDS = {"được phép", "có", "yes", "true", "allowed"}


def _allow_na(text: str | None) -> bool:
    if text is None:
        return False
    if text.strip().casefold() not in ALLOW_NA_WORDS:
        raise ParameterError(
            _("write “không áp dụng: được phép” to let a unit declare the criterion does not apply")
        )
    return True


def format_parameters(spec: MethodSpec) -> str:
    """The canonical text of a method's parameters (parsing it gives the same spec)."""
    parts = []
    if spec.step is not None:
        parts.append(f"bước: {format_number(spec.step)}")
    if spec.levels:
        parts.append(
            "mức: " + " | ".join(f"{lv.label} = {format_number(lv.points)}" for lv in spec.levels)
        )
    if spec.value_input:
        parts.append(f"giá trị: {spec.value_input}")
    if spec.numerator and spec.denominator:
        parts.append(f"tử số: {spec.numerator}")
        parts.append(f"mẫu số: {spec.denominator}")
    if spec.bands:
        parts.append(
            "ngưỡng: "
            + " | ".join(
                f"{format_number(b.minimum)} = {format_number(b.points)}" for b in spec.bands
            )
        )
    if spec.numerator and spec.denominator:
        parts.append(f"mẫu số 0: {ZERO_RULE_VI[spec.on_zero]}")
    if spec.per_item is not None:
        parts.append(f"mỗi mục: {format_number(spec.per_item)}")
    if spec.allow_not_applicable:
        parts.append("không áp dụng: được phép")
    return "; ".join(parts)


def spec_to_json(spec: MethodSpec) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if spec.step is not None:
        data["step"] = str(spec.step)
    if spec.levels:
        data["levels"] = [[level.label, str(level.points)] for level in spec.levels]
    if spec.bands:
        data["bands"] = [[str(band.minimum), str(band.points)] for band in spec.bands]
    for name in ("value_input", "numerator", "denominator"):
        if getattr(spec, name):
            data[name] = getattr(spec, name)
    if spec.numerator:
        data["on_zero"] = spec.on_zero.value
    if spec.per_item is not None:
        data["per_item"] = str(spec.per_item)
    if spec.allow_not_applicable:
        data["allow_not_applicable"] = True
    return data


def spec_from_json(method: str, data: dict[str, Any]) -> MethodSpec:
    return MethodSpec(
        method=Method(method),
        step=Decimal(data["step"]) if "step" in data else None,
        levels=tuple(Level(label, Decimal(points)) for label, points in data.get("levels", [])),
        bands=tuple(
            Band(Decimal(minimum), Decimal(points)) for minimum, points in data.get("bands", [])
        ),
        value_input=data.get("value_input"),
        numerator=data.get("numerator"),
        denominator=data.get("denominator"),
        on_zero=ZeroDenominator(data.get("on_zero", ZeroDenominator.NOT_APPLICABLE)),
        per_item=Decimal(data["per_item"]) if "per_item" in data else None,
        allow_not_applicable=bool(data.get("allow_not_applicable", False)),
    )


def input_label(name: str) -> str:
    """The input's name in words, inside a sentence (the indicator catalogue)."""
    from scoring.indicators import label_in_sentence

    return label_in_sentence(name)


def describe(spec: MethodSpec, max_score: Decimal) -> str:
    """The method in words, e.g. "Điểm = 1 × tỷ lệ hồ sơ có kết quả điện tử / hồ sơ đã giải quyết"."""
    return _described(spec, max_score, translation.get_language())


@receiver(setting_changed)
def _formats_changed(**_kwargs: Any) -> None:
    _described.cache_clear()  # numbers are written by the settings' formats


@functools.lru_cache(maxsize=4096)
def _described(spec: MethodSpec, max_score: Decimal, _language: str | None) -> str:
    """``describe``, kept per method, maximum and language: a page describes every
    sub-criterion of its set on each visit. Equal numbers (2 and 2.00) are written alike,
    so they may share an entry."""
    top = format_number(max_score)
    method = spec.method
    if method is Method.MANUAL:
        if spec.step is not None:
            return _("Scored from 0 to %(max)s points in steps of %(step)s") % {
                "max": top,
                "step": format_number(spec.step),
            }
        return _("Scored from 0 to %(max)s points") % {"max": top}
    if method is Method.YES_NO:
        return _("Yes: %(max)s points; no: 0 points") % {"max": top}
    if method is Method.LEVELS:
        levels = "; ".join(
            _("%(label)s: %(points)s points")
            % {"label": lv.label, "points": format_number(lv.points)}
            for lv in spec.levels
        )
        return _("Choose a level — %(levels)s") % {"levels": levels}
    if method is Method.THRESHOLDS:
        measure = (
            input_label(spec.value_input)
            if spec.value_input
            else _("the ratio %(a)s / %(b)s (%%)")
            % {"a": input_label(spec.numerator or ""), "b": input_label(spec.denominator or "")}
        )
        bands = "; ".join(
            _("from %(minimum)s: %(points)s points")
            % {"minimum": format_number(b.minimum), "points": format_number(b.points)}
            for b in spec.bands
        )
        return _("By %(measure)s — %(bands)s; below: 0 points") % {
            "measure": measure,
            "bands": bands,
        }
    if method is Method.PROPORTIONAL:
        return _("Points = %(max)s × ratio of %(a)s / %(b)s") % {
            "max": top,
            "a": input_label(spec.numerator or ""),
            "b": input_label(spec.denominator or ""),
        }
    if method is Method.COUNT:
        return _("%(per)s points per item, at most %(max)s points") % {
            "per": format_number(spec.per_item or Decimal(1)),
            "max": top,
        }
    if method is Method.SURVEY:
        return _("Scored from the survey results, not self-assessed (at most %(max)s points)") % {
            "max": top
        }
    if method is Method.BONUS:
        return _("Bonus of up to %(max)s points, added to the total") % {"max": top}
    return _("Penalty of up to %(max)s points, taken from the total") % {"max": top}
