"""Security: sign-in throttling, production cookies and headers, the Content Security
Policy, formula injection in exported spreadsheets."""

from __future__ import annotations

import io

from django.urls import reverse
from openpyxl import load_workbook

from cchc.spreadsheets import cell_text, read_table, safe_cell
from cchc.unit_files import export_units, import_units
from tests.conftest import client_for
from tests.test_settings import PRODUCTION, run_manage


def test_sign_in_is_refused_after_repeated_failures(client, world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _attempt in range(3):
        client.post(reverse("login"), {"username": "officer_a", "password": "wrong"})
    locked = client.post(
        reverse("login"), {"username": "officer_a", "password": "pw-for-tests-123"}
    )
    assert locked.status_code == 429
    assert "Đăng nhập bị tạm khóa" in locked.content.decode()
    other = client.post(reverse("login"), {"username": "officer_b", "password": "pw-for-tests-123"})
    assert other.status_code == 302  # only that account is locked


def test_cookies_and_security_headers_in_production():
    show = (
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,"
        " s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.X_FRAME_OPTIONS, s.SESSION_ENGINE, s.CACHES['default']['BACKEND'],"
        " s.STORAGES['staticfiles']['BACKEND'])"
    )
    result = run_manage(PRODUCTION, "shell", "--no-imports", "-c", show)
    assert result.stdout.split() == [
        "True",
        "True",
        "True",
        "True",
        "31536000",
        "DENY",
        "django.contrib.sessions.backends.cached_db",
        "django.core.cache.backends.db.DatabaseCache",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
    ]


def test_pages_send_a_content_security_policy_and_the_usual_headers(world):
    response = client_for(world.officer_a).get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in policy
        and "object-src 'none'" in policy
        and "frame-ancestors 'none'" in policy
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert (
        "onchange=" not in response.content.decode()
    )  # no inline handlers for the policy to forbid


def test_s3_storage_is_chosen_by_environment():
    show = "from django.conf import settings as s; print(s.STORAGES['default']['BACKEND'], s.STORAGES['default']['OPTIONS']['bucket_name'])"
    result = run_manage(
        {**PRODUCTION, "EVIDENCE_S3_BUCKET": "cchc-evidence"}, "shell", "--no-imports", "-c", show
    )
    assert result.stdout.split() == ["storages.backends.s3.S3Storage", "cchc-evidence"]


def test_formula_like_text_is_exported_as_text_and_imported_back_unchanged(world):
    from cchc.models import Unit, User

    world.commune_a.name = '=HYPERLINK("http://x","Bấm")'
    world.commune_a.save()
    content = export_units(Unit.objects.order_by("path"), "xlsx")
    names = [
        row[1]
        for row in load_workbook(io.BytesIO(content)).active.iter_rows(min_row=2, values_only=True)
    ]
    assert '\'=HYPERLINK("http://x","Bấm")' in names
    summary = import_units(read_table(io.BytesIO(content), "u.xlsx"), User(is_superuser=True))
    assert summary.updated == 0
    assert Unit.objects.get(code="19375").name == '=HYPERLINK("http://x","Bấm")'
    assert (
        safe_cell("-0,5") == "'-0,5"
        and safe_cell(-0.5) == -0.5
        and cell_text("'=A1") == "=A1"
        and cell_text("'x") == "'x"
    )


def test_the_criteria_export_escapes_formula_like_text(world):
    from scoring.criteria.files import export_criteria
    from tests.ranking_fixtures import ten_point_set

    criteria_set = ten_point_set(world.district, 2022)
    criteria_set.criteria.filter(code="1.1").update(evidence_required="=cmd|' /C calc'!A0")
    sheet = load_workbook(io.BytesIO(export_criteria(criteria_set))).active
    assert sheet.cell(3, 6).value == "'=cmd|' /C calc'!A0"


def test_administrators_actions_are_recorded(world):
    from django.contrib.admin.models import LogEntry

    from tests.ranking_fixtures import ten_point_set
    from tests.spreadsheet_files import upload

    client = client_for(world.admin)
    client.post(
        reverse("unit_import"),
        {
            "file": upload(
                "u.csv",
                [
                    ["Mã", "Tên", "Loại", "Mã cấp trên", "Hiệu lực từ"],
                    ["N1", "Xã mới", "Xã", "464", "01/01/2021"],
                ],
            )
        },
    )
    criteria_set = ten_point_set(world.district, 2023)
    client.post(
        reverse("criteria_copy", args=[criteria_set.pk]), {"year": "2024", "title": "Bộ 2024"}
    )
    messages = list(
        LogEntry.objects.filter(user=world.admin).values_list("change_message", flat=True)
    )
    assert any(m.startswith("Nhập đơn vị từ u.csv: 1 mới") for m in messages)
    assert any(m.startswith("Sao chép từ") for m in messages)
