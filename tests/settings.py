"""The project's settings for the test run: development defaults unless the caller sets otherwise.

The settings module itself is under test too (tests/test_settings.py runs it in production
mode in a subprocess).
"""

import os

os.environ.setdefault("DEBUG", "1")
# Tasks run inside the request that starts them, so that a test sees their outcome at once
# (tests/test_jobs.py runs the thread backend on its own).
os.environ.setdefault("TASKS_BACKEND", "immediate")
os.environ.setdefault("BELL_SECONDS", "2")  # browser tests see the bell change soon

from cchc.settings import *  # noqa: F403

# Hashing demo passwords at production strength would dominate the suite's time.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - WhiteNoise looks there

if DATABASES["default"]["ENGINE"] == "cchc.sqlite_backend":  # noqa: F405
    # A file, like the real thing, so that tests of simultaneous saves meet SQLite's real
    # locking (an in-memory database shared between threads locks differently).
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-database.sqlite3")}  # noqa: F405
