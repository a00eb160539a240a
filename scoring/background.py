"""Background jobs of scoring: the decision PDF and the ranking export."""

from __future__ import annotations

from cchc.jobs import JobOutput, Report, handles
from cchc.models import Job, Unit
from scoring.decisions import decision_pdf
from scoring.rankings import build_ranking, ranking_xlsx


def _ranking(job: Job, report: Report):  # type: ignore[no-untyped-def]
    report(10, "Đang tính bảng xếp hạng")
    parent = Unit.objects.visible_to(job.created_by).get(code=job.params["unit"])
    return build_ranking(parent, int(job.params["year"]), job.created_by)


@handles("decision_pdf")
def make_decision_pdf(job: Job, report: Report) -> JobOutput:
    ranking = _ranking(job, report)
    report(40, f"Đang dựng văn bản ({len(ranking.rows)} đơn vị)")
    content = decision_pdf(ranking)
    return JobOutput(content, f"quyet-dinh-{job.params['unit']}-{job.params['year']}.pdf")


@handles("ranking_xlsx")
def make_ranking_xlsx(job: Job, report: Report) -> JobOutput:
    ranking = _ranking(job, report)
    report(60, "Đang ghi tệp Excel")
    return JobOutput(
        ranking_xlsx(ranking), f"xep-hang-{job.params['unit']}-{job.params['year']}.xlsx"
    )
