"""Background jobs of publication: the decision PDF and the ranking export, opened with the
same access rules as the page (as the user who asked for them)."""

from __future__ import annotations

from cchc.jobs import JobOutput, Report, handles
from cchc.models import Job
from scoring.publication.decisions import decision_pdf
from scoring.publication.rankings import (
    Ranking,
    RankingRequest,
    open_ranking,
    ranking_file_name,
    ranking_xlsx,
)


def _ranking(job: Job, report: Report) -> Ranking:
    report(10, "Đang lập bảng xếp hạng")
    ranking, _choices = open_ranking(job.created_by, RankingRequest.from_params(job.params))
    if ranking is None:
        raise LookupError("no ranking")
    return ranking


@handles("decision_pdf")
def make_decision_pdf(job: Job, report: Report) -> JobOutput:
    ranking = _ranking(job, report)
    report(40, f"Đang dựng văn bản ({len(ranking.rows)} đơn vị)")
    return JobOutput(decision_pdf(ranking), ranking_file_name(ranking, "quyet-dinh", "pdf"))


@handles("ranking_xlsx")
def make_ranking_xlsx(job: Job, report: Report) -> JobOutput:
    ranking = _ranking(job, report)
    report(60, "Đang ghi tệp Excel")
    return JobOutput(ranking_xlsx(ranking), ranking_file_name(ranking, "xep-hang", "xlsx"))
