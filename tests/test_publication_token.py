"""The publication token: the ranking page answers 304 after reading one row, so the token
must be renewed by every write to what the page reads, and by nothing written all through a
deadline week. The page's own queries are read to check the first half."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cchc.models import Lineage, Reorganisation, Role, RoleAssignment, Unit, UnitKind, User
from scoring.assessment.workflow import move_assessment
from scoring.criteria.sets import set_ranking_groups
from scoring.models import Assessment, AssessmentItem
from scoring.models.assessments import AssessmentState as S
from scoring.publication.changes import PUBLICATION, PUBLICATION_WATCHES, publication_token
from tests.assessment_fixtures import criterion
from tests.conftest import client_for
from tests.factories import make_unit, make_user
from tests.ranking_fixtures import merged_after_2024, result, ten_point_set
from tests.test_assessment_views import HTMX, field, save_url
from tests.test_rankings import district_2022, publish  # noqa: F401 - the fixture
from tests.watched_queries import missing_triggers, reads, recorded, unwatched

RANKING = reverse("ranking")


def _queries_of(client, params) -> list[str]:
    with recorded() as statements:
        response = client.get(RANKING, params)
    assert response.status_code == 200, params
    return statements


def _check_watched(statements: list[str]) -> list[str]:
    return unwatched(statements, PUBLICATION_WATCHES)


def test_the_query_reader_finds_tables_aliases_and_columns():
    sql = (
        'SELECT "scoring_assessmentitem"."source_warning", U0."state" FROM '
        '"scoring_assessmentitem" INNER JOIN "scoring_assessment" U0 ON (1)'
    )
    tables, columns = reads(sql)
    assert tables == {"scoring_assessmentitem", "scoring_assessment"}
    assert columns == {
        ("scoring_assessmentitem", "source_warning"),
        ("scoring_assessment", "state"),
    }
    assert _check_watched([sql]) == []
    assert _check_watched(['SELECT "scoring_assessment"."deadline" FROM "scoring_assessment"']) == [
        "scoring_assessment.deadline"
    ]
    assert _check_watched(['SELECT 1 FROM "scoring_evidence"']) == ["scoring_evidence"]


def test_every_table_and_column_the_ranking_page_reads_renews_the_token(world):
    """A published ranking read every way it can be asked for (each reader, a unit's view,
    groups, last year's results across a merger, sorted, searched, a decision by number):
    each of its queries reads only what the token watches."""
    merged = merged_after_2024(world)
    new = ten_point_set(world.province, 2025)
    new.unit_kinds = [UnitKind.WARD, UnitKind.COMMUNE]
    new.save()
    set_ranking_groups(new, [("Phường", [UnitKind.WARD]), ("Xã", [UnitKind.COMMUNE])])
    result(new, merged, 6, 3)
    result(new, make_unit("Đông Hà", kind=UnitKind.WARD, parent=world.province), 5, 3)
    wards, communes = list(new.ranking_groups.all())
    publish(new, world.admin, "33/QĐ-UBND", group=wards)
    decision = publish(new, world.admin, "34/QĐ-UBND", group=communes)
    province_leader = make_user("province_leader", Role.LEADER, world.province)
    asked = [
        {"year": "2025"},
        {"year": "2025", "unit": "45"},
        {"year": "2025", "sort": "name", "q": "vĩnh"},
        {"year": "2025", "quyet_dinh": str(decision.pk)},
        {"year": "2025", "bo": str(new.pk), "nhom": str(wards.pk)},
        {"year": "2024"},
        {"year": "2024", "unit": "464", "classification": "Tốt"},
        {},
    ]
    shown = []
    for reader in (world.admin, province_leader, world.leader, world.officer_a):
        client = client_for(reader)
        for params in asked:
            if client.get(RANKING, params).status_code != 200:
                continue  # not this reader's (404): nothing shown
            assert _check_watched(_queries_of(client, params)) == [], (reader, params)
            shown.append(params)
    # Every way of asking was read by someone: no case passes by showing nothing.
    assert all(params in shown for params in asked)


def test_each_watched_table_has_its_triggers(db):
    """Every watch has its triggers on its table (a table rebuilt by a later migration on
    SQLite loses its triggers: this test then fails), as its migration made them."""
    assert (
        missing_triggers(
            PUBLICATION, PUBLICATION_WATCHES, "scoring.migrations.0010_publication_token"
        )
        == []
    )


def _renews(write) -> bool:  # type: ignore[no-untyped-def]
    before = publication_token()
    write()
    return publication_token() != before


def test_writes_to_what_the_page_shows_renew_the_token(world, district_2022):  # noqa: F811
    unit = Unit.objects.get(pk=world.commune_a.pk)
    unit.name = "Vĩnh Long (đổi tên)"
    assert _renews(unit.save)
    assert _renews(lambda: RoleAssignment.objects.filter(user=world.leader).delete())
    assert _renews(lambda: make_user("new_leader", Role.LEADER, world.district))
    # Bulk writes and raw SQL pass no signal: the database's triggers see them all the same.
    assert _renews(lambda: Unit.objects.filter(pk=unit.pk).update(name="Vĩnh Long"))
    assert _renews(
        lambda: RoleAssignment.objects.bulk_create(
            [RoleAssignment(user=world.appraiser, unit=world.province, role=Role.LEADER)],
            ignore_conflicts=True,
        )
    )
    from scoring.models import PublishedResult

    assert _renews(lambda: PublishedResult.objects.update(unit_label="Xã Vĩnh Long"))

    def raw() -> None:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE scoring_decision SET number = '1/QĐ-UBND'")

    assert _renews(raw)
    reorganisation = Reorganisation.objects.create(
        effective=datetime.date(2025, 7, 1), name="Sáp nhập"
    )
    assert _renews(
        lambda: Lineage.objects.create(
            reorganisation=reorganisation,
            predecessor=world.commune_a,
            successor=world.commune_b,
        )
    )
    assessment = Assessment.objects.filter(criteria_set=district_2022).first()
    assert assessment is not None
    assert _renews(lambda: Assessment.objects.filter(pk=assessment.pk).update(state=S.RETURNED))
    item = assessment.items.first()
    assert item is not None
    item.source_warning = "Số liệu hồ sơ thiếu tháng 12"
    assert _renews(item.save)
    assert _renews(item.delete)  # an item with a warning gone: the warning is gone
    user = User.objects.get(pk=world.admin.pk)
    user.full_name = "Nguyễn Văn Quản Trị"
    assert _renews(user.save)


def test_the_writes_of_a_deadline_week_leave_the_token_alone(world, district_2022):  # noqa: F811
    """Saving answers, scores, explanations and deadlines, and signing in, renew nothing: the
    published ranking goes on answering 304 while every commune saves."""
    assessment = Assessment.objects.filter(criteria_set=district_2022).first()
    assert assessment is not None
    item = assessment.items.first()
    assert item is not None
    item.self_score = Decimal("1.5")
    item.explanation = "Đã bổ sung báo cáo"
    item.appraised_score = Decimal(1)
    assert not _renews(item.save)
    assert not _renews(
        lambda: AssessmentItem.objects.create(
            assessment=assessment,
            criterion=district_2022.criteria.get(code="1"),
            self_score=Decimal(0),
        )
    )
    assessment.deadline = timezone.now() + datetime.timedelta(days=3)
    assert not _renews(assessment.save)
    user = User.objects.get(pk=world.officer_a.pk)
    user.last_login = timezone.now()
    assert not _renews(lambda: user.save(update_fields=["last_login"]))
    assert not _renews(lambda: client_for(world.officer_a).get(RANKING, {"year": 2022}))


@pytest.mark.django_db(transaction=True)
def test_a_write_renews_the_token_when_it_commits_and_a_rollback_leaves_it():
    from django.db import transaction

    make_unit("Tỉnh một", kind="tinh", code="98")  # the token's row, after the last flush
    before = publication_token()
    with pytest.raises(RuntimeError), transaction.atomic():
        make_unit("Tỉnh thử", kind="tinh", code="99")
        # The writing transaction never reads the old token beside its own new data: on
        # PostgreSQL (renewed at the commit) it reads none, on SQLite already a new one.
        assert publication_token() != before
        raise RuntimeError
    assert publication_token() == before
    make_unit("Tỉnh thử", kind="tinh", code="99")
    after = publication_token()
    assert after is not None and after != before


def test_an_officers_save_through_the_page_renews_nothing(world, assessment):
    client = client_for(world.officer_a)
    for code, name, value in (("1.1", "answer", "yes"), ("1.2", "value", "1")):
        url, data = save_url(assessment, code), {field(assessment, code, name): value}
        assert not _renews(lambda url=url, data=data: client.post(url, data, headers=HTMX))
    saved = {item.criterion.code: item for item in assessment.items.select_related("criterion")}
    assert saved["1.1"].self_answer is True and saved["1.2"].self_value == Decimal(1)


def test_an_appraisers_save_through_the_page_renews_nothing(world, submitted):
    assert _renews(lambda: move_assessment(submitted, "start", world.appraiser))  # its state
    client = client_for(world.appraiser)
    answers = []
    for code, score in (("1.1", "0"), ("1.2", "1"), ("1.3", "")):
        url = reverse("appraise", args=[submitted.pk, criterion(submitted, code).pk])
        data = {"score": score, "reason": "Thiếu văn bản" if score else "", "version": "0"}
        assert not _renews(
            lambda url=url, data=data: answers.append(client.post(url, data, headers=HTMX))
        )
    assert all("Đã lưu." in answer.content.decode() for answer in answers)
