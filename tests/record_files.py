"""Files of dossier records in the built-in layout, for tests."""

from __future__ import annotations

import io
from typing import Any

from cchc.models import User
from dossiers.record_imports import DEFAULT_COLUMNS, import_records
from tests.spreadsheet_files import csv_bytes, xlsx_bytes

HEADERS = [header for header, _required in DEFAULT_COLUMNS.values()]
FIELDS = list(DEFAULT_COLUMNS)
SUPERUSER = User(is_superuser=True)


def record(code: str, **values: Any) -> list[Any]:
    """One row: a dossier of commune 19375 received on 05/03/2024 at 08:00 with 3 working
    days, resolved on 07/03/2024, unless ``values`` say otherwise (by field name)."""
    row: dict[str, Any] = {
        "code": code,
        "unit": "19375",
        "procedure_code": "1.001612",
        "procedure_name": "Chứng thực bản sao từ bản chính",
        "received_at": "05/03/2024 08:00",
        "due_at": "",
        "legal_days": 3,
        "closed_at": "07/03/2024 10:00",
        "returned_at": "",
        "channel": "Trực tiếp",
        "paid_online": "",
        "electronic_result": "",
        "digitised": "",
        "supplement_count": "",
        "pauses": "",
        "state": "Đã giải quyết",
        "rating": "",
    }
    row.update(values)
    return [row[name] for name in FIELDS]


def records_file(rows: list[list[Any]], name: str = "ho-so.csv") -> tuple[io.BytesIO, str]:
    content = (
        xlsx_bytes([HEADERS, *rows]) if name.endswith(".xlsx") else csv_bytes([HEADERS, *rows])
    )
    return io.BytesIO(content), name


def import_rows(
    rows: list[list[Any]], user: User = SUPERUSER, name: str = "ho-so.csv", **options: Any
):
    source, filename = records_file(rows, name)
    return import_records(source, filename, user, **options)
