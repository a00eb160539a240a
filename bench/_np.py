"""50 signed-in users against the production configuration (gunicorn, DEBUG off, WhiteNoise)
on 127.0.0.1. Four in five are commune officers: each loads the ranking, the officer's page,
saves one sub-criterion (the htmx post, with the version it read) and downloads an evidence
file in turn. One in five is an appraiser of the district: the ranking, the appraisal page, the
htmx save of one appraised score (with its version) and the evidence file. They pause 0,5–1,5 s
between pages as a person reading them would. Like a browser, each keeps the pages and files
the server tagged (ETag, "private, no-cache") and asks for them again with If-None-Match: a
304 is the page it holds. Then the same users, with the same pauses, against a bare view
served the same way (the floor).

Prints: bench load_50_users: RPS req/s (p50 … ms, p95 … ms, N errors; saves …; the share
answered 304), RATIOx vs
bare view (… req/s), the same without the pauses (load_50_users_no_pause): the most the
machine serves; then 200 users with pauses (load_200_users). The saves' p95 (officers' and
appraisers' together) is printed apart; each page's p50 and p95 (the bare view's "healthz"
among them) go to stderr after each run, where the time goes.
"""

from __future__ import annotations

import collections
import http.client
import io
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from django_setup import ROOT, setup

setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402

from cchc.models import Role, RoleAssignment, Unit, User  # noqa: E402
from scoring.assessment.evidence import link_evidence, store_evidence  # noqa: E402
from scoring.assessment.workflow import record_move  # noqa: E402
from scoring.models import Assessment, AssessmentItem  # noqa: E402
from scoring.models import AssessmentState as S  # noqa: E402

