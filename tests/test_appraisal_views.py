"""Appraisal pages: who may open and act, per-row saving, the unit's explanation page, the
audit search, remediation pages."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cchc.models import Role
from scoring.assessment.workflow import move_assessment
from scoring.models import AssessmentItem, ExplanationRequest, RemediationTask
from scoring.models.assessments import AssessmentState as S
from tests.assessment_fixtures import criterion
from tests.conftest import client_for
from tests.factories import make_user

HTMX = {"HX-Request": "true"}


def test_appraiser_opens_the_page_others_in_scope_get_403_and_others_404(
    world, submitted, django_assert_max_num_queries
):
    url = reverse("appraisal_page", args=[submitted.pk])
    client = client_for(world.appraiser)
    with django_assert_max_num_queries(12):
        page = client.get(url)
    assert page.status_code == 200 and "Bắt đầu thẩm định" in page.content.decode()
    assert client_for(world.officer_a).get(url).status_code == 403
    assert client_for(world.leader).get(url).status_code == 403
    stranger = make_user("gio_linh_appraiser", Role.APPRAISER, world.other_district)
    assert client_for(stranger).get(url).status_code == 404
    assert (
        client_for(stranger)
        .post(reverse("appraisal_move", args=[submitted.pk, "start"]))
        .status_code
        == 404
    )


@pytest.mark.parametrize("who", ["officer_a", "leader"])
def test_read_only_or_wrong_roles_get_403_on_moves_and_scores(world, submitted, who):
    client = client_for(getattr(world, who))
    assert client.post(reverse("appraisal_move", args=[submitted.pk, "start"])).status_code == 403
    url = reverse("appraise", args=[submitted.pk, criterion(submitted, "1.2").pk])
    assert client.post(url, {"score": "1", "reason": "x", "version": "0"}).status_code == 403
    assert client.post(reverse("appraisal_return", args=[submitted.pk]), {}).status_code == 403
    submitted.refresh_from_db()
    assert submitted.state == S.SUBMITTED


def test_moves_through_the_page_and_an_illegal_one_is_explained(world, submitted):
    client = client_for(world.appraiser)
    client.post(reverse("appraisal_move", args=[submitted.pk, "start"]))
    submitted.refresh_from_db()
    assert submitted.state == S.UNDER_APPRAISAL
    response = client.post(reverse("appraisal_move", args=[submitted.pk, "finish"]), follow=True)
    assert (
        "Hãy nhập điểm điều tra xã hội học của 2.3 trước khi hoàn thành."
        in response.content.decode()
    )


def test_saving_a_row_with_htmx_and_an_error_keeps_what_was_typed(world, submitted):
    move_assessment(submitted, "start", world.appraiser)
    client = client_for(world.appraiser)
    url = reverse("appraise", args=[submitted.pk, criterion(submitted, "1.2").pk])
    bad = client.post(
        url, {"score": "1", "reason": "", "version": "0"}, headers=HTMX
    ).content.decode()
    assert "Hãy ghi lý do trừ điểm so với điểm tự chấm" in bad and 'value="1"' in bad
    good = client.post(
        url, {"score": "1,5", "reason": "Thiếu 1 nhiệm vụ", "version": "0"}, headers=HTMX
    ).content.decode()
    assert (
        "Đã lưu." in good
        and 'id="appraisal-summary" class="summary-box" hx-swap-oob="true"' in good
    )
    assert (
        AssessmentItem.objects.get(assessment=submitted, criterion__code="1.2").appraised_score
        == 1.5
    )
    stale = client.post(
        url, {"score": "1", "reason": "khác", "version": "0"}, headers=HTMX
    ).content.decode()
    assert "Cán bộ khác vừa lưu 1.2: 1,5 (Thiếu 1 nhiệm vụ)" in stale


def test_returning_and_the_units_explanation_page(world, submitted):
    move_assessment(submitted, "start", world.appraiser)
    client_for(world.appraiser).post(
        reverse("appraisal_return", args=[submitted.pk]),
        {
            f"q_{criterion(submitted, '1.2').pk}": "Nhiệm vụ nào chưa xong?",
            f"q_{criterion(submitted, '1.1').pk}": "",
        },
    )
    submitted.refresh_from_db()
    assert submitted.state == S.RETURNED
    officer = client_for(world.officer_a)
    page = officer.get(reverse("explanation_page", args=[submitted.pk])).content.decode()
    assert (
        "Nhiệm vụ nào chưa xong?" in page and "Ban hành kế hoạch" not in page
    )  # only what was returned
    question = ExplanationRequest.objects.get()
    officer.post(
        reverse("explanation_answer", args=[submitted.pk, question.pk]),
        {"answer": "Còn 3 nhiệm vụ chuyển năm sau"},
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.test_evidence import PDF

    upload = reverse("evidence_upload", args=[submitted.pk, criterion(submitted, "1.2").pk])
    officer.post(
        upload,
        {
            "file": SimpleUploadedFile("bo-sung.pdf", PDF),
            "next": reverse("explanation_page", args=[submitted.pk]),
        },
    )
    closed = reverse("evidence_upload", args=[submitted.pk, criterion(submitted, "1.4").pk])
    officer.post(closed, {"file": SimpleUploadedFile("khac.pdf", PDF)})
    assert [
        link.evidence.original_name
        for link in AssessmentItem.objects.get(
            assessment=submitted, criterion__code="1.2"
        ).evidence_links.all()
    ] == ["bo-sung.pdf"]
    assert (
        not AssessmentItem.objects.get(assessment=submitted, criterion__code="1.4")
        .evidence_links.filter(evidence__original_name="khac.pdf")
        .exists()
    )
    officer.post(reverse("appraisal_move", args=[submitted.pk, "resend"]))
    submitted.refresh_from_db()
    assert submitted.state == S.RESUBMITTED
    assert (
        client_for(world.officer_b)
        .get(reverse("explanation_page", args=[submitted.pk]))
        .status_code
        == 404
    )


def test_audit_search_is_for_administrators(world, submitted):
    move_assessment(submitted, "start", world.appraiser)
    response = client_for(world.admin).get(
        reverse("audit_search"), {"unit_code": "19375", "kind": "state"}
    )
    entries = list(response.context["page"].object_list)
    assert [e.new_value for e in entries] == ["Đang thẩm định", "Đã nộp"]
    assert client_for(world.appraiser).get(reverse("audit_search")).status_code == 403
    assert client_for(world.leader).get(reverse("audit_search")).status_code == 403


def test_remediation_pages(world, submitted, council):
    move_assessment(submitted, "start", world.appraiser)
    from tests.test_appraisal import appraise

    appraise(submitted, "2.3", world.appraiser, 1)
    move_assessment(submitted, "finish", world.appraiser)
    move_assessment(submitted, "approve", council)
    from tests.test_appraisal import publish_whole_set

    publish_whole_set(submitted, world.admin)
    task = RemediationTask.objects.get(assessment=submitted, code="1.3")
    url = reverse("remediation_update", args=[submitted.pk, task.pk])
    data = {
        "action": "Tổ chức hội thi tìm hiểu CCHC",
        "assignee": "Văn phòng UBND xã",
        "deadline": "2023-06-30",
        "status": "in_progress",
        "version": "1",
    }
    assert client_for(world.leader).post(url, data).status_code == 403
    assert client_for(world.officer_b).post(url, data).status_code == 404
    client_for(world.officer_a).post(url, data)
    task.refresh_from_db()
    assert (task.assignee, task.status, task.version) == ("Văn phòng UBND xã", "in_progress", 2)
    stale = (
        client_for(world.officer_a)
        .post(url, {**data, "assignee": "Khác"}, follow=True)
        .content.decode()
    )
    assert "chưa có gì bị ghi đè" in stale
    overview = client_for(world.leader).get(reverse("remediation_overview"))
    row = next(a for a in overview.context["page"].object_list if a.pk == submitted.pk)
    assert (row.tasks, row.done) == (2, 0)
    page = (
        client_for(world.leader)
        .get(reverse("remediation_page", args=[submitted.pk]))
        .content.decode()
    )
    assert "Văn phòng UBND xã" in page


def test_an_htmx_save_reads_its_row_not_the_whole_page(
    world, submitted, django_assert_max_num_queries
):
    """The save answers with one row and the summary, in a pinned number of queries that does
    not grow with the items appraised (each with its history)."""
    move_assessment(submitted, "start", world.appraiser)
    client = client_for(world.appraiser)
    codes = ["1.1", "1.2", "1.3", "1.4"]
    urls = {
        code: reverse("appraise", args=[submitted.pk, criterion(submitted, code).pk])
        for code in codes
    }
    client.post(urls["1.1"], {"score": "0", "reason": "Thiếu", "version": "0"}, headers=HTMX)
    # 20: the total is the one the save's transaction scored, not read and scored again.
    with django_assert_max_num_queries(20):
        few = client.post(
            urls["1.2"], {"score": "1", "reason": "Thiếu", "version": "0"}, headers=HTMX
        )
    client.post(urls["1.3"], {"score": "1", "reason": "Thiếu", "version": "0"}, headers=HTMX)
    with django_assert_max_num_queries(20):
        more = client.post(
            urls["1.4"], {"score": "0", "reason": "Thiếu", "version": "0"}, headers=HTMX
        )
    for response, code in ((few, "1.2"), (more, "1.4")):
        page = response.content.decode()
        assert "Đã lưu." in page and page.count('class="appraisal-row') == 1
        assert f'id="row-{criterion(submitted, code).pk}"' in page
    # The summary the last save answered with is the page's once the saves are in.
    shown = client.get(reverse("appraisal_page", args=[submitted.pk])).content.decode()
    assert _summary(more.content.decode()) == _summary(shown)


def _summary(page):
    found = re.search(r'<(\w+) id="appraisal-summary".*?</\1>', page, re.S)
    assert found, page
    return found.group(0).replace(' hx-swap-oob="true"', "")


def test_the_rows_find_every_name_they_look_up(world, submitted):
    """Rows without an item (a bonus not claimed) and the names of a save's answer (errors, typed, notice) cost no
    failed lookups: at most one per page, none per row."""
    from tests.template_lookups import missed_lookups

    move_assessment(submitted, "start", world.appraiser)
    client = client_for(world.appraiser)
    with missed_lookups() as missed:
        page = client.get(reverse("appraisal_page", args=[submitted.pk]))
    assert page.status_code == 200 and page.content.decode().count('class="appraisal-row') >= 4
    assert all(count == 1 for count in missed.values()), missed


def test_the_fields_head_their_rows_in_tree_order(world, submitted):
    import re

    head = re.compile(r'<tr class="group-row"><td class="code">(\w+)</td><td colspan="(\d)">')
    url = reverse("appraisal_page", args=[submitted.pk])
    client = client_for(world.appraiser)
    before = client.get(url).content.decode()  # submitted: read, not yet appraised
    assert head.findall(before) == [("1", "3"), ("2", "3"), ("3", "3")]
    assert '<strong>Chỉ đạo điều hành</strong> <span class="max">(8 điểm)</span>' in before
    move_assessment(submitted, "start", world.appraiser)
    page = client.get(url).content.decode()  # appraising: a column more, to return rows
    assert head.findall(page) == [("1", "4"), ("2", "4"), ("3", "4")]
    code_of = {str(c.pk): c.code for c in submitted.criteria_set.criteria.all()}
    order = re.findall(r'<tr (?:class="group-row"><td class="code">(\w+)|id="row-(\d+)")', page)
    codes = [field or code_of[pk] for field, pk in order]
    assert codes == ["1", "1.1", "1.2", "1.3", "1.4", "2", "2.1", "2.2", "2.3", "3", "3.1"]
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(url).content.decode()
    assert '<strong>Chỉ đạo điều hành</strong> <span class="max">(8 pts)</span>' in english


def test_a_rows_history_is_counted_on_the_page_and_read_when_opened(
    world, submitted, django_assert_max_num_queries
):
    """Each save adds to a sub-criterion's history: the page and the save's row show how many
    changes it holds, without writing them; opening "History" loads them (oldest first, with
    who, what and why), or opens them as a page of their own without JavaScript."""
    move_assessment(submitted, "start", world.appraiser)
    client = client_for(world.appraiser)
    item = criterion(submitted, "1.2")
    save = reverse("appraise", args=[submitted.pk, item.pk])
    history = reverse("item_history", args=[submitted.pk, item.pk])
    client.post(save, {"score": "0", "reason": "Thiếu văn bản", "version": "0"}, headers=HTMX)
    answer = client.post(save, {"score": "1", "reason": "Đã bổ sung", "version": "1"}, headers=HTMX)
    row = answer.content.decode()
    from scoring.models import AuditEntry

    changes = AuditEntry.objects.filter(assessment=submitted, item__criterion=item).count()
    assert changes == 3  # the unit's self score, then the two appraised ones
    assert "Lịch sử thay đổi (3)" in row and f'hx-get="{history}"' in row
    assert "Thiếu văn bản" not in row  # the entries are not written into the row
    page = client.get(reverse("appraisal_page", args=[submitted.pk])).content.decode()
    assert "Lịch sử thay đổi (3)" in page
    with django_assert_max_num_queries(8):
        loaded = client.get(history, headers=HTMX)
    entries = loaded.content.decode()
    assert loaded.status_code == 200 and "<html" not in entries
    assert entries.count("<li>") == 3
    assert entries.index("Thiếu văn bản") < entries.index("Đã bổ sung")
    assert "appraiser" in entries and "→ 1" in entries
    own_page = client.get(history).content.decode()
    assert "<html" in own_page and "Đã bổ sung" in own_page and "Về trang thẩm định" in own_page
    # A sub-criterion without changes (the unit claimed no bonus): an empty list says so.
    quiet = next(
        c
        for c in submitted.criteria_set.criteria.exclude(method="")
        if not AuditEntry.objects.filter(assessment=submitted, item__criterion=c).exists()
    )
    untouched = reverse("item_history", args=[submitted.pk, quiet.pk])
    assert "Chưa có thay đổi nào." in client.get(untouched, headers=HTMX).content.decode()


def test_a_history_is_the_appraisers_alone(world, submitted):
    url = reverse("item_history", args=[submitted.pk, criterion(submitted, "1.2").pk])
    assert client_for(world.officer_a).get(url).status_code == 403
    assert client_for(world.leader).get(url).status_code == 403
    stranger = make_user("gio_linh_appraiser", Role.APPRAISER, world.other_district)
    assert client_for(stranger).get(url).status_code == 404
    assert client_for(world.appraiser).post(url).status_code == 405  # nothing to write here
    assert client_for(world.appraiser).get(url).status_code == 200


def test_a_row_shows_its_evidence_and_questions_in_order_on_the_page_and_after_a_save(
    world, submitted, evidence_storage, django_assert_max_num_queries
):
    """The rows keep their evidence and questions as lists (one query each for the page);
    the page and a save's row show the same, each in its order."""
    from scoring.assessment.evidence import link_evidence
    from tests.test_evidence import evidence_for

    client = client_for(world.appraiser)
    client.post(reverse("appraisal_move", args=[submitted.pk, "start"]))
    item = AssessmentItem.objects.get(assessment=submitted, criterion__code="1.2")
    for name in ("bao-cao-quy.pdf", "bao-cao-nam.pdf"):
        link_evidence(
            item, evidence_for(submitted.unit, world.officer_a, name=name), world.officer_a
        )
    for round_, question in ((2, "Vì sao chậm?"), (1, "Nhiệm vụ nào chưa xong?")):
        ExplanationRequest.objects.create(item=item, round=round_, question=question)
    url = reverse("appraisal_page", args=[submitted.pk])
    with django_assert_max_num_queries(14):
        page = client.get(url).content.decode()

    def shown(html: str) -> tuple[list[str], list[str]]:
        row = html.split(f'id="row-{item.criterion_id}"', 1)[1].split("</tr>", 1)[0]
        files = re.findall(r'<a href="/tai-lieu/\d+/">([^<]+)</a>', row)
        asked = re.findall(r"</strong> ([^<]+)<br>", row)
        return files, asked

    expected = (["bao-cao-quy.pdf", "bao-cao-nam.pdf"], ["Nhiệm vụ nào chưa xong?", "Vì sao chậm?"])
    assert shown(page) == expected
    version = re.search(
        r'name="version" value="(\d+)"', page.split(f'id="row-{item.criterion_id}"', 1)[1]
    )
    assert version is not None
    saved = client.post(
        reverse("appraise", args=[submitted.pk, item.criterion_id]),
        {"score": "1", "reason": "Còn thiếu báo cáo quý", "version": version.group(1)},
        headers=HTMX,
    ).content.decode()
    assert 'class="notice"' in saved and shown(saved) == expected
