"""The public survey form under load, through the production configuration (gunicorn,
DEBUG off): 20 respondents at once, each opening a unit's form (a new device each time)
and sending a full set of answers, for LOAD_SECONDS; against the same two requests to a
bare view served the same way (the floor). The limits per network address and device are
raised for the run: every respondent comes from 127.0.0.1.

Prints: bench survey_submissions_20: N answers/s (p95 … ms, E errors), RATIOx vs bare view
"""

from __future__ import annotations

import io
import os
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ["SURVEY_MAX_PER_NETWORK_HOUR"] = "100000000"
os.environ["SURVEY_MAX_PER_DEVICE_DAY"] = "100000000"
from bench_load import Browser, free_port, start_server
from django.core.management import call_command

from surveys.models import Response, UnitLink
from surveys.responses import asked_of

RESPONDENTS = 20
DURATION = float(os.environ.get("LOAD_SECONDS", "12"))


def forms() -> list[tuple[str, str]]:
    """(form path, body without the CSRF token) per unit of the demo survey."""
    call_command("load_demo", stdout=io.StringIO())
    found = []
    for link in UnitLink.objects.select_related("questionnaire"):
        group = link.questionnaire.groups.order_by("sort").first()
        assert group is not None
        answers = {f"q-{q.code}": "B" for q in asked_of(link.questionnaire, group)}
        found.append(
            (
                f"/khao-sat/{link.slug}/?nhom={group.code}",
                urlencode({"nhom": group.code, **answers}),
            )
        )
    return found


def run(port: int, work) -> tuple[int, list[float], int]:  # type: ignore[no-untyped-def]
    done, errors, latencies = 0, 0, []
    lock = threading.Lock()
    start = threading.Barrier(RESPONDENTS)

    def respondent(index: int) -> None:
        nonlocal done, errors
        browser = Browser(port)
        start.wait()
        deadline = time.perf_counter() + DURATION
        mine, failed, count, turn = [], 0, 0, 0
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            ok = work(browser, index, turn)
            turn += 1
            mine.append(time.perf_counter() - began)
            count += ok
            failed += not ok
        with lock:
            done += count
            errors += failed
            latencies.extend(mine)

    threads = [threading.Thread(target=respondent, args=(i,)) for i in range(RESPONDENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done, sorted(latencies), errors


def main() -> None:
    units = forms()
    before = Response.objects.count()
    port = free_port()
    server = start_server(port)

    def answer(browser: Browser, index: int, turn: int) -> bool:
        path, body = units[(index + turn) % len(units)]
        browser.cookies.clear()  # a new respondent on a new device
        status, _ = browser.request("GET", path)
        token = browser.cookies.get("csrftoken", "")
        sent, _ = browser.request(
            "POST", path, f"{body}&{urlencode({'csrfmiddlewaretoken': token})}"
        )
        return status == 200 and sent == 302

    def bare(browser: Browser, index: int, turn: int) -> bool:
        first, _ = browser.request("GET", "/healthz/")
        second, _ = browser.request("GET", "/healthz/")
        return first == 200 and second == 200

    try:
        done, latencies, errors = run(port, answer)
        floor, _floor_latencies, floor_errors = run(port, bare)
    finally:
        server.terminate()
        server.wait(timeout=30)
    stored = Response.objects.count() - before
    assert stored == done, (stored, done)
    rate, floor_rate = done / DURATION, floor / DURATION
    p95 = latencies[int(len(latencies) * 0.95)] * 1000 if latencies else 0
    print(
        f"bench survey_submissions_{RESPONDENTS}: {rate:.0f} answers/s (p95 {p95:.0f} ms, {errors} errors), "
        f"{rate / floor_rate:.2f}x vs bare view ({floor_rate:.0f} pairs/s, {floor_errors} errors)"
    )


if __name__ == "__main__":
    main()
