"""Imports 3,321 communes × 12 months of dossier figures from a .csv file and compares the
time with a bare bulk insert of the same rows (the floor), on a fresh SQLite database
(or the one DATABASE_URL names).

Prints: bench dossier_import_3321x12: ROWS rows/s, RATIOx vs bare bulk insert
"""

from __future__ import annotations

import csv
import datetime
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from django_setup import setup

setup()

from django.db import transaction  # noqa: E402

from cchc.models import Unit, UnitKind, User  # noqa: E402
from cchc.spreadsheets import read_table  # noqa: E402
from dossiers.imports import COLUMNS, import_dossiers  # noqa: E402
from dossiers.models import DossierChange, DossierStatistics  # noqa: E402
from dossiers.periods import Period, PeriodKind  # noqa: E402

COMMUNES = 3321
MONTHS = 12


def setup_units() -> list[Unit]:
    DossierChange.objects.all().delete()
    DossierStatistics.objects.all().delete()
    Unit.objects.exclude(code="P").delete()
    province, _ = Unit.objects.get_or_create(
        code="P",
        defaults={
            "name": "Tỉnh",
            "kind": UnitKind.PROVINCE,
            "valid_from": datetime.date(2000, 1, 1),
        },
    )
    Unit.objects.bulk_create(
        [
            Unit(
                code=f"C{n:05d}",
                name=f"Xã {n}",
                kind=UnitKind.COMMUNE,
                parent=province,
                valid_from=datetime.date(2000, 1, 1),
                path=f"{province.path}C{n:05d}/",
                depth=1,
            )
            for n in range(COMMUNES)
        ]
    )
    return list(Unit.objects.filter(kind=UnitKind.COMMUNE))


def row_values(n: int, month: int) -> list[int]:
    early, on_time, late = 10 + n % 7, 40 + month, n % 3
    pending = 5
    received = early + on_time + late + pending
    # new, carried, full, partial, postal, early, on time, late, pending in, overdue, returned, paid, e-results, digitised
    return [received - 2, 2, 8, 4, 1, early, on_time, late, pending, 0, 0, 3, early, 20]


def csv_file(units: list[Unit]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for n, unit in enumerate(units):
        for month in range(1, MONTHS + 1):
            writer.writerow([unit.code, f"2024-{month:02d}", *row_values(n, month)])
    return buffer.getvalue().encode("utf-8")


def bare_insert(units: list[Unit]) -> float:
    names = [f.name for f in DossierStatistics._meta.fields][7:21]
    start = time.perf_counter()
    with transaction.atomic():
        DossierStatistics.objects.bulk_create(
            [
                DossierStatistics(
                    unit_id=unit.pk,
                    period_kind="month",
                    year=2024,
                    number=month,
                    period_start=Period(2024, PeriodKind.MONTH, month).start,
                    period_end=Period(2024, PeriodKind.MONTH, month).end,
                    **dict(zip(names, row_values(n, month), strict=True)),
                )
                for n, unit in enumerate(units)
                for month in range(1, MONTHS + 1)
            ],
            batch_size=500,
        )
    return time.perf_counter() - start


def main() -> None:
    units = setup_units()
    content = csv_file(units)
    user = User.objects.get_or_create(username="bench", defaults={"is_superuser": True})[0]

    start = time.perf_counter()
    summary = import_dossiers(read_table(io.BytesIO(content), "bench.csv"), user)
    import_seconds = time.perf_counter() - start
    assert summary.created == COMMUNES * MONTHS, summary

    DossierChange.objects.all().delete()
    DossierStatistics.objects.all().delete()
    floor_seconds = bare_insert(units)
    rows = COMMUNES * MONTHS
    print(
        f"bench dossier_import_{COMMUNES}x{MONTHS}: {rows / import_seconds:,.0f} rows/s, "
        f"{import_seconds / floor_seconds:.1f}x vs bare bulk insert"
    )


if __name__ == "__main__":
    main()
