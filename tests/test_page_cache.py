"""Pages that change rarely: the published ranking and the criteria set are kept in the shared
cache keyed by what they show, carry an entity tag, and answer 304 until what they show
changes, for this reader."""

from __future__ import annotations

import pytest
from django.contrib.messages import add_message, constants
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.cache import SessionStore
from django.test import RequestFactory
from django.urls import reverse

from cchc.page_cache import reader_tag
from scoring.models import AssessmentItem, Criterion
from scoring.publication.published import publish_results
from scoring.views import publication
from tests.conftest import client_for
from tests.ranking_fixtures import decision_fields, result, ten_point_set
from tests.test_rankings import district_2022  # noqa: F401 - the fixture

RANKING = reverse("ranking")


def _params(criteria_set, **more):
    return {"year": 2022, "bo": criteria_set.pk, **more}


@pytest.fixture
def tables(monkeypatch):
    """Every rendering of a ranking's table, in order."""
    made = []
    original = publication._ranking_table

    def counted(context):
        made.append(context["page"].number)
        return original(context)

    monkeypatch.setattr(publication, "_ranking_table", counted)
    return made


def test_a_published_ranking_answers_304_to_a_reader_who_holds_it(
    world,
    district_2022,  # noqa: F811
):
    client = client_for(world.leader)
    first = client.get(RANKING, _params(district_2022))
    assert first.status_code == 200 and "Vĩnh Thái" in first.content.decode()
    assert first["Cache-Control"] == "private, no-cache"
    tag = first["ETag"]
    again = client.get(RANKING, _params(district_2022), HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == tag
    # Another page of the same ranking, another order, another reader: another tag.
    by_name = client.get(RANKING, _params(district_2022, sort="name"), HTTP_IF_NONE_MATCH=tag)
    assert by_name.status_code == 200 and by_name["ETag"] != tag
    officer = client_for(world.officer_a).get(
        RANKING, _params(district_2022), HTTP_IF_NONE_MATCH=tag
    )
    assert officer.status_code == 200 and officer["ETag"] != tag
    # The same reader in English gets the page in English, not the Vietnamese one held.
    client.post(reverse("set_language"), {"language": "en", "next": RANKING})
    english = client.get(RANKING, _params(district_2022), HTTP_IF_NONE_MATCH=tag)
    assert english.status_code == 200 and "Ranking" in english.content.decode()
    assert english["ETag"] != tag


def test_a_change_to_what_the_published_page_shows_is_shown_at_once(
    world,
    district_2022,  # noqa: F811
    tables,
):
    client = client_for(world.leader)
    first = client.get(RANKING, _params(district_2022))
    client.get(RANKING, _params(district_2022))
    assert tables == [1]  # the second read is the kept table
    # A warning attached to a row after publication (read on each request) is shown, and the
    # tag the browser holds no longer matches.
    item = AssessmentItem.objects.filter(
        assessment__unit=world.commune_a, assessment__criteria_set=district_2022
    )[0]
    item.source_warning = "Phiếu khảo sát ít hơn cỡ mẫu"
    item.save(update_fields=["source_warning"])
    changed = client.get(RANKING, _params(district_2022), HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and "Phiếu khảo sát ít hơn cỡ mẫu" in changed.content.decode()
    assert tables == [1, 1]
    # A correcting decision: the old one's page now says it was superseded.
    old = changed.context["ranking"].decision
    old_params = {"year": 2022, "quyet_dinh": old.pk}
    held = client.get(RANKING, old_params)
    publish_results(
        district_2022,
        None,
        decision_fields("5000/QĐ-UBND", correction_reason="Sửa mục 1.1"),
        world.admin,
        corrects=old,
    )
    later = client.get(RANKING, old_params, HTTP_IF_NONE_MATCH=held["ETag"])
    assert later.status_code == 200 and "5000/QĐ-UBND" in later.content.decode()


def test_readers_who_see_the_same_table_share_one_kept_copy(
    world,
    district_2022,  # noqa: F811
    tables,
):
    for reader in (world.leader, world.leader, world.admin):
        client_for(reader).get(RANKING, _params(district_2022))
    assert tables == [1]  # the leader and the administrator see every unit of the district
    officer = client_for(world.officer_a).get(RANKING, _params(district_2022)).content.decode()
    assert tables == [1, 1]  # the officer's own unit is marked and linked: its own copy
    assert officer.count('class="own"') == 1


def test_a_provisional_ranking_is_made_each_time_and_has_no_tag(world, tables):
    criteria_set = ten_point_set(world.district, 2023)
    result(criteria_set, world.commune_a, "5", "3")
    client = client_for(world.admin)
    params = {"year": "2023", "bo": str(criteria_set.pk), "tam_thoi": "1"}
    first = client.get(RANKING, params)
    assert first.status_code == 200 and "ETag" not in first
    result(criteria_set, world.commune_b, "6", "4")
    second = client.get(RANKING, params).content.decode()
    assert "Vĩnh Thái" in second and tables == [1, 1]


def test_a_page_with_a_message_waiting_has_no_tag(world):
    request = RequestFactory().get("/")
    request.user = world.leader
    request.session = SessionStore()
    storage = FallbackStorage(request)
    request._messages = storage  # type: ignore[attr-defined]  # as the messages middleware does
    assert reader_tag(request, "page") is not None
    add_message(request, constants.SUCCESS, "Đã công bố")
    assert reader_tag(request, "page") is None
    assert [str(message) for message in storage] == ["Đã công bố"]  # still shown


def test_the_criteria_set_page_answers_304_until_a_criterion_changes(world):
    from cchc.spreadsheets import read_table
    from scoring.criteria.sets import import_criteria_set
    from tests.test_criteria_sets import FIXTURE, details

    criteria_set, _ = import_criteria_set(read_table(FIXTURE), details(world, 100))
    url = reverse("criteria_set_detail", args=[criteria_set.pk])
    client = client_for(world.admin)
    first = client.get(url)
    tag = first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=tag).status_code == 304
    criterion = Criterion.objects.get(criteria_set=criteria_set, code="1.1")
    criterion.title = "Ban hành kế hoạch cải cách hành chính năm (đã sửa)"
    criterion.save()
    changed = client.get(url, HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200
    assert "Ban hành kế hoạch cải cách hành chính năm (đã sửa)" in changed.content.decode()
    # The set's own details are part of the tag too.
    criteria_set.refresh_from_db()
    criteria_set.title = "Bộ tiêu chí 2022 (bản sửa)"
    criteria_set.save(update_fields=["title"])
    renamed = client.get(url, HTTP_IF_NONE_MATCH=changed["ETag"])
    assert renamed.status_code == 200 and "Bộ tiêu chí 2022 (bản sửa)" in renamed.content.decode()
    # A reader of another province is refused before any tag is compared.
    from cchc.models import Role
    from tests.factories import make_unit, make_user

    stranger = make_user(
        "stranger", Role.OFFICER, make_unit("Xã khác", parent=make_unit("Khác", kind="tinh"))
    )
    assert client_for(stranger).get(url, HTTP_IF_NONE_MATCH=tag).status_code == 404


def test_a_published_rankings_304_runs_a_pinned_number_of_queries(
    world,
    district_2022,  # noqa: F811
    django_assert_num_queries,
):
    client = client_for(world.leader)
    tag = client.get(RANKING, _params(district_2022))["ETag"]
    # The session, the user, the publication token, the roles (the reader's menus): nothing
    # of the ranking itself is read while nothing it shows was written.
    with django_assert_num_queries(4):
        again = client.get(RANKING, _params(district_2022), HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304
