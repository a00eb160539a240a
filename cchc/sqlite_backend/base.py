"""Django's SQLite backend, with writers waiting in line instead of SQLite's sleeps.

Every transaction begins with ``BEGIN IMMEDIATE`` (settings): it takes the database's one
write lock at once. When the lock is held, SQLite's busy handler sleeps and retries, 1, 2,
5 … then 100 ms at a time, so a waiting save sleeps on well after the lock is free, and
under a crowd of saves (the deadline week) the unlucky ones wait seconds while the lock sits
idle between sleeps.

Here each transaction first takes a lock of its own: a thread lock within the process,
then an advisory lock on a file beside the database (``fcntl.flock``) for the other
processes on the machine. Threads wait on the thread lock without polling, are woken as it
is released, and at most one thread per process asks for the file lock (every millisecond).
The transaction then begins with SQLite's lock free, or nearly so (a write outside any
transaction may still hold it for an instant; SQLite's own waiting covers that).

Correctness never rests on these locks: SQLite's lock still guards every write. They only
put the writers in a line. Waiting past the database's busy timeout raises the same
"database is locked" error SQLite would (the save is refused whole and the person told,
see ``cchc.conflicts``). Databases in memory (the tests') have no file and no line.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from typing import Any

from django.db import OperationalError
from django.db.backends.sqlite3 import base

_locks_guard = threading.Lock()
_thread_locks: dict[str, threading.Lock] = {}
_files: dict[str, tuple[int, int]] = {}  # lock file path: (process id, descriptor)
POLL_SECONDS = 0.001


def _thread_lock(path: str) -> threading.Lock:
    with _locks_guard:
        return _thread_locks.setdefault(path, threading.Lock())


def _descriptor(path: str) -> int:
    """This process's descriptor of the lock file (a forked process opens its own: locks of
    ``flock`` belong to the open file, which a fork would share)."""
    with _locks_guard:
        opened = _files.get(path)
        if opened is None or opened[0] != os.getpid():
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            _files[path] = (os.getpid(), descriptor)
            return descriptor
        return opened[1]


class WriterLine:
    """The line of writers to one database file."""

    def __init__(self, database: str) -> None:
        self.database = database
        self.path = f"{database}-writers.lock"
        self.thread_lock = _thread_lock(self.path)

    def enter(self, timeout: float) -> None:
        """Wait for this writer's turn; OperationalError after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        if not self.thread_lock.acquire(timeout=timeout):
            raise OperationalError("database is locked (waited for the other writers)")
        while True:
            try:
                fcntl.flock(_descriptor(self.path), fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    self.thread_lock.release()
                    raise OperationalError(
                        "database is locked (waited for the other writers)"
                    ) from None
                time.sleep(POLL_SECONDS)
            except OSError:
                # No lock file to be had (a folder that refuses it, a file system without
                # flock): the other processes are left to SQLite's own waiting, as before.
                return

    def leave(self) -> None:
        try:
            fcntl.flock(_descriptor(self.path), fcntl.LOCK_UN)
        except OSError:
            pass
        finally:
            self.thread_lock.release()


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._line: WriterLine | None = None
        self._entered: WriterLine | None = None  # the line this transaction holds

    def _writer_line(self) -> WriterLine | None:
        """The line of the database this connection names now (the test runner renames it
        to the test database after start-up)."""
        if self.is_in_memory_db():
            return None
        name = str(self.settings_dict["NAME"])
        if self._line is None or self._line.database != name:
            self._line = WriterLine(name)
        return self._line

    def _start_transaction_under_autocommit(self) -> None:
        line = self._writer_line()
        if line is not None and self._entered is None:
            line.enter(float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5)))
            self._entered = line
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._leave_line()
            raise

    def _leave_line(self) -> None:
        entered, self._entered = self._entered, None
        if entered is not None:
            entered.leave()

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]
        finally:
            self._leave_line()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]
        finally:
            self._leave_line()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]
        finally:
            self._leave_line()
