"""SQL statements written once per kind of database, for the reads every request makes (the
signed-in user, their roles, the version of a criteria set): Django takes longer to build
such a query (0.2–0.5 ms) than SQLite to answer it. Each statement is written from the
models' own table and column names, quoted by the database's rules, the first time a
process asks for it; values always go as parameters, never into the text."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

_WRITTEN: dict[tuple[Callable[[BaseDatabaseWrapper], str], str], str] = {}
_LOCK = threading.Lock()


def written_once(
    write: Callable[[BaseDatabaseWrapper], str], connection: BaseDatabaseWrapper
) -> str:
    """What ``write(connection)`` gives, written once per kind of database."""
    key = (write, connection.vendor)
    statement = _WRITTEN.get(key)
    if statement is None:
        statement = write(connection)
        with _LOCK:
            _WRITTEN[key] = statement
    return statement


def table(connection: BaseDatabaseWrapper, model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def column(connection: BaseDatabaseWrapper, model: Any, name: str) -> str:
    """The quoted column of the field ``name`` (``"unit"`` gives ``"unit_id"``)."""
    return str(connection.ops.quote_name(model._meta.get_field(name).column))
