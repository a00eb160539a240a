"""The unit tree: subtree, ancestors, units in force, lineage, merges and their rules."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from cchc.models import Unit, UnitKind
from cchc.reorganisation import merge_codes
from tests.factories import make_unit

D = datetime.date


@pytest.fixture
def tree(db):
    province = make_unit("Quảng Trị", kind=UnitKind.PROVINCE, code="45")
    district = make_unit("Vĩnh Linh", kind=UnitKind.DISTRICT, code="464", parent=province)
    commune = make_unit("Vĩnh Long", code="19375", parent=district)
    hamlet_level = make_unit("Tổ dân phố 1", code="T1", parent=commune)  # any depth
    other = make_unit("Gio Linh", kind=UnitKind.DISTRICT, code="466", parent=province)
    return province, district, commune, hamlet_level, other


def test_subtree_contains_every_descendant_and_nothing_else(tree):
    province, district, commune, hamlet_level, other = tree
    assert set(district.subtree()) == {district, commune, hamlet_level}
    assert set(district.subtree(include_self=False)) == {commune, hamlet_level}
    assert set(province.subtree()) == {province, district, commune, hamlet_level, other}


def test_ancestors_are_ordered_from_the_root(tree):
    province, district, commune, hamlet_level, _ = tree
    assert list(hamlet_level.ancestors()) == [province, district, commune]
    assert list(commune.ancestors(include_self=True)) == [province, district, commune]
    assert hamlet_level.depth == 3


def test_moving_a_unit_moves_its_whole_subtree(tree):
    _, district, commune, hamlet_level, other = tree
    commune.parent = other
    commune.save()
    hamlet_level.refresh_from_db()
    assert hamlet_level.path.startswith(other.path) and hamlet_level.depth == 3
    assert [u.code for u in hamlet_level.ancestors()] == ["45", "466", "19375"]
    assert set(other.subtree()) == {other, commune, hamlet_level}
    assert set(district.subtree()) == {district}


def test_a_unit_cannot_be_put_under_its_own_descendant(tree):
    _, district, _, hamlet_level, _ = tree
    district.parent = hamlet_level
    with pytest.raises(ValidationError, match=r"đơn vị cấp dưới"):
        district.full_clean()


def test_parent_must_be_in_force_when_the_unit_starts(tree):
    province = tree[0]
    closed = make_unit("Cũ", kind=UnitKind.DISTRICT, parent=province, valid_to=D(2025, 6, 30))
    late_child = Unit(
        code="L1", name="Mới", kind=UnitKind.COMMUNE, parent=closed, valid_from=D(2025, 7, 1)
    )
    with pytest.raises(ValidationError) as error:
        late_child.full_clean()
    assert "parent" in error.value.message_dict


def test_units_in_force_on_a_date(db):
    old = make_unit("Cũ", valid_from=D(2020, 1, 1), valid_to=D(2025, 6, 30))
    new = make_unit("Mới", valid_from=D(2025, 7, 1))
    assert set(Unit.objects.in_force_on(D(2025, 6, 30))) == {old}
    assert set(Unit.objects.in_force_on(D(2025, 7, 1))) == {new}
    assert set(Unit.objects.in_force_on(D(2019, 12, 31))) == set()


def test_lineage_across_two_reorganisations(db):
    province = make_unit("Tỉnh", kind=UnitKind.PROVINCE, code="P", valid_from=D(2000, 1, 1))
    a = make_unit("A", code="A", parent=province, valid_from=D(2000, 1, 1))
    b = make_unit("B", code="B", parent=province, valid_from=D(2000, 1, 1))
    c = make_unit("C", code="C", parent=province, valid_from=D(2000, 1, 1))
    ab = merge_codes(
        ["A", "B"],
        new_code="AB",
        new_name="AB",
        new_kind=UnitKind.COMMUNE,
        parent_code="P",
        effective=D(2020, 1, 1),
    )
    abc = merge_codes(
        ["AB", "C"],
        new_code="ABC",
        new_name="ABC",
        new_kind=UnitKind.COMMUNE,
        parent_code="P",
        effective=D(2025, 7, 1),
    )
    a.refresh_from_db()
    ab.refresh_from_db()
    assert a.valid_to == D(2019, 12, 31)
    assert ab.valid_to == D(2025, 6, 30)
    assert set(abc.all_predecessors()) == {a, b, c, ab}
    assert set(a.all_successors()) == {ab, abc}
    assert set(c.all_successors()) == {abc}
    assert set(abc.predecessors.all()) == {ab, c}


def test_merge_refuses_a_code_in_use_unknown_codes_and_units_already_closed(db):
    province = make_unit("Tỉnh", kind=UnitKind.PROVINCE, code="P", valid_from=D(2000, 1, 1))
    make_unit("A", code="A", parent=province, valid_from=D(2000, 1, 1), valid_to=D(2010, 1, 1))
    make_unit("B", code="B", parent=province, valid_from=D(2000, 1, 1))
    make_unit("C", code="C", parent=province, valid_from=D(2000, 1, 1))
    with pytest.raises(ValidationError) as error:
        merge_codes(
            ["A", "B", "Z"],
            new_code="C",
            new_name="X",
            new_kind=UnitKind.COMMUNE,
            parent_code="P",
            effective=D(2025, 7, 1),
        )
    messages = error.value.messages
    assert len(messages) == 3  # unknown Z, A closed before the merger, C still in force
    assert any("mã Z" in m for m in messages)
    assert any("mã A" in m and "01/01/2000–01/01/2010" in m for m in messages)
    assert any("Mã C đang là mã của Xã C" in m for m in messages)
    assert Unit.objects.get(code="B").valid_to is None  # nothing changed


def test_a_merger_may_give_the_new_unit_the_code_of_a_unit_it_replaces(db):
    """As the 2025 reform did: Xã Vĩnh Linh took 19363, which was Thị trấn Hồ Xá's."""
    province = make_unit("Quảng Trị", kind=UnitKind.PROVINCE, code="44", valid_from=D(2000, 1, 1))
    for code, name in (("19363", "Hồ Xá"), ("19375", "Vĩnh Chấp"), ("19387", "Vĩnh Long")):
        make_unit(name, code=code, parent=province, valid_from=D(2000, 1, 1))
    new = merge_codes(
        ["19363", "19375", "19387"],
        new_code="19363",
        new_name="Vĩnh Linh",
        new_kind=UnitKind.COMMUNE,
        parent_code="44",
        effective=D(2025, 7, 1),
    )
    assert sorted(p.code for p in new.predecessors.all()) == ["19363", "19375", "19387"]
    assert Unit.objects.at("19363", D(2025, 6, 30)).name == "Hồ Xá"
    assert Unit.objects.at("19363", D(2025, 7, 1)) == new


