"""A published criteria set with one sub-criterion per method, and an open assessment."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from cchc.spreadsheets import read_table
from scoring.assessment.self_assessment import open_assessments
from scoring.criteria.files import COLUMNS
from scoring.criteria.sets import SetDetails, import_criteria_set, publish_criteria_set
from scoring.models import Assessment, Criterion
from tests.spreadsheet_files import xlsx_bytes

ROWS: list[list[Any]] = [
    COLUMNS,
    ["1", "Chỉ đạo điều hành", 8, "", "", "", ""],
    ["1.1", "Ban hành kế hoạch", 2, "yes_no", "", "Kế hoạch", ""],
    ["1.2", "Thực hiện kế hoạch", 2, "manual", "bước: 0,5", "Báo cáo", ""],
    [
        "1.3",
        "Tuyên truyền",
        2,
        "levels",
        "mức: Từ 3 hình thức = 2 | 1–2 hình thức = 1 | Không = 0",
        "",
        "",
    ],
    ["1.4", "Sáng kiến", 2, "count", "mỗi mục: 1", "", ""],
    ["2", "Thủ tục hành chính", 4, "", "", "", ""],
    [
        "2.1",
        "Kết quả điện tử",
        1,
        "proportional",
        "tử số: ket_qua_dien_tu; mẫu số: da_giai_quyet",
        "",
        "",
    ],
    ["2.2", "Xin lỗi khi trễ hạn", 1, "yes_no", "không áp dụng: được phép", "", ""],
    ["2.3", "Hài lòng", 2, "survey", "", "", ""],
    ["3", "Thưởng", 0, "", "", "", ""],
    ["3.1", "Khen thưởng", 1, "bonus", "", "", ""],
]


def make_open_assessment(world, year=2022, days=30, rows=None, total=12):
    """Commune A's open assessment of a published set of ``rows`` (criteria rows without
    the header; by default ``ROWS``) adding up to ``total``."""
    import io

    table = ROWS if rows is None else [COLUMNS, *rows]
    import_table = read_table(io.BytesIO(xlsx_bytes(table)), "set.xlsx")
    criteria_set, _ = import_criteria_set(
        import_table,
        SetDetails(
            year=year, title=f"Bộ {year}", scope=world.district, declared_total=Decimal(total)
        ),
    )
    publish_criteria_set(criteria_set)
    open_assessments(criteria_set, timezone.now() + datetime.timedelta(days=days), world.admin)
    return Assessment.objects.get(unit=world.commune_a, criteria_set=criteria_set)


def criterion(assessment, code):
    return Criterion.objects.get(criteria_set=assessment.criteria_set, code=code)
