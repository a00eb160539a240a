"""The whole country's official map (both periods, about 14,000 units and their lineage)
loaded by ``load_official_units`` on PostgreSQL, against a bare bulk insert of the same
number of unit rows; then, with the whole map loaded, the ranking page of 3,321 communes and
the unit search, each against the bare query of what it shows.

Prints:
    bench load_official_units_NNNNN: SECONDS s, RATIOx vs bare bulk insert
    bench ranking_page_whole_map_3321: SECONDS s, RATIOx vs bare query of the rows
    bench unit_search_whole_map: MILLISECONDS ms, RATIOx vs bare query
"""

from __future__ import annotations

import datetime
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from django_setup import postgres_database, setup

os.environ["DATABASE_URL"] = postgres_database("cchc_bench_map")
setup()

from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402

from cchc.models import Unit, UnitKind, User  # noqa: E402
from cchc.official_map import REFORM_DAY, load_official_units  # noqa: E402
from scoring.engine import rank  # noqa: E402
from scoring.models import CriteriaSet, Decision, PublishedResult  # noqa: E402

SEARCHES = ["vinh linh", "phuong 1", "19363", "hoa binh", "xa tan"]


def timed(work) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def best_of(runs: int, work) -> float:  # type: ignore[no-untyped-def]
    return min(timed(work) for _ in range(runs))


class Rollback(Exception):
    pass


def bare_insert(count: int) -> float:
    """The floor: the same number of unit rows in one bulk insert, rolled back after."""
    rows = [
        Unit(
            code=f"B{n:07d}",
            name=f"Đơn vị {n}",
            kind=UnitKind.COMMUNE,
            valid_from=datetime.date(2000, 1, 1),
            path="",
        )
        for n in range(count)
    ]
    start = time.perf_counter()
    try:
        with transaction.atomic():
            Unit.objects.bulk_create(rows, batch_size=2000)
            elapsed = time.perf_counter() - start
            raise Rollback
    except Rollback:
        return elapsed


def main() -> None:
    load_seconds = timed(load_official_units)
    units = Unit.objects.count()
    floor = bare_insert(units)
    print(
        f"bench load_official_units_{units}: {load_seconds:.2f} s, "
        f"{load_seconds / floor:.1f}x vs bare bulk insert"
    )

    communes = list(
        Unit.objects.in_force_on(REFORM_DAY)
        .filter(kind__in=["xa", "phuong", "dac_khu"])
        .order_by("path")
    )
    hanoi = Unit.objects.at("01", REFORM_DAY)
    criteria_set = CriteriaSet.objects.create(
        year=2025,
        title="Kết quả toàn quốc",
        scope=hanoi,
        issuer=hanoi,
        status=CriteriaSet.Status.PUBLISHED,
        unit_kinds=["xa", "phuong", "dac_khu"],
    )
    decision = Decision.objects.create(
        criteria_set=criteria_set,
        number="1/QĐ",
        date=datetime.date(2025, 12, 30),
        place="Hà Nội",
        issuing_body="ỦY BAN NHÂN DÂN",
        signer_name="A",
        legal_bases="Căn cứ.",
        recipients="Lưu.",
        imported=True,
    )
    indices = {u.pk: Decimal(60 + n % 40) for n, u in enumerate(communes)}
    ranks = rank(indices)
    PublishedResult.objects.bulk_create(
        [
            PublishedResult(
                decision=decision,
                unit=u,
                unit_label=str(u),
                total=indices[u.pk],
                max_total=Decimal(100),
                index=indices[u.pk],
                classification="Khá",
                fields={str(f): ["10", "12"] for f in range(1, 9)},
                rank=ranks[u.pk].position,
                rank_of=ranks[u.pk].of,
            )
            for u in communes
        ],
        batch_size=1000,
    )
    admin = User.objects.create_superuser("bench-admin", password="bench-password-1")
    client = Client()
    client.force_login(admin)

    def page() -> None:
        response = client.get("/xep-hang/", {"year": "2025", "bo": str(criteria_set.pk)})
        assert (
            response.status_code == 200 and f"{len(communes)} đơn vị".encode() in response.content
        )

    def bare_rows() -> None:
        list(
            PublishedResult.objects.filter(decision=decision).values_list(
                "unit__code", "unit_label", "total", "index", "classification", "fields"
            )
        )

    page()
    page_seconds, rows_seconds = best_of(3, page), best_of(3, bare_rows)
    print(
        f"bench ranking_page_whole_map_{len(communes)}: {page_seconds:.2f} s, "
        f"{page_seconds / rows_seconds:.1f}x vs bare query of the rows"
    )

    def search() -> None:
        for text in SEARCHES:
            assert client.get("/don-vi/tim/", {"q": text}).status_code == 200

    def bare_search() -> None:
        for text in SEARCHES:
            list(Unit.objects.search(text).order_by("depth", "code")[:20])

    search()
    search_seconds, bare_seconds = best_of(5, search), best_of(5, bare_search)
    print(
        f"bench unit_search_whole_map: {search_seconds / len(SEARCHES) * 1000:.1f} ms, "
        f"{search_seconds / bare_seconds:.1f}x vs bare query"
    )


if __name__ == "__main__":
    main()
