"""One published truth: a decision publishes a whole set (or ranking group) at once; every
page, file, command and API reads the same published figures, whoever reads them; a
correcting decision supersedes the old one, which stays readable; remediation tasks equal
the published deductions."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader
from rest_framework.test import APIClient

from cchc.models import Role, UnitKind
from scoring.appraisal.items import appraise_item
from scoring.assessment.workflow import IllegalMove, move_assessment
from scoring.criteria.sets import set_ranking_groups
from scoring.models import (
    Assessment,
    AssessmentItem,
    AuditEntry,
    Decision,
    ImmutableError,
    PublishedResult,
    RemediationTask,
)
from scoring.models.assessments import AssessmentState as S
from scoring.publication.published import PublicationRefused, publish_results
from scoring.publication.rankings import build_ranking
from tests.conftest import client_for
from tests.factories import make_unit, make_user
from tests.ranking_fixtures import decision_fields, publish, result, ten_point_set
from tests.test_deduction_report import approved_district, published_district

D = Decimal


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _row_of(rows, label):
    return next(row for row in rows if row.unit_label == label)


@pytest.fixture
def vinh_long(world):
    """The 18 communes and towns of the district published by decision 4867/QĐ-UBND; Vĩnh
    Long 84,66, ranked 8/18 (figures.md)."""
    return published_district(world)


READERS = ["officer_a", "officer_b", "appraiser", "leader", "admin"]


@pytest.mark.parametrize("who", READERS)
def test_every_reader_reads_the_same_rank_and_score_on_every_page_and_file(
    world, vinh_long, who, tmp_path
):
    user = getattr(world, who)
    client = client_for(user)
    criteria_set = vinh_long.criteria_set
    params = {"year": "2022", "bo": str(criteria_set.pk)}

    page = client.get(reverse("ranking"), params)
    rows = page.context["ranking"].rows
    assert len(rows) == 18  # every unit ranked together, whatever the reader may see
    row = _row_of(rows, "Xã Vĩnh Long")
    assert (str(row.rank), row.score) == ("8/18", D("84.66"))
    assert page.context["ranking"].decision.number == "4867/QĐ-UBND"

    sheet = load_workbook(
        io.BytesIO(client.get(reverse("ranking"), {**params, "format": "xlsx"}).content)
    ).active
    found = [r for r in sheet.iter_rows(min_row=4, values_only=True) if r[2] == "Xã Vĩnh Long"]
    assert [(r[0], r[3]) for r in found] == [("8/18", 84.66)]

    pdf = _pdf_text(client.get(reverse("ranking"), {**params, "format": "pdf"}).content)
    assert "Số: 4867/QĐ-UBND" in pdf and "của 18 đơn vị" in pdf
    assert re.search(r"Xã Vĩnh Long\s+84,66\s+84,66\s+8/18\s", pdf)

    api = APIClient()
    api.force_authenticate(user)
    body = api.get("/api/rankings/", {"year": 2022, "set": criteria_set.pk}).json()
    found_api = [r for r in body["results"] if r["unit_name"] == "Vĩnh Long"]
    assert [(r["rank"], r["rank_of"], r["score"]) for r in found_api] == [(8, 18, 84.66)]
    out = tmp_path / "r.json"
    call_command("ranking", "--year=2022", f"--set={criteria_set.pk}", f"--output={out}")
    assert json.loads(out.read_text()) == body

    scorecard = client.get(reverse("scorecard", args=[vinh_long.pk]))
    report = client.get(reverse("deduction_report", args=[vinh_long.pk]))
    if who == "officer_b":  # another commune's own pages stay its own
        assert scorecard.status_code == report.status_code == 404
    else:
        card = scorecard.context["card"]
        assert (str(card.rank), card.total) == ("8/18", D("84.66"))
        assert "Xã Vĩnh Long đạt 84,66 điểm, xếp 8/18" in report.content.decode()


def test_a_reader_outside_every_unit_of_the_decision_reads_nothing(world, vinh_long):
    outsider = make_user("gio_my", Role.OFFICER, world.other_commune)
    client = client_for(outsider)
    page = client.get(reverse("ranking"), {"year": "2022"})
    assert page.context["ranking"] is None
    response = client.get(
        reverse("ranking"), {"year": "2022", "bo": str(vinh_long.criteria_set.pk)}
    )
    assert response.status_code == 404
    api = APIClient()
    api.force_authenticate(outsider)
    assert (
        api.get("/api/rankings/", {"year": 2022, "set": vinh_long.criteria_set.pk}).status_code
        == 404
    )


def test_no_move_publishes_one_unit_and_a_decision_publishes_all_of_them(world):
    criteria_set = ten_point_set(world.district, 2022)
    first = result(criteria_set, world.commune_a, 5, 3)
    second = result(criteria_set, world.commune_b, 6, 4)
    for user in (world.admin, world.appraiser):
        with pytest.raises(IllegalMove):
            move_assessment(first, "publish", user)
    response = client_for(world.admin).post(reverse("appraisal_move", args=[first.pk, "publish"]))
    assert response.status_code == 404
    assert not PublishedResult.objects.exists()
    Assessment.objects.filter(pk=second.pk).update(state=S.APPRAISED)
    with pytest.raises(PublicationRefused):
        publish(criteria_set, world.admin)
    assert not Decision.objects.exists() and not PublishedResult.objects.exists()
    Assessment.objects.filter(pk=second.pk).update(state=S.APPROVED)
    decision = publish(criteria_set, world.admin)
    assert decision.results.count() == criteria_set.assessments.count() == 2
    assert set(criteria_set.assessments.values_list("state", flat=True)) == {S.PUBLISHED}
    with pytest.raises(PublicationRefused):  # a second decision only as a correction
        publish(criteria_set, world.admin, "2/QĐ-UBND")
    api = APIClient()
    api.force_authenticate(world.admin)
    assert api.post("/api/rankings/", {}).status_code == 405


def test_ranking_groups_rank_apart_and_each_is_published_whole(world):
    criteria_set = ten_point_set(world.province, 2025)
    criteria_set.unit_kinds = [UnitKind.WARD, UnitKind.COMMUNE, UnitKind.SPECIAL_ZONE]
    criteria_set.save()
    set_ranking_groups(
        criteria_set,
        [("Phường", [UnitKind.WARD]), ("Xã và đặc khu", [UnitKind.COMMUNE, UnitKind.SPECIAL_ZONE])],
    )
    wards = [make_unit(f"Phường {n}", kind=UnitKind.WARD, parent=world.province) for n in range(2)]
    communes = [make_unit(f"Xã {n}", parent=world.province) for n in range(3)]
    for n, unit in enumerate(wards + communes):
        result(criteria_set, unit, 6 - n, 4)
    phuong, xa = list(criteria_set.ranking_groups.all())
    with pytest.raises(PublicationRefused):  # the set ranks in groups: one group at a time
        publish(criteria_set, world.admin)
    publish(criteria_set, world.admin, "10/QĐ-UBND", group=phuong)
    assert PublishedResult.objects.count() == 2
    publish(criteria_set, world.admin, "11/QĐ-UBND", group=xa)
    ranks = {r.unit_label: r.rank_text for r in PublishedResult.objects.all()}
    assert ranks == {
        "Phường Phường 0": "1/2",
        "Phường Phường 1": "2/2",
        "Xã Xã 0": "1/3",
        "Xã Xã 1": "2/3",
        "Xã Xã 2": "3/3",
    }
    assert [str(r.rank) for r in build_ranking(criteria_set, xa).rows] == ["1/3", "2/3", "3/3"]


def test_a_correcting_decision_supersedes_and_the_old_one_stays_readable(world, vinh_long):
    first = Decision.objects.get()
    move_assessment(vinh_long, "reopen", world.admin, "Mục 6.3 chấm nhầm")
    assert AuditEntry.objects.filter(
        assessment=vinh_long, kind=AuditEntry.Kind.STATE, reason="Mục 6.3 chấm nhầm"
    ).exists()
    with pytest.raises(PublicationRefused):  # Vĩnh Long is under appraisal again
        publish_results(
            vinh_long.criteria_set,
            None,
            decision_fields("5000/QĐ-UBND", correction_reason="Mục 6.3"),
            world.admin,
            corrects=first,
        )
    item = AssessmentItem.objects.get(assessment=vinh_long, criterion__code="6.3")
    appraise_item(
        vinh_long, item.criterion, D(2), "Đã giải ngân đủ", world.appraiser, item.appraisal_version
    )
    Assessment.objects.filter(pk=vinh_long.pk).update(state=S.APPROVED)
    with pytest.raises(PublicationRefused):  # a correction needs its reason
        publish_results(
            vinh_long.criteria_set,
            None,
            decision_fields("5000/QĐ-UBND"),
            world.admin,
            corrects=first,
        )
    second = publish_results(
        vinh_long.criteria_set,
        None,
        decision_fields("5000/QĐ-UBND", correction_reason="Mục 6.3 chấm nhầm"),
        world.admin,
        corrects=first,
    )
    first.refresh_from_db()
    assert first.current_version() == second and not first.is_current
    client = client_for(world.officer_a)
    now = client.get(reverse("ranking"), {"year": "2022"})
    assert _row_of(now.context["ranking"].rows, "Xã Vĩnh Long").score == D("86.66")
    assert str(_row_of(now.context["ranking"].rows, "Xã Vĩnh Long").rank) == "7/18"
    old = client.get(reverse("ranking"), {"year": "2022", "quyet_dinh": str(first.pk)})
    assert _row_of(old.context["ranking"].rows, "Xã Vĩnh Long").score == D("84.66")
    assert "đã được thay thế bởi Quyết định 5000/QĐ-UBND" in old.content.decode()
    pdf = _pdf_text(client.get(reverse("ranking"), {"year": "2022", "format": "pdf"}).content)
    assert "Quyết định này thay thế Quyết định số 4867/QĐ-UBND" in pdf
    report = client.get(reverse("deduction_report", args=[vinh_long.pk])).content.decode()
    assert "5000/QĐ-UBND" in report and "Mục 6.3" not in report
    old_result = PublishedResult.objects.get(decision=first, assessment=vinh_long)
    with pytest.raises(ImmutableError):
        old_result.save()
    with pytest.raises(ImmutableError):
        first.delete()
    tasks = set(RemediationTask.objects.filter(assessment=vinh_long).values_list("code", flat=True))
    assert "6.3" not in tasks and "6.2" in tasks


def test_remediation_tasks_equal_the_published_deductions_unit_by_unit(world, vinh_long):
    decision = Decision.objects.get()
    results = decision.results.prefetch_related("deductions")
    assert results.count() == 18
    for published in results:
        deductions = {(d.code, d.lost) for d in published.deductions.all()}
        tasks = set(
            RemediationTask.objects.filter(assessment=published.assessment).values_list(
                "code", "points_lost"
            )
        )
        assert tasks == deductions
    overview = client_for(world.leader).get(reverse("remediation_overview"))
    counts = {a.unit_id: a.tasks for a in overview.context["page"].object_list}
    assert counts == {r.unit_id: r.deductions.count() for r in results}


def test_only_an_administrator_of_the_set_publishes(world):
    criteria_set = ten_point_set(world.district, 2022)
    result(criteria_set, world.commune_a, 5, 3)
    for user in (world.appraiser, world.leader, world.officer_a):
        with pytest.raises(PermissionDenied):
            publish(criteria_set, user)
    other_admin = make_user("gio_linh_admin", Role.ADMINISTRATOR, world.other_district)
    with pytest.raises(PermissionDenied):
        publish(criteria_set, other_admin)
    assert not Decision.objects.exists()


def test_the_demo_officer_of_vinh_long_reads_17_of_18_for_2021(db):
    from cchc.models import User

    call_command("load_demo")
    officer = User.objects.get(username="canbo_vinhlong")
    own = officer.role_assignments.get().unit
    client = client_for(officer)
    page = client.get(reverse("ranking"), {"year": "2021"})
    ranking = page.context["ranking"]
    row = next(r for r in ranking.rows if r.unit_id == own.pk)
    assert (str(row.rank), len(ranking.rows)) == ("17/18", 18)
    assessment = Assessment.objects.get(unit=own, criteria_set__year=2021)
    card = client.get(reverse("scorecard", args=[assessment.pk])).context["card"]
    assert str(card.rank) == "17/18" and card.total == row.score
    report = client.get(reverse("deduction_report", args=[assessment.pk])).content.decode()
    assert "xếp 17/18" in report
    pdf = _pdf_text(client.get(reverse("ranking"), {"year": "2021", "format": "pdf"}).content)
    assert "của 18 đơn vị" in pdf and "5120/QĐ-UBND" in pdf
    remediation = client.get(reverse("remediation_page", args=[assessment.pk]))
    assert (
        len(remediation.context["tasks"])
        == PublishedResult.objects.get(assessment=assessment).deductions.count()
        > 0
    )


def test_approved_district_is_ready_but_not_published(world):
    """The fixture itself: nothing is published until a decision says so."""
    vinh_long = approved_district(world)
    assert not PublishedResult.objects.exists()
    assert (
        client_for(world.officer_a).get(reverse("scorecard", args=[vinh_long.pk])).status_code
        == 404
    )
