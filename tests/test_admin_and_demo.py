"""The merge action in the admin, and the demo data."""

from __future__ import annotations

import datetime

from django.core.management import call_command
from django.urls import reverse

from cchc.models import RoleAssignment, Unit, User
from demo.loading import vinh_linh_communes
from tests.conftest import client_for


def test_admin_merge_action_closes_old_units_and_creates_the_successor(world):
    superuser = User.objects.create_superuser("root", password="pw-for-tests-123")
    client = client_for(superuser)
    url = reverse("admin:cchc_unit_changelist")
    selected = [world.commune_a.pk, world.commune_b.pk]
    form_page = client.post(url, {"action": "merge_selected", "_selected_action": selected})
    assert form_page.status_code == 200
    assert "Hợp nhất" in form_page.content.decode()
    response = client.post(
        url,
        {
            "action": "merge_selected",
            "_selected_action": selected,
            "apply": "1",
            "new_code": "45101",
            "new_name": "Vĩnh Linh",
            "new_kind": "xa",
            "parent_code": "45",
            "effective": "2025-07-01",
        },
    )
    assert response.status_code == 302
    merged = Unit.objects.get(code="45101")
    assert set(merged.predecessors.all()) == {world.commune_a, world.commune_b}
    world.commune_a.refresh_from_db()
    assert world.commune_a.valid_to == datetime.date(2025, 6, 30)


def test_admin_merge_action_shows_errors_and_changes_nothing(world):
    superuser = User.objects.create_superuser("root", password="pw-for-tests-123")
    response = client_for(superuser).post(
        reverse("admin:cchc_unit_changelist"),
        {
            "action": "merge_selected",
            "_selected_action": [world.commune_a.pk],
            "apply": "1",
            "new_code": "464",
            "new_name": "X",
            "new_kind": "xa",
            "parent_code": "45",
            "effective": "2025-07-01",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Mã 464 đang là mã của Huyện Vĩnh Linh" in page  # the district is still in force

    world.commune_a.refresh_from_db()
    assert world.commune_a.valid_to is None


def test_load_demo_builds_both_structures_with_real_codes_and_is_idempotent(db):
    call_command("load_demo")
    from dossiers.models import DossierStatistics
    from scoring.models import CriteriaSet

    def counts():
        return [
            m.objects.count() for m in (Unit, User, RoleAssignment, CriteriaSet, DossierStatistics)
        ]

    first = counts()
    call_command("load_demo")
    assert counts() == first
    before, after = datetime.date(2025, 6, 30), datetime.date(2025, 7, 1)
    vinh_linh = Unit.objects.at("464", before)
    assert [u.code for u in vinh_linh.children.order_by("code")][:3] == ["19363", "19366", "19369"]
    assert vinh_linh.children.count() == len(vinh_linh_communes()) == 18
    assert (Unit.objects.at("44", before).name, Unit.objects.at("44", after).name) == (
        "Quảng Bình",
        "Quảng Trị",
    )
    new_vinh_linh = Unit.objects.at("19363", after)
    assert sorted(u.name for u in new_vinh_linh.predecessors.all()) == [
        "Hồ Xá",
        "Vĩnh Chấp",
        "Vĩnh Long",
    ]
    in_force = Unit.objects.in_force_on(after).filter(parent=Unit.objects.at("44", after))
    assert in_force.count() == 78  # 119 + 145 communes of the two old provinces → 78
    assert first[3] == 3  # the sets of 2021, 2022 and 2025
    for role in ["officer", "appraiser", "leader", "administrator"]:
        assert RoleAssignment.objects.filter(role=role).exists()
