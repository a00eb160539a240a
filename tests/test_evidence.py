"""Evidence files: checked by content and size, hashed, versioned, linked to several
sub-criteria, stored through the storage API and served only within scope."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from scoring.assessment.evidence import link_evidence, replace_evidence, store_evidence
from scoring.models import AssessmentItem, Evidence
from tests.conftest import client_for

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 40


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def evidence_for(unit, user, name="ke-hoach-cchc.pdf", content=PDF, **extra):
    return store_evidence(unit, SimpleUploadedFile(name, content), user, **extra)


def test_a_pdf_is_stored_with_its_name_size_hash_and_document_details(world, evidence_storage):
    import datetime

    evidence = evidence_for(
        world.commune_a,
        world.officer_a,
        document_number="12/KH-UBND",
        document_date=datetime.date(2022, 1, 10),
    )
    assert (evidence.original_name, evidence.size, evidence.content_type) == (
        "ke-hoach-cchc.pdf",
        len(PDF),
        "application/pdf",
    )
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (evidence.uploaded_by, evidence.document_number) == (world.officer_a, "12/KH-UBND")
    stored = evidence_storage / evidence.file.name
    assert stored.read_bytes() == PDF
    assert "ke-hoach" not in evidence.file.name  # never stored under the name the user gave


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bao-cao.pdf", PNG, "có đuôi .pdf nhưng nội dung là .png"),
        (
            "virus.pdf",
            b"MZ\x90\x00\x03" + b"\x00" * 100,
            "không phải là tệp PDF, Word (.docx), Excel (.xlsx), JPG hoặc PNG",
        ),
        ("ghi-chu.txt", b"chi la van ban", "không phải là tệp PDF"),
        ("trong.pdf", b"", "Tệp không có dữ liệu."),
    ],
)
def test_files_are_checked_by_content_not_name(world, name, content, message):
    with pytest.raises(ValidationError) as error:
        evidence_for(world.commune_a, world.officer_a, name=name, content=content)
    assert message in " ".join(error.value.messages)
    assert not Evidence.objects.exists()


def test_docx_xlsx_jpg_and_png_are_accepted(world):
    from tests.spreadsheet_files import xlsx_bytes

    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 50
    for name, content in [
        ("a.docx", docx_bytes()),
        ("b.xlsx", xlsx_bytes([["x"]])),
        ("c.jpg", jpeg),
        ("d.png", PNG),
    ]:
        evidence_for(world.commune_a, world.officer_a, name=name, content=content)
    assert Evidence.objects.count() == 4


def test_the_size_limit_is_configurable(world, settings):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    with pytest.raises(ValidationError) as error:
        evidence_for(world.commune_a, world.officer_a, content=PDF + b"0" * (1024 * 1024))
    assert "vượt giới hạn 1 MB" in error.value.messages[0]


def test_one_file_supports_several_sub_criteria(world):
    from tests.assessment_fixtures import criterion, make_open_assessment

    assessment = make_open_assessment(world)
    evidence = evidence_for(world.commune_a, world.officer_a)
    for code in ("1.1", "1.2"):
        item = AssessmentItem.objects.create(
            assessment=assessment, criterion=criterion(assessment, code)
        )
        link_evidence(item, evidence, world.officer_a)
    assert evidence.links.count() == 2
    other_unit_item = AssessmentItem.objects.create(
        assessment=assessment.criteria_set.assessments.get(unit=world.commune_b),
        criterion=criterion(assessment, "1.1"),
    )
    with pytest.raises(ValidationError):
        link_evidence(other_unit_item, evidence, world.officer_a)


def test_replacing_keeps_the_old_version_and_moves_open_links(world):
    from tests.assessment_fixtures import criterion, make_open_assessment

    assessment = make_open_assessment(world)
    old = evidence_for(world.commune_a, world.officer_a)
    item = AssessmentItem.objects.create(
        assessment=assessment, criterion=criterion(assessment, "1.1")
    )
    link_evidence(item, old, world.officer_a)
    new = replace_evidence(
        old, SimpleUploadedFile("ke-hoach-cchc-sua.pdf", PDF + b"%v2"), world.officer_a
    )
    old.refresh_from_db()
    assert old.replaced_by == new and not old.is_current and new.is_current
    assert [link.evidence for link in item.evidence_links.all()] == [new]
    assert old.file.read() == PDF  # the old file is still there
    with pytest.raises(ValidationError):
        replace_evidence(old, SimpleUploadedFile("x.pdf", PDF), world.officer_a)


def test_download_is_an_attachment_within_scope_only(world, client):
    evidence = evidence_for(world.commune_a, world.officer_a)
    url = reverse("evidence_download", args=[evidence.pk])
    response = client_for(world.officer_a).get(url)
    assert response.status_code == 200
    assert response.getvalue() == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client_for(world.appraiser).get(url).status_code == 200
    assert client_for(world.leader).get(url).status_code == 200
    assert client_for(world.officer_b).get(url).status_code == 404
    assert client.get(url).status_code == 302


def test_download_streams_and_answers_304_to_a_browser_that_has_the_file(world):
    import hashlib

    evidence = evidence_for(world.commune_a, world.officer_a)
    url = reverse("evidence_download", args=[evidence.pk])
    first = client_for(world.officer_a).get(url)
    assert first.streaming  # read from storage in blocks, not whole into memory
    assert first["ETag"] == f'"{hashlib.sha256(PDF).hexdigest()}"'
    again = client_for(world.officer_a).get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again["ETag"] == first["ETag"] and not again.content
    listed = client_for(world.officer_a).get(
        url, headers={"If-None-Match": f'"older", W/{first["ETag"]}'}
    )
    assert listed.status_code == 304  # a list, with a weak tag, as browsers and proxies send
    other = client_for(world.officer_a).get(url, headers={"If-None-Match": '"not-this-file"'})
    assert other.status_code == 200 and other.getvalue() == PDF
    # The tag does not open the file to someone outside the unit.
    assert (
        client_for(world.officer_b).get(url, headers={"If-None-Match": first["ETag"]}).status_code
        == 404
    )


def test_replace_view_is_for_those_who_enter_the_units_data(world):
    evidence = evidence_for(world.commune_a, world.officer_a)
    url = reverse("evidence_replace", args=[evidence.pk])
    upload = {"file": SimpleUploadedFile("moi.pdf", PDF)}
    assert client_for(world.leader).post(url, upload).status_code == 403
    assert (
        client_for(world.officer_b)
        .post(url, {"file": SimpleUploadedFile("moi.pdf", PDF)})
        .status_code
        == 404
    )
    assert (
        client_for(world.officer_a)
        .post(url, {"file": SimpleUploadedFile("moi.pdf", PDF)})
        .status_code
        == 302
    )
    assert Evidence.objects.count() == 2


def test_evidence_cannot_be_deleted(world):
    evidence = evidence_for(world.commune_a, world.officer_a)
    with pytest.raises(PermissionError):
        evidence.delete()
