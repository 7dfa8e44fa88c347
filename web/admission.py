"""Admission control for gunicorn: when a worker is saturated, new visitors get a quick 系统繁忙 page while
candidates already inside (a portal session cookie: in the wizard, paying) keep being served.

The gthread worker accepts connections in its main thread and hands each request to a pool of
``threads``; past that, requests wait in the pool's queue and every page gets slower for everyone. This
worker counts what it has handed over; once more than ``ADMISSION_QUEUE`` requests (default 8: two threads'
worth) are waiting, it looks at a new request's head without consuming it (``MSG_PEEK``) and, if the
request carries no portal session cookie and is not on the always-admitted paths (the bank's notification,
the health check, the back office, static files), answers it at once from the main thread: ``503`` with
``Retry-After`` and a small page that refreshes itself. No database, no template, no personal data.
That answer also sets a cookie with the time (``busy_since``); with ``ADMISSION_HOLD`` set (seconds), a visitor
sent away at least that long ago is admitted anyway, so nobody is sent away twice in a row. Off by default:
under sustained overload everyone sent away comes back admitted at the refresh, and the admitted users' p99
was 7.5 s with a 2 s hold against 2.6 s without (400 users, docs/BENCHMARKS.md). ``gunicorn.conf.py`` selects
it (``admission_worker``); ``ADMISSION_QUEUE=-1`` switches the shedding off.
"""
from __future__ import annotations

import re
import selectors
import socket
import sys
import time
from functools import partial

from gunicorn.workers.gthread import ThreadWorker

ALWAYS_ADMITTED = (b"/payment/notify/", b"/healthz", b"/admin", b"/assets/")
RETRY_AFTER = 15
_PAGE = f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="{RETRY_AFTER}"><title>系统繁忙 · Busy</title>
<style>body{{font:16px/1.6 system-ui,sans-serif;margin:0;padding:2rem 1rem;background:#f4f6f9;color:#1f2937}}
main{{max-width:32rem;margin:0 auto;background:#fff;padding:1.5rem;border-radius:8px}}h1{{font-size:1.3rem}}</style>
</head><body><main><h1>系统繁忙，请稍候</h1>
<p>当前访问人数较多。本页将在 {RETRY_AFTER} 秒后自动刷新，您无需重复点击。已登录并正在报名或缴费的考生不受影响。</p>
<p lang="en">The system is busy. This page refreshes itself in {RETRY_AFTER} seconds.</p></main></body></html>
""".encode()
WAITED_RE = re.compile(rb"(?:^|[;\s])busy_since=(\d{1,12})")


def busy_response(now: float) -> bytes:
    """The 503 page, with the time this visitor was sent away (the hold counts from it)."""
    return (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/html; charset=utf-8\r\n"
            b"Retry-After: %d\r\nCache-Control: no-store\r\n"
            b"Set-Cookie: busy_since=%d; Max-Age=600; Path=/; HttpOnly; SameSite=Lax\r\n"
            b"Connection: close\r\nContent-Length: %d\r\n\r\n" % (RETRY_AFTER, now, len(_PAGE))) + _PAGE


def should_turn_away(head: bytes, session_cookie: bytes = b"portal_session=", hold: float = 0,
                     now: float | None = None) -> bool:
    """Whether a request head (as peeked) is a new visitor's request that may wait outside: not a session
    holder, not an always-admitted path, and (``hold`` > 0) not someone sent away at least ``hold`` s ago."""
    if b"\r\n\r\n" not in head:
        return False  # not all there yet: let the worker read it
    request_line, _, headers = head.partition(b"\r\n")
    parts = request_line.split(b" ")
    if len(parts) < 2 or parts[1].startswith(ALWAYS_ADMITTED):
        return False
    for line in headers.split(b"\r\n"):
        if line[:7].lower() != b"cookie:":
            continue
        if session_cookie in line:
            return False
        waited = hold > 0 and WAITED_RE.search(line)
        if waited and (time.time() if now is None else now) - int(waited.group(1)) >= hold:
            return False
    return True


def admission_worker(queue_limit: int, session_cookie: str, hold: float = 0,
                     switch_interval: float | None = None) -> type:
    """The worker class for gunicorn.conf.py's ``worker_class``, with its limit, the portal's cookie name, the
    hold (seconds after which a visitor sent away is admitted anyway; 0: never) and the interpreter's thread
    switch interval in the worker (seconds; None: Python's 5 ms)."""
    return type("AdmissionWorker", (AdmissionWorker,),
                {"queue_limit": queue_limit, "session_cookie": session_cookie.encode() + b"=", "hold": hold,
                 "switch_interval": switch_interval})


class AdmissionWorker(ThreadWorker):
    queue_limit = -1
    session_cookie = b"portal_session="
    hold = 0.0
    switch_interval = None

    def init_process(self):
        self.in_pool = 0
        if self.switch_interval:
            # The main thread accepts and answers the waiting page; every socket call it makes gives up the GIL
            # and waits up to one interval to get it back from a busy request thread.
            sys.setswitchinterval(self.switch_interval)
        super().init_process()

    def enqueue_req(self, conn):
        waiting = self.in_pool - self.cfg.threads
        if self.queue_limit >= 0 and waiting >= self.queue_limit and self._turn_away(conn):
            return
        self.in_pool += 1
        super().enqueue_req(conn)

    def finish_request(self, conn, fs):
        self.in_pool -= 1
        super().finish_request(conn, fs)

    def _turn_away(self, conn) -> bool:
        """Answer a new visitor's request with the busy page (or park a silent new connection): True if done."""
        if self.cfg.is_ssl or (conn.initialized and conn.parser.unreader.buf.getvalue()):
            return False  # TLS ends at the load balancer; bytes already read belong to the worker
        sock = conn.sock
        try:
            head = sock.recv(16384, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except (BlockingIOError, InterruptedError):
            if conn.initialized:
                return False
            self._park(conn)  # connected, nothing sent yet: wait on the poller, not in the queue
            return True
        except OSError:
            return False
        if not should_turn_away(head, self.session_cookie, self.hold):
            return False
        try:
            while sock.recv(65536, socket.MSG_DONTWAIT):  # read what came, so closing sends no reset
                pass
        except OSError:
            pass
        try:
            sock.setblocking(False)
            sock.send(busy_response(time.time()))  # a few kB: fits the socket buffer, never blocks the main thread
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        sock.close()
        self.nr_conns -= 1
        return True

    def _park(self, conn) -> None:
        """What gthread itself does with a connection that sent nothing yet (its ``_DEFER``)."""
        conn.sock.setblocking(False)
        conn.timeout = time.monotonic() + self.cfg.keepalive
        self.pending_conns.append(conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self.on_pending_socket_readable, conn))
