"""The officer's self-assessment page and the administrator's actions on it."""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from scoring.assessment.evidence import link_evidence
from scoring.models import Assessment, AssessmentItem, Evidence
from scoring.models.assessments import AssessmentState
from tests.assessment_fixtures import criterion, make_open_assessment
from tests.conftest import client_for
from tests.test_evidence import PDF, evidence_for

HTMX = {"HX-Request": "true"}


def save_url(assessment, code):
    return reverse("item_save", args=[assessment.pk, criterion(assessment, code).pk])


def field(assessment, code, name):
    return f"c{criterion(assessment, code).pk}-{name}"


def test_officer_sees_the_tree_with_methods_guidance_and_progress(
    world, assessment, django_assert_max_num_queries
):
    client = client_for(world.officer_a)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("assessment_page", args=[assessment.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Có: 2 điểm; không: 0 điểm" in page and "Chọn mức — Từ 3 hình thức: 2 điểm" in page
    assert "Đã chấm 0/6 tiêu chí" in page
    assert "Nộp kết quả tự đánh giá" in page


def test_the_page_runs_the_same_queries_however_many_items_are_scored(
    world, assessment, django_assert_max_num_queries
):
    client = client_for(world.officer_a)
    for code, data in [
        ("1.1", {"answer": "yes"}),
        ("1.2", {"value": "1"}),
        ("1.4", {"value": "2"}),
    ]:
        client.post(
            save_url(assessment, code), {field(assessment, code, k): v for k, v in data.items()}
        )
    # 9 (12 on the first visit, which reads the tree and the dossier values into the
    # process): the items are read once, with their evidence, for the page, the progress
    # and the total; the tree once for the rows and the total.
    with django_assert_max_num_queries(9):
        client.get(reverse("assessment_page", args=[assessment.pk]))


def test_saving_an_item_runs_a_bounded_number_of_queries(
    world, assessment, django_assert_max_num_queries
):
    """The dossier values are worked out once per save, not once per step."""
    client = client_for(world.officer_a)
    for code, data in [("1.1", {"answer": "yes"}), ("1.2", {"value": "1"})]:
        client.post(
            save_url(assessment, code), {field(assessment, code, k): v for k, v in data.items()}
        )
    with django_assert_max_num_queries(21):
        response = client.post(
            save_url(assessment, "1.4"), {field(assessment, "1.4", "value"): "2"}
        )
    assert response.status_code == 302
    assert assessment.items.get(criterion__code="1.4").self_score == 2


def test_officer_of_another_commune_gets_404_everywhere(world, assessment):
    client = client_for(world.officer_b)
    assert client.get(reverse("assessment_page", args=[assessment.pk])).status_code == 404
    assert client.post(save_url(assessment, "1.1"), {}).status_code == 404
    assert client.post(reverse("assessment_submit", args=[assessment.pk])).status_code == 404
    url = reverse("evidence_upload", args=[assessment.pk, criterion(assessment, "1.1").pk])
    assert client.post(url, {"file": SimpleUploadedFile("a.pdf", PDF)}).status_code == 404


@pytest.mark.parametrize("who", ["leader", "appraiser"])
def test_read_only_roles_see_the_page_but_get_403_when_writing(world, assessment, who):
    client = client_for(getattr(world, who))
    page = client.get(reverse("assessment_page", args=[assessment.pk]))
    assert page.status_code == 200 and "Nộp kết quả tự đánh giá" not in page.content.decode()
    assert (
        client.post(
            save_url(assessment, "1.1"), {field(assessment, "1.1", "answer"): "yes"}
        ).status_code
        == 403
    )
    assert client.post(reverse("assessment_submit", args=[assessment.pk])).status_code == 403
    url = reverse("evidence_upload", args=[assessment.pk, criterion(assessment, "1.1").pk])
    assert client.post(url, {"file": SimpleUploadedFile("a.pdf", PDF)}).status_code == 403
    assert (
        client.post(reverse("assessment_reopen", args=[assessment.pk]), {"reason": "x"}).status_code
        == 403
    )
    assert not AssessmentItem.objects.exists() and not Evidence.objects.exists()


def test_saving_with_htmx_returns_the_item_and_the_updated_summary(world, assessment):
    response = client_for(world.officer_a).post(
        save_url(assessment, "1.2"),
        {field(assessment, "1.2", "value"): "1,5", field(assessment, "1.2", "explanation"): "9/12"},
        headers=HTMX,
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert f'id="item-{criterion(assessment, "1.2").pk}"' in page
    assert 'id="assessment-summary" class="summary-box" hx-swap-oob="true"' in page
    assert "Đã chấm 1/6 tiêu chí" in page and "Tổng điểm tự đánh giá: 1,50" in page
    assert AssessmentItem.objects.get().explanation == "9/12"


def _summary(page):
    found = re.search(r'<section id="assessment-summary".*?</section>', page, re.S)
    assert found, page
    return found.group(0).replace(' hx-swap-oob="true"', "")


def test_a_saves_answer_shows_the_items_evidence_and_total_as_the_page_does_after_it(
    world, assessment, evidence_storage, django_assert_max_num_queries
):
    """The answer to a save shows the items and total its transaction read and scored, and
    reads only their evidence: what it shows is what the page shows once the save is in."""
    officer = client_for(world.officer_a)
    item_12 = AssessmentItem.objects.create(
        assessment=assessment, criterion=criterion(assessment, "1.2")
    )
    link_evidence(item_12, evidence_for(world.commune_a, world.officer_a), world.officer_a)
    officer.post(save_url(assessment, "1.1"), {field(assessment, "1.1", "answer"): "yes"})
    officer.get(reverse("assessment_page", args=[assessment.pk]))  # tree and dossier kept
    url = save_url(assessment, "1.2")
    typed = {
        field(assessment, "1.2", "value"): "1,5",
        field(assessment, "1.2", "version"): str(item_12.version),
    }
    # 17 with the test's savepoint: no second read of the items or of the set's version.
    with django_assert_max_num_queries(17):
        response = officer.post(url, typed, headers=HTMX)
    answer = response.content.decode()
    assert response.status_code == 200 and "Đã lưu." in answer
    assert "ke-hoach-cchc.pdf" in answer  # the item's evidence, read after the commit
    assert "Đã chấm 2/6 tiêu chí" in answer and "Tổng điểm tự đánh giá: 3,50" in answer
    # 1.1 is scored without evidence; 1.2 has its file.
    assert "1 tiêu chí có điểm nhưng chưa có tài liệu kiểm chứng" in answer
    page = officer.get(reverse("assessment_page", args=[assessment.pk])).content.decode()
    assert _summary(answer) == _summary(page)


def test_an_error_keeps_what_was_typed_and_says_what_is_wrong(world, assessment):
    response = client_for(world.officer_a).post(
        save_url(assessment, "1.2"),
        {
            field(assessment, "1.2", "value"): "0,3",
            field(assessment, "1.2", "explanation"): "giữ lại",
        },
        headers=HTMX,
    )
    page = response.content.decode()
    assert "0,3 không phải là bội của bước chấm 0,5." in page
    assert "giữ lại" in page and 'value="0,3"' in page
    assert not AssessmentItem.objects.filter(self_score__isnull=False).exists()


def test_without_htmx_saving_redirects_back_to_the_item(world, assessment):
    response = client_for(world.officer_a).post(
        save_url(assessment, "1.1"), {field(assessment, "1.1", "answer"): "yes"}
    )
    assert response.status_code == 302 and response["Location"].endswith(
        f"#item-{criterion(assessment, '1.1').pk}"
    )


def test_a_stale_page_is_refused_with_the_other_score(world, assessment):
    officer, admin = client_for(world.officer_a), client_for(world.admin)
    officer.post(save_url(assessment, "1.2"), {field(assessment, "1.2", "value"): "1"})
    admin.post(
        save_url(assessment, "1.2"),
        {field(assessment, "1.2", "value"): "2", field(assessment, "1.2", "version"): "1"},
    )
    response = officer.post(
        save_url(assessment, "1.2"),
        {field(assessment, "1.2", "value"): "0,5", field(assessment, "1.2", "version"): "1"},
        headers=HTMX,
    )
    assert (
        "Người khác vừa lưu tiêu chí này (điểm của họ: 2.00)" in response.content.decode()
        or "điểm của họ: 2" in response.content.decode()
    )
    assert AssessmentItem.objects.get().self_score == 2


def test_upload_links_evidence_and_a_bad_file_says_why(world, assessment):
    client = client_for(world.officer_a)
    url = reverse("evidence_upload", args=[assessment.pk, criterion(assessment, "1.1").pk])
    ok = client.post(
        url, {"file": SimpleUploadedFile("kh.pdf", PDF), "document_number": "5/KH"}, headers=HTMX
    )
    assert "kh.pdf" in ok.content.decode()
    bad = client.post(
        url,
        {"file": SimpleUploadedFile("anh.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 30)},
        headers=HTMX,
    )
    assert "có đuôi .pdf nhưng nội dung là .png" in bad.content.decode()
    assert (
        Evidence.objects.count() == 1 and AssessmentItem.objects.get().evidence_links.count() == 1
    )
    other = reverse("evidence_link", args=[assessment.pk, criterion(assessment, "1.4").pk])
    client.post(other, {"evidence": Evidence.objects.get().pk}, headers=HTMX)
    assert Evidence.objects.get().links.count() == 2


def test_submit_is_refused_with_the_list_of_what_is_missing(world, assessment):
    response = client_for(world.officer_a).post(reverse("assessment_submit", args=[assessment.pk]))
    page = response.content.decode()
    assert response.status_code == 400
    assert (
        "Chưa nộp được: còn 7 nội dung chưa hoàn thành." in page
        and "1.1 Ban hành kế hoạch: chưa chấm điểm" in page
    )
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.DRAFT


def test_after_submitting_the_page_is_read_only(world, assessment):
    from tests.test_self_assessment import complete

    complete(assessment, world.officer_a)
    client = client_for(world.officer_a)
    assert client.post(reverse("assessment_submit", args=[assessment.pk])).status_code == 302
    page = client.get(reverse("assessment_page", args=[assessment.pk])).content.decode()
    assert "Nộp kết quả tự đánh giá" not in page and "Đã nộp" in page
    response = client.post(
        save_url(assessment, "1.1"),
        {field(assessment, "1.1", "answer"): "no", field(assessment, "1.1", "version"): "1"},
        headers=HTMX,
    )
    assert "Kỳ tự đánh giá đã đóng" in response.content.decode()


def test_administrator_opens_reopens_and_extends(world):
    from tests.test_self_assessment import complete

    assessment = make_open_assessment(world)
    admin = client_for(world.admin)
    later = timezone.localtime(assessment.deadline + datetime.timedelta(days=5)).strftime(
        "%Y-%m-%dT%H:%M"
    )
    admin.post(
        reverse("assessment_reopen", args=[assessment.pk]),
        {"reason": "Mất điện", "deadline": later, "action": "extend"},
    )
    assessment.refresh_from_db()
    assert timezone.localtime(assessment.deadline).strftime("%Y-%m-%dT%H:%M") == later
    complete(assessment, world.officer_a)
    client_for(world.officer_a).post(reverse("assessment_submit", args=[assessment.pk]))
    officer_try = client_for(world.officer_a).post(
        reverse("assessment_reopen", args=[assessment.pk]), {"reason": "x"}
    )
    assert officer_try.status_code == 403
    admin.post(
        reverse("assessment_reopen", args=[assessment.pk]),
        {"reason": "Bổ sung 1.2", "action": "reopen"},
    )
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.DRAFT


def test_opening_from_the_set_page_is_for_administrators(world, assessment):
    Assessment.objects.all().delete()
    url = reverse("assessments_open", args=[assessment.criteria_set.pk])
    deadline = (timezone.localtime() + datetime.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    assert client_for(world.leader).post(url, {"deadline": deadline}).status_code == 403
    assert client_for(world.officer_a).post(url, {"deadline": deadline}).status_code == 403
    assert client_for(world.admin).post(url, {"deadline": deadline}).status_code == 302
    assert Assessment.objects.count() == 2


def test_assessment_list_shows_own_units_with_state(
    world, assessment, django_assert_max_num_queries
):
    client = client_for(world.officer_a)
    with django_assert_max_num_queries(6):
        page = client.get(reverse("assessment_list"))
    assert [a.unit.code for a in page.context["page"].object_list] == ["19375"]
    assert (
        len(client_for(world.appraiser).get(reverse("assessment_list")).context["page"].object_list)
        == 2
    )


def test_a_linked_file_can_be_replaced_from_the_page(world, assessment):
    client = client_for(world.officer_a)
    url = reverse("evidence_upload", args=[assessment.pk, criterion(assessment, "1.1").pk])
    client.post(url, {"file": SimpleUploadedFile("kh.pdf", PDF)})
    old = Evidence.objects.get()
    page = client.get(reverse("assessment_page", args=[assessment.pk])).content.decode()
    assert reverse("evidence_replace", args=[old.pk]) in page
    back = reverse("assessment_page", args=[assessment.pk])
    response = client.post(
        reverse("evidence_replace", args=[old.pk]),
        {"file": SimpleUploadedFile("kh-v2.pdf", PDF + b"2"), "next": back},
    )
    assert response["Location"] == back
    assert [
        link.evidence.original_name for link in AssessmentItem.objects.get().evidence_links.all()
    ] == ["kh-v2.pdf"]


def test_fields_other_than_the_first_load_when_opened(world, assessment):
    client = client_for(world.officer_a)
    page = client.get(reverse("assessment_page", args=[assessment.pk])).content.decode()
    assert "Ban hành kế hoạch" in page and "Kết quả điện tử" not in page
    assert reverse("assessment_field", args=[assessment.pk, "2"]) in page
    field = client.get(reverse("assessment_field", args=[assessment.pk, "2"])).content.decode()
    assert "Kết quả điện tử" in field and "Ban hành kế hoạch" not in field
    without_js = client.get(
        reverse("assessment_page", args=[assessment.pk]), {"linh_vuc": "2"}
    ).content.decode()
    assert "Kết quả điện tử" in without_js
    assert (
        client_for(world.officer_b)
        .get(reverse("assessment_field", args=[assessment.pk, "2"]))
        .status_code
        == 404
    )
    assert client.get(reverse("assessment_field", args=[assessment.pk, "9"])).status_code == 404


def test_an_htmx_save_reads_its_item_not_the_whole_field(
    world, assessment, django_assert_max_num_queries
):
    """The save answers with its item and the summary, in a pinned number of queries that
    does not grow with the items scored or with the unit's evidence."""
    client = client_for(world.officer_a)
    urls = {code: save_url(assessment, code) for code in ("1.1", "1.2", "1.4")}
    names = {code: field(assessment, code, "value") for code in ("1.2", "1.4")}
    client.post(urls["1.1"], {field(assessment, "1.1", "answer"): "yes"}, headers=HTMX)
    with django_assert_max_num_queries(22):
        first = client.post(urls["1.2"], {names["1.2"]: "1"}, headers=HTMX)
    for n in range(5):
        evidence_for(world.commune_a, world.officer_a, f"tai-lieu-{n}.pdf", PDF + bytes([n]))
    with django_assert_max_num_queries(22):
        second = client.post(urls["1.4"], {names["1.4"]: "2"}, headers=HTMX)
    for response in (first, second):
        page = response.content.decode()
        assert response.status_code == 200 and page.count('class="criterion item') == 1
        assert 'id="assessment-summary"' in page


def test_the_evidence_forms_are_loaded_when_opened_with_the_units_whole_library(world, assessment):
    """Each sub-criterion offers "Add evidence"; its forms (a new file, or one of the unit's
    current files, by name, the names escaped, a replaced file not offered) are loaded when
    the officer opens it, or on a page of their own without JavaScript. The page itself
    holds no copy of the file list."""
    names = ["Quyết định số 5.pdf", "Báo cáo <quý 1> & phụ lục.pdf", "Kế hoạch.pdf"]
    files = [
        evidence_for(world.commune_a, world.officer_a, name, PDF + bytes([n]))
        for n, name in enumerate(names)
    ]
    old = evidence_for(world.commune_a, world.officer_a, "Bản cũ.pdf", PDF + b"old")
    Evidence.objects.filter(pk=old.pk).update(replaced_by=files[0])
    by_name = sorted(files, key=lambda evidence: evidence.original_name)
    escaped = ["Báo cáo &lt;quý 1&gt; &amp; phụ lục.pdf", "Kế hoạch.pdf", "Quyết định số 5.pdf"]
    options = "".join(
        f'<option value="{evidence.pk}">{name}</option>'
        for evidence, name in zip(by_name, escaped, strict=True)
    )
    client = client_for(world.officer_a)
    page = client.get(reverse("assessment_page", args=[assessment.pk])).content.decode()
    panel = reverse("evidence_panel", args=[assessment.pk, criterion(assessment, "1.1").pk])
    assert f'hx-get="{panel}" hx-trigger="toggle once"' in page
    assert f'<a href="{panel}">Mở mẫu tải lên tài liệu</a>' in page  # without JavaScript
    assert page.count('class="evidence-panel"') >= 3  # one per self-assessed sub-criterion
    assert 'name="evidence"' not in page and 'type="file"' not in page
    upload = reverse("evidence_upload", args=[assessment.pk, criterion(assessment, "1.1").pk])
    loaded = client.get(panel, headers=HTMX).content.decode()
    assert "<html" not in loaded and f'hx-post="{upload}"' in loaded
    assert f'name="evidence">{options}</select>' in loaded and "Bản cũ.pdf" not in loaded
    alone = client.get(panel).content.decode()
    assert "<html" in alone and 'Thêm tài liệu kiểm chứng: <span class="code">1.1</span>' in alone
    assert f'action="{upload}"' in alone and "hx-post" not in alone.split("<main")[1]
    assert f'name="evidence">{options}</select>' in alone


def test_the_evidence_forms_are_for_those_who_enter_the_units_data_while_it_is_open(
    world, assessment
):
    panel = reverse("evidence_panel", args=[assessment.pk, criterion(assessment, "1.1").pk])
    assert client_for(world.leader).get(panel).status_code == 403
    Assessment.objects.filter(pk=assessment.pk).update(state=AssessmentState.SUBMITTED)
    closed = client_for(world.officer_a).get(panel, headers=HTMX).content.decode()
    assert "Kỳ tự đánh giá đã đóng" in closed and 'type="file"' not in closed


def test_the_sub_criteria_find_every_name_they_look_up(world, assessment):
    """Unscored sub-criteria (no item yet) and the names of a save's answer (notice,
    refused) cost no failed lookups: at most one per page, none per sub-criterion."""
    from tests.template_lookups import missed_lookups

    client = client_for(world.officer_a)
    with missed_lookups() as missed:
        page = client.get(reverse("assessment_page", args=[assessment.pk]))
    assert page.status_code == 200 and page.content.decode().count('class="criterion item') >= 3
    assert all(count == 1 for count in missed.values()), missed


# A set whose fields hold groups of sub-criteria, with titles a template must escape.
GROUPED = [
    ["1", "Chỉ đạo điều hành", 6, "", "", "", ""],
    ["1.1", "Kế hoạch", 4, "", "", "", ""],
    ["1.1.1", "Ban hành kế hoạch", 2, "yes_no", "", "Kế hoạch", ""],
    ["1.1.2", "Thực hiện kế hoạch", 2, "yes_no", "", "", ""],
    ["1.2", "Tuyên truyền", 2, "yes_no", "", "", ""],
    ["2", "Công khai <thủ tục> & “kết quả”", 4, "", "", "", ""],
    ["2.1", 'Nhóm "một cửa" <b>', 4, "", "", "", ""],
    ["2.1.1", "Niêm yết", 4, "yes_no", "", "", ""],
]


@pytest.fixture
def grouped(world):
    return make_open_assessment(world, rows=GROUPED, total=10)


def _between(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end, text.index(start))]


def test_a_fields_groups_hold_their_sub_criteria_in_order(world, grouped):
    client = client_for(world.officer_a)
    page = client.get(reverse("assessment_page", args=[grouped.pk])).content.decode()
    # Field 1: the group 1.1 with its two sub-criteria inside its own list, then 1.2 beside it.
    group = _between(page, '<li class="criterion group depth-1">', "</ul>\n</li>")
    head = _between(group, '<div class="criterion-head">', "</div>")
    assert '<span class="code">1.1</span><span class="title">Kế hoạch</span>' in head
    assert '<span class="max">4 điểm</span>' in head
    inside = [criterion(grouped, code).pk for code in ("1.1.1", "1.1.2")]
    assert re.findall(r'id="item-(\d+)"', group) == [str(pk) for pk in inside]
    after = page[page.index("</ul>\n</li>", page.index('class="criterion group depth-1"')) :]
    assert f'id="item-{criterion(grouped, "1.2").pk}"' in after
    # Field 2, loaded when opened: the same as the page opened on it, its titles escaped.
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')  # masked anew each time
    field = client.get(reverse("assessment_field", args=[grouped.pk, "2"])).content.decode()
    opened = client.get(
        reverse("assessment_page", args=[grouped.pk]), {"linh_vuc": "2"}
    ).content.decode()
    field, opened = token.sub("TOKEN", field), token.sub("TOKEN", opened)
    assert "TOKEN" in field and field in opened
    assert "<b>" not in field
    assert html.unescape(_between(field, '<span class="title">', "</span>")) == (
        '<span class="title">Nhóm "một cửa" <b>'
    )
    english = client_for(world.officer_a)
    english.post(reverse("set_language"), {"language": "en", "next": "/"})
    in_english = english.get(reverse("assessment_field", args=[grouped.pk, "2"])).content.decode()
    group_head = _between(in_english, '<li class="criterion group depth-1">', "</div>")
    assert '<span class="max">4 pts</span>' in group_head
