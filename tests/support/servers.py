"""Real app servers for the multi-server and fault tests: gunicorn subprocesses of ``wsgi:app``, plain HTTP.

Each server runs the project's ``gunicorn.conf.py`` (one worker, a few threads: the machine has 2 cores) in
its own process group, so a test can SIGKILL the whole server at once. Clients use only the standard library.
"""
from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/13"  # this suite's own Redis database


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_available() -> bool:
    try:
        import redis
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except Exception:  # noqa: BLE001 (no server, no module: the test is skipped)
        return False


class Server:
    """One gunicorn app server on a free port; ``stop()`` ends it politely, ``kill()`` with SIGKILL."""

    def __init__(self, database_url: str, log_path: Path, wait: bool = True, **env):
        self.port = free_port()
        environment = dict(os.environ, APP_ENV="development", DATABASE_URL=database_url,
                           GUNICORN_BIND=f"127.0.0.1:{self.port}", GUNICORN_WORKERS="1", GUNICORN_THREADS="4",
                           **env)
        self._log = open(log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null",
             "wsgi:app"], cwd=ROOT, env=environment, stdout=self._log, stderr=self._log,
            start_new_session=True)
        if wait:
            self.wait_ready()

    def wait_ready(self, seconds: float = 40) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"app server exited with {self.process.returncode}; see {self._log.name}")
            try:
                if request(self.port, "GET", "/healthz", timeout=2).status in (200, 503):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"app server on port {self.port} did not answer; see {self._log.name}")

    def worker_pids(self) -> set[int]:
        out = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout
        return {int(x) for x in out.split()}

    def kill(self) -> None:
        """SIGKILL to the master and its workers at once: no cleanup, no graceful shutdown."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self._log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._log.close()


class Response:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes):
        self.status, self.headers, self.body = status, headers, body
        self.text = body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


def request(port: int, method: str, path: str, form: dict | None = None, cookies: dict | None = None,
            timeout: float = 30) -> Response:
    """One HTTP request on a fresh connection; cookies given are sent, Set-Cookie answers update them."""
    headers = {}
    body = None
    if form is not None:
        body = urlencode(form, doseq=True)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers)
        raw = conn.getresponse()
        response = Response(raw.status, raw.headers, raw.read())
    finally:
        conn.close()
    if cookies is not None:
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                cookies[name] = morsel.value
    return response


def portal_cookie(app, token: str) -> tuple[dict, str]:
    """A portal cookie for a session token, and a CSRF token valid with it (signed with the app's secret)."""
    from flask import g, session
    from flask_wtf.csrf import generate_csrf

    signer = app.session_interface.get_signing_serializer(app)
    with app.test_request_context():
        g.pop("csrf_token", None)  # Flask-WTF caches the token per app context
        session["sid"] = token
        csrf = generate_csrf()
        value = signer.dumps(dict(session))
    return {app.config["SESSION_COOKIE_NAME"]: value}, csrf
