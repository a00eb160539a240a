"""Backup and restore: a restored copy has every assessment, score, deduction and file, and
every file's hash matches."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import CommandError, call_command

from cchc.backups import BackupError, restore
from cchc.models import Unit
from scoring.assessment.workflow import move_assessment
from scoring.models import Assessment, AssessmentItem, AuditEntry, Evidence, EvidenceLink


def _snapshot():
    return {
        "assessments": sorted(Assessment.objects.values_list("unit__code", "state")),
        "scores": sorted(
            AssessmentItem.objects.values_list(
                "assessment__unit__code",
                "criterion__code",
                "self_score",
                "appraised_score",
                "appraisal_reason",
            )
        ),
        "evidence": sorted(Evidence.objects.values_list("original_name", "sha256", "file")),
        "links": EvidenceLink.objects.count(),
        "audit": AuditEntry.objects.count(),
        "admin_log": LogEntry.objects.count(),
    }


def _wipe(evidence_storage):
    from django.db import connection

    tables = [
        t
        for t in connection.introspection.django_table_names(only_existing=True)
        if not t.startswith(("django_content_type", "auth_permission", "django_migrations"))
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "TRUNCATE " + ", ".join(connection.ops.quote_name(t) for t in tables) + " CASCADE"
            )
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in tables:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
            cursor.execute("PRAGMA foreign_keys = ON")
    for path in sorted(evidence_storage.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_round_trip_with_hashes(world, submitted, tmp_path, evidence_storage):
    move_assessment(submitted, "start", world.appraiser)
    from tests.test_appraisal import appraise

    appraise(submitted, "1.2", world.appraiser, "1.5", "Thiếu 1 nhiệm vụ")
    from cchc.admin_log import record_admin_action

    record_admin_action(world.admin, submitted, "Mở lại tự đánh giá: thử")
    before = _snapshot()
    assert before["admin_log"] == 1
    assert before["evidence"] and any(row[4] for row in before["scores"])
    folder = tmp_path / "backup"
    call_command("backup", str(folder))
    manifest = json.loads((folder / "manifest.json").read_text())
    assert len(manifest["files"]) == len(before["evidence"])

    _wipe(evidence_storage)
    assert not Unit.objects.exists() and not any(evidence_storage.rglob("*.pdf"))
    call_command("backup", str(folder), "--restore")

    assert _snapshot() == before
    for evidence in Evidence.objects.all():
        assert (
            hashlib.sha256((evidence_storage / evidence.file.name).read_bytes()).hexdigest()
            == evidence.sha256
        )
    commune = Unit.objects.get(code="19375")
    assert [u.code for u in commune.ancestors(include_self=True)] == ["45", "464", "19375"]
    assert world.officer_a.__class__.objects.get(username="officer_a").check_password(
        "pw-for-tests-123"
    )


@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_or_a_full_database_is_refused(world, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from scoring.assessment.evidence import store_evidence
    from tests.test_evidence import PDF

    evidence = store_evidence(world.commune_a, SimpleUploadedFile("a.pdf", PDF), world.officer_a)
    folder = tmp_path / "backup"
    call_command("backup", str(folder))
    with pytest.raises(BackupError, match="not empty"):
        restore(folder)
    (folder / "files" / evidence.file.name).write_bytes(b"tampered")
    with pytest.raises(CommandError, match="damaged"):
        call_command("backup", str(folder), "--restore")
    with pytest.raises(CommandError):
        call_command("backup", str(folder))  # never over an existing backup
