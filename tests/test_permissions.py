"""Permissions of every address that names an object, generated from the URL configuration:
each role asks for an object inside and outside its scope. Outside → 404 (existence is not
revealed); a read-only role (the leader) writing inside → 403. A new address without a case
here fails ``test_every_address_with_an_object_has_a_case``."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from cchc.models import Job, Lineage, Reorganisation, Role, UnitKind
from dossiers.models import DossierRecord, DossierStatistics
from scoring.assessment.evidence import link_evidence
from scoring.models import (
    AssessmentItem,
    Council,
    CouncilMember,
    CouncilRound,
    EvidenceLink,
    ExplanationRequest,
    RemediationTask,
    SubmissionLetter,
)
from scoring.models.assessments import AssessmentState as S
from surveys.models import Questionnaire, RespondentGroup, Response, UnitLink
from tests.conftest import client_for
from tests.factories import make_unit, make_user
from tests.ranking_fixtures import publish, result, ten_point_set
from tests.test_evidence import evidence_for

ROLES = ["officer_a", "appraiser", "leader", "admin"]


@dataclass
class Side:
    """The objects of one side (inside the roles' scope, or outside it)."""

    unit_code: str
    unit_pk: int
    set_pk: int
    assessment_pk: int
    criterion_pk: int
    request_pk: int
    task_pk: int
    evidence_pk: int
    link_pk: int
    figures_pk: int
    record_pk: int
    questionnaire_pk: int
    commune_pk: int
    held_response_pk: int
    reorganisation_pk: int
    council_pk: int
    member_pk: int
    round_pk: int
    letter_pk: int
    jobs: dict[str, int]


def _finished_job(user) -> Job:
    job = Job(kind="ranking_xlsx", title="x", created_by=user, status=Job.Status.DONE)
    job.result.save("x.xlsx", ContentFile(b"PK"), save=False)
    job.result_name = "x.xlsx"
    job.save()
    return job


def _side(world, district, commune, admin, users: dict[str, Any], number: str) -> Side:
    criteria_set = ten_point_set(district, 2022)
    assessment = result(criteria_set, commune, 5, 3)
    publish(criteria_set, admin, number)
    item = AssessmentItem.objects.get(assessment=assessment, criterion__code="1.1")
    request = ExplanationRequest.objects.create(item=item, round=1, question="Vì sao?")
    evidence = evidence_for(commune, admin)
    link = link_evidence(item, evidence, admin)
    figures = DossierStatistics.objects.create(
        unit=commune, period_kind="year", year=2022, new_received=1, resolved_on_time=1
    )
    record = DossierRecord.objects.create(
        code=f"HS-{commune.code}",
        unit=commune,
        received_at=datetime.datetime(2024, 3, 4, 8, tzinfo=datetime.UTC),
        received_on=datetime.date(2024, 3, 4),
        legal_days=3,
        due_on=datetime.date(2024, 3, 7),
        channel="direct",
        state="in_progress",
    )
    questionnaire = Questionnaire.objects.create(
        criteria_set=criteria_set, title="Khảo sát", introduction="Giới thiệu", status="open"
    )
    group = RespondentGroup.objects.create(questionnaire=questionnaire, code="D", name="Người dân")
    survey_link = UnitLink.objects.create(questionnaire=questionnaire, unit=commune)
    held = Response.objects.create(
        link=survey_link, group=group, channel="online", status=Response.Status.REVIEW
    )
    jobs = {role: _finished_job(user).pk for role, user in users.items()}
    reorganisation = Reorganisation.objects.create(
        effective=datetime.date(2030, 1, 1 if district.code == "464" else 2), name=number
    )
    successor = make_unit("Kế thừa", parent=district, valid_from=datetime.date(2030, 1, 1))
    Lineage.objects.create(successor=successor, predecessor=commune, reorganisation=reorganisation)
    council = Council.objects.create(criteria_set=criteria_set, name=f"Hội đồng {number}")
    member = CouncilMember.objects.create(
        council=council, user=admin, position=CouncilMember.Position.CHAIR
    )
    council_round = CouncilRound.objects.create(council=council, number=1, opened_by=admin)
    council_round.assessments.add(assessment)
    letter = SubmissionLetter.objects.create(
        assessment=assessment, number=1, signer_name="Chủ tịch", signer_title="CHỦ TỊCH"
    )
    return Side(
        unit_code=commune.code,
        council_pk=council.pk,
        member_pk=member.pk,
        round_pk=council_round.pk,
        letter_pk=letter.pk,
        unit_pk=district.pk,
        set_pk=criteria_set.pk,
        assessment_pk=assessment.pk,
        criterion_pk=item.criterion_id,
        request_pk=request.pk,
        task_pk=RemediationTask.objects.filter(assessment=assessment).first().pk,  # type: ignore[union-attr]
        evidence_pk=evidence.pk,
        link_pk=link.pk,
        figures_pk=figures.pk,
        record_pk=record.pk,
        questionnaire_pk=questionnaire.pk,
        commune_pk=commune.pk,
        held_response_pk=held.pk,
        reorganisation_pk=reorganisation.pk,
        jobs=jobs,
    )


@pytest.fixture
def sides(world):
    users = {role: getattr(world, role) for role in ROLES}
    inside = _side(world, world.district, world.commune_a, world.admin, users, "1/QĐ")
    province = make_unit("Quảng Bình", kind=UnitKind.PROVINCE, code="44")
    district = make_unit("Lệ Thủy", kind=UnitKind.DISTRICT, parent=province)
    commune = make_unit("Sen Thủy", parent=district)
    foreign_admin = make_user("foreign_admin", Role.ADMINISTRATOR, province)
    strangers = {role: make_user(f"stranger_{role}") for role in ROLES}
    outside = _side(world, district, commune, foreign_admin, strangers, "2/QĐ")
    return inside, outside


@dataclass(frozen=True)
class Case:
    kwargs: Callable[[Side, str], dict[str, Any]]
    write: bool = False  # a POST that changes something
    data: Callable[[Side], dict[str, Any]] | None = None
    api: bool = False


def assessment(side: Side, _role: str) -> dict[str, Any]:
    return {"pk": side.assessment_pk}


def item(side: Side, _role: str) -> dict[str, Any]:
    return {"pk": side.assessment_pk, "criterion_pk": side.criterion_pk}


def a_file(_side: Side) -> dict[str, Any]:
    from tests.test_evidence import PDF

    return {"file": SimpleUploadedFile("x.pdf", PDF, "application/pdf")}


CASES: dict[str, Case] = {
    "job_page": Case(lambda s, role: {"pk": s.jobs[role]}),
    "job_download": Case(lambda s, role: {"pk": s.jobs[role]}),
    "unit_detail": Case(lambda s, _role: {"code": s.unit_code}),
    "unit_children": Case(lambda s, _role: {"pk": s.unit_pk}),
    "reorganisation_page": Case(
        lambda s, _role: {"pk": s.reorganisation_pk}, write=True, data=lambda s: {"rule": "main"}
    ),
    "criteria_set_detail": Case(lambda s, _role: {"pk": s.set_pk}),
    "criteria_export": Case(lambda s, _role: {"pk": s.set_pk}),
    "criteria_copy": Case(
        lambda s, _role: {"pk": s.set_pk}, write=True, data=lambda s: {"year": 2030, "title": "B"}
    ),
    "criteria_publish": Case(lambda s, _role: {"pk": s.set_pk}, write=True),
    "criteria_groups": Case(
        lambda s, _role: {"pk": s.set_pk}, write=True, data=lambda s: {"groups": ""}
    ),
    "assessments_open": Case(
        lambda s, _role: {"set_pk": s.set_pk},
        write=True,
        data=lambda s: {"deadline": "2031-01-01T10:00"},
    ),
    "explanation_page": Case(assessment),
    "explanation_answer": Case(
        lambda s, _role: {"pk": s.assessment_pk, "request_pk": s.request_pk},
        write=True,
        data=lambda s: {"answer": "Vì vậy"},
    ),
    "explanation_submit": Case(
        assessment, write=True, data=lambda s: {"action": "save", f"answer-{s.request_pk}": "Vì"}
    ),
    "deduction_report": Case(assessment),
    "remediation_page": Case(assessment),
    "remediation_update": Case(
        lambda s, _role: {"pk": s.assessment_pk, "task_pk": s.task_pk},
        write=True,
        data=lambda s: {"status": "done", "version": "1"},
    ),
    "assessment_page": Case(assessment),
    "assessment_submit": Case(assessment, write=True),
    "assessment_field": Case(lambda s, _role: {"pk": s.assessment_pk, "code": "1"}),
    "assessment_reopen": Case(assessment, write=True, data=lambda s: {"reason": "x"}),
    "evidence_panel": Case(item),
    "item_save": Case(item, write=True, data=lambda s: {f"c{s.criterion_pk}-value": "1"}),
    "evidence_upload": Case(item, write=True, data=a_file),
    "evidence_link": Case(item, write=True, data=lambda s: {"evidence": s.evidence_pk}),
    "evidence_unlink": Case(
        lambda s, _role: {
            "pk": s.assessment_pk,
            "criterion_pk": s.criterion_pk,
            "link_pk": s.link_pk,
        },
        write=True,
    ),
    "evidence_download": Case(lambda s, _role: {"pk": s.evidence_pk}),
    "evidence_replace": Case(lambda s, _role: {"pk": s.evidence_pk}, write=True, data=a_file),
    "appraisal_page": Case(assessment),
    "item_history": Case(item),
    "appraise": Case(item, write=True, data=lambda s: {"score": "1", "version": "0"}),
    "appraisal_return": Case(assessment, write=True),
    "appraisal_move": Case(lambda s, _role: {"pk": s.assessment_pk, "name": "start"}, write=True),
    "scorecard": Case(assessment),
    "publish_results": Case(lambda s, _role: {"set_pk": s.set_pk}, write=True),
    "figures_detail": Case(lambda s, _role: {"pk": s.figures_pk}),
    "unit_figures": Case(lambda s, _role: {"pk": s.unit_pk}),
    "record_detail": Case(lambda s, _role: {"pk": s.record_pk}),
    "questionnaire_detail": Case(lambda s, _role: {"pk": s.questionnaire_pk}),
    "questionnaire_export": Case(lambda s, _role: {"pk": s.questionnaire_pk}),
    "survey_open_data": Case(lambda s, _role: {"pk": s.questionnaire_pk}),
    "survey_review": Case(lambda s, _role: {"pk": s.questionnaire_pk}),
    "questionnaire_copy": Case(lambda s, _role: {"pk": s.questionnaire_pk}, write=True),
    "questionnaire_open": Case(lambda s, _role: {"pk": s.questionnaire_pk}, write=True),
    "questionnaire_close": Case(
        lambda s, _role: {"pk": s.questionnaire_pk}, write=True, data=lambda s: {"confirm": "yes"}
    ),
    "paper_import": Case(lambda s, _role: {"pk": s.questionnaire_pk}, write=True),
    "survey_review_decide": Case(
        lambda s, _role: {"pk": s.questionnaire_pk, "response_pk": s.held_response_pk},
        write=True,
        data=lambda s: {"decision": "count"},
    ),
    "survey_unit": Case(lambda s, _role: {"pk": s.questionnaire_pk, "unit_pk": s.commune_pk}),
    "survey_poster": Case(lambda s, _role: {"pk": s.questionnaire_pk, "unit_pk": s.commune_pk}),
    "survey_tokens": Case(
        lambda s, _role: {"pk": s.questionnaire_pk, "unit_pk": s.commune_pk},
        write=True,
        data=lambda s: {"count": "2"},
    ),
    "paper_entry": Case(
        lambda s, _role: {"pk": s.questionnaire_pk, "unit_pk": s.commune_pk},
        write=True,
        data=lambda s: {"form_number": "1", "group": "D"},
    ),
    "portal_figure_save": Case(
        lambda s, _role: {"pk": s.unit_pk},
        write=True,
        data=lambda s: {"period": "2024", "score": "80"},
    ),
    "assessment_sign_off": Case(assessment, write=True),
    "letter_download": Case(
        lambda s, _role: {"pk": s.assessment_pk, "letter_pk": s.letter_pk, "format": "pdf"}
    ),
    "council_page": Case(lambda s, _role: {"pk": s.council_pk}),
    "council_member_add": Case(
        lambda s, _role: {"pk": s.council_pk},
        write=True,
        data=lambda s: {"position": "member", "title": "x"},
    ),
    "council_member_remove": Case(
        lambda s, _role: {"pk": s.council_pk, "member_pk": s.member_pk}, write=True
    ),
    "council_round_open": Case(lambda s, _role: {"pk": s.council_pk}, write=True),
    "council_round": Case(lambda s, _role: {"pk": s.round_pk}),
    "council_opinion": Case(
        lambda s, _role: {"pk": s.round_pk, "assessment_pk": s.assessment_pk},
        write=True,
        data=lambda s: {"opinion": "agree"},
    ),
    "council_round_close": Case(
        lambda s, _role: {"pk": s.round_pk}, write=True, data=lambda s: {"confirm": "yes"}
    ),
    "council_minutes": Case(lambda s, _role: {"pk": s.round_pk}),
    "api-unit-detail": Case(lambda s, _role: {"code": s.unit_code}, api=True),
    "api-criteria-set-detail": Case(lambda s, _role: {"pk": s.set_pk}, api=True),
    "api-dossier-statistics-detail": Case(lambda s, _role: {"pk": s.figures_pk}, api=True),
}


def _addresses_with_objects() -> set[str]:
    def walk(patterns: list[Any], prefix: str = "") -> Any:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern

    found = set()
    for route, pattern in walk(get_resolver().url_patterns):
        if route.startswith("quan-tri/"):
            continue  # the Django admin keeps its own permissions
        names = set(pattern.pattern.regex.groupindex) - {"format"}
        if names and pattern.name:
            found.add(pattern.name)
    return found


# Addresses whose object belongs to no unit, with where their permissions are tested.
NOT_OF_A_UNIT = {
    "notification_open": "a person's own notification: tests/test_notifications.py",
    "calendar_day_delete": "a day of the national calendar: tests/test_records.py",
    "survey_form": "the public survey form, for anyone with the unit's random address: tests/test_surveys.py",
    "survey_thanks": "the public survey form's thanks: tests/test_surveys.py",
}


def test_every_address_with_an_object_has_a_case():
    missing = _addresses_with_objects() - set(CASES) - set(NOT_OF_A_UNIT)
    assert not missing, f"add a permission case for: {sorted(missing)}"


def _call(user, name: str, case: Case, side: Side, role: str, method: str) -> int:
    url = reverse(name, kwargs=case.kwargs(side, role))
    if case.api:
        client = APIClient()
        client.force_authenticate(user)
        return client.get(url).status_code
    client = client_for(user)
    if method == "get":
        return client.get(url).status_code
    return client.post(url, case.data(side) if case.data else {}).status_code


@pytest.mark.parametrize("name", sorted(CASES))
def test_another_units_object_is_not_found_for_every_role(world, sides, name):
    _inside, outside = sides
    case = CASES[name]
    for role in ROLES:
        method = "post" if case.write else "get"
        status = _call(getattr(world, role), name, case, outside, role, method)
        assert status == 404, f"{name} as {role} on another unit's object: {status}"
    if case.write:  # reading a write address outside the scope reveals nothing either
        assert _call(world.admin, name, case, outside, "admin", "get") in (404, 405)


WRITES = sorted(name for name, case in CASES.items() if case.write)


@pytest.mark.parametrize("name", WRITES)
def test_the_read_only_leader_writing_inside_the_scope_is_refused(world, sides, name):
    inside, _outside = sides
    status = _call(world.leader, name, CASES[name], inside, "leader", "post")
    assert status == 403, f"{name} as the leader: {status}"


READS = sorted(name for name, case in CASES.items() if not case.write)


@pytest.mark.parametrize("name", READS)
def test_the_objects_inside_the_scope_are_found_by_their_administrator(world, sides, name):
    """The cases are real: the same address answers for an object of one's own units."""
    inside, _outside = sides
    status = _call(world.admin, name, CASES[name], inside, "admin", "get")
    assert status != 404, f"{name} as the administrator on an own object: {status}"


def test_the_fixture_objects_are_in_the_states_the_cases_need(world, sides):
    inside, outside = sides
    from scoring.models import Assessment

    for side in (inside, outside):
        assert Assessment.objects.get(pk=side.assessment_pk).state == S.PUBLISHED
        assert EvidenceLink.objects.filter(pk=side.link_pk).exists()


def test_the_check_in_python_sees_the_units_the_query_sees(world):
    """``sees`` (a read by key, then the user's role paths in Python) and
    ``Unit.objects.visible_to`` (the database) decide alike for every user and every unit:
    units on several levels, a user without roles, a user with two roles on two branches, a
    unit whose key starts with another's digits, and a superuser."""
    from cchc.access import sees
    from cchc.models import RoleAssignment, Unit, User

    # Keys 10, 100, 1000 … start with each other's digits: paths are padded, so a prefix of
    # one path is never another unit's path by chance.
    for number in range(8):
        make_unit(f"Xã {number}", parent=world.commune_a if number % 2 else world.district)
    two_branches = make_user("two_branches", Role.OFFICER, world.commune_b)
    RoleAssignment.objects.create(user=two_branches, unit=world.other_district, role=Role.LEADER)
    make_user("nobody")
    User.objects.create_superuser("root", password="pw-for-tests-123")
    units = list(Unit.objects.all())
    assert len(units) > 10
    for user in User.objects.all():
        seen_by_query = set(Unit.objects.visible_to(user).values_list("pk", flat=True))
        user = User.objects.get(pk=user.pk)  # a fresh object: roles read once, as per request
        assert {unit.pk for unit in units if sees(user, unit)} == seen_by_query, user.username


def test_an_assessment_of_another_unit_is_not_found_by_key(world):
    """The pages that read an assessment by key answer 404 for a unit the user does not
    see, and find the one the user sees."""
    from django.http import Http404

    from cchc.access import seen_or_404
    from scoring.models import Assessment

    ten = ten_point_set(world.province, 2024)
    theirs = Assessment.objects.create(
        unit=world.commune_b,
        criteria_set=ten,
        deadline=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC),
    )
    mine = Assessment.objects.create(
        unit=world.commune_a,
        criteria_set=ten,
        deadline=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC),
    )
    assert seen_or_404(Assessment.objects.all(), world.officer_a, mine.pk) == mine
    with pytest.raises(Http404):
        seen_or_404(Assessment.objects.all(), world.officer_a, theirs.pk)
    with pytest.raises(Http404):
        seen_or_404(Assessment.objects.all(), world.officer_a, theirs.pk + mine.pk + 1)
    assert seen_or_404(Assessment.objects.all(), world.leader, theirs.pk) == theirs


def test_the_roles_read_by_their_own_statement_are_those_the_orm_reads(world):
    """``User.role_paths`` reads the roles with a statement written once per database; it
    gives what ``role_assignments.values_list("role", "unit__path")`` gives, for users with
    no role, one role and several roles on several units."""
    from cchc.models import RoleAssignment, User

    RoleAssignment.objects.create(user=world.leader, unit=world.other_commune, role=Role.OFFICER)
    RoleAssignment.objects.create(user=world.leader, unit=world.province, role=Role.APPRAISER)
    make_user("no_roles")
    for user in User.objects.all():
        expected = sorted(user.role_assignments.values_list("role", "unit__path"))
        fresh = User.objects.get(pk=user.pk)
        assert sorted(fresh.role_paths(None)) == sorted(path for _role, path in expected)
        assert sorted(fresh._role_path_cache) == expected
        assert sorted(fresh.role_paths({Role.OFFICER})) == sorted(
            path for role, path in expected if role == Role.OFFICER
        )
