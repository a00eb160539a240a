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
writers can never deadlock over it. Until then the writing transaction would read the old
token beside its own new data, so a statement trigger marks the transaction at once, and
``read_token`` answers None there: nothing is kept or tagged. SQLite has one writer at a time,
so its triggers run at once.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

PG_FUNCTION = "cchc_bump_change_token"
PG_WRITTEN_FUNCTION = "cchc_mark_change_written"


@dataclass(frozen=True)
class Watch:
    """A table a topic covers: every change to it, or (``columns``) inserts, deletes and the
    updates that change one of these columns; ``rows`` narrows inserts and deletes to the rows
    for which this SQL condition on ``ROW.`` holds (e.g. ``ROW.source_warning <> ''``)."""

    table: str
    columns: tuple[str, ...] = ()
    rows: str = ""


def read_token(topic: str) -> str | None:
    """The topic's token now; None inside a transaction that has itself written what the
    topic covers (on PostgreSQL its token is renewed only at the commit, so nothing may be
    kept or tagged under the old one). Without a row yet (a database just flushed) every read
    gets a token of its own, so nothing is ever taken for unchanged."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT token, current_setting(%s, true) = 'yes' "
                "AND current_setting('cchc.token_every_write', true) IS DISTINCT FROM 'on' "
                "FROM cchc_changetoken WHERE topic = %s",
                [f"cchc.token_written_{topic}", topic],
            )
        else:
            cursor.execute("SELECT token, false FROM cchc_changetoken WHERE topic = %s", [topic])
        found = cursor.fetchone()
    if found is None:
        return "none-" + secrets.token_hex(16)
    token, written_here = found
    return None if written_here else str(token)


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
    renew = [
        f'CREATE CONSTRAINT TRIGGER "{_trigger_name(topic, watch.table, key)}" AFTER {event} '
        f'ON "{watch.table}" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW'
        f"{f' WHEN ({when})' if when else ''} EXECUTE FUNCTION {PG_FUNCTION}('{topic}');"
        for key, event, when in _events(watch, "IS DISTINCT FROM")
    ]
    # At once, per statement and without a lock: the transaction knows it wrote the topic.
    written = (
        f'CREATE TRIGGER "{_trigger_name(topic, watch.table, "w")}" AFTER INSERT OR UPDATE '
        f'OR DELETE ON "{watch.table}" FOR EACH STATEMENT '
        f"EXECUTE FUNCTION {PG_WRITTEN_FUNCTION}('{topic}');"
    )
    return [*renew, written]


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
CREATE OR REPLACE FUNCTION {PG_WRITTEN_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('cchc.token_written_' || TG_ARGV[0], 'yes', true);
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


def _keys(vendor: str) -> tuple[str, ...]:
    return ("i", "d", "u", "w") if vendor == "postgresql" else ("i", "d", "u")


def drop_triggers_sql(vendor: str, topic: str, watches: Iterable[Watch]) -> list[str]:
    on = (lambda table: f' ON "{table}"') if vendor == "postgresql" else (lambda table: "")
    return [
        f'DROP TRIGGER IF EXISTS "{_trigger_name(topic, w.table, key)}"{on(w.table)};'
        for w in watches
        for key in _keys(vendor)
    ]


def token_triggers(topic: str, watches: tuple[Watch, ...]) -> migrations.RunPython:
    """The migration operation that gives ``topic`` its token row and its triggers on the
    ``watches`` (frozen in the migration), and takes both away when reversed."""

    def create(_apps: object, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for statement in create_triggers_sql(schema_editor.connection.vendor, topic, watches):
            schema_editor.execute(statement, params=None)
        schema_editor.execute(
            "INSERT INTO cchc_changetoken (topic, token) VALUES (%s, %s)",
            [topic, secrets.token_hex(16)],
        )

    def drop(_apps: object, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for statement in drop_triggers_sql(schema_editor.connection.vendor, topic, watches):
            schema_editor.execute(statement, params=None)
        schema_editor.execute("DELETE FROM cchc_changetoken WHERE topic = %s", [topic])

    return migrations.RunPython(create, drop)


def trigger_names(topic: str, watches: Iterable[Watch]) -> list[str]:
    """The names of the topic's triggers on this database."""
    keys = _keys(connection.vendor)
    return [_trigger_name(topic, w.table, key) for w in watches for key in keys]


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
        names = ", ".join(f'"{name}"' for name in existing_triggers() if name[-2:] != "_w")
        if names:
            with connection.cursor() as cursor:
                cursor.execute(f"SET CONSTRAINTS {names} IMMEDIATE")
                cursor.execute("SET LOCAL cchc.token_every_write = 'on'")
