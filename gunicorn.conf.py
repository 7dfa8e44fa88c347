"""gunicorn settings for production (`gunicorn -c gunicorn.conf.py wsgi:app`). See docs/deployment.md.

Requests are short and mostly wait on PostgreSQL, so each worker process runs a few threads:
2 x cores + 1 processes x 4 threads keeps both cores busy while some threads wait on the database.
Large exports and batch printing never run in a request (background jobs); the longest requests are one
candidate's application form (about 0.2-0.3 s of CPU) and a payment-gateway call (PAYMENT_GATEWAY_TIMEOUT,
10 s), so a 30 s timeout is ample and still ends a stuck worker. Each process holds a database pool of
DB_POOL_SIZE=4 (one per thread) + 2 overflow connections (config.ProductionConfig).
"""
import gc
import multiprocessing
import os
import sys

from config import Config
from web.admission import admission_worker

# Loopback by default: the load balancer or nginx on the same host is the only client (GUNICORN_BIND to change).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
# gthread with admission control (web/admission.py): once more than ADMISSION_QUEUE requests (default 8: two
# threads' worth; 4 sent 40 % more visitors away at 200 users for the same p99 at 400) wait in a process, new visitors get a quick 503 系统繁忙 page; candidates with a session are still
# served. ADMISSION_HOLD (seconds, default 0: off): a visitor sent away that long ago is admitted anyway.
# GIL_SWITCH_INTERVAL_MS: how long a thread may hold the interpreter while another waits (Python's default 5 ms).
worker_class = admission_worker(int(os.environ.get("ADMISSION_QUEUE", 8)), Config.SESSION_COOKIE_NAME,
                                float(os.environ.get("ADMISSION_HOLD", 0)),
                                float(os.environ.get("GIL_SWITCH_INTERVAL_MS", 5)) / 1000)
timeout = 30
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (bounded memory over a two-week window), rarely: a worker's start costs ~2.7 s of
# CPU (importing the app), 0.5 ms per request at 5,000, and the memory was flat over 5,700 journey requests and
# 600 printed forms (docs/BENCHMARKS.md, issue 19 fourth round).
max_requests = 20000
max_requests_jitter = 2000
accesslog = "-"
# The access log has method, path and status, never query strings with personal data: our URLs carry none.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker):
    """The portal's templates compiled before the first request (web/warm.py). Then everything the worker has
    built (modules, the app, SQLAlchemy's mappers, the templates: ~470,000 objects) lives as long as the worker:
    moved out of the garbage collector's reach, a full collection no longer walks it — one took up to 200 ms of
    a worker's GIL under load before (docs/BENCHMARKS.md)."""
    portal = sys.modules.get("wsgi")  # gunicorn has loaded the app (wsgi:app, or the benchmark's wrapper of it)
    if portal is not None:
        from web.warm import compile_templates
        compile_templates(portal.app)
    gc.collect()
    gc.freeze()
