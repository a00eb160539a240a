"""The project's settings for the test run: development defaults unless the caller sets otherwise.

The settings module itself is under test too (tests/test_settings.py runs it in production
mode in a subprocess).
"""

import os

os.environ.setdefault("DEBUG", "1")

from cchc.settings import *  # noqa: F403

# Hashing demo passwords at production strength would dominate the suite's time.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - WhiteNoise looks there
