"""What a page's (or a function's) queries read, against what a change token watches: the
tests of each token fail on a table or column its triggers would not see written."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from django.db import connection

from cchc.change_tokens import Watch, existing_triggers, trigger_names

# Read by every page for the session and the signed-in reader (named in the reader's tag).
READER_TABLES = frozenset({"cchc_cache", "django_session", "cchc_user"})
ALIAS = re.compile(r'(?:FROM|JOIN)\s+"(\w+)"(?:\s+(?:AS\s+)?"?([A-Z]\d+)"?)?')
COLUMN = re.compile(r'(?:"(\w+)"|\b([A-Z]\d+))\."(\w+)"')


def reads(sql: str) -> tuple[set[str], set[tuple[str, str]]]:
    """The tables a statement reads and its (table, column) references."""
    tables, aliases = set(), {}
    for table, alias in ALIAS.findall(sql):
        tables.add(table)
        if alias:
            aliases[alias] = table
    columns = set()
    for table, alias, column in COLUMN.findall(sql):
        columns.add((table or aliases.get(alias, alias), column))
    return tables, columns


@contextmanager
def recorded() -> Iterator[list[str]]:
    """The SQL of every statement run inside the block."""
    statements: list[str] = []

    def record(execute: Callable, sql, params, many, context):  # type: ignore[no-untyped-def]
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield statements


def unwatched(statements: Iterable[str], watches: Iterable[Watch]) -> list[str]:
    """The tables and columns the statements read that no watch covers (the reader's own
    tables aside)."""
    watched = {watch.table: set(watch.columns) for watch in watches}
    found = []
    for sql in statements:
        tables, columns = reads(sql)
        found += [table for table in tables - READER_TABLES if table not in watched]
        found += [
            f"{table}.{column}"
            for table, column in columns
            if table not in READER_TABLES
            and watched.get(table)
            and column not in watched[table] | {"id"}
        ]
    return sorted(set(found))


def missing_triggers(topic: str, watches: Iterable[Watch], migration: str) -> list[str]:
    """The topic's triggers the database lacks (a table rebuilt by a later migration on
    SQLite loses its own), and a difference between the watches and those frozen in the
    migration that created them."""
    frozen = importlib.import_module(migration)
    missing = [] if tuple(frozen.WATCHES) == tuple(watches) else [f"{migration} differs"]
    found = existing_triggers()
    for watch in watches:
        missing += [
            name for name in trigger_names(topic, [watch]) if found.get(name) != watch.table
        ]
    return missing
