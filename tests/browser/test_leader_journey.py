"""A leader opens the ranking, sorts it, opens a unit's scorecard, downloads the decision
PDF and the .xlsx."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook

from tests.factories import make_unit
from tests.ranking_fixtures import result, ten_point_set, vinh_linh_decision


def test_leader_reads_the_ranking_and_downloads_the_decision(world, open_session):
    criteria_set = ten_point_set(world.district, 2022)
    result(criteria_set, world.commune_a, "5.5", "2.75")
    result(criteria_set, world.commune_b, 6, "3.5")
    result(criteria_set, make_unit("Vĩnh Hà", parent=world.district), 4, 3)
    vinh_linh_decision(criteria_set, world.admin)
    leader = open_session(world.leader)
    page = leader.go("/")
    page.get_by_role("link", name="Xem bảng xếp hạng").click()
    leader.shot("ranking")
    assert leader.accessibility_problems() == []
    names = page.locator("table.ranking tbody tr td:nth-child(2)").all_inner_texts()
    assert names == ["Xã Vĩnh Thái", "Xã Vĩnh Long", "Xã Vĩnh Hà"]
    page.locator("table.ranking thead").get_by_role("link", name="Đơn vị").click()  # sort by name
    page.wait_for_url("**sort=name**")
    assert page.locator("table.ranking tbody tr td:nth-child(2)").all_inner_texts() == [
        "Xã Vĩnh Hà",
        "Xã Vĩnh Long",
        "Xã Vĩnh Thái",
    ]
    leader.shot("ranking-sorted")
    page.get_by_role("link", name="Xã Vĩnh Long").click()
    page.wait_for_selector("text=Dư địa tăng điểm")
    assert "2/3" in page.inner_text("main")
    leader.shot("scorecard")
    page.go_back()
    page.go_back()
    with page.expect_download() as pdf:
        page.get_by_role("link", name="Quyết định (PDF)").click()
    assert pdf.value.suggested_filename.endswith(".pdf")
    assert Path(pdf.value.path()).read_bytes().startswith(b"%PDF")
    with page.expect_download() as xlsx:
        page.get_by_role("link", name="Xuất .xlsx").click()
    sheet = load_workbook(io.BytesIO(Path(xlsx.value.path()).read_bytes())).active
    assert [sheet.cell(row, 3).value for row in range(4, 7)] == [
        "Xã Vĩnh Thái",
        "Xã Vĩnh Long",
        "Xã Vĩnh Hà",
    ]
