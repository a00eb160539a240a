"""The ranking page of a province with 3,321 communes (through the real view, as an
administrator) against the bare query that reads the same result rows; and the PDF decision
with 170 units against a one-page PDF made the same way.

Prints:
    bench ranking_page_3321: SECONDS s, RATIOx vs bare query of the rows
    bench decision_pdf_170: SECONDS s, RATIOx vs one-page pdf
"""

from __future__ import annotations

import datetime
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from django_setup import setup

setup()

from django.test import Client  # noqa: E402

from cchc.models import Role, RoleAssignment, Unit, UnitKind, User  # noqa: E402
from scoring.criteria.sets import SetDetails, import_criteria_set, publish_criteria_set  # noqa: E402
from scoring.engine import rank  # noqa: E402
from scoring.models import (  # noqa: E402
    Assessment,
    AssessmentResult,
    CriteriaSet,
    Decision,
    PublishedResult,
)
from scoring.models.assessments import AssessmentState as S  # noqa: E402
from scoring.publication.decisions import decision_pdf  # noqa: E402
from scoring.publication.rankings import build_ranking  # noqa: E402

COMMUNES = 3321
DECISION_UNITS = 170
FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "bo-tieu-chi-cap-xa.xlsx"


def best_of(runs: int, work) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def province(code: str, communes: int, year: int) -> tuple[Unit, CriteriaSet]:
    from cchc.spreadsheets import read_table

    root = Unit.objects.create(
        code=code, name=f"Tỉnh {code}", kind=UnitKind.PROVINCE, valid_from=datetime.date(2000, 1, 1)
    )
    Unit.objects.bulk_create(
        [
            Unit(
                code=f"{code}{n:05d}",
                name=f"Xã {n}",
                kind=UnitKind.COMMUNE,
                parent=root,
                valid_from=datetime.date(2000, 1, 1),
                path=f"{root.path}{code}{n:05d}/",
                depth=1,
            )
            for n in range(communes)
        ]
    )
    criteria_set, _ = import_criteria_set(
        read_table(FIXTURE), SetDetails(year=year, title=f"Bộ {code}", scope=root)
    )
    publish_criteria_set(criteria_set)
    fields = {str(n): ["10.5", "12"] for n in range(1, 9)}
    Assessment.objects.bulk_create(
        [
            Assessment(
                unit=unit,
                criteria_set=criteria_set,
                state=S.PUBLISHED,
                deadline=datetime.datetime(year, 12, 31, tzinfo=datetime.UTC),
            )
            for unit in Unit.objects.filter(parent=root)
        ],
        batch_size=1000,
    )
    assessments = list(Assessment.objects.filter(criteria_set=criteria_set).select_related("unit"))
    AssessmentResult.objects.bulk_create(
        [
            AssessmentResult(
                assessment=a,
                total=Decimal(70 + n % 30),
                max_total=Decimal(100),
                index=Decimal(70 + n % 30),
                classification="Khá",
                fields=fields,
            )
            for n, a in enumerate(assessments)
        ],
        batch_size=1000,
    )
    # The published record of a decision, as publication writes it (ranks as the engine ranks).
    decision = Decision.objects.create(
        criteria_set=criteria_set,
        number=f"{code}/QĐ-UBND",
        date=datetime.date(year, 12, 30),
        place="Tỉnh",
        issuing_body="ỦY BAN NHÂN DÂN TỈNH",
        signer_name="Nguyễn Văn A",
        legal_bases="Căn cứ Luật Tổ chức chính quyền địa phương;",
        recipients="Lưu: VT.",
    )
    indices = {a.pk: Decimal(70 + n % 30) for n, a in enumerate(assessments)}
    ranks = rank(indices)
    PublishedResult.objects.bulk_create(
        [
            PublishedResult(
                decision=decision,
                assessment=a,
                unit=a.unit,
                unit_label=str(a.unit),
                total=indices[a.pk],
                max_total=Decimal(100),
                index=indices[a.pk],
                classification="Khá",
                fields=fields,
                rank=ranks[a.pk].position,
                rank_of=ranks[a.pk].of,
            )
            for a in assessments
        ],
        batch_size=1000,
    )
    return root, criteria_set


def main() -> None:
    root, criteria_set = province("P1", COMMUNES, 2024)
    admin = User.objects.create_user("bench-admin", password="bench-password-1")
    RoleAssignment.objects.create(user=admin, unit=root, role=Role.ADMINISTRATOR)
    client = Client()
    client.force_login(admin)

    def page() -> None:
        response = client.get("/xep-hang/", {"bo": str(criteria_set.pk), "year": "2024"})
        assert response.status_code == 200, response.status_code

    def bare() -> None:
        list(
            PublishedResult.objects.filter(decision__criteria_set=criteria_set).values_list(
                "unit__code",
                "unit_label",
                "total",
                "index",
                "classification",
                "fields",
            )
        )

    page()  # warm the template cache
    page_seconds, bare_seconds = best_of(3, page), best_of(3, bare)
    print(
        f"bench ranking_page_{COMMUNES}: {page_seconds:.2f} s, {page_seconds / bare_seconds:.1f}x vs bare query of the rows"
    )

    _small, small_set = province("P2", DECISION_UNITS, 2024)
    ranking = build_ranking(small_set)
    assert len(ranking.rows) == DECISION_UNITS

    def one_page() -> None:
        from weasyprint import HTML

        HTML(string="<html><body><p>Một trang.</p></body></html>").write_pdf()

    pdf_seconds, floor_seconds = best_of(2, lambda: decision_pdf(ranking)), best_of(2, one_page)
    print(
        f"bench decision_pdf_{DECISION_UNITS}: {pdf_seconds:.2f} s, {pdf_seconds / floor_seconds:.1f}x vs one-page pdf"
    )


if __name__ == "__main__":
    main()
