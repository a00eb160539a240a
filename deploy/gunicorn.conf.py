"""gunicorn for the CCHC app: the same on one machine (`make serve`) and on each app server
behind a load balancer. Settings come from the environment."""

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
max_requests = 2000  # recycle workers now and then
max_requests_jitter = 200
accesslog = os.environ.get("ACCESS_LOG", "-") or None  # empty: no access log
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
