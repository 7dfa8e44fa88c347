"""Admission control (web/admission.py) in a real gunicorn: when its threads are taken, a new visitor gets the
quick 系统繁忙 page, while a candidate with a session, the bank's notification and the health check wait
their turn and are served."""
from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from web.admission import should_turn_away

ROOT = Path(__file__).resolve().parents[2]


def test_who_may_be_turned_away():
    assert should_turn_away(b"GET /login HTTP/1.1\r\nHost: x\r\n\r\n")
    assert should_turn_away(b"GET / HTTP/1.1\r\nCookie: lang=en\r\n\r\n")
    assert not should_turn_away(b"GET / HTTP/1.1\r\nCookie: lang=en; portal_session=abc\r\n\r\n")
    assert not should_turn_away(b"POST /payment/notify/alipay HTTP/1.1\r\nHost: x\r\n\r\n")
    assert not should_turn_away(b"GET /healthz HTTP/1.1\r\n\r\n")
    assert not should_turn_away(b"GET /admin/login/ HTTP/1.1\r\n\r\n")
    assert not should_turn_away(b"GET /assets/portal.css HTTP/1.1\r\n\r\n")
    assert not should_turn_away(b"GET /login HTTP/1.1\r\nHost: x\r\n")  # head not complete yet


def test_a_visitor_sent_away_is_admitted_once_the_hold_has_passed():
    head = b"GET /login HTTP/1.1\r\nCookie: lang=en; busy_since=1000\r\n\r\n"
    assert should_turn_away(head, hold=2, now=1001.5)  # sent away 1.5 s ago: still waits
    assert not should_turn_away(head, hold=2, now=1002)  # waited the hold: comes in
    assert should_turn_away(b"GET /login HTTP/1.1\r\nCookie: xbusy_since=1\r\n\r\n", hold=2, now=1002)
    assert should_turn_away(b"GET /login HTTP/1.1\r\nCookie: busy_since=soon\r\n\r\n", hold=2, now=1002)
    assert should_turn_away(head, now=5000)  # no hold (the default): the cookie counts for nothing


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def one_thread_server(tmp_path):
    port = _free_port()
    env = dict(os.environ, ADMISSION_QUEUE="0", ADMISSION_HOLD="1", GUNICORN_THREADS="1", GUNICORN_WORKERS="1",
               GUNICORN_BIND=f"127.0.0.1:{port}", SLOW_STARTED=str(tmp_path / "slow-started"))
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--access-logfile",
                               "/dev/null", "tests.support.slow_wsgi:app"], cwd=ROOT, env=env,
                              stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            if _get(port, "/healthz")[0] == 200:
                break
        except OSError:
            time.sleep(0.1)
    time.sleep(0.5)  # the worker's main thread has counted that request as finished
    yield port, tmp_path / "slow-started"
    server.terminate()
    server.wait(timeout=30)


def _get(port: int, path: str, method: str = "GET", headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, path, headers=headers or {})
    response = conn.getresponse()
    try:
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        conn.close()


def test_a_saturated_worker_turns_new_visitors_away_and_serves_those_inside(one_thread_server):
    port, slow_started = one_thread_server
    assert _get(port, "/login")[0] == 200  # idle: everyone is served
    results = {}
    # with a session: the worker may not have counted /login out yet, and a new visitor's request would be sent away
    slow = threading.Thread(target=lambda: results.setdefault(
        "slow", _get(port, "/slow?s=5", headers={"Cookie": "portal_session=abc"})))
    slow.start()
    deadline = time.monotonic() + 30
    while not slow_started.exists():  # the only thread is now busy
        assert time.monotonic() < deadline and slow.is_alive() or slow_started.exists(), "the slow request never started"
        time.sleep(0.05)
    started = time.perf_counter()
    status, headers, body = _get(port, "/login")
    assert status == 503 and headers["Retry-After"] == "15" and "系统繁忙" in body
    assert time.perf_counter() - started < 0.5  # answered at once, beside the busy thread
    assert headers["Cache-Control"] == "no-store" and 'http-equiv="refresh"' in body
    waited = headers["Set-Cookie"].split(";")[0]
    assert waited.startswith("busy_since=") and "HttpOnly" in headers["Set-Cookie"]
    assert _get(port, "/login", headers={"Cookie": waited})[0] == 503  # back too soon: still waits

    inside = [threading.Thread(target=lambda k=k, h=h, p=p, m=m: results.setdefault(k, _get(port, p, m, h)))
              for k, p, m, h in (("candidate", "/registration", "GET", {"Cookie": "portal_session=abc"}),
                                 ("waited", "/login", "GET", {"Cookie": waited}),
                                 ("bank", "/payment/notify/alipay", "POST", {"Content-Length": "0"}),
                                 ("health", "/healthz", "GET", {}))]
    time.sleep(1.1)  # the hold (ADMISSION_HOLD=1) passes: the one sent away comes in on its next try
    for t in inside:
        t.start()
    slow.join()
    for t in inside:
        t.join()
    assert results["slow"][0] == 200
    assert results["candidate"][:1] == (200,) and results["candidate"][2] == "served /registration"
    assert results["bank"][0] == 200 and results["health"][0] == 200 and results["waited"][0] == 200
    time.sleep(0.5)  # the closed connections are counted out
    assert _get(port, "/login")[0] == 200  # idle again: new visitors come in
