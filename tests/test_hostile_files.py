"""Files and requests a hostile or unlucky user sends: spreadsheets that declare a huge
sheet or unpack to far more than they weigh, sheets whose declared dimension hides rows,
formula cells without values, uploads over the size limit, very long file names, redirects
off the site, refused requests that must write nothing, the API schema without signing in,
and saves that meet in the database."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from cchc.models import Job, Unit
from cchc.spreadsheets import ImportRefused, ReadLimits, read_table
from cchc.uploads import short_name, stored_name
from dossiers.models import DossierStatistics
from scoring.models import AssessmentItem, Evidence
from tests.assessment_fixtures import criterion
from tests.conftest import client_for
from tests.spreadsheet_files import xlsx_bytes
from tests.test_dossier_figures import HEADER, row
from tests.test_evidence import PDF

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)
SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def inline(reference: str, text: object) -> str:
    if isinstance(text, int | float):
        return f'<c r="{reference}"><v>{text}</v></c>'
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'


def header_row() -> str:
    from openpyxl.utils import get_column_letter

    cells = "".join(inline(f"{get_column_letter(i + 1)}1", h) for i, h in enumerate(HEADER))
    return f'<row r="1">{cells}</row>'


def raw_xlsx(rows_xml, dimension: str = "") -> bytes:
    """A workbook written by hand: its one sheet holds ``rows_xml`` (a string, or chunks
    streamed into the archive)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(SHEET_START.encode())
            if dimension:
                sheet.write(f'<dimension ref="{dimension}"/>'.encode())
            sheet.write(b"<sheetData>")
            for chunk in [rows_xml] if isinstance(rows_xml, str) else rows_xml:
                sheet.write(chunk.encode())
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def post_timed(client: Client, url: str, data: dict) -> tuple[Any, float, int]:
    """The response, the seconds it took and the peak of memory the request allocated."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        response = client.post(url, data)
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return response, seconds, peak


def test_a_sheet_declaring_a_million_rows_is_answered_at_once(world):
    """5 KB declaring A1:XFD1048576, with one cell in its last row."""
    content = raw_xlsx(
        header_row()
        + f'<row r="1048576">{inline("XFD1048576", "x")}{inline("A1048576", "1")}</row>',
        dimension="A1:XFD1048576",
    )
    assert len(content) < 5 * 1024
    response, seconds, peak = post_timed(
        client_for(world.officer_a),
        reverse("figures_import"),
        {"file": SimpleUploadedFile("bom.xlsx", content)},
    )
    assert seconds < 2 and peak < 30 * 1024 * 1024, (seconds, peak)
    assert response.status_code == 400
    assert "<td>1048576</td>" in response.content.decode()  # the row, named by its number
    assert not DossierStatistics.objects.exists()


def many_rows(count: int, width: int = 300):
    """``count`` rows after the header, written without references (which is allowed):
    all alike, they pack very small."""
    one = f'<row><c t="inlineStr"><is><t>19375</t></is></c><c t="inlineStr"><is><t>{"x" * width}</t></is></c></row>'
    yield header_row()
    for start in range(0, count, 1000):
        yield one * min(1000, count - start)


def test_a_workbook_unpacking_to_far_more_than_it_weighs_is_refused_before_it_is_read(world):
    content = raw_xlsx(many_rows(240_000))  # 90 MB unpacked
    assert len(content) < 1024 * 1024
    response, seconds, peak = post_timed(
        client_for(world.officer_a),
        reverse("figures_import"),
        {"file": SimpleUploadedFile("bom.xlsx", content)},
    )
    assert seconds < 2 and peak < 30 * 1024 * 1024, (seconds, peak)
    page = response.content.decode()
    assert response.status_code == 400 and "lớn gấp 245 lần" in page
    assert not DossierStatistics.objects.exists()


def test_limits_on_parts_uncompressed_size_and_rows_are_named(settings):
    limits = ReadLimits(
        max_bytes=10 * 1024 * 1024,
        max_rows=1000,
        max_uncompressed=2 * 1024 * 1024,
        max_ratio=100,
        max_entries=10,
        max_seconds=20,
    )
    with pytest.raises(ImportRefused) as big:
        read_table(io.BytesIO(raw_xlsx(many_rows(20_000, width=200))), "a.xlsx", limits)
    assert "khi giải nén nặng" in str(big.value.errors[0]) and "là 2 MB" in str(big.value.errors[0])

    with pytest.raises(ImportRefused) as rows:
        read_table(io.BytesIO(raw_xlsx(many_rows(5000, width=5))), "a.xlsx", limits)
    assert "hơn 1.000 dòng" in str(rows.value.errors[0])

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number in range(20):
            archive.writestr(f"part{number}.xml", "<a/>")
    with pytest.raises(ImportRefused) as parts:
        read_table(buffer, "a.xlsx", limits)
    assert "20 thành phần" in str(parts.value.errors[0])

    # Blank rows by the hundred thousand are not a table either, though none counts as data.
    blank = "".join(f'<row r="{n}"/>' for n in range(2, 5000))
    with pytest.raises(ImportRefused) as blanks:
        read_table(
            io.BytesIO(raw_xlsx(header_row() + blank)),
            "a.xlsx",
            ReadLimits(**{**limits.__dict__, "max_rows": 500}),
        )
    assert "hơn 500 dòng" in str(blanks.value.errors[0])


def test_an_upload_over_the_size_limit_is_refused_naming_the_limit(world, settings):
    settings.IMPORT_LIMITS = {**settings.IMPORT_LIMITS, "max_bytes": 1024 * 1024}
    content = b"a" * (1024 * 1024 + 10)
    response = client_for(world.officer_a).post(
        reverse("figures_import"), {"file": SimpleUploadedFile("big.csv", content)}
    )
    assert response.status_code == 200
    assert "giới hạn là 1 MB" in response.content.decode()
    assert not DossierStatistics.objects.exists()


def test_an_upload_over_the_largest_limit_is_dropped_while_it_arrives(world, settings, monkeypatch):
    megabyte = 1024 * 1024
    settings.UPLOAD_MAX_BYTES = megabyte  # the largest any form takes
    settings.IMPORT_LIMITS = {**settings.IMPORT_LIMITS, "max_bytes": megabyte}
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024  # larger files go to the limited handler
    received = []
    from cchc import uploads

    original = uploads.LimitedTemporaryFileUploadHandler.file_complete

    def complete(self, size):
        received.append(original(self, size))
        return received[-1]

    settings_handler = "cchc.uploads.LimitedTemporaryFileUploadHandler"
    assert settings_handler in settings.FILE_UPLOAD_HANDLERS
    monkeypatch.setattr(uploads.LimitedTemporaryFileUploadHandler, "file_complete", complete)
    response = client_for(world.officer_a).post(
        reverse("figures_import"),
        {"file": SimpleUploadedFile("big.csv", b"a" * (megabyte + megabyte // 2))},
    )
    assert response.status_code == 200
    assert "Tệp nặng 1,5 MB; giới hạn là 1 MB" in response.content.decode()
    assert (
        isinstance(received[0], uploads.OversizedUpload) and received[0].size == megabyte * 3 // 2
    )
    assert not DossierStatistics.objects.exists()


def under_declared() -> bytes:
    """Three data rows, the dimension saying one (as some programs write it)."""
    content = xlsx_bytes(
        [HEADER, row(period="2023-Q1"), row(period="2023-Q2"), row(period="2023-Q3")]
    )
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == "xl/worksheets/sheet1.xml":
                assert b'<dimension ref="A1:Q4"/>' in data
                data = data.replace(b'<dimension ref="A1:Q4"/>', b'<dimension ref="A1:Q2"/>')
            target.writestr(entry, data)
    return buffer.getvalue()


def test_a_sheet_declaring_fewer_rows_than_it_has_imports_them_all(world, tmp_path):
    response = client_for(world.officer_a).post(
        reverse("figures_import"), {"file": SimpleUploadedFile("f.xlsx", under_declared())}
    )
    assert response.status_code == 200 and "3 mới" in response.content.decode()
    assert DossierStatistics.objects.count() == 3

    DossierStatistics.objects.all().delete()
    path = tmp_path / "f.xlsx"
    path.write_bytes(under_declared())
    call_command("import_dossiers", str(path))
    assert DossierStatistics.objects.count() == 3


def test_a_unit_file_declaring_fewer_rows_imports_them_all(db, tmp_path):
    from cchc.unit_files import COLUMNS

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for values in [
        COLUMNS,
        ["45", "Quảng Trị", "Tỉnh", "", "01/07/1989", "", ""],
        ["464", "Vĩnh Linh", "Huyện", "45", "01/01/2020", "30/06/2025", ""],
        ["19375", "Vĩnh Long", "Xã", "464", "01/01/2020", "30/06/2025", ""],
    ]:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<dimension ref="A1:H4"/>', b'<dimension ref="A1:H2"/>')
            target.writestr(entry, data)
    path = tmp_path / "units.xlsx"
    path.write_bytes(out.getvalue())
    call_command("import_units", str(path))
    assert set(Unit.objects.values_list("code", flat=True)) == {"45", "464", "19375"}


def test_a_formula_without_its_value_is_named_and_nothing_is_written(world):
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(row(period="2023-Q1"))
    bad = row(period="2023-Q2")
    bad[2] = '=HYPERLINK("http://example.com", 100)'
    sheet.append(bad)
    also_bad = row(period="2023-Q3")
    also_bad[7] = "=SUM(H2:H3)"
    sheet.append(also_bad)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = client_for(world.officer_a).post(
        reverse("figures_import"), {"file": SimpleUploadedFile("f.xlsx", buffer.getvalue())}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "ô C3 chứa công thức chưa có giá trị" in page and "ô H4" in page
    assert not DossierStatistics.objects.exists()


def test_an_error_cell_is_named():
    content = raw_xlsx(
        header_row()
        + '<row r="2"><c r="A2" t="inlineStr"><is><t>19375</t></is></c>'
        + '<c r="C2" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>'
    )
    with pytest.raises(ImportRefused) as refused:
        read_table(io.BytesIO(content), "f.xlsx")
    assert "ô C2 chứa lỗi #DIV/0!" in str(refused.value.errors[0])


LONG_NAME = "Báo cáo số liệu hồ sơ thủ tục hành chính " * 3  # 123 Vietnamese characters


def test_a_long_file_name_is_stored_by_a_background_import(world):
    name = LONG_NAME.strip() + ".xlsx"
    assert len(name) > 120
    response = client_for(world.officer_a).post(
        reverse("figures_import"),
        {"file": SimpleUploadedFile(name, xlsx_bytes([HEADER, row()])), "background": "on"},
    )
    assert response.status_code == 302
    job = Job.objects.get()
    assert job.status == Job.Status.DONE, job.errors
    stored = job.upload.name or ""
    assert stored.endswith(".xlsx") and len(stored) < 100
    assert DossierStatistics.objects.count() == 1


def test_a_large_file_goes_to_the_background_by_itself(world, settings):
    settings.IMPORT_BACKGROUND_FROM_BYTES = 1024
    response = client_for(world.officer_a).post(
        reverse("figures_import"),
        {
            "file": SimpleUploadedFile(
                "f.xlsx", xlsx_bytes([HEADER, *[row(period=f"2023-{m:02d}") for m in range(1, 13)]])
            )
        },
    )
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "job_page", args=[job.pk]
    )
    assert job.status == Job.Status.DONE and DossierStatistics.objects.count() == 12


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("Quyết định số 12.pdf", "Quyết định số 12.pdf"),
        ("C:\\Users\\cán bộ\\Tờ trình.docx", "Tờ trình.docx"),
        ("../../etc/passwd", "passwd"),
        ("a\x00b\u202e.pdf", "ab.pdf"),
        ("", "tep"),
    ],
)
def test_file_names_are_kept_as_data_safely(name, kept):
    assert short_name(name) == kept


def test_a_long_name_is_shortened_keeping_its_extension_and_stored_under_a_random_one():
    name = "Tài liệu kiểm chứng " * 40 + ".pdf"
    short = short_name(name, 255)
    assert len(short) == 255 and short.endswith(".pdf")
    assert stored_name(name).endswith(".pdf") and len(stored_name(name)) == 36
    assert "." not in stored_name("x.exe;rm -rf")  # an odd extension is dropped


def test_evidence_with_a_long_name_uploads_and_downloads(world, assessment):
    name = "Báo cáo kết quả thực hiện nhiệm vụ cải cách hành chính năm 2022 " * 5 + ".pdf"
    client = client_for(world.officer_a)
    response = client.post(
        reverse("evidence_upload", args=[assessment.pk, criterion(assessment, "1.1").pk]),
        {"file": SimpleUploadedFile(name, PDF, content_type="application/pdf")},
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.original_name.endswith(".pdf") and len(evidence.original_name) <= 255
    download = client.get(reverse("evidence_download", args=[evidence.pk]))
    assert download.status_code == 200 and download.getvalue() == PDF


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "https://evil.example/x",
        "/\\evil.example",
        "\\\\evil.example",
        " //evil.example",
    ],
)
def test_redirects_stay_on_the_site(world, assessment, target):
    client = client_for(world.officer_a)
    client.post(
        reverse("evidence_upload", args=[assessment.pk, criterion(assessment, "1.1").pk]),
        {"file": SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")},
    )
    evidence = Evidence.objects.get()
    replaced = client.post(
        reverse("evidence_replace", args=[evidence.pk]),
        {
            "file": SimpleUploadedFile("b.pdf", PDF + b" ", content_type="application/pdf"),
            "next": target,
        },
    )
    assert replaced.status_code == 302 and replaced["Location"] == reverse("assessment_list")
    linked = client.post(
        reverse("evidence_link", args=[assessment.pk, criterion(assessment, "1.2").pk]),
        {"evidence": evidence.pk, "next": target},
    )
    assert linked.status_code == 302 and linked["Location"].startswith(
        reverse("assessment_page", args=[assessment.pk])
    )
    good = client.post(
        reverse("evidence_link", args=[assessment.pk, criterion(assessment, "1.3").pk]),
        {"evidence": evidence.pk, "next": reverse("explanation_page", args=[assessment.pk])},
    )
    assert good["Location"] == reverse("explanation_page", args=[assessment.pk])


def test_a_refused_link_writes_nothing(world, assessment):
    from scoring.assessment.evidence import store_evidence

    other = store_evidence(
        world.commune_b,
        SimpleUploadedFile("b.pdf", PDF, content_type="application/pdf"),
        world.officer_b,
    )
    before = AssessmentItem.objects.count()
    response = client_for(world.officer_a).post(
        reverse("evidence_link", args=[assessment.pk, criterion(assessment, "1.1").pk]),
        {"evidence": other.pk},
    )
    assert response.status_code == 404
    assert AssessmentItem.objects.count() == before == 0
    bad_id = client_for(world.officer_a).post(
        reverse("evidence_link", args=[assessment.pk, criterion(assessment, "1.1").pk]),
        {"evidence": "1 OR 1=1"},
    )
    assert bad_id.status_code == 404 and AssessmentItem.objects.count() == 0


def test_a_refused_upload_writes_nothing(world, assessment):
    response = client_for(world.officer_a).post(
        reverse("evidence_upload", args=[assessment.pk, criterion(assessment, "1.1").pk]),
        {"file": SimpleUploadedFile("a.exe", b"MZ\x90\x00", content_type="application/pdf")},
    )
    assert response.status_code == 302
    assert not AssessmentItem.objects.exists() and not Evidence.objects.exists()


def test_the_api_schema_is_for_signed_in_users(world):
    assert Client().get(reverse("api_schema")).status_code in (401, 403)
    signed = client_for(world.officer_a).get(reverse("api_schema"))
    assert signed.status_code == 200 and b"/api/units/" in signed.content


def test_a_save_the_database_gives_up_on_is_a_conflict_message_not_a_crash(
    world, submitted, monkeypatch
):
    from scoring.assessment.workflow import move_assessment
    from scoring.views import appraisal

    move_assessment(submitted, "start", world.appraiser)

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(appraisal, "appraise_item", locked)
    url = reverse("appraise", args=[submitted.pk, criterion(submitted, "1.2").pk])
    client = Client(raise_request_exception=False)
    client.force_login(world.appraiser)
    data = {"score": "1", "reason": "Thiếu", "version": "0"}
    page = client.post(url, data, headers={"Referer": "http://testserver/tham-dinh/"})
    assert page.status_code == 409
    text = page.content.decode()
    assert "Có người khác đang lưu cùng lúc" in text and 'href="/tham-dinh/"' in text
    htmx = client.post(url, data, headers={"HX-Request": "true"})
    assert htmx.status_code == 409 and htmx["HX-Retarget"] == "#notices"
    assert 'role="alert"' in htmx.content.decode()
    off_site = client.post(url, data, headers={"Referer": "https://evil.example/"})
    assert 'href="/"' in off_site.content.decode()
