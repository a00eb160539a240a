"""SQLite's writers wait in line (cchc/sqlite_backend): a transaction first takes a thread
lock and a lock on a file beside the database, held until it commits, rolls back or its
connection closes; waiting past the busy timeout is SQLite's own "database is locked",
which a save turns into "someone else was saving"."""

from __future__ import annotations

import datetime
import subprocess
import sys
import textwrap
import threading

import pytest
from django.db import OperationalError, connection, connections, transaction

from cchc.conflicts import is_simultaneous_save
from cchc.models import Unit, UnitKind
from cchc.sqlite_backend.base import WriterLine

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own line"),
]


def unit(code: str) -> Unit:
    return Unit.objects.create(
        code=code, name=f"Xã {code}", kind=UnitKind.COMMUNE, valid_from=datetime.date(2025, 7, 1)
    )


def line() -> WriterLine:
    return WriterLine(str(connection.settings_dict["NAME"]))


def in_other_thread(work) -> threading.Thread:  # type: ignore[no-untyped-def]
    def run() -> None:
        try:
            work()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def held_transaction(entered: threading.Event, leave: threading.Event, end: str = "commit"):  # type: ignore[no-untyped-def]
    def work() -> None:
        try:
            with transaction.atomic():
                unit("T1")
                entered.set()
                leave.wait(10)
                if end == "rollback":
                    raise RuntimeError("rolled back")
                if end == "close":
                    connection.close()
        except RuntimeError:
            pass

    return work


def test_the_database_file_has_its_line_and_a_memory_database_none():
    assert connection.settings_dict["ENGINE"] == "cchc.sqlite_backend"
    assert not connection.is_in_memory_db()  # type: ignore[attr-defined]
    assert connection._writer_line() is not None  # type: ignore[attr-defined]


@pytest.mark.parametrize("end", ["commit", "rollback", "close"])
def test_a_transaction_holds_the_line_until_it_ends(end):
    entered, leave = threading.Event(), threading.Event()
    thread = in_other_thread(held_transaction(entered, leave, end))
    assert entered.wait(10)
    with pytest.raises(OperationalError) as waited:
        line().enter(timeout=0.2)
    assert is_simultaneous_save(waited.value)  # told as a save that met another
    leave.set()
    thread.join(10)
    writer = line()
    writer.enter(timeout=1)  # free again
    writer.leave()
    assert Unit.objects.filter(code="T1").exists() is (end == "commit")


def test_a_second_writer_waits_its_turn_and_then_saves():
    entered, leave = threading.Event(), threading.Event()
    thread = in_other_thread(held_transaction(entered, leave))
    assert entered.wait(10)
    saved = threading.Event()

    def second() -> None:
        with transaction.atomic():
            unit("T2")
        saved.set()

    waiting = in_other_thread(second)
    assert not saved.wait(0.3)  # in line behind the first
    leave.set()
    thread.join(10)
    waiting.join(10)
    assert saved.is_set()
    assert set(Unit.objects.filter(code__in=["T1", "T2"]).values_list("code", flat=True)) == {
        "T1",
        "T2",
    }


def test_another_process_in_line_keeps_this_one_waiting(monkeypatch):
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "timeout", 0.3)
    path = line().path
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import fcntl, os, sys, time
                descriptor = os.open({path!r}, os.O_RDWR | os.O_CREAT)
                fcntl.flock(descriptor, fcntl.LOCK_EX)
                print("held", flush=True)
                sys.stdin.readline()
                """
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(OperationalError, match="database is locked"), transaction.atomic():
            unit("T3")
        assert not Unit.objects.filter(code="T3").exists()
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(10)
    with transaction.atomic():  # the other process is gone: this one's turn
        unit("T3")
    assert Unit.objects.filter(code="T3").exists()


def test_without_a_lock_file_the_threads_still_wait_in_line_and_saves_go_through(monkeypatch):
    from cchc.sqlite_backend import base

    def refused(path: str) -> int:
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(base, "_descriptor", refused)
    entered, leave = threading.Event(), threading.Event()
    thread = in_other_thread(held_transaction(entered, leave))
    assert entered.wait(10)
    with pytest.raises(OperationalError):
        line().enter(timeout=0.2)  # the thread lock still holds the line
    leave.set()
    thread.join(10)
    with transaction.atomic():
        unit("T4")
    assert Unit.objects.filter(code__in=["T1", "T4"]).count() == 2


def test_the_line_follows_the_database_the_connection_names_now(monkeypatch, tmp_path):
    first = connection._writer_line()  # type: ignore[attr-defined]
    monkeypatch.setitem(connection.settings_dict, "NAME", str(tmp_path / "other.sqlite3"))
    other = connection._writer_line()  # type: ignore[attr-defined]
    assert other is not None and first is not None
    assert other.path == f"{tmp_path / 'other.sqlite3'}-writers.lock" != first.path
