"""Long work as background jobs, through the task framework (django-tasks): in the request's
own process on one machine, in `manage.py db_worker` processes beside several app servers.

A job kind is a function registered with ``@handles("kind")``; it receives the job and a
``report(percent, message)`` callback and returns a ``JobOutput``: the result file (if any)
and the closing message. Its exceptions mark the job failed with the reason."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from cchc.models import Job, User
from cchc.spreadsheets import ImportRefused, safe_row
from cchc.uploads import short_name, stored_name

Report = Callable[[int, str], None]
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobOutput:
    content: bytes | None = None
    name: str = ""
    message: str = ""


Handler = Callable[[Job, Report], JobOutput]
HANDLERS: dict[str, Handler] = {}


def handles(kind: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        HANDLERS[kind] = handler
        return handler

    return register


def start_job(
    kind: str, title: str, user: User, params: dict[str, Any], upload: UploadedFile | None = None
) -> Job:
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind}")
    job = Job(kind=kind, title=short_name(title, 300), params=params, created_by=user)
    if upload is not None:
        job.upload.save(stored_name(upload.name), upload, save=False)
    job.save()
    run_job.enqueue(job.pk)
    job.refresh_from_db()
    return job


@task()
def run_job(job_id: int) -> None:
    job = Job.objects.get(pk=job_id)
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.RUNNING, progress=1, message=str(_("Started"))
    )

    def report(percent: int, message: str) -> None:
        Job.objects.filter(pk=job_id).update(
            progress=max(1, min(percent, 99)), message=message[:300]
        )

    try:
        produced = HANDLERS[job.kind](job, report)
    except ImportRefused as refused:
        listed = [str(e) for e in refused.errors]
        if len(listed) > ERRORS_SHOWN:  # all of them in a file, the first on the page
            _save_error_file(job, refused)
            more = len(listed) - ERRORS_SHOWN
            listed = [
                *listed[:ERRORS_SHOWN],
                _("… and %(count)s more; download the list of every error.") % {"count": more},
            ]
        _finish(job_id, Job.Status.FAILED, _("The file has errors; nothing was imported."), listed)
        return
    except Exception:  # reported on the job's page in plain words; the details go to the log
        logger.exception("job %s (%s) failed", job_id, job.kind)
        _finish(
            job_id,
            Job.Status.FAILED,
            _(
                "The job could not be completed because of a system error, which has been "
                "logged. Try again later; if it fails again, tell the administrator job "
                "number %(number)s."
            )
            % {"number": job_id},
            [],
        )
        raise
    if produced.content is not None:
        job.result.save(stored_name(produced.name), ContentFile(produced.content), save=False)
        job.result_name = short_name(produced.name, 200)
        job.save(update_fields=["result", "result_name"])
    _finish(job_id, Job.Status.DONE, produced.message or _("Ready to download."), [])


ERRORS_SHOWN = 200


def _save_error_file(job: Job, refused: ImportRefused) -> None:
    """Every error of a refused file, one per line, as a spreadsheet opens it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Row"), _("Unit"), _("Column"), _("Value"), _("Error")])
    for error in refused.errors:
        writer.writerow(
            safe_row([error.row or "", error.unit, error.column, error.value, error.message])
        )
    name = f"loi-cong-viec-{job.pk}.csv"
    job.result.save(
        stored_name(name), ContentFile(buffer.getvalue().encode("utf-8-sig")), save=False
    )
    job.result_name = name
    job.save(update_fields=["result", "result_name"])


def _finish(job_id: int, status: str, message: str, errors: list[str]) -> None:
    Job.objects.filter(pk=job_id).update(
        status=status,
        progress=100,
        message=str(message)[:300],
        errors=errors,
        finished_at=timezone.now(),
    )
