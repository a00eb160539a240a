"""Background jobs of dossiers: large imports of figures and of records, and judging the
deadlines again after the working calendar changed."""

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


@handles("dossier_records_import")
def import_records_in_background(job: Job, report: Report) -> JobOutput:
    """One row per dossier: read twice (checked, then written), with progress."""
    from dossiers.record_imports import import_records

    report(2, "Đang đọc tệp")
    with job.upload.open("rb") as upload:
        summary = import_records(
            upload,
            job.params["filename"],
            job.created_by,
            job.params.get("mapping") or None,
            bool(job.params.get("replace_entered")),
            progress=report,
        )
    return JobOutput(message=summary.message())


@handles("rejudge_records")
def rejudge_in_background(job: Job, report: Report) -> JobOutput:
    """After a change of the working calendar: the dossiers it touches judged again."""
    import datetime

    from dossiers.record_imports import rejudge_records

    changed = rejudge_records(datetime.date.fromisoformat(job.params["day"]), progress=report)
    return JobOutput(message=f"Đã tính lại hạn của {changed} hồ sơ theo lịch làm việc mới.")
