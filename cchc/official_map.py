"""Vietnam's official administrative map before and after the reform of 1 July 2025, from the
open dataset of the ``vietnamadminunits`` package (MIT): the 63-province map (63 provinces,
696 districts, 10,035 communes, wards and townships, with their official codes), the
34-province map (3,321 communes, wards and special zones) and the mapping from the old units
to the new, with the 471 old communes divided between several new ones (the one taking the
main part marked).

How the reform is recorded here:
- every old district, commune, ward and township is in force until 30/06/2025;
- every new commune, ward and special zone is a new unit from 01/07/2025, with its
  predecessors (a divided old commune is a predecessor of each new one that took a part,
  ``main`` marking the one that took the main part);
- a province the reform did not merge (same code, one predecessor) is the same unit before
  and after; a merged province is a new unit from 01/07/2025 whose predecessors are the old
  provinces, and it may carry the code one of them had (new Quảng Trị = 44, Quảng Bình's).
The package has no founding dates: the old map is taken as in force from ``OLD_FROM``.
"""

from __future__ import annotations

import datetime
import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import resources

from django.db import transaction
from django.utils.translation import gettext as _

from cchc.models import Lineage, Reorganisation, Unit, UnitKind

REFORM_DAY = datetime.date(2025, 7, 1)
LAST_OLD_DAY = datetime.date(2025, 6, 30)
OLD_FROM = datetime.date(2000, 1, 1)
REFORM_NAME = "Sắp xếp đơn vị hành chính năm 2025 (chính quyền địa phương hai cấp)"

DISTRICT_KINDS = {
    "Huyện": UnitKind.DISTRICT,
    "Quận": UnitKind.URBAN_DISTRICT,
    "Thị xã": UnitKind.DISTRICT_TOWN,
    "Thành phố": UnitKind.PROVINCIAL_CITY,
}
WARD_KINDS = {
    "Xã": UnitKind.COMMUNE,
    "Phường": UnitKind.WARD,
    "Thị trấn": UnitKind.TOWNSHIP,
    "Đặc khu": UnitKind.SPECIAL_ZONE,
}


@dataclass(frozen=True)
class Record:
    """One official unit: its code, short name, type, parent (by key) and span."""

    key: str  # the dataset's own key, unique within its map
    code: str
    name: str
    kind: str
    parent: str | None
    valid_from: datetime.date
    valid_to: datetime.date | None


@dataclass
class OfficialMap:
    records: list[Record] = field(default_factory=list)
    # new unit key → [(old unit key, takes the main part)]
    lineage: dict[str, list[tuple[str, bool]]] = field(default_factory=dict)
    package_version: str = ""


def _province_kind(full_name: str) -> str:
    return UnitKind.CENTRAL_CITY if full_name.startswith("Thành phố") else UnitKind.PROVINCE


def _package_files() -> tuple[str, str, str]:
    from importlib.metadata import version

    data = resources.files("vietnamadminunits") / "data"
    return str(data / "dataset.db"), str(data / "converter_2025.json"), version("vietnamadminunits")


