"""Backing up and restoring the database and the evidence files together.

A backup is a folder: ``database.json`` (every table, as Django's serialised data with
natural keys for content types), ``files/`` (every stored evidence file, read through the
storage API, so a disk or an object store is backed up the same way) and ``manifest.json``
(format, date, counts, and each file's SHA-256). Restoring loads the data into an empty,
migrated database, writes the files back through the storage API and checks every hash.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from django.db.models import FileField
from django.utils import timezone

FORMAT = 1
# Rebuilt by migrate, or transient; everything else is kept.
EXCLUDED = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "axes",
    "django_tasks_database",
]


class BackupError(Exception):
    """The backup folder is incomplete, damaged or does not match its manifest."""


@dataclass
class BackupSummary:
    objects: int
    files: int


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _stored_files() -> list[tuple[str, str | None]]:
    """Every stored file of every model (evidence, job files, ...) with the SHA-256 its
    record keeps, where it keeps one."""
    found: list[tuple[str, str | None]] = []
    for model in apps.get_models():
        file_fields = [f.name for f in model._meta.get_fields() if isinstance(f, FileField)]
        has_hash = any(f.name == "sha256" for f in model._meta.get_fields())
        for name in file_fields:
            columns = [name, "sha256"] if has_hash else [name]
            for values in model._default_manager.exclude(**{name: ""}).values_list(*columns):
                found.append((str(values[0]), values[1] if has_hash else None))
    return found


def back_up(folder: Path) -> BackupSummary:
    folder.mkdir(parents=True, exist_ok=False)
    data = io.StringIO()
    call_command("dumpdata", exclude=EXCLUDED, natural_foreign=True, indent=1, stdout=data)
    (folder / "database.json").write_text(data.getvalue(), encoding="utf-8")
    files: dict[str, str] = {}
    for name, _digest in _stored_files():
        with default_storage.open(name, "rb") as stored:
            content = stored.read()
        target = folder / "files" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        files[name] = _sha256(content)
    objects = len(json.loads(data.getvalue()))
    manifest = {
        "format": FORMAT,
        "created": timezone.now().isoformat(),
        "objects": objects,
        "files": files,
        "database_sha256": _sha256((folder / "database.json").read_bytes()),
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return BackupSummary(objects, len(files))


def restore(folder: Path) -> BackupSummary:
    """Into an empty, migrated database (refused otherwise); every file's hash is checked
    against the manifest and against the record that names it (where it keeps a hash)."""
    manifest = _manifest(folder)
    database = folder / "database.json"
    if _sha256(database.read_bytes()) != manifest["database_sha256"]:
        raise BackupError("database.json does not match the manifest")
    for name, digest in manifest["files"].items():
        path = folder / "files" / name
        if not path.exists() or _sha256(path.read_bytes()) != digest:
            raise BackupError(f"{name} is missing from the backup or damaged")
    from cchc.models import Unit

    if Unit.objects.exists():
        raise BackupError("the database is not empty; restore into a new, migrated database")
    with transaction.atomic():
        call_command("loaddata", str(database), verbosity=0)
        for name, digest in _stored_files():
            content = (folder / "files" / name).read_bytes()
            if digest is not None and _sha256(content) != digest:
                raise BackupError(f"{name} does not match its record")
            if default_storage.exists(name):
                default_storage.delete(name)
            saved = default_storage.save(name, ContentFile(content))
            if saved != name:
                raise BackupError(f"{name} could not be written back under its name")
    return BackupSummary(manifest["objects"], len(manifest["files"]))


def _manifest(folder: Path) -> dict:  # type: ignore[type-arg]
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(f"no readable manifest.json in {folder}: {error}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    return manifest
