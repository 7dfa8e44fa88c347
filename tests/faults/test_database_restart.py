"""The database server restarts while the app runs: clear answers while it is down, then recovery by itself.

The test starts its own throwaway PostgreSQL cluster (initdb in a temporary folder, a free port), migrates
it, runs a real app server against it, stops and starts the database, and watches the same app process.
"""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.conftest import IS_SQLITE, csrf_token_from
from tests.multiserver.servers import ROOT, Server, free_port, request

PG_BIN = next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)), None)

pytestmark = pytest.mark.skipif(IS_SQLITE or PG_BIN is None or shutil.which("runuser") is None,
                                reason="needs PostgreSQL's server programs (a PostgreSQL run of the suite)")


class Cluster:
    """A throwaway PostgreSQL cluster; run as the postgres user when the test runs as root."""

    def __init__(self, folder: Path):
        self.folder, self.port = folder, free_port()
        self.data = folder / "data"
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_owner:
            shutil.chown(folder, "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/medexam"

    def _run(self, program: str, *args: str) -> None:
        subprocess.run([*self.as_owner, f"{PG_BIN}/{program}", *args], check=True, capture_output=True,
                       cwd=self.folder)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"), "-w", "-o",
                  f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")


@pytest.fixture
def cluster():
    folder = Path(tempfile.mkdtemp(prefix="medexam-pg-"))
    os.chmod(folder, 0o755)
    db = Cluster(folder)
    db.start()
    try:
        db._run("createdb", "-h", "127.0.0.1", "-p", str(db.port), "-U", "postgres", "medexam")
        subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, check=True,
                       capture_output=True, env=dict(os.environ, APP_ENV="development", DATABASE_URL=db.url))
        yield db
    finally:
        try:
            db.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped
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
