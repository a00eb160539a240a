"""The home page shows each role what it needs."""

from __future__ import annotations

from django.urls import reverse

from tests.conftest import client_for
from tests.ranking_fixtures import publish, result, ten_point_set


def test_officer_sees_the_own_units_state_deadline_and_gaps(world, assessment):
    page = client_for(world.officer_a).get(reverse("home")).content.decode()
    assert (
        "Tự đánh giá của đơn vị" in page
        and "Đã chấm 0/6 tiêu chí" in page
        and "Xã Vĩnh Long · 2022" in page
    )


def test_appraiser_sees_the_queue(world, submitted):
    page = client_for(world.appraiser).get(reverse("home")).content.decode()
    assert "Hồ sơ chờ thẩm định" in page and "Đã nộp: <strong>1</strong>" in page


def test_leader_sees_the_published_results_their_distribution_and_trend(
    world, django_assert_max_num_queries
):
    for year, (a, b) in ((2021, (5, 3)), (2022, (6, 4))):
        criteria_set = ten_point_set(world.district, year)
        result(criteria_set, world.commune_a, a, b)
        result(criteria_set, world.commune_b, a - 1, b)
        publish(criteria_set, world.admin, f"{year}/QĐ-UBND")
    other = ten_point_set(world.other_district, 2022)
    result(other, world.other_commune, 1, 1)
    publish(other, world.admin, "9/QĐ-UBND")
    client = client_for(world.leader)
    with django_assert_max_num_queries(15):
        page = client.get(reverse("home")).content.decode()
    assert "Kết quả đã công bố năm 2022" in page and "Tốt: 2" in page
    assert "2021: 75,00%" in page and "2022: 95,00%" in page
    assert "Gio Mỹ" not in page  # another district's result
