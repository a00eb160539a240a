"""Processor time per request of the load benchmark's mix, in one process: four officers and
an appraiser (as in `bench_load.py`), each loading the ranking (answered 304 once held), their
page, saving one sub-criterion with the version just read, and the evidence file (304).
Prints the least and the median of ROUNDS rounds of 20 cycles.

Not part of `make bench` (it prints no floor). Its use is comparing two versions of the code:
the machine's speed swings by half within minutes, so run two checkouts at the same time, one
on each core, and compare their figures:

    (cd ../old && DEBUG=1 .venv/bin/python bench/mix_cpu.py) &
    (cd ../new && DEBUG=1 .venv/bin/python bench/mix_cpu.py); wait
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_load import prepare  # sets Django up on the production settings

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 9
CYCLES = 20
RANKING = "/xep-hang/?unit=464&year=2021"


def main() -> None:
    from django.test import Client

    from cchc.models import User

    people = prepare()
    chosen = [p for p in people if p[1] == "officer"][:4]
    chosen.append(next(p for p in people if p[1] == "appraiser"))
    users = []
    for person in chosen:
        client = Client()
        client.force_login(User.objects.get(username=person[0]))
        users.append((client, person))
    tags: dict[tuple[str, str], str] = {}
    turn = iter(range(10**9))

    def held(client: Client, name: str, path: str) -> None:
        """A page the browser keeps: asked again with its tag."""
        response: Any = client.get(path, HTTP_IF_NONE_MATCH=tags.get((name, path), ""))
        assert response.status_code in (200, 304), (path, response.status_code)
        if response.status_code == 200:
            tags[(name, path)] = response["ETag"]

    def cycle() -> None:
        for client, (name, kind, assessment, evidence, criterion) in users:
            held(client, name, RANKING)
            flip = next(turn) % 2
            if kind == "officer":
                page = client.get(f"/danh-gia/{assessment}/").content
                marker = f'name="c{criterion}-version" value="'.encode()
                version = page.split(marker)[1].split(b'"')[0].decode()
                fields = {
                    f"c{criterion}-answer": "yes" if flip else "no",
                    f"c{criterion}-explanation": "Đã thực hiện",
                    f"c{criterion}-version": version,
                }
                saved: Any = client.post(
                    f"/danh-gia/{assessment}/muc/{criterion}/", fields, HTTP_HX_REQUEST="true"
                )
                assert saved.status_code == 200
            else:
                page = client.get(f"/tham-dinh/{assessment}/").content
                row = page.split(f'id="row-{criterion}"'.encode())[1]
                version = row.split(b'name="version" value="')[1].split(b'"')[0].decode()
                fields = {
                    "score": "0" if flip else "",
                    "reason": "Chưa có văn bản" if flip else "",
                    "version": version,
                }
                saved = client.post(
                    f"/tham-dinh/{assessment}/muc/{criterion}/", fields, HTTP_HX_REQUEST="true"
                )
                assert b'class="notice"' in saved.content
            held(client, name, f"/tai-lieu/{evidence}/")

    for _ in range(5):  # warm: templates compiled, pages tagged
        cycle()
    per_request = []
    for _ in range(ROUNDS):
        began = time.process_time()
        for _ in range(CYCLES):
            cycle()
        per_request.append((time.process_time() - began) / (CYCLES * len(users) * 4) * 1000)
    print(
        f"mix CPU per request: least {min(per_request):.2f} ms, "
        f"median {statistics.median(per_request):.2f} ms"
    )


if __name__ == "__main__":
    main()
