"""Vietnam's official map before and after 1 July 2025, from the vietnamadminunits package:
both maps with their reused codes, the lineage with divisions, idempotent loading; codes read
at dates in dossier imports, reports, pages and the API; a divided commune's figures follow
the reorganisation's rule."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from cchc.models import CodeError, Lineage, Reorganisation, Role, Unit
from cchc.official_map import load_official_units
from cchc.reorganisation import set_division
from cchc.spreadsheets import read_table
from dossiers.imports import import_dossiers
from dossiers.models import DossierStatistics
from dossiers.periods import Period
from dossiers.reports import build_report
from tests.conftest import client_for
from tests.factories import make_user
from tests.spreadsheet_files import csv_bytes
from tests.test_dossier_figures import HEADER, row

BEFORE, AFTER = datetime.date(2025, 6, 30), datetime.date(2025, 7, 1)
SUPERUSER_NAME = "root"


@pytest.fixture
def quang_tri(db):
    """Old Quảng Bình (44) and Quảng Trị (45), and the new Quảng Trị (44)."""
    load_official_units({"44", "45"})


def test_the_whole_country_loads_both_maps_with_reused_codes_once(db):
    first = load_official_units()
    before = Unit.objects.in_force_on(BEFORE)
    after = Unit.objects.in_force_on(AFTER)
    assert before.filter(parent__isnull=True).count() == 63
    assert before.filter(kind__in=["huyen", "quan", "thi_xa", "thanh_pho_tinh"]).count() == 696
    assert before.filter(kind__in=["xa", "phuong", "thi_tran"]).count() == 10035
    assert after.filter(parent__isnull=True).count() == 34
    assert after.filter(kind__in=["xa", "phuong", "dac_khu"]).count() == 3321
    assert (Unit.objects.at("44", BEFORE).name, Unit.objects.at("44", AFTER).name) == (
        "Quảng Bình",
        "Quảng Trị",
    )
    assert sorted(p.name for p in Unit.objects.at("44", AFTER).predecessors.all()) == [
        "Quảng Bình",
        "Quảng Trị",
    ]
    vinh_linh = Unit.objects.at("19363", AFTER)
    assert (
        str(vinh_linh) == "Xã Vĩnh Linh"
        and str(Unit.objects.at("19363", BEFORE)) == "Thị trấn Hồ Xá"
    )
    assert sorted((p.code, str(p)) for p in vinh_linh.predecessors.all()) == [
        ("19363", "Thị trấn Hồ Xá"),
        ("19375", "Xã Vĩnh Chấp"),
        ("19387", "Xã Vĩnh Long"),
    ]
    # The 471 divided communes: one link to each successor, the main one marked.
    divided = (
        Lineage.objects.values("predecessor")
        .annotate(n=__import__("django").db.models.Count("pk"))
        .filter(n__gt=1)
    )
    assert divided.count() == 471
    assert (
        Lineage.objects.filter(main=True, predecessor__in=divided.values("predecessor")).count()
        == 471
    )
    # Hà Nội was not merged: the same unit before and after.
    hanoi = Unit.objects.at("01", AFTER)
    assert hanoi == Unit.objects.at("01", BEFORE) and hanoi.valid_to is None
    again = load_official_units()
    assert (again.total_created, again.total_changed, again.links_created) == (0, 0, 0)
    assert first.total_created == Unit.objects.count()


def test_loading_is_limited_to_provinces_and_those_merged_with_them(db):
    summary = load_official_units({"45"})
    roots = {(u.code, str(u)) for u in Unit.objects.filter(parent__isnull=True)}
    assert roots == {("44", "Tỉnh Quảng Bình"), ("45", "Tỉnh Quảng Trị"), ("44", "Tỉnh Quảng Trị")}
    assert summary.total_created == Unit.objects.count()
    out = io.StringIO()
    call_command("load_official_units", "--province=44", stdout=out)
    assert "0 đơn vị mới, 0 thay đổi" in out.getvalue()


def test_loading_brings_a_unit_typed_by_hand_up_to_date_and_closes_it(db):
    from tests.factories import make_unit

    typed = make_unit("Hồ Xá (gõ tay)", code="19363", valid_from=datetime.date(2010, 1, 1))
    summary = load_official_units({"45"})
    typed.refresh_from_db()
    assert (typed.name, typed.valid_to, typed.valid_from) == (
        "Hồ Xá",
        BEFORE,
        datetime.date(2010, 1, 1),
    )
    assert summary.changed["thi_tran"] == 1
    assert Unit.objects.at("19363", AFTER).name == "Vĩnh Linh"


def test_a_failure_midway_writes_nothing(db, monkeypatch):
    import cchc.official_map as official

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(official, "_load_lineage", broken)
    with pytest.raises(RuntimeError):
        load_official_units({"45"})
    assert not Unit.objects.exists()


def _figures_file(*rows):
    return read_table(io.BytesIO(csv_bytes([HEADER, *rows])), "so-lieu.csv")


def test_a_reused_code_is_read_at_the_period_of_each_row(quang_tri):
    from cchc.models import User

    summary = import_dossiers(
        _figures_file(
            row(unit="19363", period="2025-H1", early=40, on_time=50, late=10, pending=0),
            row(unit="19363", period="2025-H2", early=30, on_time=60, late=5, new=95, pending=0),
            row(
                unit="19375",
                period="2025-H1",
                new=20,
                early=10,
                on_time=10,
                late=0,
                pending=0,
                electronic=0,
                digitised=0,
            ),
        ),
        User(is_superuser=True),
    )
    assert summary.created == 3
    ho_xa, vinh_linh = Unit.objects.at("19363", BEFORE), Unit.objects.at("19363", AFTER)
    assert DossierStatistics.objects.get(unit=ho_xa).year == 2025
    assert DossierStatistics.objects.get(unit=ho_xa).number == 1
    assert DossierStatistics.objects.get(unit=vinh_linh).number == 2
    report = build_report(vinh_linh, Period.parse("2025"), Period.parse("2025"))
    assert report.total.resolved == 100 + 95 + 20  # its own second half and its predecessors' first
    assert (
        report.total.inherited_text == "gồm số liệu của Thị trấn Hồ Xá, Xã Vĩnh Chấp, Xã Vĩnh Long"
    )
    province = build_report(
        Unit.objects.at("44", AFTER), Period.parse("2025"), Period.parse("2025")
    )
    assert province.total.resolved == 215  # counted once, through the old provinces


def test_a_row_for_a_whole_year_across_the_reform_is_refused_naming_both_units(quang_tri):
    from cchc.models import User
    from cchc.spreadsheets import ImportRefused

    with pytest.raises(ImportRefused) as refused:
        import_dossiers(_figures_file(row(unit="19363", period="2025")), User(is_superuser=True))
    [error] = refused.value.errors
    assert "Thị trấn Hồ Xá (01/01/2000–30/06/2025)" in str(error)
    assert "Xã Vĩnh Linh (01/07/2025–nay)" in str(error)


def test_a_code_without_a_date_that_names_two_units_is_refused_naming_both(quang_tri, tmp_path):
    with pytest.raises(CodeError) as error:
        Unit.objects.by_code("19363")
    assert [str(u) for u in error.value.units] == ["Thị trấn Hồ Xá", "Xã Vĩnh Linh"]
    with pytest.raises(CommandError, match=r"Thị trấn Hồ Xá.*Xã Vĩnh Linh"):
        call_command(
            "dossier_report",
            "--unit=19363",
            "--from=2025",
            "--to=2025",
            f"--output={tmp_path / 'r.json'}",
        )
    call_command(
        "dossier_report",
        "--unit=19363",
        "--from=2025",
        "--to=2025",
        "--on=2025-07-01",
        f"--output={tmp_path / 'r.json'}",
    )
    assert json.loads((tmp_path / "r.json").read_text())["unit_name"] == "Xã Vĩnh Linh"
    superuser = make_user(SUPERUSER_NAME, is_superuser=True)
    api = APIClient()
    api.force_authenticate(superuser)
    assert api.get("/api/units/19363/").json()["name"] == "Vĩnh Linh"  # the unit in force today
    assert api.get("/api/units/19363/", {"on": "2025-06-30"}).json()["name"] == "Hồ Xá"
    response = api.get("/api/dossier-statistics/", {"unit": "19363", "year": 2025})
    assert response.status_code == 400 and "Thị trấn Hồ Xá" in response.content.decode()


def test_unit_pages_read_the_code_on_their_date(quang_tri):
    superuser = make_user(SUPERUSER_NAME, is_superuser=True)
    client = client_for(superuser)
    today = client.get(reverse("unit_detail", args=["19363"]))
    assert today.context["unit"].name == "Vĩnh Linh"
    old = client.get(reverse("unit_detail", args=["19363"]), {"ngay": "2025-06-30"})
    assert old.context["unit"].name == "Hồ Xá"
    assert Unit.objects.at("19363", BEFORE).get_absolute_url() == "/don-vi/19363/?ngay=2000-01-01"
    found = client.get(reverse("unit_search"), {"q": "vinh linh"}).json()["results"]
    assert any(
        r["label"] == "Xã Vĩnh Linh — Tỉnh Quảng Trị · 19363 · 01/07/2025–nay" for r in found
    )
    assert any(r["label"].startswith("Huyện Vĩnh Linh — Tỉnh Quảng Trị · 464") for r in found)


def test_the_unit_search_shows_only_the_readers_units(quang_tri):
    officer = make_user("canbo", Role.OFFICER, Unit.objects.at("19387", BEFORE))
    found = client_for(officer).get(reverse("unit_search"), {"q": "vinh"}).json()["results"]
    assert [r["label"].split(" — ")[0] for r in found] == ["Xã Vĩnh Long"]


@pytest.fixture
def lang_son(db):
    """Lạng Sơn, not merged in 2025, which divided three of its old communes."""
    load_official_units({"20"})
    reorganisation = Reorganisation.objects.get(effective=AFTER)
    divided = Lineage.objects.filter(main=False, reorganisation=reorganisation).first()
    assert divided is not None
    predecessor = divided.predecessor
    links = list(Lineage.objects.filter(predecessor=predecessor).order_by("-main"))
    DossierStatistics.objects.create(
        unit=predecessor,
        period_kind="half",
        year=2025,
        number=1,
        new_received=100,
        resolved_on_time=100,
    )
    return reorganisation, predecessor, links


def test_a_divided_communes_figures_go_to_the_main_successor_by_default(lang_son):
    _reorganisation, predecessor, links = lang_son
    year = Period.parse("2025")
    main, other = links[0].successor, links[1].successor
    assert build_report(main, year, year).total.resolved == 100
    assert build_report(other, year, year).total.resolved == 0
    assert f"một phần của {predecessor}" not in build_report(main, year, year).total.inherited_text
    assert "không gồm" in build_report(other, year, year).total.inherited_text
    province = build_report(Unit.objects.at("20", AFTER), year, year)
    assert province.total.resolved == 100  # once, however it is divided


def test_a_divided_communes_figures_follow_the_shares_entered(lang_son):
    reorganisation, predecessor, links = lang_son
    shares: dict[int, Decimal | None] = {link.pk: Decimal(0) for link in links}
    shares[links[0].pk], shares[links[1].pk] = Decimal(60), Decimal(40)
    with pytest.raises(Exception, match="100"):
        set_division(reorganisation, "shares", {**shares, links[0].pk: Decimal(50)})
    set_division(reorganisation, "shares", shares)
    year = Period.parse("2025")
    main, other = links[0].successor, links[1].successor
    assert build_report(main, year, year).total.resolved == 60
    assert build_report(other, year, year).total.resolved == 40
    assert (
        f"một phần của {predecessor} (40%)" in build_report(other, year, year).total.inherited_text
    )
    assert build_report(Unit.objects.at("20", AFTER), year, year).total.resolved == 100


def test_the_page_for_the_division_rule_and_shares(lang_son):
    reorganisation, _predecessor, links = lang_son
    admin = make_user("admin_ls", Role.ADMINISTRATOR, Unit.objects.at("20", AFTER))
    client = client_for(admin)
    url = reverse("reorganisation_page", args=[reorganisation.pk])
    page = client.get(url)
    assert page.status_code == 200 and len(page.context["divided"]) == 3
    data = {
        "rule": "shares",
        **{f"share_{link.pk}": "" for _u, ls in page.context["divided"] for link, _v in ls},
    }
    data[f"share_{links[0].pk}"] = "70"
    refused = client.post(url, data)
    assert refused.status_code == 400 and "100%" in refused.content.decode()
    data[f"share_{links[1].pk}"] = "30"
    for link in links[2:]:
        data[f"share_{link.pk}"] = "0"
    assert client.post(url, data).status_code == 302
    reorganisation.refresh_from_db()
    assert reorganisation.division_rule == "shares"
    assert (
        client_for(make_user("leader_ls", Role.LEADER, Unit.objects.at("20", AFTER)))
        .get(url)
        .status_code
        == 403
    )


def test_with_the_whole_map_loaded_pages_stay_within_their_queries(
    db, django_assert_max_num_queries
):
    load_official_units()
    superuser = make_user(SUPERUSER_NAME, is_superuser=True)
    client = client_for(superuser)
    with django_assert_max_num_queries(8):
        tops = client.get(reverse("unit_list"))
    assert len(tops.context["page"].object_list) == 34  # the provinces in force today
    with django_assert_max_num_queries(8):
        every = client.get(reverse("unit_list"), {"on": "all"})
    assert every.context["page"].paginator.count == 86  # 63 old, 23 new merged ones
    hanoi = Unit.objects.at("01", AFTER)
    with django_assert_max_num_queries(8):
        children = client.get(reverse("unit_children", args=[hanoi.pk]))
    assert len(children.context["children"]) == 126  # Hà Nội's new communes and wards
    with django_assert_max_num_queries(8):
        found = client.get(reverse("unit_search"), {"q": "vinh linh"}).json()["results"]
    assert len(found) == 2  # the new commune and the old district
    with django_assert_max_num_queries(8):
        client.get(reverse("unit_list"), {"q": "phuong 1"})
    province = Unit.objects.at("44", AFTER)
    with django_assert_max_num_queries(25):
        report = client.get(
            reverse("dossier_report"),
            {"unit_1": str(province.pk), "start": "2025", "end": "2025"},
        )
    assert report.status_code == 200 and report.context["report"].total.code == "44"
