"""Unit pages: who sees what, who may import, and bounded queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cchc.models import Role, Unit
from tests.conftest import client_for
from tests.factories import make_unit, make_user, merge_into_vinh_linh
from tests.spreadsheet_files import upload
from tests.test_unit_files import GOOD_ROWS


def test_pages_require_sign_in(client, world):
    for url in [reverse("home"), reverse("unit_list"), reverse("unit_detail", args=["19375"])]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_officer_sees_own_commune(world):
    response = client_for(world.officer_a).get(reverse("unit_detail", args=[world.commune_a.code]))
    assert response.status_code == 200
    assert "Vĩnh Long" in response.content.decode()


def test_officer_cannot_see_other_commune(world):
    response = client_for(world.officer_a).get(reverse("unit_detail", args=[world.commune_b.code]))
    assert response.status_code == 404


def test_appraiser_sees_communes_of_own_district_only(world):
    client = client_for(world.appraiser)
    assert client.get(reverse("unit_detail", args=[world.commune_b.code])).status_code == 200
    assert client.get(reverse("unit_detail", args=[world.other_commune.code])).status_code == 404
    listed = client.get(reverse("unit_list")).context["page"].object_list
    assert [unit.code for unit in listed] == ["464"]  # the top of the tree the appraiser sees
    children = client.get(reverse("unit_children", args=[world.district.pk])).context["children"]
    assert {unit.code for unit in children} == {"19375", "19348"}
    searched = client.get(reverse("unit_list"), {"q": "vinh"}).context["page"].object_list
    assert {unit.code for unit in searched} == {"464", "19375", "19348"}  # not Gio Linh's
    assert client.get(reverse("unit_children", args=[world.other_district.pk])).status_code == 404


def test_unit_list_of_officer_lists_only_own_unit(world):
    listed = client_for(world.officer_a).get(reverse("unit_list")).context["page"].object_list
    assert [unit.code for unit in listed] == ["19375"]


def test_visible_and_actionable_units_follow_roles(world):
    assert set(Unit.objects.visible_to(world.leader)) == {
        world.district,
        world.commune_a,
        world.commune_b,
    }
    assert not Unit.objects.actionable_by(world.leader).exists()  # leaders only read
    assert set(Unit.objects.actionable_by(world.officer_a)) == {world.commune_a}
    assert Unit.objects.actionable_by(world.appraiser, [Role.OFFICER]).count() == 0
    assert Unit.objects.visible_to(world.admin).count() == 6


@pytest.mark.parametrize("role_user", ["leader", "officer_a", "appraiser"])
def test_non_administrators_get_403_on_import_and_export(world, role_user):
    client = client_for(getattr(world, role_user))
    response = client.post(reverse("unit_import"), {"file": upload("u.csv", GOOD_ROWS)})
    assert response.status_code == 403
    assert client.get(reverse("unit_export")).status_code == 403
    assert not Unit.objects.filter(code="45101").exists()


def test_administrator_imports_a_file_through_the_page(world):
    rows = [GOOD_ROWS[0], ["N1", "Xã mới", "Xã", "464", "01/01/2021", "", ""]]
    response = client_for(world.admin).post(
        reverse("unit_import"), {"file": upload("u.xlsx", rows)}
    )
    assert response.status_code == 200
    assert Unit.objects.get(code="N1").parent == world.district
    assert "1 mới" in response.content.decode()


def test_bad_file_on_the_page_lists_every_error_and_writes_nothing(world):
    rows = [
        GOOD_ROWS[0],
        ["N1", "X", "Xã", "99999", "01/01/2021", "", ""],
        ["N2", "Y", "Thôn", "464", "x", "", ""],
    ]
    response = client_for(world.admin).post(reverse("unit_import"), {"file": upload("u.csv", rows)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "không có đơn vị mã 99999" in page
    assert "Tệp có 3 lỗi" in page  # unknown parent; bad type and bad date on one row
    assert not Unit.objects.filter(code__in=["N1", "N2"]).exists()


def test_wrong_file_type_is_refused_with_a_message(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(world.admin).post(
        reverse("unit_import"), {"file": SimpleUploadedFile("u.pdf", b"%PDF-1.4")}
    )
    assert response.status_code == 200
    assert "Hãy tải lên tệp .xlsx hoặc .csv." in response.content.decode()


def test_administrator_exports_only_visible_units(world):
    district_admin = make_user("district_admin", Role.ADMINISTRATOR, world.other_district)
    response = client_for(district_admin).get(reverse("unit_export") + "?format=csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Mã,Tên,Loại")
    assert sorted(line.split(",")[0] for line in lines[1:]) == ["19411", "466"]


def test_unit_list_runs_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    for number in range(150):
        make_unit(f"Xã {number}", parent=world.district)
    client = client_for(world.admin)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("unit_list"), {"q": "xa"})
    assert len(response.context["page"].object_list) == 100
    with django_assert_max_num_queries(7):
        response = client.get(reverse("unit_children", args=[world.district.pk]))
    assert len(response.context["children"]) == 152
    with django_assert_max_num_queries(7):
        response = client.get(reverse("unit_list"))
    assert [unit.code for unit in response.context["page"].object_list] == ["45"]


def test_unit_detail_runs_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    for number in range(60):
        make_unit(f"Xã {number}", parent=world.district)
    client = client_for(world.admin)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("unit_detail", args=["464"]))
    assert response.context["children_count"] == 62


def test_unit_detail_shows_lineage(world):
    merged = merge_into_vinh_linh(world, end_district=False)
    page = client_for(world.admin).get(reverse("unit_detail", args=[merged.code])).content.decode()
    assert "Đơn vị tiền thân" in page and "Vĩnh Long" in page and "Vĩnh Thái" in page
