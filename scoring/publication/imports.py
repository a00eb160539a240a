"""Loading a past year's published results from a spreadsheet, as the published record of
that year's decision, so that trends and "so với năm trước" work from the first year of use.

Columns: ``Mã đơn vị``, ``Điểm``, ``Điểm tối đa`` or ``Chỉ số (%)`` (or both, which must
agree), ``Xếp hạng`` (``8`` or ``8/18``), ``Xếp loại``, and optionally one column per field,
``Lĩnh vực 1`` … (its score), each with ``Tối đa lĩnh vực 1`` … (its maximum). All or
nothing; every bad row is listed.
"""

from __future__ import annotations

import datetime
import itertools
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from cchc.models import Unit, User
from cchc.spreadsheets import ImportRefused, RowError, Table, cell_decimal, cell_text
from scoring.criteria.parameters import format_number
from scoring.engine import HUNDRED, round_points
from scoring.models import CriteriaSet, Decision, PublishedResult

UNIT = "Mã đơn vị"
SCORE = "Điểm"
MAXIMUM = "Điểm tối đa"
INDEX = "Chỉ số (%)"
RANK = "Xếp hạng"
CLASSIFICATION = "Xếp loại"
FIELD = re.compile(r"^Lĩnh vực ([1-9][0-9]*)$")
FIELD_MAX = "Tối đa lĩnh vực {code}"
COLUMNS = [UNIT, SCORE, MAXIMUM, INDEX, RANK, CLASSIFICATION, "Lĩnh vực 1", "Tối đa lĩnh vực 1"]
RANK_TEXT = re.compile(r"^\s*(\d+)\s*(?:/\s*(\d+))?\s*$")


@dataclass
class PastResult:
    row: int
    unit: Unit
    score: Decimal
    maximum: Decimal
    index: Decimal
    rank: int
    classification: str
    fields: dict[str, list[str]]


@dataclass(frozen=True)
class PastDecision:
    year: int
    scope: Unit
    number: str
    date: datetime.date
    issuing_body: str = ""
    title: str = ""


def _number(
    values: dict[str, object], column: str, errors: list[RowError], row: int
) -> Decimal | None:
    try:
        number = cell_decimal(values.get(column))
    except ValueError:
        errors.append(RowError(row, column, _("not a number"), cell_text(values.get(column))))
        return None
    if number is not None and number < 0:
        errors.append(RowError(row, column, _("cannot be negative"), cell_text(values.get(column))))
        return None
    return number


def validate_results(table: Table, scope: Unit, year: int) -> list[PastResult]:
    errors = table.missing_columns([UNIT, SCORE, RANK])
    if not errors and MAXIMUM not in table.headers and INDEX not in table.headers:
        errors.append(RowError(1, MAXIMUM, _("give the maximum or the index (%) of each unit")))
    if errors:
        raise ImportRefused(errors)
    field_codes = [m.group(1) for m in (FIELD.match(h) for h in table.headers) if m]
    codes = {cell_text(values.get(UNIT)) for _number_, values in table.rows}
    # A code is read at the year's end, when the year's decision ranked the units.
    units = {
        u.code: u
        for u in Unit.objects.within([scope])
        .filter(code__in=codes)
        .in_force_on(datetime.date(year, 12, 31))
    }
    parsed: list[PastResult] = []
    seen: dict[str, int] = {}
    count = len(table.rows)
    for row, values in table.rows:
        before = len(errors)
        code = cell_text(values.get(UNIT))
        unit = units.get(code)
        if unit is None:
            errors.append(
                RowError(
                    row,
                    UNIT,
                    _("no unit with code %(code)s under %(scope)s")
                    % {"code": code, "scope": scope},
                    code,
                )
            )
        elif code in seen:
            errors.append(
                RowError(
                    row,
                    UNIT,
                    _("the unit is already on row %(first)d") % {"first": seen[code]},
                    code,
                )
            )
        else:
            seen[code] = row
        score = _number(values, SCORE, errors, row)
        maximum = _number(values, MAXIMUM, errors, row) if MAXIMUM in table.headers else None
        index = _number(values, INDEX, errors, row) if INDEX in table.headers else None
        if score is None and len(errors) == before:
            errors.append(RowError(row, SCORE, _("the score is missing")))
        if maximum is None and index is None and len(errors) == before:
            errors.append(RowError(row, MAXIMUM, _("give the maximum or the index (%)")))
        rank_text = cell_text(values.get(RANK))
        match = RANK_TEXT.match(rank_text)
        rank = int(match.group(1)) if match else 0
        if match is None or not 1 <= rank <= count:
            errors.append(
                RowError(
                    row,
                    RANK,
                    _("a rank from 1 to %(count)d, e.g. 8 or 8/%(count)d") % {"count": count},
                    rank_text,
                )
            )
        elif match.group(2) and int(match.group(2)) != count:
            errors.append(
                RowError(
                    row,
                    RANK,
                    _("ranked among %(of)s, but the file has %(count)d units")
                    % {"of": match.group(2), "count": count},
                    rank_text,
                )
            )
        if len(errors) > before or score is None or unit is None:
            continue
        if maximum is None:
            assert index is not None
            maximum = round_points(score / index * HUNDRED) if index else Decimal(0)
        computed = round_points(score / maximum * HUNDRED) if maximum else Decimal(0)
        if index is not None and abs(computed - index) > Decimal("0.01"):
            errors.append(
                RowError(
                    row,
                    INDEX,
                    _("%(score)s of %(max)s is %(computed)s%%, not %(index)s%%")
                    % {
                        "score": format_number(score),
                        "max": format_number(maximum),
                        "computed": format_number(computed),
                        "index": format_number(index),
                    },
                    cell_text(values.get(INDEX)),
                )
            )
            continue
        if score > maximum:
            errors.append(
                RowError(row, SCORE, _("the score is above the maximum"), format_number(score))
            )
            continue
        fields = {}
        for field_code in field_codes:
            field_score = _number(values, f"Lĩnh vực {field_code}", errors, row)
            field_max = _number(values, FIELD_MAX.format(code=field_code), errors, row)
            if field_score is not None:
                fields[field_code] = [str(field_score), str(field_max or Decimal(0))]
        parsed.append(
            PastResult(
                row,
                unit,
                score,
                maximum,
                index if index is not None else computed,
                rank,
                cell_text(values.get(CLASSIFICATION)),
                fields,
            )
        )
    _check_order(parsed, errors)
    if errors:
        raise ImportRefused(errors)
    return parsed


