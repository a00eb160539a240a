"""Django for a benchmark: production-like settings (DEBUG off, so queries are not kept in
memory) on a fresh SQLite database in a temporary folder, or the one DATABASE_URL names."""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    workdir = tempfile.mkdtemp(prefix="cchc-bench-")
    # The database, evidence and static files go with the run (about 30 MB each time).
    atexit.register(shutil.rmtree, workdir, ignore_errors=True)
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


def postgres_database(name: str) -> str:
    """A fresh PostgreSQL database for a benchmark: the server DATABASE_URL names (it must be
    PostgreSQL), or a throw-away one scripts/start-postgres.sh installs and starts. Returns
    its URL; the database is dropped and created anew."""
    import subprocess
    from urllib.parse import urlparse

    import psycopg2

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        started = subprocess.run(
            [str(ROOT / "scripts" / "start-postgres.sh")],
            capture_output=True,
            text=True,
            check=True,
        )
        url = started.stdout.strip().splitlines()[-1]
    parts = urlparse(url)
    connection = psycopg2.connect(
        host=parts.hostname,
        port=parts.port,
        user=parts.username,
        password=parts.password,
        dbname=parts.path.lstrip("/"),
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    return parts._replace(path=f"/{name}").geturl()
