"""What a person doing it for the first time needs: one way of writing numbers, labels
instead of identifiers, nothing typed lost, errors that look like errors, pages that open
where the work is, a template that imports as it is, confirmations on irreversible actions."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from cchc.numbers import format_number
from cchc.templatetags.cchc_format import issuer_lines
from scoring.appraisal.items import return_items
from scoring.assessment.workflow import move_assessment
from scoring.criteria.parameters import describe, spec_from_json
from scoring.forms.assessment import ItemForm
from scoring.indicators import CATALOGUE, explanation_of, label_of
from scoring.models import CriteriaSet, ExplanationRequest
from scoring.models.assessments import AssessmentState as S
from tests.assessment_fixtures import criterion
from tests.conftest import client_for
from tests.test_appraisal import state

D = Decimal


@pytest.mark.parametrize(
    ("value", "places", "written"),
    [
        (D("84.66"), None, "84,66"),
        (D("2.00"), None, "2"),
        (D("0.5"), None, "0,5"),
        (D("1512.00"), None, "1.512"),
        (1512, None, "1.512"),
        (D("91.666"), None, "91,67"),
        (D("91.666"), 2, "91,67"),
        (D("9"), 2, "9,00"),
        (D("1234567.891"), 2, "1.234.567,89"),
        (D("-0.25"), None, "-0,25"),
        (43.7, None, "43,7"),
        ("1.5", None, "1,5"),
        (None, None, ""),
    ],
)
def test_numbers_are_written_one_way(value, places, written):
    with translation.override("vi"):
        assert format_number(value, places) == written


def test_the_catalogue_names_every_dossier_value_in_words():
    from dossiers.figures import COUNT_INPUTS, INDICATORS, SERVICE_INDEX_INPUTS

    names = set(COUNT_INPUTS) | {i.name for i in INDICATORS} | set(SERVICE_INDEX_INPUTS)
    assert names <= set(CATALOGUE)
    for name, entry in CATALOGUE.items():
        assert "_" not in entry.label and entry.explanation, name
    assert label_of("van_ban_tu_kiem_tra") == "Số văn bản đã tự kiểm tra"
    assert label_of("so_nguoi_moi_den") == "So nguoi moi den"  # unknown: words, not a name
    assert explanation_of("ty_le_ket_qua_dien_tu").startswith("Tỷ lệ hồ sơ có kết quả điện tử")


def test_a_ratio_is_described_and_labelled_without_identifiers(world, assessment):
    ratio = criterion(assessment, "2.1")
    spec = spec_from_json(ratio.method, ratio.parameters)
    text = describe(spec, ratio.max_score)
    assert "_" not in text and "hồ sơ có kết quả điện tử" in text
    form = ItemForm(criterion=ratio, spec=spec, dossier={})
    labels = [str(field.label) for field in form.fields.values()]
    assert "Hồ sơ có kết quả điện tử" in labels and not any("_" in label for label in labels)
    assert form.fields["n_ket_qua_dien_tu"].help_text


def test_range_errors_write_the_limit_the_vietnamese_way(world, assessment):
    manual = criterion(assessment, "1.2")
    spec = spec_from_json(manual.method, manual.parameters)
    form = ItemForm({f"c{manual.pk}-value": "2,5"}, criterion=manual, spec=spec, dossier={})
    assert not form.is_valid()
    assert form.errors["value"] == ["Giá trị tối đa là 2."]
    levels = criterion(assessment, "1.3")
    form = ItemForm(
        criterion=levels, spec=spec_from_json(levels.method, levels.parameters), dossier={}
    )
    choices = [label for _value, label in form.fields["level"].choices]  # type: ignore[attr-defined]
    assert "1–2 hình thức (1 điểm)" in choices


def test_the_explanation_typed_and_sent_in_one_go_arrives(world, submitted):
    move_assessment(submitted, "start", world.appraiser)
    return_items(
        submitted,
        {criterion(submitted, "1.1"): "Ngày ban hành?", criterion(submitted, "1.4"): "Sáng kiến?"},
        world.appraiser,
    )
    first, second = ExplanationRequest.objects.order_by("item__criterion__sort_key")
    client = client_for(world.officer_a)
    url = reverse("explanation_submit", args=[submitted.pk])
    # one answer missing: nothing is sent, and what was typed comes back
    refused = client.post(url, {"action": "send", f"answer-{first.pk}": "Ngày 20/12/2021"})
    assert refused.status_code == 400
    assert "Ngày 20/12/2021" in refused.content.decode()
    assert state(submitted) == S.RETURNED
    first.refresh_from_db()
    assert first.answer == "Ngày 20/12/2021"  # kept, not thrown away
    response = client.post(
        url,
        {
            "action": "send",
            f"answer-{first.pk}": "Ngày 20/12/2021",
            f"answer-{second.pk}": "Hai sáng kiến, quyết định số 12",
        },
    )
    assert response.status_code == 302
    assert state(submitted) == S.RESUBMITTED
    second.refresh_from_db()
    assert second.answer == "Hai sáng kiến, quyết định số 12"
    page = client.get(reverse("assessment_page", args=[submitted.pk])).content.decode()
    assert 'class="message-success" role="status"' in page


def test_a_refused_upload_looks_like_an_error(world, assessment):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(world.officer_a)
    item = criterion(assessment, "1.1")
    response = client.post(
        reverse("evidence_upload", args=[assessment.pk, item.pk]),
        {"file": SimpleUploadedFile("x.pdf", b"not a pdf at all", "application/pdf")},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert 'class="notice notice-error" role="alert"' in html
    assert "notice-ok" not in html


def test_the_page_opens_on_the_first_field_with_work_and_missing_items_link_to_it(
    world, assessment
):
    from tests.test_self_assessment import record

    record(assessment, "1.1", world.officer_a, answer=True)
    record(assessment, "1.2", world.officer_a, value=D(2), explanation="đủ")
    record(assessment, "1.3", world.officer_a, level="Không")
    record(assessment, "1.4", world.officer_a, value=D(1))
    client = client_for(world.officer_a)
    html = client.get(reverse("assessment_page", args=[assessment.pk])).content.decode()
    assert 'id="field-2" open' in html and 'id="field-1" open' not in html
    refused = client.post(reverse("assessment_submit", args=[assessment.pk]))
    html = refused.content.decode()
    target = criterion(assessment, "2.1")
    assert f'href="/danh-gia/{assessment.pk}/?linh_vuc=2#item-{target.pk}"' in html


def test_submitting_and_publishing_ask_first_saying_what_happens(world, assessment):
    html = (
        client_for(world.officer_a)
        .get(reverse("assessment_page", args=[assessment.pk]))
        .content.decode()
    )
    assert (
        'data-confirm="Nộp bản tự đánh giá của Xã Vĩnh Long? Sau khi nộp, đơn vị không sửa được nữa."'
        in html
    )
    draft = CriteriaSet.objects.create(
        year=2031, title="Bộ nháp", scope=world.district, issuer=world.district
    )
    html = (
        client_for(world.admin)
        .get(reverse("criteria_set_detail", args=[draft.pk]))
        .content.decode()
    )
    assert 'data-confirm="Ban hành Bộ nháp?' in html


def test_the_criteria_template_imports_as_it_is(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(world.admin)
    template = client.get(reverse("criteria_template")).content
    form = client.get(reverse("criteria_import")).content.decode()
    assert 'name="declared_total"' in form
    response = client.post(
        reverse("criteria_import"),
        {
            "file": SimpleUploadedFile("mau-bo-tieu-chi.xlsx", template),
            "year": "2030",
            "title": "Bộ thử từ mẫu",
            "scope_1": world.district.pk,
            "unit_kinds": ["xa"],
            "classification": "Tốt = 90; Khá = 80; Trung bình = 65; Yếu = 0",
            "ranking_rule": "competition",
            "declared_total": "",
        },
    )
    created = CriteriaSet.objects.filter(title="Bộ thử từ mẫu").first()
    assert response.status_code == 302, re.findall(
        r"(?:field-error|errors)[^>]*>([^<]+)", response.content.decode()
    )
    assert created is not None and created.declared_total == 4


def test_the_appraisal_queue_says_how_far_the_appraisal_is(world, submitted):
    client = client_for(world.appraiser)
    assert "chưa bắt đầu" in client.get(reverse("appraisal_list")).content.decode()
    move_assessment(submitted, "start", world.appraiser)
    assert "0/8 tiêu chí thành phần" in client.get(reverse("appraisal_list")).content.decode()


def test_a_long_issuing_body_is_written_on_two_lines_never_broken_inside():
    assert issuer_lines("ỦY BAN NHÂN DÂN HUYỆN GIO LINH") == ["ỦY BAN NHÂN DÂN", "HUYỆN GIO LINH"]
    assert issuer_lines("SỞ NỘI VỤ") == ["SỞ NỘI VỤ"]


def test_the_style_guide_is_there_in_development_only(world, settings):
    client = client_for(world.officer_a)
    settings.DEBUG = True
    page = client.get("/huong-dan-giao-dien/")
    assert page.status_code == 200
    html = page.content.decode()
    for component in ("notice-error", "message-success", "heat", "field-error", "data-confirm"):
        assert component in html
    settings.DEBUG = False
    assert client.get("/huong-dan-giao-dien/").status_code == 404


def test_the_dossier_report_opens_on_the_readers_units_and_the_latest_year(world):
    from dossiers.models import DossierStatistics

    DossierStatistics.objects.create(
        unit=world.commune_a, period_kind="year", year=2024, new_received=3, resolved_on_time=3
    )
    response = client_for(world.leader).get(reverse("dossier_report"))
    assert response.status_code == 302
    assert response["Location"].endswith(f"?unit={world.district.code}&start=2024&end=2024")


def test_a_kept_description_follows_the_language(world, assessment):
    from django.utils import translation

    from scoring.engine import Level, Method, MethodSpec

    spec = MethodSpec(Method.LEVELS, levels=(Level("Đủ", D("1.5")), Level("Thiếu", D(0))))
    with translation.override("vi"):
        vietnamese = describe(spec, Decimal("1.5"))
    with translation.override("en"):
        english = describe(spec, Decimal("1.50"))
    assert vietnamese == "Chọn mức — Đủ: 1,5 điểm; Thiếu: 0 điểm"
    assert english == "Choose a level — Đủ: 1.5 points; Thiếu: 0 points"
    with translation.override("vi"):
        assert describe(spec, Decimal("1.5")) == vietnamese  # kept, and still Vietnamese
        assert describe(MethodSpec(Method.YES_NO), D(1500)) == "Có: 1.500 điểm; không: 0 điểm"
