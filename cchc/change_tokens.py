"""Change tokens: one random token per topic, renewed by database triggers in the very
transaction that writes any table (or watched column) the topic covers. A page that shows only
what a topic covers can answer a browser's "has it changed?" by reading one row, instead of
reading everything it shows.

Why triggers and not signals: bulk writes, imports, the administration, data migrations and
raw SQL all pass through the database, never all through Django's signals. Why a random token
and not a counter: a rolled-back write would hand its number to the next one. Why the token is
read before the data: a reader then never pairs a token with data older than it.

On PostgreSQL the triggers are deferred to the commit (``DEFERRABLE INITIALLY DEFERRED``): the
token's row is locked only while the transaction commits, after all its other writes, so two
writers can never deadlock over it. SQLite has one writer at a time, so its triggers run at
once.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection

PG_FUNCTION = "cchc_bump_change_token"


@dataclass(frozen=True)
class Watch:
    """A table a topic covers: every change to it, or (``columns``) inserts, deletes and the
    updates that change one of these columns; ``rows`` narrows inserts and deletes to the rows
    for which this SQL condition on ``ROW.`` holds (e.g. ``ROW.source_warning <> ''``)."""

    table: str
    columns: tuple[str, ...] = ()
    rows: str = ""


def read_token(topic: str) -> str:
    """The topic's token now. Without a row yet (a database just flushed) every read gets a
    token of its own, so nothing is ever taken for unchanged."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM cchc_changetoken WHERE topic = %s", [topic])
        found = cursor.fetchone()
    return str(found[0]) if found else "none-" + secrets.token_hex(16)


def _trigger_name(topic: str, table: str, event: str) -> str:
    return f"cchc_token_{topic}_{table}_{event}"[:63]


def _events(watch: Watch, differs: str) -> list[tuple[str, str, str]]:
    """(name suffix, event, condition) of a watch's three triggers; ``differs`` compares a
    column's old and new values (``IS NOT`` on SQLite, ``IS DISTINCT FROM`` on PostgreSQL)."""
    changed = " OR ".join(f'OLD."{c}" {differs} NEW."{c}"' for c in watch.columns)
    return [
        ("i", "INSERT", watch.rows.replace("ROW.", "NEW.")),
        ("d", "DELETE", watch.rows.replace("ROW.", "OLD.")),
        ("u", "UPDATE", changed),
    ]


def _sqlite_triggers(topic: str, watch: Watch) -> list[str]:
    # Two statements, not one INSERT OR REPLACE: an outer INSERT OR IGNORE (a bulk insert
    # ignoring conflicts) imposes its IGNORE on the trigger's statements, and an UPDATE has
    # no conflict to ignore.
    bump = (
        f"INSERT OR IGNORE INTO cchc_changetoken (topic, token) VALUES ('{topic}', ''); "
        "UPDATE cchc_changetoken SET token = lower(hex(randomblob(16))) "
        f"WHERE topic = '{topic}';"
    )
    return [
        f'CREATE TRIGGER "{_trigger_name(topic, watch.table, key)}" AFTER {event} '
        f'ON "{watch.table}" FOR EACH ROW{f" WHEN {when}" if when else ""} BEGIN {bump} END;'
        for key, event, when in _events(watch, "IS NOT")
    ]


def _postgres_triggers(topic: str, watch: Watch) -> list[str]:
    return [
        f'CREATE CONSTRAINT TRIGGER "{_trigger_name(topic, watch.table, key)}" AFTER {event} '
        f'ON "{watch.table}" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW'
        f"{f' WHEN ({when})' if when else ''} EXECUTE FUNCTION {PG_FUNCTION}('{topic}');"
        for key, event, when in _events(watch, "IS DISTINCT FROM")
    ]


# Renewed once per transaction: a row updated again and again in one transaction leaves a
# chain of versions that each update walks (loading the whole map took 4.5 times as long).
# ``cchc.token_every_write`` (tests, which never commit) renews it at each write.
POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  done text := 'cchc.token_renewed_' || TG_ARGV[0];
BEGIN
  IF current_setting(done, true) = 'yes'
     AND current_setting('cchc.token_every_write', true) IS DISTINCT FROM 'on' THEN
    RETURN NULL;
  END IF;
  PERFORM set_config(done, 'yes', true);
  INSERT INTO cchc_changetoken (topic, token)
  VALUES (TG_ARGV[0], md5(random()::text || clock_timestamp()::text))
  ON CONFLICT (topic) DO UPDATE SET token = EXCLUDED.token;
  RETURN NULL;
END $$;
"""


def create_triggers_sql(vendor: str, topic: str, watches: Iterable[Watch]) -> list[str]:
    """The statements creating the topic's triggers on ``vendor``'s database."""
    make = _postgres_triggers if vendor == "postgresql" else _sqlite_triggers
    statements = [POSTGRES_FUNCTION] if vendor == "postgresql" else []
    for watch in watches:
        statements += make(topic, watch)
    return statements


def drop_triggers_sql(vendor: str, topic: str, watches: Iterable[Watch]) -> list[str]:
    statements = []
    for watch in watches:
        for key in ("i", "d", "u"):
            name = _trigger_name(topic, watch.table, key)
            on = f' ON "{watch.table}"' if vendor == "postgresql" else ""
            statements.append(f'DROP TRIGGER IF EXISTS "{name}"{on};')
    return statements


def trigger_names(topic: str, watches: Iterable[Watch]) -> list[str]:
    return [_trigger_name(topic, w.table, key) for w in watches for key in ("i", "d", "u")]


def existing_triggers() -> dict[str, str]:
    """The change-token triggers the database has: name → table."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname, tgrelid::regclass::text FROM pg_trigger")
        else:
            cursor.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")
        found = cursor.fetchall()
    return {
        str(name): str(table).strip('"') for name, table in found if name.startswith("cchc_token_")
    }


def renew_at_each_write() -> None:
    """Within the current transaction, renew tokens at each write instead of at the commit
    (PostgreSQL; SQLite does so anyway): for tests, which roll back and never commit."""
    if connection.vendor == "postgresql":
        names = ", ".join(f'"{name}"' for name in existing_triggers())
        if names:
            with connection.cursor() as cursor:
                cursor.execute(f"SET CONSTRAINTS {names} IMMEDIATE")
                cursor.execute("SET LOCAL cchc.token_every_write = 'on'")
