"""A leader opens the ranking, sorts it, opens a unit's scorecard, downloads the decision
PDF and the .xlsx."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

from openpyxl import load_workbook

from scoring.models import Decision
from tests.factories import make_unit
from tests.ranking_fixtures import result, ten_point_set


def test_leader_reads_the_ranking_and_downloads_the_decision(world, open_session):
    criteria_set = ten_point_set(world.district, 2022)
    result(criteria_set, world.commune_a, "5.5", "2.75")
    result(criteria_set, world.commune_b, 6, "3.5")
    result(criteria_set, make_unit("Vĩnh Hà", parent=world.district), 4, 3)
    Decision.objects.create(
        criteria_set=criteria_set,
        number="4867/QĐ-UBND",
        date=datetime.date(2022, 12, 29),
        place="Vĩnh Linh",
        issuing_body="ỦY BAN NHÂN DÂN HUYỆN VĨNH LINH",
        signer_name="Trần Văn Bình",
        legal_bases="Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
        recipients="Như Điều 3;\nLưu: VT.",
    )
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
