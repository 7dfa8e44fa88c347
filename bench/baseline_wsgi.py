"""The journey benchmark's server: the real application plus a minimal page, CPU counted per request.

    gunicorn -c gunicorn.conf.py --pythonpath bench baseline_wsgi:app     (bench/journey.py starts it)

``/_baseline`` is the yardstick of issue 19: a minimal Flask page that runs one indexed query through
SQLAlchemy Core and renders a 20-row Jinja template given as a string (Flask's ``render_template_string``:
compiled on every request; this is the page that costs the issue's 2.0 ms), served by the same processes,
threads and configuration as the real pages. ``/_baseline_kept`` is the same page with its template compiled
once and kept, as real templates are: about a third of the CPU, so ratios to it are the stricter yardstick. Every request's CPU time (the serving thread's, from the first byte in to
the last byte out) is appended to ``$BENCH_CPU_DIR/<pid>.tsv`` under the label the load generator sends in
``X-Bench-Label``, so the benchmark can put each page beside the minimal one. Never deployed.
"""
from __future__ import annotations

import gc
import os
import threading
import time

from flask import Flask, render_template, render_template_string, request
from jinja2 import DictLoader
from sqlalchemy import create_engine, text

from wsgi import app as real_app

PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>学校</title></head><body>
<h1>学校 {{ start }}–{{ start + 19 }}</h1><table>{% for row in rows %}
<tr><td>{{ row.code }}</td><td>{{ row.name }}</td><td>{{ row.province or "" }}</td><td>{{ row.level or "" }}</td>
</tr>{% endfor %}</table></body></html>"""

minimal = Flask("baseline")
minimal.jinja_loader = DictLoader({"page.html": PAGE})
engine = create_engine(os.environ["DATABASE_URL"], pool_size=4, max_overflow=2)
QUERY = text("SELECT code, name, province, level FROM schools WHERE id >= :start ORDER BY id LIMIT 20")


def _rows() -> tuple[list, int]:
    start = request.args.get("start", 1, type=int)
    with engine.connect() as conn:
        return conn.execute(QUERY, {"start": start}).all(), start


@minimal.get("/_baseline")
def baseline_page():
    """The issue's yardstick as measured there (2.0 ms): the template given as a string, compiled per request."""
    rows, start = _rows()
    return render_template_string(PAGE, rows=rows, start=start)


@minimal.get("/_baseline_kept")
def baseline_kept_page():
    """The stricter yardstick: the same page with its template compiled once and kept, as real templates are."""
    rows, start = _rows()
    return render_template("page.html", rows=rows, start=start)


_lock = threading.Lock()
_files: dict[int, object] = {}


def _record(label: str, cpu: float) -> None:
    pid = os.getpid()
    with _lock:
        if pid not in _files:
            _files[pid] = open(os.path.join(os.environ["BENCH_CPU_DIR"], f"{pid}.tsv"), "a", buffering=1)
        _files[pid].write(f"{label}\t{cpu * 1000:.3f}\n")


_gc_start: dict[int, float] = {}
_serving = False


def _count_gc(phase: str, info: dict) -> None:
    """The cyclic garbage collector's passes once the worker serves: each one's generation and CPU, as label
    ``gc:<generation>`` (not the worker's start, gunicorn.conf.py's collection before it serves included)."""
    if not _serving:
        return
    if phase == "start":
        _gc_start[threading.get_ident()] = time.thread_time()
    else:
        _record(f"gc:{info['generation']}", time.thread_time() - _gc_start.pop(threading.get_ident(), time.thread_time()))


gc.callbacks.append(_count_gc)


class _Counted:
    """The response body, whose close() (called by the server on the serving thread) ends the count."""

    def __init__(self, body, label: str, start: float):
        self.body, self.label, self.start = body, label, start

    def __iter__(self):
        return iter(self.body)

    def close(self):
        try:
            if hasattr(self.body, "close"):
                self.body.close()
        finally:
            _record(self.label, time.thread_time() - self.start)


def app(environ, start_response):
    global _serving
    start = time.thread_time()
    _serving = True
    target = minimal if environ.get("PATH_INFO", "").startswith("/_baseline") else real_app
    body = target(environ, start_response)
    return _Counted(body, environ.get("HTTP_X_BENCH_LABEL", "unlabelled"), start)
