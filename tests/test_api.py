"""The read-only API: token authentication, the pages' scoping, pagination, the schema."""

from __future__ import annotations

from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.dossier_factories import figures
from tests.ranking_fixtures import publish, result, ten_point_set


def api(user=None):
    client = APIClient()
    if user is not None:
        token, _created = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_without_a_token_nothing_is_served(world):
    assert api().get("/api/units/").status_code in (401, 403)


def test_a_token_is_obtained_with_username_and_password(world):
    response = APIClient().post(
        reverse("api_token"), {"username": "officer_a", "password": "pw-for-tests-123"}
    )
    assert response.status_code == 200 and len(response.json()["token"]) == 40


def test_units_are_scoped_like_the_pages(world):
    officer = api(world.officer_a)
    body = officer.get("/api/units/").json()
    assert [u["code"] for u in body["results"]] == ["19375"] and body["count"] == 1
    assert officer.get("/api/units/19348/").status_code == 404
    assert officer.get("/api/units/19375/").json()["parent_code"] == "464"
    assert api(world.leader).get("/api/units/").json()["count"] == 3


def test_writing_is_not_allowed(world):
    assert api(world.admin).post("/api/units/", {"code": "X"}).status_code == 405


def test_dossier_statistics_and_criteria_sets_are_scoped(world):
    figures(world.commune_a, "2023-01", resolved_on_time=5)
    figures(world.commune_b, "2023-01", resolved_on_time=6)
    body = api(world.officer_a).get("/api/dossier-statistics/", {"year": 2023}).json()
    assert [
        (row["unit_code"], row["period"], row["resolved_on_time"]) for row in body["results"]
    ] == [("19375", "2023-01", 5)]
    criteria_set = ten_point_set(world.district, 2022)
    assert [s["id"] for s in api(world.officer_a).get("/api/criteria-sets/").json()["results"]] == [
        criteria_set.pk
    ]
    from cchc.models import Role
    from tests.factories import make_unit, make_user

    stranger = make_user(
        "stranger",
        Role.OFFICER,
        make_unit("Xã xa", kind="xa", parent=make_unit("Tỉnh khác", kind="tinh")),
    )
    assert api(stranger).get(f"/api/criteria-sets/{criteria_set.pk}/").status_code == 404


def test_rankings_give_the_figures_of_the_command(world, tmp_path):
    import json

    from django.core.management import call_command

    criteria_set = ten_point_set(world.district, 2022)
    result(criteria_set, world.commune_a, 5, 3)
    result(criteria_set, world.commune_b, 6, 4)
    publish(criteria_set, world.admin)
    body = api(world.leader).get("/api/rankings/", {"parent": "464", "year": 2022}).json()
    out = tmp_path / "r.json"
    call_command("ranking", "--parent=464", "--year=2022", "--format=json", f"--output={out}")
    assert body == json.loads(out.read_text())
    assert body["provisional"] is False and len(body["results"]) == 2
    assert (
        api(world.officer_b).get("/api/rankings/", {"parent": "464", "year": 2022}).status_code
        == 404
    )


def test_pagination(world, settings):
    from tests.factories import make_unit

    for n in range(105):
        make_unit(f"Xã {n}", parent=world.district)
    first = api(world.admin).get("/api/units/").json()
    assert len(first["results"]) == 100 and first["next"] is not None and first["count"] == 111


def test_the_openapi_schema_lists_the_endpoints(world):
    response = api(world.admin).get(reverse("api_schema"), {"format": "json"})
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {
        "/api/units/",
        "/api/criteria-sets/",
        "/api/dossier-statistics/",
        "/api/rankings/",
    } <= set(schema["paths"])
