"""A task backend for one machine: tasks run in a background thread of the app server
process, so that a large import never holds the request (and the worker serving it) while
it runs. Several app servers use ``TASKS_BACKEND=database`` and ``db_worker`` instead.

A task is handed to the thread once the transaction that enqueued it has committed (its job
row must be visible to the thread's own connection). A task still waiting when the process
stops is lost; its job shows as waiting, and the person starts it again.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import close_old_connections, connections, transaction
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks.base import TaskResult

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _forget_pool() -> None:
    """In a forked process (gunicorn forks its workers from the master that imported the
    app): the parent's threads are not there, so its pool would take tasks and never run
    them. The child starts a pool of its own on its first task."""
    global _pool, _pool_lock
    _pool = None
    _pool_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_pool)


def _executor(workers: int) -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="cchc-task")
        return _pool


class ThreadBackend(ImmediateBackend):
    def __init__(self, alias: str, params: dict[str, Any]) -> None:
        super().__init__(alias, params)
        self.workers = int(params.get("OPTIONS", {}).get("workers", 1))

    def _execute_task(self, task_result: TaskResult[Any]) -> None:
        """Called by ``enqueue``: hand the task to the thread once the transaction commits."""
        pool = _executor(self.workers)
        transaction.on_commit(lambda: pool.submit(self._run, task_result))

    def _run(self, task_result: TaskResult[Any]) -> None:
        close_old_connections()
        try:
            super()._execute_task(task_result)
        finally:
            connections.close_all()
