"""Where the load benchmark's pages spend their time: each page of `bench_load.py` (the
ranking, the officer's page, the officer's htmx save, the appraiser's save, an evidence
download) requested through Django's full middleware stack on the production settings (DEBUG
off), with its mean time and query count, then a pyinstrument profile of each.

Not part of `make bench` (it prints profiles, not one figure): run it by hand,
`DEBUG=1 .venv/bin/python bench/profile_pages.py [PAGE ...]`, when a page gets slower
(`SHOW_ALL=1` shows the frames of Django and the libraries too).
"""

from __future__ import annotations

import sys
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_load import prepare  # sets Django up on the production settings

ROUNDS = 30


def main() -> None:
    from django.db import connection
    from django.test import Client
    from pyinstrument import Profiler

    from cchc.models import User

    people = prepare()
    officer = next(person for person in people if person[1] == "officer")
    appraiser = next(person for person in people if person[1] == "appraiser")
    clients = {}
    for person in (officer, appraiser):
        clients[person[1]] = Client()
        clients[person[1]].force_login(User.objects.get(username=person[0]))
    flip = iter(range(10**6))

    def officer_save() -> object:
        _name, _kind, assessment, _evidence, criterion = officer
        page = clients["officer"].get(f"/danh-gia/{assessment}/").content
        version = page.split(f'name="c{criterion}-version" value="'.encode())[1].split(b'"')[0]
        return clients["officer"].post(
            f"/danh-gia/{assessment}/muc/{criterion}/",
            {
                f"c{criterion}-answer": "yes" if next(flip) % 2 else "no",
                f"c{criterion}-explanation": "Đã thực hiện",
                f"c{criterion}-version": version.decode(),
            },
            HTTP_HX_REQUEST="true",
        )

    def appraiser_save() -> object:
        _name, _kind, assessment, _evidence, criterion = appraiser
        page = clients["appraiser"].get(f"/tham-dinh/{assessment}/").content
        row = page.split(f'id="row-{criterion}"'.encode())[1]
        version = row.split(b'name="version" value="')[1].split(b'"')[0]
        deduct = next(flip) % 2
        response = clients["appraiser"].post(
            f"/tham-dinh/{assessment}/muc/{criterion}/",
            {
                "score": "0" if deduct else "",
                "reason": "Chưa có văn bản" if deduct else "",
                "version": version.decode(),
            },
            HTTP_HX_REQUEST="true",
        )
        assert b'class="notice"' in response.content
        return response

    ranking_url = "/xep-hang/?unit=464&year=2021"
    ranking_tag = clients["officer"].get(ranking_url)["ETag"]
    pages = {
        "ranking": lambda: clients["officer"].get(ranking_url),
        # What a browser holding the page gets while nothing it shows was written.
        "ranking_304": lambda: clients["officer"].get(ranking_url, HTTP_IF_NONE_MATCH=ranking_tag),
        "officer_page": lambda: clients["officer"].get(f"/danh-gia/{officer[2]}/"),
        # Each save includes reading its page first (for the version); subtract that page.
        "officer_save": officer_save,
        "appraisal_page": lambda: clients["appraiser"].get(f"/tham-dinh/{appraiser[2]}/"),
        "appraiser_save": appraiser_save,
        "evidence": lambda: clients["officer"].get(f"/tai-lieu/{officer[3]}/"),
    }
    chosen = sys.argv[1:] or list(pages)
    for name in chosen:
        request = pages[name]
        response = request()
        assert response.status_code in (200, 304), (name, response.status_code)  # type: ignore[attr-defined]
        queries: list[str] = []  # counted by a wrapper: each request resets Django's query log
        with connection.execute_wrapper(partial(_count, queries)):
            request()
        began = time.perf_counter()
        for _ in range(ROUNDS):
            request()
        mean = (time.perf_counter() - began) / ROUNDS * 1000
        print(f"{name}: {mean:.1f} ms, {len(queries)} queries")
    for name in chosen:
        profiler = Profiler(interval=0.0005)
        with profiler:
            for _ in range(ROUNDS):
                pages[name]()
        print(f"\n===== {name} =====")
        print(
            profiler.output_text(
                unicode=True, color=False, show_all=bool(__import__("os").environ.get("SHOW_ALL"))
            )
        )


def _count(queries, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
    queries.append(sql)
    return execute(sql, params, many, context)


if __name__ == "__main__":
    main()