USERS = 50
CROWD = int(os.environ.get("LOAD_CROWD", "200"))
SAVE = "save"
APPRAISE = "appraise"
FAILURES: collections.Counter[tuple[str, int]] = collections.Counter()  # (page, status): count
REVALIDATED = collections.Counter[str]()  # requests answered 304 ("requests")
BY_PAGE: collections.defaultdict[str, list[float]] = collections.defaultdict(list)  # seconds
APPRAISED_UNITS = 6  # of the district's 18 communes, being appraised; the others self-assess
APPRAISER_EVERY = 5  # one user in five is an appraiser
SIGNING_IN = threading.Semaphore(4)
VERSION = re.compile(rb'name="c\d+-version" value="(\d+)"')
APPRAISAL_VERSION = re.compile(rb'name="version" value="(\d+)"')
DURATION = float(os.environ.get("LOAD_SECONDS", "12"))
PASSWORD = "load-test-password-1"
PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    + b"0" * 20000
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prepare() -> list[tuple[str, str, int, int, int]]:
    """Demo data, a sixth of the district's 2022 self-assessments moved on to appraisal, one
    evidence file per commune, and the users: officers of a commune still self-assessing and
    appraisers of the district, each also a leader of the district (the ranking). Returns
    (username, "officer" or "appraiser", assessment id, evidence id, criterion saved) per
    user; no two users save the same item."""
    call_command("load_demo", stdout=io.StringIO())
    district = Unit.objects.get(code="464")
    assessments = list(
        Assessment.objects.filter(criteria_set__year=2022, unit__parent=district)
        .select_related("unit")
        .order_by("unit__code")
    )
    administrator = User.objects.get(username="admin")
    evidence_of = {}
    for assessment in assessments:
        item, _ = AssessmentItem.objects.get_or_create(
            assessment=assessment, criterion=assessment.criteria_set.criteria.get(code="1.1.1")
        )
        evidence = store_evidence(
            assessment.unit, SimpleUploadedFile("ke-hoach.pdf", PDF), administrator
        )
        link_evidence(item, evidence, administrator)
        evidence_of[assessment.pk] = evidence.pk
    appraised, drafts = assessments[:APPRAISED_UNITS], assessments[APPRAISED_UNITS:]
    for assessment in appraised:
        for state in (S.SUBMITTED, S.UNDER_APPRAISAL):
            record_move(assessment, state, administrator, source="benchmark")
            assessment.save()
    yes_no = list(assessments[0].criteria_set.criteria.filter(method="yes_no").order_by("sort_key"))
    people = []
    for n in range(max(USERS, CROWD)):
        appraiser = n % APPRAISER_EVERY == APPRAISER_EVERY - 1
        group = appraised if appraiser else drafts
        seat = n // APPRAISER_EVERY if appraiser else n - n // APPRAISER_EVERY
        assessment = group[seat % len(group)]
        user = User.objects.create_user(f"load{n}", password=PASSWORD)
        if appraiser:
            RoleAssignment.objects.create(user=user, unit=district, role=Role.APPRAISER)
        else:
            RoleAssignment.objects.create(user=user, unit=assessment.unit, role=Role.OFFICER)
        RoleAssignment.objects.create(user=user, unit=district, role=Role.LEADER)
        # Each user saves a sub-criterion of its own (never two people on one item).
        criterion = yes_no[(seat // len(group)) % len(yes_no)]
        assert (seat // len(group)) < len(yes_no), "more users than items to save"
        people.append(
            (
                user.username,
                "appraiser" if appraiser else "officer",
                assessment.pk,
                evidence_of[assessment.pk],
                criterion.pk,
            )
        )
    return people


def start_server(port: int) -> subprocess.Popen:  # type: ignore[type-arg]
    env = {
        **os.environ,
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "BEHIND_PROXY": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "BIND": f"127.0.0.1:{port}",
        "ACCESS_LOG": "",
        "AXES_FAILURE_LIMIT": "1000",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "cchc.wsgi", "-c", "deploy/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _attempt in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz/")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("gunicorn did not start")


class Browser:
    """One signed-in user over one keep-alive connection."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.page = b""  # the last page read (an appraiser reads its row's version there)
        self.version = ""  # the version the last save answered with
        self.deducted = False  # the appraiser's last save took the points away
        # Tags of the pages and files it holds, sent back as a browser does with what the
        # server marked "private, no-cache": it asks again each time, and a 304 is the page.
        self.tags: dict[str, tuple[str, bytes]] = {}  # path: (tag, content)
        self.revalidated = 0  # answers 304

    def request(
        self, method: str, path: str, body: str | None = None, htmx: bool = False
    ) -> tuple[int, bytes]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if method == "GET" and path in self.tags:
            headers["If-None-Match"] = self.tags[path][0]
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if htmx:
            headers["HX-Request"] = "true"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        except (OSError, http.client.HTTPException):
            # The server closed the kept-alive connection (a recycled worker): reconnect, once.
            self.connection.close()
            self.connection = http.client.HTTPConnection(
                self.connection.host, self.connection.port, timeout=30
            )
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        content = response.read()
        status = response.status
        if status == 304 and path in self.tags:
            self.revalidated += 1
            status, content = 200, self.tags[path][1]  # the page it holds
        elif method == "GET" and status == 200 and response.getheader("ETag"):
            self.tags[path] = (response.getheader("ETag") or "", content)
        self.page = content
        for header in response.msg.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return status, content

    def htmx_post(self, path: str, fields: dict[str, str]) -> tuple[int, bytes]:
        """A form posted by htmx, with the CSRF token as the page sends it."""
        body = urlencode({**fields, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")})
        return self.request("POST", path, body, htmx=True)

    def save(self, assessment: int, criterion: int) -> int:
        """The officer's htmx save of one yes/no sub-criterion, with the version it read."""
        status, content = self.htmx_post(
            f"/danh-gia/{assessment}/muc/{criterion}/",
            {
                f"c{criterion}-answer": "yes" if len(self.cookies) % 2 else "no",
                f"c{criterion}-explanation": "Đã thực hiện",
                f"c{criterion}-version": self.version,
            },
        )
        found = VERSION.search(content)
        if found:
            self.version = found.group(1).decode()
        return status

    def appraise(self, assessment: int, criterion: int) -> int:
        """The appraiser's htmx save of one appraised score, with the version it read (on the
        appraisal page just loaded, as a person would): zero with the reason, then back to the
        self score, in turn."""
        row = self.page.split(f'id="row-{criterion}"'.encode(), 1)[-1] if self.page else b""
        read = APPRAISAL_VERSION.search(row)
        version = read.group(1).decode() if read else self.version or "0"
        deduct = not self.deducted
        status, content = self.htmx_post(
            f"/tham-dinh/{assessment}/muc/{criterion}/",
            {
                "score": "0" if deduct else "",
                "reason": "Chưa có văn bản chứng minh" if deduct else "",
                "version": version,
            },
        )
        self.page = b""
        saved = b'class="notice"' in content  # a refused save answers 200 with its errors
        found = APPRAISAL_VERSION.search(content)
        if found and saved:
            self.version = found.group(1).decode()
            self.deducted = deduct
        return status if saved else 409

    def sign_in(self, username: str) -> None:
        self.request("GET", "/dang-nhap/")
        token = self.cookies["csrftoken"]
        status, _ = self.request(
            "POST",
            "/dang-nhap/",
            urlencode({"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD}),
        )
        if status != 302:
            raise RuntimeError(f"{username} could not sign in ({status})")


def run(
    port: int,
    paths_of: list[list[Any]],
    signed_in: list[str] | None,
    think: bool,
    saves: list[float] | None = None,
) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    start = threading.Barrier(len(paths_of))

    def user(index: int) -> None:
        nonlocal errors
        browser = Browser(port)
        try:
            if signed_in is not None:
                with SIGNING_IN:  # hashing passwords is slow on purpose: a few at a time
                    browser.sign_in(signed_in[index])
        except Exception as error:
            print(f"user {index}: {error}", file=sys.stderr)
            start.abort()
            raise
        start.wait()
        deadline = time.perf_counter() + DURATION
        mine, failed, turn = [], 0, 0
        pause = random.Random(index)
        if think:
            time.sleep(pause.uniform(0, 1.5))  # people do not all click at the same instant
        while time.perf_counter() < deadline:
            path = paths_of[index][turn % len(paths_of[index])]
            turn += 1
            began = time.perf_counter()
            try:
                if isinstance(path, tuple):
                    save = browser.save if path[0] == SAVE else browser.appraise
                    status = save(*path[1:])
                else:
                    status, _ = browser.request("GET", path)
            except (OSError, http.client.HTTPException):
                status = 0
            mine.append(time.perf_counter() - began)
            page = path[0] if isinstance(path, tuple) else path.split("/")[1]
            with lock:
                BY_PAGE[page].append(mine[-1])
                if isinstance(path, tuple) and saves is not None:
                    saves.append(mine[-1])
            if status != 200:
                failed += 1
                with lock:
                    FAILURES[(page, status)] += 1
            if think:
                time.sleep(pause.uniform(0.5, 1.5))  # a person reads the page before the next click
        with lock:
            latencies.extend(mine)
            errors += failed
            REVALIDATED["requests"] += browser.revalidated

    threads = [threading.Thread(target=user, args=(i,)) for i in range(len(paths_of))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors


def summary(latencies: list[float]) -> tuple[float, float, float]:
    ordered = sorted(latencies)
    return (
        len(ordered) / DURATION,
        statistics.median(ordered) * 1000,
        ordered[int(len(ordered) * 0.95)] * 1000,
    )


def main() -> None:
    people = prepare()
    port = free_port()
    server = start_server(port)
    try:

        def pages_of(count: int) -> list[list[Any]]:
            return [
                [
                    "/xep-hang/?unit=464&year=2021",
                    f"/danh-gia/{assessment}/"
                    if kind == "officer"
                    else f"/tham-dinh/{assessment}/",
                    (SAVE if kind == "officer" else APPRAISE, assessment, criterion),
                    f"/tai-lieu/{evidence}/",
                ]
                for _name, kind, assessment, evidence, criterion in people[:count]
            ]

        names = [person[0] for person in people]
        runs = (("_no_pause", USERS, False),) * int(os.environ.get("REPEAT", "2"))
        for label, count, think in runs:
            saves: list[float] = []
            latencies, errors = run(port, pages_of(count), names[:count], think, saves)
            bare, bare_errors = run(port, [["/healthz/"]] * count, None, think=think)
            rps, p50, p95 = summary(latencies)
            floor_rps, _floor50, _floor95 = summary(bare)
            if FAILURES:
                print(f"failed requests (page, status): {dict(FAILURES)}", file=sys.stderr)
                FAILURES.clear()
            # Where the time goes, page by page (on stderr: the line above is the figure).
            for page, times in sorted(BY_PAGE.items()):
                _rps, page50, page95 = summary(times)
                print(
                    f"  {'without pauses' if label else 'paced'}, {count} users: {page} p50 {page50:.0f} ms, p95 {page95:.0f} ms",
                    file=sys.stderr,
                )
            BY_PAGE.clear()
            save_p95 = sorted(saves)[int(len(saves) * 0.95)] * 1000 if saves else 0.0
            answered_304 = REVALIDATED.pop("requests", 0) / max(len(latencies), 1) * 100
            print(
                f"bench load_{count}_users{label}: {rps:.0f} req/s (p50 {p50:.0f} ms, p95 {p95:.0f} ms, "
                f"{errors} errors; {len(saves)} saves, p95 {save_p95:.0f} ms; "
                f"{answered_304:.0f}% answered 304), "
                f"{rps / floor_rps:.2f}x vs bare view ({floor_rps:.0f} req/s, {bare_errors} errors)"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
