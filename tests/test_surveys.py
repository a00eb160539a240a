"""The satisfaction survey: questionnaires through .xlsx, the public form (tokens, limits,
the hidden field, repeated answers set aside), paper forms, the sample size, the points of
the survey sub-criteria, closing the survey into the assessments and the ranking, the open
data, the poster and the command."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from cchc.models import Unit
from cchc.spreadsheets import ImportRefused, read_table
from scoring.assessment.workflow import move_assessment
from scoring.models import Assessment, AssessmentItem, AuditEntry
from surveys.models import Questionnaire, Response, Token, UnitLink
from surveys.questionnaires import copy_questionnaire, export_questionnaire, import_questionnaire
from surveys.responses import import_paper, make_tokens, open_survey
from surveys.results import close_survey, points_of, required_sample, unit_results
from tests.assessment_fixtures import criterion, make_open_assessment
from tests.conftest import client_for
from tests.dossier_factories import figures
from tests.spreadsheet_files import xlsx_bytes

SHEETS: dict[str, list[list[Any]]] = {
    "Phiếu": [
        ["Mục", "Nội dung"],
        ["Tiêu đề", "Khảo sát 2022"],
        ["Giới thiệu", "UBND huyện khảo sát ý kiến người dân; không hỏi thông tin cá nhân."],
        ["Sai số", 0.05],
        ["Theo mã mời", "không"],
    ],
    "Nhóm": [["Mã nhóm", "Nhóm người trả lời"], ["DAN", "Người dân"], ["DN", "Doanh nghiệp"]],
    "Câu hỏi": [
        ["Phần", "Mã câu", "Câu hỏi", "Nhóm", "Bắt buộc"],
        ["Phục vụ", "Q1", "Công chức hướng dẫn tận tình", "", "có"],
        ["Phục vụ", "Q2", "Trả kết quả đúng hẹn", "", "không"],
        ["Kinh doanh", "Q3", "Môi trường kinh doanh tốt hơn", "DN", "không"],
    ],
    "Phương án": [["Mã câu", "Mã phương án", "Phương án", "Trọng số (%)"]]
    + [
        [code, letter, text, weight]
        for code in ["Q1", "Q2", "Q3"]
        for letter, text, weight in [
            ("A", "Rất hài lòng", 100),
            ("B", "Hài lòng", 60),
            ("C", "Chưa hài lòng", 20),
            ("D", "Không hài lòng", 0),
            ("E", "Không biết", None),
        ]
    ],
    "Cách tính": [
        ["Mã tiêu chí", "Cách tính", "Các câu", "Bảng mức"],
        ["2.3", "bình quân", "Q1, Q2", ""],
    ],
}


def workbook(sheets: dict[str, list[list[Any]]] = SHEETS) -> io.BytesIO:
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


@pytest.fixture
def survey(world, assessment):
    questionnaire = import_questionnaire(workbook(), "phieu.xlsx", assessment.criteria_set)
    open_survey(questionnaire)
    return questionnaire


def link_of(questionnaire, unit) -> UnitLink:
    return UnitLink.objects.get(questionnaire=questionnaire, unit=unit)


def answer(client: Client, link: UnitLink, group: str = "DAN", **answers: str):
    url = reverse("survey_form", args=[link.slug])
    client.get(url, {"nhom": group})  # the device cookie and the form's token
    data = {"nhom": group, **{f"q-{code}": value for code, value in answers.items()}}
    return client.post(f"{url}?nhom={group}", data)


def snapshot(questionnaire: Questionnaire) -> dict[str, Any]:
    return {
        "title": questionnaire.title,
        "intro": questionnaire.introduction,
        "margin": questionnaire.margin,
        "groups": [(g.code, g.name) for g in questionnaire.groups.all()],
        "questions": [
            (
                q.section,
                q.code,
                q.text,
                q.required,
                sorted(g.code for g in q.groups.all()),
                [(c.code, c.text, c.weight) for c in q.choices.all()],
            )
            for q in questionnaire.questions.all()
        ],
        "rules": [
            (r.criterion.code, r.method, sorted(q.code for q in r.questions.all()), r.table)
            for r in questionnaire.rules.all()
        ],
    }


def test_a_questionnaire_goes_through_xlsx_and_to_a_new_year_unchanged(world, assessment):
    first = import_questionnaire(workbook(), "phieu.xlsx", assessment.criteria_set)
    again = import_questionnaire(
        io.BytesIO(export_questionnaire(first)), "phieu.xlsx", assessment.criteria_set
    )
    assert snapshot(again) == snapshot(Questionnaire.objects.get(pk=again.pk))
    next_year = make_open_assessment(world, year=2023).criteria_set
    copied = copy_questionnaire(again, next_year)
    assert copied.criteria_set == next_year and snapshot(copied) == snapshot(again)
    assert snapshot(again)["rules"] == [("2.3", "mean", ["Q1", "Q2"], [])]


def test_every_bad_row_of_every_sheet_is_listed(world, assessment):
    bad = {name: [list(row) for row in rows] for name, rows in SHEETS.items()}
    bad["Câu hỏi"].append(["Phục vụ", "Q1", "Lặp mã", "", "có"])
    bad["Câu hỏi"].append(["Phục vụ", "Q4", "Nhóm lạ", "XYZ", "có"])
    bad["Phương án"].append(["Q9", "A", "Câu không có", 100])
    bad["Phương án"].append(["Q2", "F", "Quá trọng số", 150])
    bad["Cách tính"].append(["1.1", "bình quân", "Q1", ""])
    bad["Cách tính"][1] = ["2.3", "bảng", "Q1", "chín mươi"]
    with pytest.raises(ImportRefused) as refused:
        import_questionnaire(workbook(bad), "phieu.xlsx", assessment.criteria_set)
    messages = [str(error) for error in refused.value.errors]
    assert any("Câu hỏi: Mã câu" in m and "đã có ở dòng 2" in m for m in messages)
    assert any("không có nhóm XYZ" in m for m in messages)
    assert any("không có câu hỏi Q9" in m for m in messages)
    assert any("trọng số phải từ 0 đến 100" in m for m in messages)
    assert any("1.1 không phải tiêu chí thành phần chấm theo khảo sát" in m for m in messages)
    assert any("ghi các mức theo dạng" in m for m in messages)
    assert any("Q4 cần ít nhất hai phương án" in m for m in messages)
    assert not Questionnaire.objects.exists()


@pytest.mark.parametrize(
    ("population", "required"), [(8315, 382), (10000, 385), (100, 80), (1, 1), (0, 0)]
)
def test_the_sample_size_formula(population, required):
    assert required_sample(population, Decimal("0.05")) == required


def test_points_of_a_survey_sub_criterion_from_a_few_answers_by_hand(world, survey):
    link = link_of(survey, world.commune_a)
    answers = [("A", "B"), ("B", "E"), ("C", ""), ("A", "D")]
    for number, (q1, q2) in enumerate(answers):
        assert answer(Client(), link, Q1=q1, Q2=q2).status_code == 302, number
    results = unit_results(link)
    # Q1: 100 + 60 + 20 + 100; Q2: 60 + 0 ("E" is not scored, one left blank): 340 / 6.
    item = results.items[0]
    assert item.mean == Decimal("56.67") and item.points == Decimal("1.13")  # × 2 points
    assert "340 / 6 = 56,67%" in item.note and "56,67% × 2 = 1,13 điểm" in item.note
    first = results.questions[0]
    assert [(c.code, n) for c, n in first.counts] == [
        ("A", 2),
        ("B", 1),
        ("C", 1),
        ("D", 0),
        ("E", 0),
    ]
    rule = item.rule
    rule.method, rule.table = "table", [["90", "2"], ["50", "1.5"], ["0", "0.5"]]
    assert points_of(rule, Decimal("56.67")) == Decimal("1.5")
    assert points_of(rule, Decimal("20")) == Decimal("0.5")


def test_the_public_form_works_without_signing_in_and_keeps_what_was_typed(world, survey):
    link = link_of(survey, world.commune_a)
    client = Client()
    start = client.get(reverse("survey_form", args=[link.slug]))
    page = start.content.decode()
    assert start.status_code == 200 and "Người dân" in page and "Doanh nghiệp" in page
    assert "không hỏi tên" in page and 'href="/' not in page.replace('href="/static', "")
    form = client.get(reverse("survey_form", args=[link.slug]), {"nhom": "DN"})
    assert "Q3." in form.content.decode()  # asked of businesses only
    missing = client.post(reverse("survey_form", args=[link.slug]), {"nhom": "DN", "q-Q2": "B"})
    text = missing.content.decode()
    assert missing.status_code == 400 and "Hãy chọn một phương án." in text
    assert 'value="B" checked' in text and not Response.objects.exists()
    done = client.post(
        reverse("survey_form", args=[link.slug]), {"nhom": "DN", "q-Q1": "A", "q-Q2": "B"}
    )
    assert done.status_code == 302 and done["Location"] == reverse(
        "survey_thanks", args=[link.slug]
    )
    assert Response.objects.get().status == Response.Status.COUNTED
    assert client.get(reverse("survey_form", args=["khong-co-dia-chi-nay"])).status_code == 404


def test_the_hidden_field_keeps_bots_out_quietly(world, survey):
    link = link_of(survey, world.commune_a)
    client = Client()
    client.get(reverse("survey_form", args=[link.slug]))
    bot = client.post(
        reverse("survey_form", args=[link.slug]),
        {"nhom": "DAN", "q-Q1": "A", "website": "http://spam"},
    )
    assert bot.status_code == 302 and not Response.objects.exists()


def test_a_second_answer_from_the_same_device_is_set_aside(world, survey):
    link = link_of(survey, world.commune_a)
    client = Client()
    answer(client, link, Q1="A")
    answer(client, link, Q1="D")
    assert list(Response.objects.order_by("submitted_at").values_list("status", flat=True)) == [
        "counted",
        "review",
    ]
    assert unit_results(link).counted == 1


def test_the_form_refuses_answers_over_the_limit_and_saves_nothing(world, survey, settings):
    settings.SURVEY_LIMITS = {**settings.SURVEY_LIMITS, "per_network_hour": 2}
    link = link_of(survey, world.commune_a)
    assert answer(Client(), link, Q1="A").status_code == 302
    assert answer(Client(), link, Q1="A").status_code == 302
    third = answer(Client(), link, Q1="A")
    assert third.status_code == 429 and "quá nhiều phiếu" in third.content.decode()
    assert Response.objects.count() == 2


def test_a_code_answers_once(world, survey):
    survey.uses_tokens = True
    survey.save()
    link = link_of(survey, world.commune_a)
    token = make_tokens(link, 1)[0]
    url = reverse("survey_form", args=[link.slug])
    client = Client()
    client.get(url, {"nhom": "DAN", "ma": token.code})
    first = client.post(url, {"nhom": "DAN", "ma": token.code.lower(), "q-Q1": "A"})
    assert first.status_code == 302
    again = Client()
    again.get(url, {"nhom": "DAN"})
    second = again.post(url, {"nhom": "DAN", "ma": token.code, "q-Q1": "B"})
    assert second.status_code == 400 and "Mã này đã được dùng" in second.content.decode()
    wrong = again.post(url, {"nhom": "DAN", "ma": "ZZZZZZZZ", "q-Q1": "B"})
    assert "không phải mã mời" in wrong.content.decode()
    assert Response.objects.get().token == Token.objects.get()


def test_a_closed_survey_takes_no_answer(world, survey):
    link = link_of(survey, world.commune_a)
    survey.status = Questionnaire.Status.CLOSED
    survey.save()
    assert answer(Client(), link, Q1="A").status_code == 410
    assert not Response.objects.exists()


def test_paper_forms_by_keyboard_and_from_a_file_each_number_once(world, survey):
    staff = client_for(world.appraiser)
    url = reverse("paper_entry", args=[survey.pk, world.commune_a.pk])
    page = staff.get(url).content.decode()
    assert 'name="form_number"' in page and "autofocus" in page
    assert (
        staff.post(
            url, {"form_number": "001", "group": "DAN", "q-Q1": "a", "q-Q2": "C"}
        ).status_code
        == 302
    )
    duplicate = staff.post(url, {"form_number": "001", "group": "DAN", "q-Q1": "B"})
    assert (
        duplicate.status_code == 400
        and "Phiếu 001 của đơn vị này đã được nhập" in duplicate.content.decode()
    )
    wrong = staff.post(url, {"form_number": "002", "group": "DAN", "q-Q1": "X"})
    assert "“X” không phải phương án của câu này" in wrong.content.decode()
    assert (
        client_for(world.officer_a)
        .post(url, {"form_number": "003", "group": "DAN", "q-Q1": "A"})
        .status_code
        == 403
    )
    rows = [
        ["Số phiếu", "Mã đơn vị", "Nhóm", "Q1", "Q2", "Q3"],
        ["010", "19375", "DAN", "A", "B", ""],
        ["001", "19375", "DAN", "A", "", ""],  # already entered on the page
        ["011", "19375", "DN", "B", "B", "Z"],
        ["010", "19375", "DAN", "A", "", ""],  # twice in the file
        ["012", "19348", "XX", "A", "", ""],
    ]
    with pytest.raises(ImportRefused) as refused:
        import_paper(
            survey,
            read_table(io.BytesIO(xlsx_bytes(rows)), "p.xlsx"),
            world.appraiser,
            Unit.objects.all(),
        )
    assert [error.row for error in refused.value.errors] == [3, 4, 5, 6]
    assert Response.objects.count() == 1
    assert (
        import_paper(
            survey,
            read_table(io.BytesIO(xlsx_bytes(rows[:2])), "p.xlsx"),
            world.appraiser,
            Unit.objects.all(),
        )
        == 1
    )
    assert Response.objects.filter(channel="paper").count() == 2


def test_closing_the_survey_scores_the_assessments_and_flags_a_short_sample_on_the_ranking(
    world, submitted, survey
):
    from tests.test_self_assessment import complete

    other = Assessment.objects.get(criteria_set=submitted.criteria_set, unit=world.commune_b)
    complete(other, world.officer_b)
    from scoring.assessment.self_assessment import submit_assessment

    assert submit_assessment(other, world.officer_b) == []
    for assessment in (submitted, other):
        move_assessment(Assessment.objects.get(pk=assessment.pk), "start", world.appraiser)
    figures(world.commune_a, "2022", new_received=100, resolved_on_time=100)  # N = 100: n = 80
    for _ in range(3):
        answer(Client(), link_of(survey, world.commune_a), Q1="A", Q2="B")  # mean 80%
    answer(Client(), link_of(survey, world.commune_b), Q1="C")
    client = client_for(world.admin)
    refused = client.post(reverse("questionnaire_close", args=[survey.pk]))
    assert refused.status_code == 302 and Questionnaire.objects.get().status == "open"  # no tick
    client.post(reverse("questionnaire_close", args=[survey.pk]), {"confirm": "yes"})
    item = AssessmentItem.objects.get(assessment=submitted, criterion__code="2.3")
    assert item.appraised_score == Decimal("1.60") and item.score_source == "survey"
    assert "80% × 2 = 1,6 điểm" in item.source_note
    entry = AuditEntry.objects.get(item=item, kind=AuditEntry.Kind.APPRAISED_SCORE)
    assert entry.source == "survey" and entry.new_value == "1,6"
    # The appraiser finishes; the ranking carries the survey's points and its warning.
    for assessment in Assessment.objects.filter(pk__in=[submitted.pk, other.pk]):
        move_assessment(assessment, "finish", world.appraiser)
    from scoring.publication.rankings import build_ranking

    ranking = build_ranking(submitted.criteria_set, provisional=True)
    row = next(r for r in ranking.rows if r.unit_id == world.commune_a.pk)
    field_two = sum(
        (
            i.final_score or Decimal(0)
            for i in AssessmentItem.objects.filter(
                assessment=submitted, criterion__code__startswith="2."
            )
        ),
        Decimal(0),
    )
    assert row.fields["2"][0] == field_two and field_two >= Decimal("1.60")
    assert any("3/" in warning and "chưa đủ cỡ mẫu" in warning for warning in row.warnings)
    page = client_for(world.appraiser).get(
        reverse("ranking"), {"year": 2022, "bo": submitted.criteria_set.pk, "tam_thoi": 1}
    )
    assert "chưa đủ cỡ mẫu" in page.content.decode()


def test_an_appraiser_overrides_a_survey_score_only_with_a_reason(world, submitted, survey):
    move_assessment(submitted, "start", world.appraiser)
    answer(Client(), link_of(survey, world.commune_a), Q1="A", Q2="A")
    close_survey(survey, world.admin)
    item = AssessmentItem.objects.get(assessment=submitted, criterion__code="2.3")
    assert item.appraised_score == 2
    url = reverse("appraise", args=[submitted.pk, criterion(submitted, "2.3").pk])
    headers = {"HX-Request": "true"}
    no_reason = client_for(world.appraiser).post(
        url, {"score": "1", "reason": "", "version": str(item.appraisal_version)}, headers=headers
    )
    assert "Điểm lấy từ kết quả khảo sát (2)" in no_reason.content.decode()
    client_for(world.appraiser).post(
        url,
        {"score": "1", "reason": "Phiếu bị trùng", "version": str(item.appraisal_version)},
        headers=headers,
    )
    item.refresh_from_db()
    assert (
        item.appraised_score == 1
        and item.score_source == ""
        and item.appraisal_reason == "Phiếu bị trùng"
    )


def test_the_open_data_is_anonymous(world, survey):
    link = link_of(survey, world.commune_a)
    answer(Client(), link, Q1="A", Q2="B")
    answer(Client(), link, group="DN", Q1="B", Q3="A")
    client = client_for(world.leader)
    csv_text = client.get(
        reverse("survey_open_data", args=[survey.pk]), {"format": "csv"}
    ).content.decode("utf-8-sig")
    lines = csv_text.splitlines()
    assert lines[0] == "Mã phiếu,Mã đơn vị,Đơn vị,Nhóm,Hình thức,Tháng,Q1,Q2,Q3"
    assert len(lines) == 3 and all(
        Response.objects.get(public_id=line.split(",")[0]) for line in lines[1:]
    )
    for response in Response.objects.all():
        assert response.device not in csv_text and response.network not in csv_text
    sheet = load_workbook(
        io.BytesIO(client.get(reverse("survey_open_data", args=[survey.pk])).content)
    )["Câu hỏi"]
    assert sheet["A2"].value == "Q1"


def test_the_poster_the_codes_and_the_command_give_the_units_address(world, survey, settings):
    from pypdf import PdfReader

    settings.PUBLIC_URL = "https://cchc.quangtri.gov.vn"
    link = link_of(survey, world.commune_a)
    poster = client_for(world.officer_a).get(
        reverse("survey_poster", args=[survey.pk, world.commune_a.pk])
    )
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(poster.content)).pages)
    assert poster["Content-Type"] == "application/pdf" and link.slug in text.replace("\n", "")
    survey.uses_tokens = True
    survey.save()
    slips = client_for(world.admin).post(
        reverse("survey_tokens", args=[survey.pk, world.commune_a.pk]), {"count": "12"}
    )
    slip_text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(slips.content)).pages)
    codes = list(Token.objects.values_list("code", flat=True))
    assert len(codes) == 12 and all(code in slip_text for code in codes)
    out = io.StringIO()
    call_command("survey_link", "--unit", "19375", "--year", "2022", stdout=out)
    assert f"https://cchc.quangtri.gov.vn/khao-sat/{link.slug}/" in out.getvalue()


def test_the_results_page_runs_the_same_queries_however_many_answers(world, survey):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    link = link_of(survey, world.commune_a)
    client = client_for(world.leader)
    url = reverse("survey_unit", args=[survey.pk, world.commune_a.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    answer(Client(), link, Q1="A")
    few = queries()
    for _ in range(15):
        answer(Client(), link, group="DN", Q1="B", Q2="C", Q3="A")
    assert queries() == few
