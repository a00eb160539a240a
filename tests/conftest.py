"""Shared fixtures: a province with two districts, two communes in one of them, and a user
for each role: officers of communes A and B, an appraiser and a leader of the district, an
administrator of the province."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from cchc.change_tokens import renew_at_each_write
from cchc.models import Role, Unit, UnitKind, User
from scoring.assessment.self_assessment import submit_assessment
from tests.factories import make_unit, make_user


@dataclass
class World:
    province: Unit
    district: Unit
    other_district: Unit
    commune_a: Unit
    commune_b: Unit
    other_commune: Unit
    officer_a: User
    officer_b: User
    appraiser: User
    leader: User
    admin: User


@pytest.fixture
def world(db: None) -> World:
    province = make_unit("Quảng Trị", kind=UnitKind.PROVINCE, code="45")
    district = make_unit("Vĩnh Linh", kind=UnitKind.DISTRICT, code="464", parent=province)
    other_district = make_unit("Gio Linh", kind=UnitKind.DISTRICT, code="466", parent=province)
    commune_a = make_unit("Vĩnh Long", code="19375", parent=district)
    commune_b = make_unit("Vĩnh Thái", code="19348", parent=district)
    other_commune = make_unit("Gio Mỹ", code="19411", parent=other_district)
    # A test rolls back instead of committing: change tokens are renewed at each write, as a
    # committed request renews them (PostgreSQL defers that to the commit).
    renew_at_each_write()
    return World(
        province=province,
        district=district,
        other_district=other_district,
        commune_a=commune_a,
        commune_b=commune_b,
        other_commune=other_commune,
        officer_a=make_user("officer_a", Role.OFFICER, commune_a),
        officer_b=make_user("officer_b", Role.OFFICER, commune_b),
        appraiser=make_user("appraiser", Role.APPRAISER, district),
        leader=make_user("leader", Role.LEADER, district),
        admin=make_user("province_admin", Role.ADMINISTRATOR, province),
    )


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def evidence_storage(settings, tmp_path):
    """Uploaded files of each test go to its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "evidence-store"
    return settings.MEDIA_ROOT


@pytest.fixture
def assessment(world):
    """The open 2022 self-assessment of commune A (a set with one sub-criterion per method)."""
    from tests.assessment_fixtures import make_open_assessment

    return make_open_assessment(world)


@pytest.fixture
def council(world):
    """An appraiser of the province: the council above the district's appraiser."""
    return make_user("province_appraiser", Role.APPRAISER, world.province)


@pytest.fixture
def submitted(world, assessment):
    """Commune A's assessment, completed with evidence and submitted."""
    from tests.test_self_assessment import complete

    complete(assessment, world.officer_a)
    assert submit_assessment(assessment, world.officer_a) == []
    assessment.refresh_from_db()
    return assessment