def test_merge_refuses_units_whose_sub_units_are_still_in_force(db):
    province = make_unit("Tỉnh", kind=UnitKind.PROVINCE, code="P", valid_from=D(2000, 1, 1))
    district = make_unit(
        "H", code="H", kind=UnitKind.DISTRICT, parent=province, valid_from=D(2000, 1, 1)
    )
    make_unit("X", code="X", parent=district, valid_from=D(2000, 1, 1))
    with pytest.raises(ValidationError):
        merge_codes(
            ["H"],
            new_code="H2",
            new_name="H2",
            new_kind=UnitKind.DISTRICT,
            parent_code="P",
            effective=D(2025, 7, 1),
        )
    assert not Unit.objects.filter(code="H2").exists()


def test_a_code_names_one_unit_at_a_time_and_may_be_reused_after(db):
    old = make_unit("A", code="A", valid_to=D(2020, 12, 31))
    new = make_unit("A again", code="A", valid_from=D(2021, 1, 1))
    with pytest.raises(ValidationError, match="đã là mã của"):
        make_unit("A at once", code="A", valid_from=D(2020, 6, 1), valid_to=D(2021, 3, 1))
    from django.db import IntegrityError, transaction

    # The database refuses it too, whoever writes (a trigger on SQLite and PostgreSQL).
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.create(code="A", name="X", kind=UnitKind.COMMUNE, valid_from=D(2020, 7, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.filter(pk=old.pk).update(valid_to=D(2021, 6, 30))
    assert Unit.objects.at("A", D(2020, 12, 31)) == old
    assert Unit.objects.at("A", D(2021, 1, 1)) == new
    with pytest.raises(ValidationError) as ambiguous:
        Unit.objects.by_code("A")
    assert ambiguous.value.messages == [
        "Mã A dùng cho nhiều đơn vị: Xã A (01/01/2020–31/12/2020); Xã A again (01/01/2021–nay). "
        "Hãy cho biết ngày để chỉ rõ đơn vị."
    ]
    assert Unit.objects.current("A") == new


def test_merge_units_command(db):
    province = make_unit("Tỉnh", kind=UnitKind.PROVINCE, code="P", valid_from=D(2000, 1, 1))
    make_unit("A", code="A", parent=province)
    make_unit("B", code="B", parent=province)
    call_command(
        "merge_units",
        "A",
        "B",
        "--code=AB",
        "--name=Xã AB",
        "--kind=Xã",
        "--parent=P",
        "--date=01/07/2025",
    )
    merged = Unit.objects.get(code="AB")
    assert merged.valid_from == D(2025, 7, 1)
    assert {u.code for u in merged.predecessors.all()} == {"A", "B"}
    with pytest.raises(CommandError):
        call_command(
            "merge_units",
            "A",
            "--code=AB2",
            "--name=x",
            "--kind=xa",
            "--parent=P",
            "--date=2026-01-01",
        )
