"""A million dossier records of 3,321 communes: the import (a .csv file read twice, checked,
judged by the working-day rules and written in one transaction) against a bare bulk insert
of the same rows (the floor); then the service index of the province and its 3,321
communes ranked, against the bare grouped count of the same records.

Prints:
    bench records_import_1000000: SECONDS s, RATIOx vs bare bulk insert
    bench service_index_3321: SECONDS s, RATIOx vs bare grouped count

BENCH_RECORDS sets the number of records (default 1,000,000).
"""

from __future__ import annotations

import atexit
import csv
import datetime
import os
import shutil
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from django_setup import setup

setup()

from django.db import transaction  # noqa: E402
from django.db.models import Count, Q  # noqa: E402

from cchc.models import Unit, UnitKind, User  # noqa: E402
from dossiers.models import DossierRecord  # noqa: E402
from dossiers.periods import Period  # noqa: E402
from dossiers.record_counts import taking_part  # noqa: E402
from dossiers.record_imports import DEFAULT_COLUMNS, LOCAL, import_records  # noqa: E402
from dossiers.service_index import index_report  # noqa: E402

COMMUNES = 3321
RECORDS = int(os.environ.get("BENCH_RECORDS", "1000000"))
CHANNELS = [
    "Trực tiếp",
    "Trực tiếp",
    "Trực tuyến một phần",
    "Trực tuyến toàn trình",
    "Bưu chính công ích",
]
CHANNEL_CODES = {
    "Trực tiếp": "direct",
    "Trực tuyến một phần": "online_partial",
    "Trực tuyến toàn trình": "online_full",
    "Bưu chính công ích": "postal",
}


def units() -> tuple[Unit, list[Unit]]:
    start = datetime.date(2000, 1, 1)
    province = Unit.objects.create_in_tree(
        [Unit(code="99", name="Tỉnh thử", kind=UnitKind.PROVINCE, valid_from=start)]
    )[0]
    communes = Unit.objects.create_in_tree(
        [
            Unit(
                code=f"9{n:04d}",
                name=f"Xã {n}",
                kind=UnitKind.COMMUNE,
                parent=province,
                valid_from=start,
            )
            for n in range(COMMUNES)
        ]
    )
    return province, communes


def rows(communes: list[Unit]):  # type: ignore[no-untyped-def]
    """Dossiers of 2024 spread over the communes: received on a day of the year, with 1 to
    10 working days, most resolved, some late, some open, a few paused."""
    first = datetime.date(2024, 1, 2)
    for number in range(RECORDS):
        commune = communes[number % COMMUNES]
        received = first + datetime.timedelta(days=(number * 7) % 330)
        legal = 1 + number % 10
        finished = received + datetime.timedelta(
            days=legal + (number % 5) - 2 + (3 if number % 29 == 0 else 0)
        )
        is_open = number % 41 == 0
        pause = number % 17 == 0
        yield {
            "code": f"H{number:08d}",
            "unit": commune.code,
            "procedure_code": f"1.00{number % 90:02d}",
            "procedure_name": "Chứng thực bản sao từ bản chính",
            "received_at": datetime.datetime.combine(received, datetime.time(8 + number % 8, 15)),
            "legal_days": legal,
            "closed_at": None
            if is_open
            else datetime.datetime.combine(
                max(finished, received + datetime.timedelta(days=1)), datetime.time(16, 0)
            ),
            "channel": CHANNELS[number % len(CHANNELS)],
            "paid_online": number % 3 == 0,
            "electronic_result": number % 2 == 0,
            "digitised": number % 4 != 0,
            "supplement_count": 1 if pause else 0,
            "pauses": (received, received + datetime.timedelta(days=1)) if pause else None,
            "state": "Đang giải quyết" if is_open else "Đã giải quyết",
            "rating": 5 - number % 4 if number % 3 else None,
        }


def write_csv(path: Path, communes: list[Unit]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([header for header, _required in DEFAULT_COLUMNS.values()])
        for row in rows(communes):
            pauses = ""
            if row["pauses"]:
                start, end = row["pauses"]
                pauses = f"{start:%d/%m/%Y} - {end:%d/%m/%Y}"
            writer.writerow(
                [
                    row["code"],
                    row["unit"],
                    row["procedure_code"],
                    row["procedure_name"],
                    f"{row['received_at']:%d/%m/%Y %H:%M}",
                    "",
                    row["legal_days"],
                    f"{row['closed_at']:%d/%m/%Y %H:%M}" if row["closed_at"] else "",
                    "",
                    row["channel"],
                    "Có" if row["paid_online"] else "",
                    "Có" if row["electronic_result"] else "",
                    "Có" if row["digitised"] else "",
                    row["supplement_count"],
                    pauses,
                    row["state"],
                    row["rating"] or "",
                ]
            )


def bare_insert(communes: list[Unit]) -> float:
    """The floor: the same rows as ready-made model objects, bulk inserted in one transaction."""
    by_code = {commune.code: commune.pk for commune in communes}
    objects = []
    for row in rows(communes):
        received = row["received_at"].replace(tzinfo=LOCAL)
        closed = row["closed_at"].replace(tzinfo=LOCAL) if row["closed_at"] else None
        objects.append(
            DossierRecord(
                code=row["code"],
                unit_id=by_code[row["unit"]],
                procedure_code=row["procedure_code"],
                procedure_name=row["procedure_name"],
                received_at=received,
                legal_days=Decimal(row["legal_days"]),
                closed_at=closed,
                channel=CHANNEL_CODES[row["channel"]],
                paid_online=row["paid_online"],
                electronic_result=row["electronic_result"],
                digitised=row["digitised"],
                supplement_count=row["supplement_count"],
                pauses=[[s.isoformat(), e.isoformat()] for s, e in [row["pauses"]]]
                if row["pauses"]
                else [],
                state="in_progress" if closed is None else "done",
                rating=row["rating"],
                received_on=received.date(),
                due_on=received.date() + datetime.timedelta(days=row["legal_days"]),
                closed_on=closed.date() if closed else None,
                outcome="" if closed is None else "on_time",
            )
        )
    started = time.perf_counter()
    with transaction.atomic():
        DossierRecord.objects.bulk_create(objects, batch_size=2000)
    return time.perf_counter() - started


def main() -> None:
    province, communes = units()
    folder = Path(tempfile.mkdtemp(prefix="cchc-records-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "ho-so.csv"
    write_csv(path, communes)

    floor = bare_insert(communes)
    DossierRecord.objects.all().delete()
    started = time.perf_counter()
    summary = import_records(path, path.name, User(is_superuser=True))
    seconds = time.perf_counter() - started
    assert summary.created == RECORDS, summary
    print(
        f"bench records_import_{RECORDS}: {seconds:.1f} s, {seconds / floor:.1f}x vs bare bulk insert"
    )

    year = Period.parse("2024")
    started = time.perf_counter()
    report = index_report(province, year, year)
    seconds = time.perf_counter() - started
    assert len(report.children) == COMMUNES and report.index.score is not None
    started = time.perf_counter()
    counted = list(
        DossierRecord.objects.filter(taking_part(year.start, year.end))
        .values("unit_id")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(state="done")))
        .order_by()
    )
    floor = time.perf_counter() - started
    assert len(counted) == COMMUNES
    print(
        f"bench service_index_{COMMUNES}: {seconds:.2f} s, {seconds / floor:.1f}x vs bare grouped count"
    )


main()
