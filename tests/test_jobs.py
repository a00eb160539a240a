"""Background jobs: from start to downloadable result, progress, failures, only the owner,
and the database backend with a worker process."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from cchc.jobs import start_job
from cchc.models import Job
from tests.conftest import client_for
from tests.ranking_fixtures import result, ten_point_set, vinh_linh_decision
from tests.spreadsheet_files import csv_bytes
from tests.test_dossier_figures import HEADER, row


@pytest.fixture
def published(world):
    criteria_set = ten_point_set(world.district, 2022)
    result(criteria_set, world.commune_a, 5, 3)
    result(criteria_set, world.commune_b, 6, 4)
    vinh_linh_decision(criteria_set, world.admin)
    return criteria_set


def test_the_decision_pdf_as_a_job_from_start_to_download(world, published):
    client = client_for(world.leader)
    response = client.post(
        reverse("ranking_job"), {"unit": "464", "year": "2022", "kind": "decision_pdf"}
    )
    job = Job.objects.get()
    assert response["Location"] == reverse("job_page", args=[job.pk])
    assert (job.status, job.progress, job.result_name) == (
        Job.Status.DONE,
        100,
        "quyet-dinh-464-2022.pdf",
    )
    page = client.get(
        reverse("job_page", args=[job.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert "Đã xong" in page and "hx-trigger" not in page  # finished: the page stops polling
    download = client.get(reverse("job_download", args=[job.pk]))
    assert download.getvalue().startswith(b"%PDF")
    assert client_for(world.officer_a).get(reverse("job_page", args=[job.pk])).status_code == 404
    assert (
        client_for(world.officer_a).get(reverse("job_download", args=[job.pk])).status_code == 404
    )


def test_a_job_in_progress_keeps_polling(world):
    job = Job.objects.create(
        kind="ranking_xlsx",
        title="x",
        created_by=world.leader,
        status=Job.Status.RUNNING,
        progress=40,
    )
    page = (
        client_for(world.leader)
        .get(reverse("job_page", args=[job.pk]), headers={"HX-Request": "true"})
        .content.decode()
    )
    assert 'hx-trigger="every 1s"' in page and 'value="40"' in page


def test_a_ranking_job_for_units_out_of_scope_is_refused(world, published):
    other = ten_point_set(world.other_district, 2022)
    result(other, world.other_commune, 1, 1)
    for params in ({"unit": "466"}, {"bo": str(other.pk)}):
        response = client_for(world.officer_a).post(
            reverse("ranking_job"), {**params, "year": "2022", "kind": "ranking_xlsx"}
        )
        assert response.status_code == 404
    assert not Job.objects.exists()


def test_a_large_import_in_the_background_and_its_errors(world):
    client = client_for(world.officer_a)
    good = SimpleUploadedFile("so-lieu.csv", csv_bytes([HEADER, row()]))
    client.post(reverse("figures_import"), {"file": good, "background": "on"})
    job = Job.objects.get()
    assert job.status == Job.Status.DONE and "1 mới" in job.message and not job.result
    bad = SimpleUploadedFile("sai.csv", csv_bytes([HEADER, row(late=-1)]))
    client.post(reverse("figures_import"), {"file": bad, "background": "on"})
    failed = Job.objects.latest("pk")
    assert failed.status == Job.Status.FAILED
    assert failed.errors == [
        "Dòng 2 (đơn vị 19375), cột Giải quyết quá hạn: số lượng không được âm"
    ]


def test_an_unexpected_failure_is_logged_and_told_in_plain_words(world, monkeypatch, caplog):
    from cchc import jobs

    def broken(job, report):
        raise RuntimeError("internal detail /srv/secret")

    monkeypatch.setitem(jobs.HANDLERS, "broken", broken)
    with caplog.at_level("ERROR", logger="cchc.jobs"):
        job = start_job("broken", "Thử", world.officer_a, {})
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.message.startswith("Không thực hiện được") and f"số {job.pk}" in job.message
    assert "secret" not in job.message
    assert "internal detail /srv/secret" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_with_the_database_backend_a_worker_runs_the_job(world, published, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job = start_job("ranking_xlsx", "Xếp hạng", world.leader, {"year": 2022, "set": published.pk})
    assert job.status == Job.Status.QUEUED
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.result_name == "xep-hang-464-2022.xlsx"


@pytest.mark.django_db(transaction=True)
def test_with_the_thread_backend_the_request_returns_while_the_job_runs(
    world, settings, monkeypatch
):
    """One machine: the job runs beside the request, which answers at once."""
    import threading
    import time

    from cchc import jobs

    settings.TASKS = {"default": {"BACKEND": "cchc.task_backends.ThreadBackend"}}
    release = threading.Event()

    def waits(job, report):
        assert release.wait(20), "the test never let the job finish"
        return jobs.JobOutput(message="Xong")

    monkeypatch.setitem(jobs.HANDLERS, "waits", waits)
    job = start_job("waits", "Thử", world.officer_a, {})  # returns while the job waits
    job.refresh_from_db()
    assert job.status in (Job.Status.QUEUED, Job.Status.RUNNING)
    release.set()
    deadline = time.monotonic() + 20
    while job.status != Job.Status.DONE and time.monotonic() < deadline:
        time.sleep(0.05)
        job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.message == "Xong"
