"""Dossier pages: entry by the commune officer, lost updates refused, import, permissions."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from cchc.spreadsheets import read_table
from dossiers.figures import COUNT_NAMES
from dossiers.models import DossierChange, DossierStatistics
from tests.conftest import client_for
from tests.dossier_factories import figures
from tests.spreadsheet_files import upload
from tests.test_dossier_figures import HEADER, row


def form_data(unit, period="2023-Q1", version="", **counts):
    data = dict.fromkeys(COUNT_NAMES, 0)
    data.update(
        new_received=100, resolved_early=30, resolved_on_time=60, resolved_late=5, pending_within=5
    )
    data.update(counts)
    return {"unit_1": unit.pk, "period": period, "version": version, **data}


def test_officer_enters_figures_for_own_commune(world):
    client = client_for(world.officer_a)
    page = client.get(reverse("figures_entry"))
    assert page.status_code == 200 and "Tiếp nhận mới" in page.content.decode()
    response = client.post(reverse("figures_entry"), form_data(world.commune_a))
    assert response.status_code == 302
    statistics = DossierStatistics.objects.get(unit=world.commune_a)
    assert statistics.resolved_on_time == 60 and statistics.updated_by == world.officer_a
    assert statistics.changes.get().source == DossierChange.Source.FORM


def test_officer_cannot_enter_figures_for_another_commune(world):
    client = client_for(world.officer_a)
    response = client.post(reverse("figures_entry"), form_data(world.commune_b))
    assert response.status_code == 200 and not DossierStatistics.objects.exists()
    assert (
        client.get(reverse("figures_entry"), {"unit": "19348", "period": "2023-Q1"}).status_code
        == 404
    )


@pytest.mark.parametrize("who", ["leader", "appraiser"])
def test_read_only_roles_get_403_on_entry_and_import(world, who):
    client = client_for(getattr(world, who))
    assert client.get(reverse("figures_entry")).status_code == 403
    assert client.post(reverse("figures_entry"), form_data(world.commune_a)).status_code == 403
    assert (
        client.post(
            reverse("figures_import"), {"file": upload("f.csv", [HEADER, row()])}
        ).status_code
        == 403
    )
    assert not DossierStatistics.objects.exists()


def test_broken_rules_show_beside_their_field_and_keep_what_was_typed(world):
    response = client_for(world.officer_a).post(
        reverse("figures_entry"), form_data(world.commune_a, postal=150)
    )
    form = response.context["form"]
    assert "postal" in form.errors
    assert "lớn hơn số tiếp nhận (100)" in form.errors["postal"][0]
    assert 'value="150"' in response.content.decode()
    assert not DossierStatistics.objects.exists()


def test_a_second_save_from_an_old_page_is_refused_and_nothing_is_overwritten(world):
    statistics = figures(
        world.commune_a,
        "2023-Q1",
        resolved_early=30,
        resolved_on_time=60,
        resolved_late=5,
        pending_within=5,
    )
    mine = client_for(world.officer_a)
    page = mine.get(reverse("figures_entry"), {"unit": "19375", "period": "2023-Q1"})
    version = page.context["form"].initial["version"]
    admin = client_for(world.admin)
    admin.post(
        reverse("figures_entry"),
        form_data(world.commune_a, version=version, resolved_late=4, pending_within=6),
    )
    response = mine.post(
        reverse("figures_entry"),
        form_data(world.commune_a, version=version, resolved_late=3, pending_within=7),
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Người khác đã lưu số liệu này" in text and 'value="3"' in text
    statistics.refresh_from_db()
    assert (statistics.resolved_late, statistics.version) == (4, 2)
    again = mine.post(
        reverse("figures_entry"),
        form_data(world.commune_a, version=2, resolved_late=3, pending_within=7),
    )
    assert again.status_code == 302
    statistics.refresh_from_db()
    assert (statistics.resolved_late, statistics.version) == (3, 3)


def test_two_people_entering_new_figures_for_the_same_period_do_not_overwrite(world):
    client_for(world.admin).post(reverse("figures_entry"), form_data(world.commune_a))
    response = client_for(world.officer_a).post(
        reverse("figures_entry"), form_data(world.commune_a, resolved_late=3, pending_within=7)
    )
    assert "Người khác đã lưu số liệu này" in response.content.decode()
    assert DossierStatistics.objects.get().resolved_late == 5


def test_import_page_for_an_officer_of_own_unit_and_its_errors(world):
    client = client_for(world.officer_a)
    ok = client.post(reverse("figures_import"), {"file": upload("f.xlsx", [HEADER, row()])})
    assert ok.status_code == 200 and DossierStatistics.objects.count() == 1
    bad = client.post(
        reverse("figures_import"),
        {"file": upload("f.csv", [HEADER, row(period="2023-Q2", postal=999), row(unit="19348")])},
    )
    page = bad.content.decode()
    assert bad.status_code == 400 and "Tệp có 2 lỗi" in page and "19348" in page
    assert DossierStatistics.objects.count() == 1


def test_template_has_every_column(world):
    response = client_for(world.officer_a).get(reverse("figures_template"))
    assert read_table(io.BytesIO(response.content), "t.xlsx").headers == HEADER


def test_list_shows_only_visible_units(world, django_assert_max_num_queries):
    figures(world.commune_a, "2023-01", resolved_on_time=1)
    figures(world.commune_b, "2023-01", resolved_on_time=2)
    figures(world.other_commune, "2023-01", resolved_on_time=3)
    client = client_for(world.officer_a)
    with django_assert_max_num_queries(8):
        listed = client.get(reverse("figures_list")).context["page"].object_list
    assert [f.unit.code for f in listed] == ["19375"]
    assert (
        len(client_for(world.leader).get(reverse("figures_list")).context["page"].object_list) == 2
    )