def read_official_map(provinces: set[str] | None = None) -> OfficialMap:
    """Both maps and the lineage between them; ``provinces``: codes (old or new) to limit it
    to, together with the provinces merged with them."""
    database, converter, package_version = _package_files()
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    old_rows = connection.execute(
        "SELECT provinceKey, provinceCode, province, provinceShort, districtKey, districtCode, "
        "districtShort, districtType, wardKey, wardCode, wardShort, wardType "
        "FROM admin_units_legacy ORDER BY provinceCode, districtCode, wardCode"
    ).fetchall()
    new_rows = connection.execute(
        "SELECT provinceKey, provinceCode, province, provinceShort, wardKey, wardCode, "
        "wardShort, wardType FROM admin_units ORDER BY provinceCode, wardCode"
    ).fetchall()
    connection.close()
    with open(converter, encoding="utf-8") as handle:
        mapping = json.load(handle)

    old_province_code = {row[0]: row[1] for row in old_rows}
    new_province_code = {row[0]: row[1] for row in new_rows}
    merged_from: dict[str, list[str]] = mapping["DICT_PROVINCE"]  # new key → old keys
    wanted_new = set(new_province_code)
    if provinces:
        wanted_new = {
            new
            for new, olds in merged_from.items()
            if new_province_code[new] in provinces
            or any(old_province_code[old] in provinces for old in olds)
        }
    wanted_old = {old for new in wanted_new for old in merged_from[new]}
    continuing = {
        new: merged_from[new][0]
        for new in wanted_new
        if len(merged_from[new]) == 1
        and old_province_code[merged_from[new][0]] == new_province_code[new]
    }

    found = OfficialMap(package_version=package_version)
    seen: set[str] = set()
    for (
        province_key,
        province_code,
        province,
        province_short,
        district_key,
        district_code,
        district_short,
        district_type,
        ward_key,
        ward_code,
        ward_short,
        ward_type,
    ) in old_rows:
        if province_key not in wanted_old:
            continue
        old_province = f"old:{province_key}"
        if old_province not in seen:
            seen.add(old_province)
            still = province_key in continuing.values()
            found.records.append(
                Record(
                    old_province,
                    province_code,
                    province_short,
                    _province_kind(province),
                    None,
                    OLD_FROM,
                    None if still else LAST_OLD_DAY,
                )
            )
        district = f"old:{province_key}_{district_key}_"
        if district not in seen:
            seen.add(district)
            found.records.append(
                Record(
                    district,
                    district_code,
                    district_short,
                    DISTRICT_KINDS[district_type],
                    old_province,
                    OLD_FROM,
                    LAST_OLD_DAY,
                )
            )
        if ward_key:  # island districts have no communes
            found.records.append(
                Record(
                    f"old:{province_key}_{district_key}_{ward_key}",
                    ward_code,
                    ward_short,
                    WARD_KINDS[ward_type],
                    district,
                    OLD_FROM,
                    LAST_OLD_DAY,
                )
            )
    for (
        province_key,
        province_code,
        province,
        province_short,
        ward_key,
        ward_code,
        ward_short,
        ward_type,
    ) in new_rows:
        if province_key not in wanted_new:
            continue
        if province_key in continuing:
            parent = f"old:{continuing[province_key]}"
        else:
            parent = f"new:{province_key}"
            if parent not in seen:
                seen.add(parent)
                found.records.append(
                    Record(
                        parent,
                        province_code,
                        province_short,
                        _province_kind(province),
                        None,
                        REFORM_DAY,
                        None,
                    )
                )
                found.lineage[parent] = [(f"old:{old}", True) for old in merged_from[province_key]]
        key = f"new:{province_key}_{ward_key}"
        found.records.append(
            Record(key, ward_code, ward_short, WARD_KINDS[ward_type], parent, REFORM_DAY, None)
        )
        found.lineage.setdefault(key, [])
    for new_province, wards in mapping["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        if new_province not in wanted_new:
            continue
        for ward_key, olds in wards.items():
            found.lineage[f"new:{new_province}_{ward_key}"] += [
                (f"old:{old}", True) for old in olds
            ]
    for new_province, divided in mapping["DICT_PROVINCE_WARD_DIVIDED"].items():
        if new_province not in wanted_new:
            continue
        for old, parts in divided.items():
            for part in parts:
                found.lineage[f"new:{new_province}_{part['newWardKey']}"].append(
                    (f"old:{old}", bool(part["isDefaultNewWard"]))
                )
    return found


@dataclass
class LoadSummary:
    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    changed: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    unchanged: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    links_created: int = 0
    links_changed: int = 0
    package_version: str = ""

    def lines(self) -> list[str]:
        kinds = sorted(set(self.created) | set(self.changed) | set(self.unchanged))
        labels = dict(UnitKind.choices)
        lines = [
            _("%(kind)s: %(created)s created, %(changed)s changed, %(unchanged)s unchanged")
            % {
                "kind": labels.get(kind, kind),
                "created": self.created[kind],
                "changed": self.changed[kind],
                "unchanged": self.unchanged[kind],
            }
            for kind in kinds
        ]
        lines.append(
            _("Lineage: %(created)s links created, %(changed)s changed")
            % {"created": self.links_created, "changed": self.links_changed}
        )
        return lines

    @property
    def total_created(self) -> int:
        return sum(self.created.values())

    @property
    def total_changed(self) -> int:
        return sum(self.changed.values())


@transaction.atomic
def load_official_units(provinces: set[str] | None = None) -> LoadSummary:
    """Create or bring up to date the official units and the lineage between the maps, in
    one transaction. Running it again changes nothing. A unit already stored with the code
    and in force on the day the official unit is (30/06/2025 for the old map, 01/07/2025 for
    the new) is taken to be it."""
    official = read_official_map(provinces)
    summary = LoadSummary(package_version=official.package_version)
    codes = {record.code for record in official.records}
    stored: dict[str, list[Unit]] = defaultdict(list)
    for carrier in Unit.objects.filter(code__in=codes).select_for_update():
        stored[carrier.code].append(carrier)

    matched: dict[str, Unit] = {}
    taken: set[int] = set()
    # The old map first: a unit it closes no longer stands in the new one's way.
    for record in sorted(official.records, key=lambda r: r.valid_from):
        day = LAST_OLD_DAY if record.valid_from < REFORM_DAY else REFORM_DAY
        for carrier in stored[record.code]:
            if carrier.pk not in taken and carrier.is_in_force_on(day):
                matched[record.key] = carrier
                taken.add(carrier.pk)
                break

    units: dict[str, Unit] = {}
    # The whole old map before the new one: the old units close (by level, parents first)
    # before new units may take their codes.
    old_map = [r for r in official.records if r.valid_from < REFORM_DAY]
    new_map = [r for r in official.records if r.valid_from >= REFORM_DAY]
    for depth_records in _by_depth(old_map) + _by_depth(new_map):
        to_create: list[Unit] = []
        to_update: list[Unit] = []
        for record in depth_records:
            parent = units[record.parent] if record.parent else None
            unit: Unit | None = matched.get(record.key)
            if unit is None:
                unit = Unit(
                    code=record.code,
                    name=record.name,
                    kind=record.kind,
                    parent=parent,
                    valid_from=record.valid_from,
                    valid_to=record.valid_to,
                )
                to_create.append(unit)
                summary.created[record.kind] += 1
            else:
                wanted = (record.name, record.kind, parent.pk if parent else None, record.valid_to)
                if (unit.name, unit.kind, unit.parent_id, unit.valid_to) == wanted:
                    summary.unchanged[record.kind] += 1
                else:
                    unit.name, unit.kind, unit.parent, unit.valid_to = (
                        record.name,
                        record.kind,
                        parent,
                        record.valid_to,
                    )
                    to_update.append(unit)
                    summary.changed[record.kind] += 1
            units[record.key] = unit
        # Closing first, so that a reused code is free by the time its new unit is written.
        for unit in to_update:
            unit.save()
        Unit.objects.create_in_tree(to_create)
    _load_lineage(official, units, summary)
    return summary


def _by_depth(records: list[Record]) -> list[list[Record]]:
    """Records by their depth among themselves, parents first (a parent outside the list is
    already written)."""
    depth: dict[str, int] = {}
    by_key = {record.key: record for record in records}

    def depth_of(record: Record) -> int:
        if record.key not in depth:
            parent = by_key.get(record.parent) if record.parent else None
            depth[record.key] = 0 if parent is None else depth_of(parent) + 1
        return depth[record.key]

    levels: dict[int, list[Record]] = defaultdict(list)
    for record in records:
        levels[depth_of(record)].append(record)
    return [levels[level] for level in sorted(levels)]


def _load_lineage(official: OfficialMap, units: dict[str, Unit], summary: LoadSummary) -> None:
    reorganisation, _created = Reorganisation.objects.get_or_create(
        effective=REFORM_DAY, defaults={"name": REFORM_NAME}
    )
    successors = [units[key].pk for key in official.lineage]
    existing = {
        (link.successor_id, link.predecessor_id): link
        for link in Lineage.objects.filter(successor_id__in=successors)
    }
    to_create, to_update = [], []
    for successor_key, predecessors in official.lineage.items():
        successor = units[successor_key]
        for predecessor_key, main in predecessors:
            predecessor = units[predecessor_key]
            link = existing.get((successor.pk, predecessor.pk))
            if link is None:
                to_create.append(
                    Lineage(
                        successor=successor,
                        predecessor=predecessor,
                        main=main,
                        reorganisation=reorganisation,
                    )
                )
            elif link.main != main or link.reorganisation_id != reorganisation.pk:
                link.main, link.reorganisation = main, reorganisation
                to_update.append(link)
    Lineage.objects.bulk_create(to_create, batch_size=2000)
    Lineage.objects.bulk_update(to_update, ["main", "reorganisation"], batch_size=2000)
    summary.links_created, summary.links_changed = len(to_create), len(to_update)
