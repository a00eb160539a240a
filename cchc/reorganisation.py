"""Reorganisations of the unit tree: merging units into a new one with its lineage."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cchc.models import Unit


@transaction.atomic
def merge_units(
    old_codes: Sequence[str],
    *,
    new_code: str,
    new_name: str,
    new_kind: str,
    parent_code: str | None,
    effective: datetime.date,
) -> Unit:
    """Close ``old_codes`` on the day before ``effective`` and create their successor.

    The new unit is in force from ``effective`` and lists the old units as predecessors.
    Refused, with every reason, when a code is unknown or reused, an old unit is not in
    force on the eve of the merge, or still has sub-units in force after it.
    """
    errors: list[str] = []
    if not old_codes:
        errors.append(_("Name at least one unit to merge."))
    old_units = list(Unit.objects.select_for_update().filter(code__in=old_codes))
    found = {unit.code for unit in old_units}
    errors += [
        _("There is no unit with code %(code)s.") % {"code": c} for c in old_codes if c not in found
    ]
    if Unit.objects.filter(code=new_code).exists():
        errors.append(
            _("The code %(code)s already belongs to a unit; a code is never reused.")
            % {"code": new_code}
        )
    eve = effective - datetime.timedelta(days=1)
    for unit in old_units:
        if not unit.is_in_force_on(eve):
            errors.append(
                _("%(unit)s is not in force on %(day)s.")
                % {"unit": unit.code, "day": eve.strftime("%d/%m/%Y")}
            )
        living_children = unit.children.in_force_on(effective)
        if living_children.exists():
            codes = ", ".join(living_children.values_list("code", flat=True)[:10])
            errors.append(
                _(
                    "%(unit)s still has sub-units in force on %(day)s (%(codes)s): reorganise them first."
                )
                % {"unit": unit.code, "day": effective.strftime("%d/%m/%Y"), "codes": codes}
            )
    parent = Unit.objects.filter(code=parent_code).first() if parent_code else None
    if parent_code and parent is None:
        errors.append(_("There is no unit with code %(code)s.") % {"code": parent_code})
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
    successor.predecessors.set(old_units)
    return successor
