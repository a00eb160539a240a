"""``cchc.statements.KeyRead``: an object and its related ones read by key with a statement
written once, as ``select_related(...).get(pk=…)`` gives them."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cchc.statements import KeyRead, RowsRead
from scoring.models import Assessment
from scoring.models import AssessmentState as S
from scoring.views.assessments import assessment_read
from tests.conftest import client_for


def _values(instance):
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def _same(read, expected):
    assert _values(read) == _values(expected)
    assert [type(v) for v in _values(read).values()] == [
        type(v) for v in _values(expected).values()
    ]
    assert not read._state.adding and read._state.db == expected._state.db


def test_the_assessment_read_is_the_one_the_orm_gives(world, assessment, django_assert_num_queries):
    assessment.signed_off_at = timezone.now().replace(microsecond=654321)
    assessment.signed_off_by = world.officer_a
    assessment.save()
    criteria_set = assessment.criteria_set
    criteria_set.classification_bands = [["Tốt", 80.5], ["Yếu", 0]]  # JSON
    criteria_set.save()
    expected = Assessment.objects.select_related("criteria_set", "unit").get(pk=assessment.pk)
    with django_assert_num_queries(1):
        read = assessment_read().get(assessment.pk)
        _same(read, expected)
        _same(read.criteria_set, expected.criteria_set)  # cached on it, as select_related does
        _same(read.unit, expected.unit)
    assert read.criteria_set.classification_bands == [["Tốt", 80.5], ["Yếu", 0]]
    assert assessment_read().get(str(assessment.pk)) == expected


def test_a_null_related_key_is_none_without_a_query(world, assessment, django_assert_num_queries):
    read = assessment_read(("signed_off_by",))
    assert assessment_read(("signed_off_by",)) is read  # written once
    with django_assert_num_queries(1):
        found = read.get(assessment.pk)
        assert found.signed_off_by is None
        assert found.unit == world.commune_a and found.criteria_set.year == 2022
    assessment.signed_off_by = world.officer_a
    assessment.save()
    with django_assert_num_queries(1):
        assert read.get(assessment.pk).signed_off_by.username == "officer_a"


def test_no_such_key_is_none_even_beyond_what_a_column_holds(assessment):
    assert assessment_read().get(987654) is None
    assert assessment_read().get(2**70) is None
    assert assessment_read().get(-(2**70)) is None


def test_a_key_beyond_what_a_column_holds_is_a_404_page(world, assessment):
    client = client_for(world.officer_a)
    assert client.get(reverse("assessment_page", args=[assessment.pk])).status_code == 200
    assert client.get(f"/danh-gia/{2**70}/").status_code == 404
    # Out of scope: a 404 as for no assessment at all.
    assert (
        client_for(world.officer_b)
        .get(reverse("assessment_page", args=[assessment.pk]))
        .status_code
        == 404
    )


def test_the_evidence_read_is_the_one_the_orm_gives(world, django_assert_num_queries):
    from scoring.models import Evidence
    from scoring.views.evidence import _EVIDENCE
    from tests.test_evidence import evidence_for

    evidence = evidence_for(world.commune_a, world.officer_a, document_number="12/KH-UBND")
    expected = Evidence.objects.select_related("unit").get(pk=evidence.pk)
    with django_assert_num_queries(1):
        read = _EVIDENCE.get(evidence.pk)
        _same(read, expected)
        _same(read.unit, expected.unit)
    assert read.file.name == expected.file.name and read.document_date == expected.document_date


def test_a_criterion_of_another_set_or_of_none_is_a_404(world, assessment):
    from scoring.models import Criterion
    from tests.assessment_fixtures import criterion, make_open_assessment

    mine = criterion(assessment, "1.1")
    other_year = make_open_assessment(world, year=2023)
    foreign = Criterion.objects.filter(criteria_set=other_year.criteria_set, code="1.1").get()
    client = client_for(world.officer_a)
    for key, expected in ((mine.pk, 200), (foreign.pk, 404), (987654, 404), (2**70, 404)):
        answer = client.post(
            f"/danh-gia/{assessment.pk}/muc/{key}/",
            {f"c{key}-answer": "yes", f"c{key}-explanation": "Đã thực hiện"},
            headers={"HX-Request": "true"},
        )
        assert answer.status_code == expected, key
    appraiser = client_for(world.appraiser)
    assert appraiser.post(f"/tham-dinh/{assessment.pk}/muc/{foreign.pk}/").status_code == 404


def test_the_criterion_read_is_the_one_the_orm_gives(assessment):
    from scoring.models import Criterion
    from scoring.views.assessments import criterion_or_404
    from tests.assessment_fixtures import criterion

    for code in ("1.1", "1.2", "2.1"):
        expected = Criterion.objects.get(pk=criterion(assessment, code).pk)
        read = criterion_or_404(assessment, expected.pk)
        _same(read, expected)
        assert read.parameters == expected.parameters  # JSON


def test_only_foreign_keys_of_the_model_itself_are_read_with_it():
    import pytest

    from cchc.models import Unit

    with pytest.raises(ValueError, match="not a foreign key"):
        KeyRead(Unit, ("evidence",))  # the evidence pointing at the unit
    with pytest.raises(ValueError, match="not a foreign key"):
        KeyRead(Assessment, ("items",))


def test_the_locked_read_is_the_one_the_orm_gives(world, assessment, django_assert_num_queries):
    from django.db import connection

    from scoring.assessment.workflow import locked

    assessment.appraised_by = world.appraiser
    assessment.save()
    expected = (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("unit", "appraised_by", "criteria_set")
        .get(pk=assessment.pk)
    )
    with django_assert_num_queries(1) as captured:
        read = locked(assessment)
        for name in ("unit", "appraised_by", "criteria_set"):
            _same(getattr(read, name), getattr(expected, name))
    _same(read, expected)
    statement = captured.captured_queries[0]["sql"]
    if connection.vendor == "postgresql":
        assert statement.endswith('FOR UPDATE OF "T0"')  # the assessment's row, not its unit's
    else:
        assert "FOR UPDATE" not in statement  # SQLite: the transaction holds the write lock
    missing = Assessment(pk=987654)
    with pytest.raises(Assessment.DoesNotExist):
        locked(missing)


@pytest.mark.django_db(transaction=True)
def test_a_locked_read_outside_a_transaction_is_refused(world, assessment):
    from django.db.transaction import TransactionManagementError

    from scoring.assessment.workflow import locked

    with pytest.raises(TransactionManagementError):
        locked(assessment)
    assert assessment_read().get(assessment.pk) is not None  # a read without a lock is not


@pytest.mark.django_db(transaction=True)
def test_a_locked_row_waits_for_the_transaction_that_holds_it(world, assessment):
    """Two transactions lock the same assessment: the second gets it only once the first
    has committed, and then reads what the first wrote."""
    import threading
    import time

    from django.db import connections, transaction

    from scoring.assessment.workflow import locked

    held = threading.Event()
    moments: dict[str, float] = {}
    seen: list[str] = []

    def first() -> None:
        try:
            with transaction.atomic():
                mine = locked(assessment)
                held.set()
                time.sleep(0.5)
                Assessment.objects.filter(pk=mine.pk).update(state=S.SUBMITTED)
                moments["committing"] = time.monotonic()
        finally:
            held.set()
            connections.close_all()

    def second() -> None:
        try:
            held.wait(timeout=10)
            with transaction.atomic():
                mine = locked(assessment)
                moments["locked"] = time.monotonic()
                seen.append(mine.state)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert moments["locked"] >= moments["committing"]
    assert seen == [S.SUBMITTED]  # the row as the first left it


# ``RowsRead``: the rows of a model by one of its foreign keys (or one reached through them).


def _moves(assessment, people):
    """Three moves of ``assessment``, two at the same moment (ordered by key then), one by
    nobody (the system)."""
    from scoring.models import StateChange

    moment = timezone.now().replace(microsecond=123456)
    for n, (to_state, who) in enumerate(
        zip((S.SUBMITTED, S.DRAFT, S.SUBMITTED), people, strict=True)
    ):
        move = StateChange.objects.create(
            assessment=assessment,
            from_state=S.DRAFT,
            to_state=to_state,
            changed_by=who,
            reason=f"lần {n}",
        )
        # changed_at is set when the row is made: moved by hand to the moments wanted.
        StateChange.objects.filter(pk=move.pk).update(
            changed_at=moment if n else moment + datetime.timedelta(seconds=1)
        )


def test_the_rows_read_are_the_ones_the_orm_gives_in_its_order(
    world, assessment, django_assert_num_queries
):
    from scoring.models import StateChange
    from scoring.views.assessments import _HISTORY

    _moves(assessment, (world.officer_a, None, world.appraiser))
    expected = list(
        StateChange.objects.filter(assessment=assessment)
        .select_related("changed_by")
        .order_by("changed_at", "pk")
    )
    with django_assert_num_queries(1):
        read = _HISTORY.rows(assessment)
        assert [move.reason for move in read] == ["lần 1", "lần 2", "lần 0"]
        for found, wanted in zip(read, expected, strict=True):
            _same(found, wanted)
            if wanted.changed_by is None:
                assert found.changed_by is None
            else:
                _same(found.changed_by, wanted.changed_by)  # cached on it
    assert _HISTORY.rows(assessment.pk) == expected  # by key as by object
    descending = RowsRead(StateChange, by="assessment", order=("-changed_at", "-pk"))
    assert [move.reason for move in descending.rows(assessment)] == ["lần 0", "lần 2", "lần 1"]
    assert _HISTORY.rows(987654) == [] and _HISTORY.rows(2**70) == []


def test_rows_read_through_foreign_keys_are_the_ones_the_orm_gives(
    world, assessment, evidence_storage, django_assert_num_queries
):
    from scoring.assessment.loading import items_of, with_links
    from scoring.models import Assessment, AssessmentItem, EvidenceLink
    from tests.test_self_assessment import complete

    complete(assessment, world.officer_a, sign=False)
    other, _ = Assessment.objects.get_or_create(
        unit=world.commune_b,
        criteria_set=assessment.criteria_set,
        defaults={"deadline": assessment.deadline},
    )
    complete(other, world.officer_b, sign=False)
    items = list(AssessmentItem.objects.filter(assessment=assessment).order_by("pk"))
    with django_assert_num_queries(1):
        read = items_of(assessment)
    assert len(read) == 6 and {item.assessment_id for item in read} == {assessment.pk}
    for found, wanted in zip(read, items, strict=True):
        _same(found, wanted)  # JSON figures, decimals, the not-applicable reason
    links = EvidenceLink.objects.filter(item__assessment=assessment).select_related("evidence")
    with django_assert_num_queries(1):
        with_links(assessment, read)
        shown = {
            item.pk: [(link.pk, link.evidence.original_name) for link in item.links]  # type: ignore[attr-defined]
            for item in read
        }
    assert shown == {
        item.pk: [
            (link.pk, link.evidence.original_name)
            for link in links.order_by("pk")
            if link.item_id == item.pk
        ]
        for item in items
    }
    assert sum(len(found) for found in shown.values()) == 3  # the other unit's are not here
    with django_assert_num_queries(0):
        assert with_links(assessment, []) == []


def test_rows_are_read_by_foreign_keys_only():
    from scoring.models import AssessmentItem

    with pytest.raises(ValueError, match="not a foreign key"):
        RowsRead(AssessmentItem, by="explanation")
    with pytest.raises(ValueError, match="not a foreign key"):
        RowsRead(AssessmentItem, ("explanation",), by="assessment")