def _check_order(rows: list[PastResult], errors: list[RowError]) -> None:
    """A unit ranked above another must not have a lower index (a typo a decision made by
    hand may hold, and a computed ranking would not)."""
    ordered = sorted(rows, key=lambda r: r.rank)
    for higher, lower in itertools.pairwise(ordered):
        if higher.index < lower.index:
            errors.append(
                RowError(
                    lower.row,
                    RANK,
                    _(
                        "ranked %(rank)d with %(index)s%%, below row %(other)d ranked %(other_rank)d with %(other_index)s%%"
                    )
                    % {
                        "rank": lower.rank,
                        "index": format_number(lower.index),
                        "other": higher.row,
                        "other_rank": higher.rank,
                        "other_index": format_number(higher.index),
                    },
                    str(lower.rank),
                )
            )


@transaction.atomic
def import_results(table: Table, past: PastDecision, user: User) -> Decision:
    """The year's published record: a decision (marked as loaded from a file) with every
    unit's result, under a criteria set that stands for that year's set."""
    rows = validate_results(table, past.scope, past.year)
    title = past.title or f"Chỉ số CCHC năm {past.year} (Quyết định {past.number})"
    criteria_set, _created = CriteriaSet.objects.get_or_create(
        year=past.year,
        scope=past.scope,
        title=title,
        defaults={
            "issuer": past.scope,
            "status": CriteriaSet.Status.PUBLISHED,
            "decision_number": past.number,
            "decision_date": past.date,
            "unit_kinds": sorted({r.unit.kind for r in rows}),
            "declared_total": max((r.maximum for r in rows), default=Decimal(100)) or Decimal(100),
        },
    )
    if criteria_set.decisions.exists():
        raise ImportRefused(
            [RowError(0, "", _("Results of %(title)s are already loaded.") % {"title": title})]
        )
    decision = Decision.objects.create(
        criteria_set=criteria_set,
        number=past.number,
        date=past.date,
        place=past.scope.name,
        issuing_body=past.issuing_body
        or f"ỦY BAN NHÂN DÂN {past.scope.kind_vietnamese.upper()} {past.scope.name.upper()}",
        signer_name="",
        legal_bases="",
        recipients="",
        imported=True,
        published_by=user if user.pk else None,
    )
    PublishedResult.objects.bulk_create(
        [
            PublishedResult(
                decision=decision,
                unit=r.unit,
                unit_label=str(r.unit),
                total=r.score,
                max_total=r.maximum,
                index=r.index,
                classification=r.classification,
                fields=r.fields,
                rank=r.rank,
                rank_of=len(rows),
            )
            for r in rows
        ]
    )
    return decision
