"""The app server's configuration (deploy/gunicorn.conf.py), run as production runs it."""

from __future__ import annotations

import http.client
import os
import runpy
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from cchc import task_backends

ROOT = Path(__file__).resolve().parent.parent
CONF = ROOT / "deploy" / "gunicorn.conf.py"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _gunicorn(tmp_path: Path, **env: str) -> Iterator[int]:
    """gunicorn with the production configuration on a free port (the health check needs a
    database answering, not a migrated one)."""
    port = _free_port()
    log = (tmp_path / "gunicorn.log").open("wb")  # read on failure; a pipe could fill up
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "cchc.wsgi", "-c", str(CONF)],
        cwd=ROOT,
        env={
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": "test-only-secret-key-for-the-serving-test-0123456789abcdef",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": f"sqlite:///{tmp_path}/serving.sqlite3",
            "CCHC_VAR_DIR": str(tmp_path),
            "STATIC_ROOT": str(tmp_path / "static"),
            "SECURE_SSL_REDIRECT": "0",
            "BIND": f"127.0.0.1:{port}",
            "ACCESS_LOG": "",
            "WEB_CONCURRENCY": "2",
            **env,
        },
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        for _attempt in range(150):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if server.poll() is not None:
                    raise AssertionError((tmp_path / "gunicorn.log").read_text()) from None
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _two_requests(port: int) -> list[tuple[int, str | None]]:
    """Two health checks sent as a browser sends them: on one kept connection if the server
    keeps it. Each answer's status and Connection header."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    answers = []
    for _ in range(2):
        connection.request("GET", "/healthz/")
        response = connection.getresponse()
        response.read()
        answers.append((response.status, response.getheader("Connection")))
    connection.close()
    return answers


def test_each_request_gets_a_connection_of_its_own(tmp_path):
    """No keep-alive by default: a kept connection would stay with the process that accepted
    it, whatever its load; a browser opens a new connection for its next request."""
    with _gunicorn(tmp_path) as port:
        assert _two_requests(port) == [(200, "close"), (200, "close")]


def test_keep_alive_can_be_turned_back_on(tmp_path):
    with _gunicorn(tmp_path, WEB_KEEPALIVE="5") as port:
        assert [status for status, _ in _two_requests(port)] == [200, 200]
        assert [header for _, header in _two_requests(port)] != ["close", "close"]


def test_the_app_is_imported_once_and_no_connection_crosses_a_fork(monkeypatch):
    settings = runpy.run_path(str(CONF))
    assert settings["preload_app"] is True
    assert settings["keepalive"] == 0
    monkeypatch.setenv("WEB_KEEPALIVE", "3")
    assert runpy.run_path(str(CONF))["keepalive"] == 3
    closed = []
    monkeypatch.setattr("django.db.connections.close_all", lambda: closed.append(True))
    import gc

    try:
        settings["pre_fork"](None, None)
        assert closed == [True]
        assert gc.get_freeze_count() > 0  # the master's objects, out of the workers' collections
    finally:
        gc.unfreeze()
    warmed = []
    monkeypatch.setattr("cchc.serving.warm_up", lambda: warmed.append(True))
    settings["when_ready"](None)
    assert warmed == [True]


@pytest.mark.django_db
def test_the_master_builds_urls_translations_and_templates_without_a_query(
    django_assert_num_queries,
):
    """What ``when_ready`` builds before the first fork, from nothing built: the URLs in each
    language, every template of the project; no database connection is opened for it."""
    from django.template import engines
    from django.urls import clear_url_caches, get_resolver

    from cchc.serving import template_names, warm_up

    django_engine = engines["django"].engine  # type: ignore[attr-defined]
    cached = django_engine.template_loaders[0]
    cached.reset()
    engines["jinja2"].env.cache.clear()  # type: ignore[attr-defined]
    clear_url_caches()
    with django_assert_num_queries(0):
        warm_up()
    root = ROOT / "templates"
    names = template_names(root, skip=("jinja2",))
    assert "scoring/assessment_page.html" in names and "base.html" in names
    assert not any(name.startswith("jinja2/") for name in names)
    assert set(names) <= set(cached.get_template_cache)
    jinja_names = template_names(root / "jinja2")
    assert "scoring/partials/item.html" in jinja_names
    assert len(engines["jinja2"].env.cache) == len(jinja_names)  # type: ignore[attr-defined]
    assert set(get_resolver()._reverse_dict) == {"vi", "en"}


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_worker_starts_a_task_pool_of_its_own():
    """The master's pool (had it one) has no threads in a forked worker: a task handed to it
    would never run. The worker's first task starts a new pool, which runs it."""
    parent_pool = task_backends._executor(1)
    assert parent_pool.submit(lambda: 1).result(timeout=10) == 1
    child = os.fork()
    if child == 0:  # the worker
        try:
            fresh = task_backends._pool is None
            pool = task_backends._executor(1)
            ran = pool.submit(lambda: 42).result(timeout=10) == 42
            os._exit(0 if fresh and ran and pool is not parent_pool else 1)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert task_backends._executor(1) is parent_pool  # the master keeps its own
