"""Two people saving the same thing at the same moment: one save wins, the other is told that
someone else saved (with what they typed kept), and nobody sees a server error.

Each save runs in its own thread with its own database connection, against the test
database file (SQLite) or server (PostgreSQL). To make the two saves truly meet, the save
function is slowed: it reads inside its transaction, waits, then saves, so the second
request arrives while the first holds its transaction open.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections, transaction
from django.test import Client
from django.urls import reverse

from cchc.models import Unit
from dossiers.models import DossierStatistics
from scoring.assessment.workflow import move_assessment
from scoring.models import AssessmentItem
from tests.assessment_fixtures import criterion
from tests.test_assessment_views import field, save_url
from tests.test_dossier_views import form_data

pytestmark = pytest.mark.django_db(transaction=True)
HTMX = {"HX-Request": "true"}


def slowed(function: Callable[..., Any], seconds: float = 0.4) -> Callable[..., Any]:
    """``function`` inside a transaction that first reads, then waits ``seconds``."""

    def slow(*args: Any, **kwargs: Any) -> Any:
        with transaction.atomic():
            Unit.objects.count()  # a read: the transaction has begun and holds a snapshot
            time.sleep(seconds)
            return function(*args, **kwargs)

    return slow


def simultaneously(*requests: Callable[[], Any]) -> list[Any]:
    """Run each request in its own thread, all starting together; their responses in order."""
    start = threading.Barrier(len(requests))
    responses: list[Any] = [None] * len(requests)

    def run(index: int, request: Callable[[], Any]) -> None:
        try:
            start.wait()
            responses[index] = request()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


def signed_in(user) -> Client:
    client = Client(raise_request_exception=False)  # a crash is a 500, as a browser sees it
    client.force_login(user)
    return client


def test_two_appraisers_saving_one_item_one_saves_the_other_is_told(
    world, submitted, council, monkeypatch
):
    from scoring.views import appraisal

    move_assessment(submitted, "start", world.appraiser)
    monkeypatch.setattr(appraisal, "appraise_item", slowed(appraisal.appraise_item))
    url = reverse("appraise", args=[submitted.pk, criterion(submitted, "1.2").pk])
    first, second = signed_in(world.appraiser), signed_in(council)
    responses = simultaneously(
        lambda: first.post(url, {"score": "1", "reason": "Thiếu A", "version": "0"}, headers=HTMX),
        lambda: second.post(
            url, {"score": "0,5", "reason": "Thiếu B", "version": "0"}, headers=HTMX
        ),
    )
    assert [response.status_code for response in responses] == [200, 200]
    pages = [response.content.decode() for response in responses]
    saved = [page for page in pages if "Đã lưu." in page]
    told = [page for page in pages if "Cán bộ khác vừa lưu 1.2" in page]
    assert len(saved) == 1 and len(told) == 1, pages
    item = AssessmentItem.objects.get(assessment=submitted, criterion__code="1.2")
    assert item.appraisal_version == 1
    winner = "Thiếu A" if "Thiếu A" in item.appraisal_reason else "Thiếu B"
    loser = "Thiếu B" if winner == "Thiếu A" else "Thiếu A"
    assert f"({winner})" in told[0] and f">{loser}</textarea>" in told[0]  # theirs and mine


def test_two_officers_saving_one_sub_criterion_one_saves_the_other_is_told(
    world, assessment, monkeypatch
):
    from scoring.views import assessments

    monkeypatch.setattr(
        assessments, "record_self_assessment", slowed(assessments.record_self_assessment)
    )
    code = "1.2"
    signed_in(world.officer_a).post(
        save_url(assessment, code), {field(assessment, code, "value"): "1"}
    )
    officer, admin = signed_in(world.officer_a), signed_in(world.admin)
    data = {field(assessment, code, "version"): "1"}
    responses = simultaneously(
        lambda: officer.post(
            save_url(assessment, code),
            {**data, field(assessment, code, "value"): "0,5"},
            headers=HTMX,
        ),
        lambda: admin.post(
            save_url(assessment, code),
            {**data, field(assessment, code, "value"): "2"},
            headers=HTMX,
        ),
    )
    assert all(response.status_code in (200, 409) for response in responses), [
        response.status_code for response in responses
    ]
    pages = [response.content.decode() for response in responses]
    told = [page for page in pages if "Người khác vừa lưu tiêu chí này" in page]
    assert len(told) == 1, pages
    item = AssessmentItem.objects.get(assessment=assessment, criterion__code=code)
    assert item.version == 2 and item.self_score in (0.5, 2)


def test_two_sessions_saving_the_same_dossier_figures_one_saves_the_other_is_told(
    world, monkeypatch
):
    from dossiers.views import figures as views

    monkeypatch.setattr(views, "record_figures", slowed(views.record_figures))
    mine, admin = signed_in(world.officer_a), signed_in(world.admin)
    responses = simultaneously(
        lambda: mine.post(
            reverse("figures_entry"), form_data(world.commune_a, resolved_late=4, pending_within=6)
        ),
        lambda: admin.post(
            reverse("figures_entry"), form_data(world.commune_a, resolved_late=3, pending_within=7)
        ),
    )
    codes = sorted(response.status_code for response in responses)
    assert codes == [200, 302], codes
    told = next(response for response in responses if response.status_code == 200)
    assert "Người khác đã lưu số liệu này" in told.content.decode()
    statistics = DossierStatistics.objects.get()
    assert statistics.version == 1 and statistics.resolved_late in (3, 4)
