"""Settings read from the environment refuse bad values and are production-safe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cchc.env import EnvironmentError_, env_bool, env_int, env_list, env_path, env_str

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-production-secret-key-with-enough-entropy-0123456789-abcdef",
    "ALLOWED_HOSTS": "cchc.example.vn",
}


def run_manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        # The variables under test, and what the test run itself sets (browser tests).
        if k
        not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "cchc.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("text", ["ture", "2", "maybe"])
def test_env_bool_rejects_words_that_are_not_booleans(text):
    with pytest.raises(EnvironmentError_, match="not a boolean"):
        env_bool("DEBUG", False, environ={"DEBUG": text})


@pytest.mark.parametrize(("text", "expected"), [("1", True), ("off", False), ("", True)])
def test_env_bool_reads_true_false_and_falls_back_on_default(text, expected):
    assert env_bool("DEBUG", True, environ={"DEBUG": text}) is expected


def test_env_int_rejects_text_and_values_below_minimum():
    with pytest.raises(EnvironmentError_, match="whole number"):
        env_int("EVIDENCE_MAX_MB", 20, environ={"EVIDENCE_MAX_MB": "20MB"})
    with pytest.raises(EnvironmentError_, match="below the minimum"):
        env_int("EVIDENCE_MAX_MB", 20, minimum=1, environ={"EVIDENCE_MAX_MB": "0"})
    assert env_int("EVIDENCE_MAX_MB", 20, environ={"EVIDENCE_MAX_MB": "35"}) == 35


def test_env_list_rejects_empty_items():
    with pytest.raises(EnvironmentError_, match="empty item"):
        env_list("ALLOWED_HOSTS", [], environ={"ALLOWED_HOSTS": "a.vn,,b.vn"})
    assert env_list("ALLOWED_HOSTS", [], environ={"ALLOWED_HOSTS": "a.vn, b.vn"}) == [
        "a.vn",
        "b.vn",
    ]


def test_env_path_must_be_absolute_and_env_str_required_without_default():
    with pytest.raises(EnvironmentError_, match="absolute"):
        env_path("EVIDENCE_ROOT", Path("/x"), environ={"EVIDENCE_ROOT": "relative/dir"})
    with pytest.raises(EnvironmentError_, match="must be set"):
        env_str("SECRET_KEY", None, environ={})


def test_secret_key_is_required_when_debug_is_off():
    result = run_manage({"DEBUG": "0", "ALLOWED_HOSTS": "x.vn"}, "check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_bad_debug_value_stops_start_up():
    result = run_manage({"DEBUG": "yes please"}, "check")
    assert result.returncode != 0
    assert "DEBUG='yes please' is not a boolean" in result.stderr


def test_bad_database_url_stops_start_up():
    result = run_manage({"DEBUG": "1", "DATABASE_URL": "nosuchdb://x/y"}, "check")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_production_settings_pass_check_deploy():
    result = run_manage(PRODUCTION, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_defaults_are_vietnamese_in_ho_chi_minh_time_on_sqlite_under_var(settings):
    assert settings.LANGUAGE_CODE == "vi"
    assert [code for code, _ in settings.LANGUAGES] == ["vi", "en"]
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    show = "from django.conf import settings as s; d = s.DATABASES['default']; print(d['ENGINE'], d['NAME'])"
    result = run_manage({"DEBUG": "1"}, "shell", "--no-imports", "-c", show)
    assert result.stdout.split() == [
        "cchc.sqlite_backend",
        str(ROOT / "var" / "cchc.sqlite3"),
    ]


def test_database_url_selects_postgresql():
    show = "from django.conf import settings as s; d = s.DATABASES['default']; print(d['ENGINE'], d['NAME'], d['HOST'])"
    result = run_manage(
        {"DEBUG": "1", "DATABASE_URL": "postgres://u:p@db.internal:5432/cchc"},
        "shell",
        "--no-imports",
        "-c",
        show,
    )
    assert result.stdout.split() == ["django.db.backends.postgresql", "cchc", "db.internal"]


def test_manage_py_uses_development_settings_only_when_nothing_is_configured():
    show = "from django.conf import settings as s; print(s.DEBUG)"
    assert run_manage({}, "shell", "--no-imports", "-c", show).stdout.split() == ["True"]
    production = run_manage(
        {"SECRET_KEY": PRODUCTION["SECRET_KEY"], "ALLOWED_HOSTS": "x.vn"},
        "shell",
        "--no-imports",
        "-c",
        show,
    )
    assert production.stdout.split() == ["False"]
