"""Django for a benchmark: production-like settings (DEBUG off, so queries are not kept in
memory) on a fresh SQLite database in a temporary folder, or the one DATABASE_URL names."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    workdir = tempfile.mkdtemp(prefix="cchc-bench-")
    os.environ["DEBUG"] = "0"
    os.environ.setdefault(
        "SECRET_KEY", "benchmark-only-secret-key-not-used-for-anything-else-0123456789"
    )
    os.environ.setdefault("ALLOWED_HOSTS", "localhost,testserver")
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ.setdefault("CCHC_VAR_DIR", workdir)
    os.environ.setdefault("STATIC_ROOT", f"{workdir}/static")
    os.environ.setdefault("EVIDENCE_ROOT", f"{workdir}/evidence")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command(
        "collectstatic", "--noinput", verbosity=0
    )  # pages use the production static storage
