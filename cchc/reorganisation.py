"""Reorganisations of the unit tree: merging units into a new one with its lineage.

Codes are resolved at the dates they apply to: the old units' codes on the eve of the merger,
the parent's on its first day. The new unit may take the code of one of the units it
replaces (the 2025 reform did): the code then names the old unit until the eve and the new
one from the day."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cchc.models import FOREVER, CodeError, Lineage, Reorganisation, Unit


def parent_on(code: str | None, effective: datetime.date) -> Unit | None:
    if not code:
        return None
    try:
        return Unit.objects.at(code, effective)
    except CodeError as error:
        raise ValidationError(error.messages) from None


@transaction.atomic
def merge_units(
    old_units: Sequence[Unit],
    *,
    new_code: str,
    new_name: str,
    new_kind: str,
    parent: Unit | None,
    effective: datetime.date,
    problems: Sequence[str] = (),
) -> Unit:
    """Close ``old_units`` on the day before ``effective`` and create their successor.

    The new unit is in force from ``effective`` and lists the old units as predecessors.
    Refused, with every reason, when an old unit is not in force on the eve of the merger or
    still has sub-units in force after it, or the new code names another unit then."""
    errors: list[str] = list(problems)  # found by the caller (unknown codes...)
    if not old_units and not errors:
        errors.append(_("Name at least one unit to merge."))
    old_units = list(Unit.objects.select_for_update().filter(pk__in=[u.pk for u in old_units]))
    eve = effective - datetime.timedelta(days=1)
    for unit in old_units:
        if not unit.is_in_force_on(eve):
            errors.append(
                _("%(unit)s is not in force on %(day)s.")
                % {"unit": unit, "day": eve.strftime("%d/%m/%Y")}
            )
        living_children = unit.children.in_force_on(effective)
        if living_children.exists():
            codes = ", ".join(living_children.values_list("code", flat=True)[:10])
            errors.append(
                _(
                    "%(unit)s still has sub-units in force on %(day)s (%(codes)s): reorganise them first."
                )
                % {"unit": unit, "day": effective.strftime("%d/%m/%Y"), "codes": codes}
            )
    closing = {u.pk for u in old_units}
    taken = (
        Unit.objects.filter(code=new_code)
        .in_force_between(effective, FOREVER)
        .exclude(pk__in=closing)
        .first()
    )
    if taken is not None:
        errors.append(
            _("The code %(code)s names %(unit)s (%(life)s) on or after %(day)s.")
            % {
                "code": new_code,
                "unit": taken,
                "life": taken.life,
                "day": effective.strftime("%d/%m/%Y"),
            }
        )
    if errors:
        raise ValidationError(errors)

    for unit in old_units:
        unit.valid_to = eve
        unit.save(update_fields=["valid_to"])
    successor = Unit(
        code=new_code, name=new_name, kind=new_kind, parent=parent, valid_from=effective
    )
    successor.full_clean()
    successor.save()
    reorganisation, _created = Reorganisation.objects.get_or_create(
        effective=effective,
        defaults={"name": _("Reorganisation of %(day)s") % {"day": effective.strftime("%d/%m/%Y")}},
    )
    Lineage.objects.bulk_create(
        [
            Lineage(successor=successor, predecessor=unit, reorganisation=reorganisation)
            for unit in old_units
        ]
    )
    return successor


def merge_codes(
    old_codes: Sequence[str],
    *,
    new_code: str,
    new_name: str,
    new_kind: str,
    parent_code: str | None,
    effective: datetime.date,
) -> Unit:
    """``merge_units`` with the units named by their codes (resolved at their dates); every
    problem listed at once."""
    eve = effective - datetime.timedelta(days=1)
    found, problems = [], []
    for code in old_codes:
        try:
            found.append(Unit.objects.at(code, eve))
        except CodeError as error:
            problems += error.messages
    parent = None
    try:
        parent = parent_on(parent_code, effective)
    except ValidationError as error:
        problems += error.messages
    return merge_units(
        found,
        new_code=new_code,
        new_name=new_name,
        new_kind=new_kind,
        parent=parent,
        effective=effective,
        problems=problems,
    )


@dataclass(frozen=True)
class Inheritance:
    """What a successor takes of one of its predecessors (directly or through several
    reorganisations): ``weight`` 1 for the whole unit; for a unit divided between several
    successors, all or nothing under the rule "all to the main successor", its share under
    the rule "shares"."""

    predecessor_id: int
    weight: Decimal
    divided: bool

    @property
    def partial(self) -> bool:
        return self.divided and self.weight < 1


MAX_GENERATIONS = 10
ONE = Decimal(1)


def inheritances(successors: Iterable[int]) -> dict[int, list[Inheritance]]:
    """For each unit with predecessors: every predecessor through every reorganisation, with
    the weight of its figures and results that the unit takes (a few queries whatever the
    number of units)."""
    direct: dict[int, list[tuple[int, bool, Decimal | None, str]]] = defaultdict(list)
    frontier, seen = set(successors), set(successors)
    for _generation in range(MAX_GENERATIONS):
        links = list(
            Lineage.objects.filter(successor_id__in=frontier).values_list(
                "successor_id", "predecessor_id", "main", "share", "reorganisation__division_rule"
            )
        )
        if not links:
            break
        for successor, predecessor, main, share, rule in links:
            direct[successor].append((predecessor, main, share, rule or ""))
        frontier = {link[1] for link in links} - seen
        seen |= frontier
    predecessors = {p for links in direct.values() for p, *_rest in links}
    siblings: dict[int, list[tuple[bool, Decimal | None]]] = defaultdict(list)
    for predecessor, main, share in Lineage.objects.filter(
        predecessor_id__in=predecessors
    ).values_list("predecessor_id", "main", "share"):
        siblings[predecessor].append((main, share))

    def weight(predecessor: int, main: bool, share: Decimal | None, rule: str) -> Decimal:
        others = siblings[predecessor]
        if len(others) <= 1:
            return ONE
        if rule != Reorganisation.DivisionRule.SHARES:
            return ONE if main else Decimal(0)
        if share is not None:
            return share / 100
        if not main:
            return Decimal(0)
        entered = sum((s for m, s in others if s is not None and not m), Decimal(0))
        return max(Decimal(0), (100 - entered) / 100)

    closure: dict[int, list[Inheritance]] = {}
    for start in successors:
        found: dict[int, Inheritance] = {}
        stack = [(start, ONE)]
        while stack:
            unit, carried = stack.pop()
            for predecessor, main, share, rule in direct.get(unit, ()):
                if predecessor in found or predecessor == start:
                    continue
                taken = carried * weight(predecessor, main, share, rule)
                found[predecessor] = Inheritance(predecessor, taken, len(siblings[predecessor]) > 1)
                stack.append((predecessor, taken))
        if found:
            closure[start] = list(found.values())
    return closure


def divided_links(
    reorganisation: Reorganisation, units: Iterable[Unit]
) -> dict[Unit, list[Lineage]]:
    """The units the reorganisation divided between several successors (among ``units``),
    each with its links to its successors, the main one first."""
    links = (
        Lineage.objects.filter(reorganisation=reorganisation, predecessor__in=units)
        .select_related("predecessor", "successor")
        .order_by("predecessor__path", "-main", "successor__code")
    )
    by_predecessor: dict[Unit, list[Lineage]] = defaultdict(list)
    for link in links:
        by_predecessor[link.predecessor].append(link)
    return {unit: found for unit, found in by_predecessor.items() if len(found) > 1}


@transaction.atomic
def set_division(
    reorganisation: Reorganisation, rule: str, shares: dict[int, Decimal | None]
) -> None:
    """Choose how divided units' figures and results follow the reorganisation, and the
    shares (in %) each successor takes. The shares of one divided unit are all given or all
    left empty, and add up to 100. Refused with every problem; nothing changes then."""
    if rule not in Reorganisation.DivisionRule.values:
        raise ValidationError(_("Choose how a divided unit's figures go."))
    links = {
        link.pk: link
        for link in Lineage.objects.filter(
            reorganisation=reorganisation, pk__in=shares
        ).select_related("predecessor")
    }
    by_predecessor: dict[int, list[Lineage]] = defaultdict(list)
    for pk, link in links.items():
        link.share = shares[pk]
        by_predecessor[link.predecessor_id].append(link)
    problems = []
    for group in by_predecessor.values():
        given = [link.share for link in group if link.share is not None]
        if given and (len(given) != len(group) or sum(given) != 100):
            problems.append(
                _("%(unit)s: give every successor's share, adding up to 100%% (now %(sum)s%%).")
                % {"unit": group[0].predecessor, "sum": sum(given, Decimal(0)).normalize()}
            )
        if any(share is not None and not 0 <= share <= 100 for share in given):
            problems.append(
                _("%(unit)s: a share lies between 0 and 100.") % {"unit": group[0].predecessor}
            )
    if problems:
        raise ValidationError(problems)
    Lineage.objects.bulk_update(list(links.values()), ["share"])
    reorganisation.division_rule = rule
    reorganisation.save(update_fields=["division_rule"])
