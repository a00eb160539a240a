"""Background jobs of dossiers: a large import."""

from __future__ import annotations

from cchc.jobs import JobOutput, Report, handles
from cchc.models import Job
from cchc.spreadsheets import ReadLimits, read_table
from dossiers.imports import import_dossiers


@handles("dossier_import")
def import_in_background(job: Job, report: Report) -> JobOutput:
    report(5, "Đang đọc tệp")
    with job.upload.open("rb") as upload:
        table = read_table(upload, job.params["filename"], ReadLimits.named("background"))
    report(30, f"Đang kiểm tra {len(table.rows)} dòng")
    summary = import_dossiers(table, job.created_by)
    return JobOutput(
        message=f"Đã nhập: {summary.created} mới, {summary.updated} thay đổi, {summary.unchanged} không đổi."
    )
