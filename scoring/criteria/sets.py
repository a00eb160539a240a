"""Workflows on criteria sets: import a file as a set, copy a set to a new year, publish."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.models import UNIT_KIND_VIETNAMESE, Unit, UnitKind, User, parse_unit_kind
from cchc.spreadsheets import ImportRefused, RowError, Table
from scoring.criteria.files import validate_criteria, write_criteria
from scoring.models import CriteriaSet, Criterion, RankingGroup

COMMUNE_KINDS = [UnitKind.COMMUNE, UnitKind.WARD, UnitKind.TOWNSHIP, UnitKind.SPECIAL_ZONE]
DEFAULT_BANDS: list[list[str | int]] = [["Tốt", 90], ["Khá", 80], ["Trung bình", 65], ["Yếu", 0]]


def parse_bands(text: str) -> list[list[str | int | float]]:
    """Classification bands written as "label = lowest index; ..." (as the form and the
    command take them). Raises ValueError on a malformed band or when there is none."""
    from scoring.criteria.parameters import parse_number

    bands: list[list[str | int | float]] = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        label, equals, minimum = part.rpartition("=")
        number = parse_number(minimum)  # ValueError when not a number
        if not equals or not label.strip() or not 0 <= number <= 100:
            raise ValueError(part)
        bands.append(
            [label.strip(), int(number) if number == number.to_integral() else float(number)]
        )
    if not bands:
        raise ValueError(text)
    return bands


def visible_criteria_sets(user: User) -> QuerySet[CriteriaSet]:
    """Sets that score units this user sees, or that were issued above them."""
    return CriteriaSet.objects.visible_to(user).select_related("scope", "issuer")


@dataclass
class SetDetails:
    """What identifies and governs a set besides its criteria."""

    year: int
    title: str
    scope: Unit
    issuer: Unit | None = None
    decision_number: str = ""
    decision_date: datetime.date | None = None
    declared_total: Decimal | None = Decimal(100)  # None: the file's own total
    unit_kinds: list[str] = field(default_factory=lambda: [str(k) for k in COMMUNE_KINDS])
    classification_bands: list[list[str | int | float]] = field(
        default_factory=lambda: [list(b) for b in DEFAULT_BANDS]
    )
    ranking_rule: str = CriteriaSet.RankingRule.COMPETITION


@transaction.atomic
def import_criteria_set(table: Table, details: SetDetails) -> tuple[CriteriaSet, bool]:
    """Create the set (or replace the criteria of the same draft set) from a file.

    Returns the set and whether it was created. All or nothing.
    """
    rows = validate_criteria(table, details.declared_total)
    existing = CriteriaSet.objects.filter(
        year=details.year, scope=details.scope, title=details.title
    ).first()
    if existing is not None and existing.is_published:
        raise ImportRefused(
            [
                RowError(
                    0,
                    "",
                    _("A published set with this year, scope and title exists; it cannot change."),
                )
            ]
        )
    criteria_set = existing or CriteriaSet(
        year=details.year, scope=details.scope, title=details.title
    )
    criteria_set.issuer = details.issuer or details.scope
    criteria_set.decision_number = details.decision_number
    criteria_set.decision_date = details.decision_date
    top_total = sum(
        (row.max_score or Decimal(0) for row in rows if not row.parent_code), Decimal(0)
    )
    criteria_set.declared_total = (
        details.declared_total if details.declared_total is not None else top_total
    )
    criteria_set.unit_kinds = details.unit_kinds
    criteria_set.classification_bands = details.classification_bands
    criteria_set.ranking_rule = details.ranking_rule
    criteria_set.save()
    write_criteria(criteria_set, rows)
    return criteria_set, existing is None


@transaction.atomic
def copy_criteria_set(source: CriteriaSet, year: int, title: str | None = None) -> CriteriaSet:
    """A draft copy of ``source`` for ``year``, with the same criteria."""
    copy = CriteriaSet.objects.create(
        year=year,
        title=title or source.title.replace(str(source.year), str(year)),
        scope=source.scope,
        issuer=source.issuer,
        unit_kinds=list(source.unit_kinds),
        declared_total=source.declared_total,
        classification_bands=[list(band) for band in source.classification_bands],
        ranking_rule=source.ranking_rule,
        copied_from=source,
    )
    new_of: dict[int, Criterion] = {}
    for criterion in source.criteria.order_by("sort_key"):
        old_pk = criterion.pk
        parent = new_of.get(criterion.parent_id) if criterion.parent_id else None
        criterion.pk = None
        criterion.criteria_set = copy
        criterion.parent = parent
        criterion.save()
        new_of[old_pk] = criterion
    RankingGroup.objects.bulk_create(
        [
            RankingGroup(
                criteria_set=copy,
                name=group.name,
                unit_kinds=list(group.unit_kinds),
                position=group.position,
            )
            for group in ranking_groups_of(source)
        ]
    )
    return copy


def publish_criteria_set(criteria_set: CriteriaSet) -> None:
    """Publish a draft set; from then on it is read-only. Refused, with every problem, when
    the tree no longer adds up (a draft can be edited in the admin after its import)."""
    from scoring.criteria.parameters import format_number
    from scoring.criteria.trees import load_tree

    criteria_set.ensure_editable()
    tree = load_tree(criteria_set)
    problems = [
        _("%(code)s: the maximum %(declared)s differs from the sum of its sub-criteria, %(sum)s")
        % {"code": code, "declared": format_number(declared), "sum": format_number(children)}
        for code, declared, children in tree.mismatched_parents()
    ]
    if tree.max_total != criteria_set.declared_total:
        problems.append(
            _(
                "The maxima add up to %(total)s, not the declared total %(declared)s (difference %(difference)s)."
            )
            % {
                "total": format_number(tree.max_total),
                "declared": format_number(criteria_set.declared_total),
                "difference": format_number(tree.max_total - criteria_set.declared_total),
            }
        )
    if problems:
        raise ValidationError(problems)
    criteria_set.status = CriteriaSet.Status.PUBLISHED
    criteria_set.published_at = timezone.now()
    criteria_set.save(update_fields=["status", "published_at"])


def ranking_groups_of(criteria_set: CriteriaSet) -> list[RankingGroup]:
    return list(criteria_set.ranking_groups.order_by("position", "pk"))


@transaction.atomic
def set_ranking_groups(criteria_set: CriteriaSet, groups: list[tuple[str, list[str]]]) -> None:
    """Rank the set's units in these groups (name, unit types), replacing any before; each
    type the set scores must be in exactly one group. An empty list ranks all together.
    Refused once results of the set are published."""
    if criteria_set.decisions.exists():
        raise ValidationError(_("Results of this set are published; its groups cannot change."))
    problems = []
    seen: dict[str, str] = {}
    for name, kinds in groups:
        if not name.strip():
            problems.append(_("Every group needs a name."))
        for kind in kinds:
            if kind not in criteria_set.unit_kinds:
                problems.append(
                    _("%(group)s: the set does not score units of type %(kind)s.")
                    % {"group": name, "kind": kind}
                )
            elif kind in seen:
                problems.append(
                    _("%(kind)s is in both %(first)s and %(second)s.")
                    % {"kind": kind, "first": seen[kind], "second": name}
                )
            else:
                seen[kind] = name
    missing = [kind for kind in criteria_set.unit_kinds if kind not in seen]
    if groups and missing:
        problems.append(
            _("No group ranks the units of type %(kinds)s.") % {"kinds": ", ".join(missing)}
        )
    if problems:
        raise ValidationError(problems)
    criteria_set.ranking_groups.all().delete()
    RankingGroup.objects.bulk_create(
        [
            RankingGroup(criteria_set=criteria_set, name=name.strip(), unit_kinds=kinds, position=i)
            for i, (name, kinds) in enumerate(groups)
        ]
    )


def parse_groups(text: str) -> list[tuple[str, list[str]]]:
    """Groups written one per line as "name: type, type" (types by code or Vietnamese name,
    e.g. "Phường: Phường" and "Xã và đặc khu: Xã, Đặc khu"). Raises ValidationError."""
    groups: list[tuple[str, list[str]]] = []
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, colon, kinds_text = line.partition(":")
        kinds = [parse_unit_kind(k) for k in kinds_text.split(",") if k.strip()]
        if not colon or not kinds or None in kinds:
            problems.append(
                _("Line %(line)d: write the group as “name: type, type” (e.g. Phường: Phường).")
                % {"line": number}
            )
            continue
        groups.append((name.strip(), [str(kind) for kind in kinds]))
    if problems:
        raise ValidationError(problems)
    return groups


def groups_text(groups: list[RankingGroup]) -> str:
    return "\n".join(
        f"{group.name}: " + ", ".join(UNIT_KIND_VIETNAMESE.get(k, k) for k in group.unit_kinds)
        for group in groups
    )
