"""The database server restarts while the app runs: clear answers while it is down, then recovery by itself.

The test starts its own throwaway PostgreSQL cluster (initdb in a temporary folder, a free port), migrates
it, runs a real app server against it, stops and starts the database, and watches the same app process.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.support.pgserver import Cluster, needs_pg_programs
from tests.support.servers import ROOT, Server, request
from tests.support.web import csrf_token_from

pytestmark = needs_pg_programs("initdb", "pg_ctl")


@pytest.fixture
def cluster():
    folder = Path(tempfile.mkdtemp(prefix="medexam-pg-"))
    os.chmod(folder, 0o755)
    db = Cluster(folder)
    db.start()
    try:
        db.createdb()
        subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, check=True,
                       capture_output=True, env=dict(os.environ, APP_ENV="development", DATABASE_URL=db.url))
        yield db
    finally:
        db.stop_quietly()
        shutil.rmtree(folder, ignore_errors=True)


def _healthz(port: int) -> int:
    return request(port, "GET", "/healthz", timeout=10).status


def test_database_restart_gives_clear_errors_then_recovers_in_the_same_process(cluster, tmp_path):
    server = Server(cluster.url, tmp_path / "gunicorn.log")
    try:
        workers = server.worker_pids()
        assert _healthz(server.port) == 200
        cookies: dict = {}
        csrf = csrf_token_from(request(server.port, "GET", "/login", cookies=cookies).text)
        login = {"username": "kaosheng", "password": "wrong-Password1", "csrf_token": csrf}
        assert request(server.port, "POST", "/login", login, dict(cookies)).status == 401

        cluster.stop()
        health = request(server.port, "GET", "/healthz")
        assert health.status == 503 and '"unreachable"' in health.text
        down = request(server.port, "POST", "/login", login, dict(cookies))
        assert down.status == 503
        assert "系统繁忙" in down.text and "请稍后" in down.text
        assert "Traceback" not in down.text and "OperationalError" not in down.text and "psycopg" not in down.text

        cluster.start()
        deadline = time.monotonic() + 15
        while _healthz(server.port) != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _healthz(server.port) == 200
        again = request(server.port, "POST", "/login", login, dict(cookies))
        assert again.status == 401 and "用户名或密码" in again.text  # a normal answer from the database
        assert server.process.poll() is None and server.worker_pids() == workers  # not restarted
    finally:
        server.stop()
