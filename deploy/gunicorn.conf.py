"""gunicorn for the CCHC app: the same on one machine (`make serve`) and on each app server
behind a load balancer. Settings come from the environment."""

import gc
import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
# One process per core, four threads each: measured on 2 cores (README, performance on
# 6 December), 2 × 4 served the deadline-week load 20–60% faster than 4 × 2 (the processes'
# kept trees and figures warm in fewer copies, the writers' line handed over within a
# process instead of across processes).
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
graceful_timeout = 30
# Each request on a connection of its own (no keep-alive): a kept connection stays with the
# process that accepted it, so under a crowd one process would queue most of the browsers
# while the other idled (worse after each recycling below, which moves a process's browsers
# to the other one). Closed after each answer, each request goes to the process that accepts
# it first, the freer one (README, performance on 7 December). A load balancer in front
# keeps the browsers' own connections alive; WEB_KEEPALIVE (seconds) turns it back on.
keepalive = int(os.environ.get("WEB_KEEPALIVE", "0"))
max_requests = 2000  # recycle workers now and then
max_requests_jitter = 200
# The app is imported once, in the master, and each worker is a fork of it: a recycled
# worker starts at once instead of importing Django and the app again (about 0,8 s of CPU
# each time, under the deadline crowd every 10–20 s, on the cores serving the pages). Code is
# then reloaded by restarting the service, not by HUP.
preload_app = True
accesslog = os.environ.get("ACCESS_LOG", "-") or None  # empty: no access log
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def when_ready(server: object) -> None:
    """Before the first fork, the master builds what each worker would otherwise build on its
    first requests (``cchc/serving.py``): the URLs and views, the translations, the compiled
    templates. Each worker then starts with them, after every recycling too."""
    from django.conf import settings

    if settings.configured:  # the app was imported (preloaded)
        from cchc.serving import warm_up

        warm_up()


def pre_fork(server: object, worker: object) -> None:
    """No database connection crosses a fork: each worker opens its own (a SQLite or
    PostgreSQL connection shared by two processes corrupts both). The master's objects are
    frozen out of the collector's reach: a worker's full collections no longer walk the
    whole app (and so do not copy the pages it shares with the master)."""
    from django.conf import settings
    from django.db import connections

    if settings.configured:  # the app was imported (preloaded): it may have connected
        connections.close_all()
    gc.freeze()
