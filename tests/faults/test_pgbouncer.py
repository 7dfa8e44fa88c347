"""The production database path: the app through PgBouncer in transaction pooling mode (docs/deployment.md).

A PgBouncer of Debian's (started here, as the postgres user) stands in front of this run's PostgreSQL server,
and the concurrency tests and the two-server test run again, in a pytest of their own, through it: the seat
race, the racing transitions of the life cycle, the payment notifications raced fifty at once, entries
unlocked by racing ends, and two gunicorn servers sharing logins, rate limits and the last seats. With
prepared statements off (``DB_PREPARE_THRESHOLD`` empty: PgBouncer 1.18 cannot track them), they must all pass.
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
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from tests.support.environment import DB_URL, IS_SQLITE
from tests.support.servers import ROOT, free_port

PGBOUNCER = shutil.which("pgbouncer") or ("/usr/sbin/pgbouncer" if os.path.exists("/usr/sbin/pgbouncer") else None)
THROUGH_IT = ["tests/core/test_seats.py", "tests/core/test_lifecycle.py", "tests/core/test_entries_unlock.py",
              "tests/core/test_payments_notifications.py", "tests/multiserver/test_two_servers.py"]

pytestmark = pytest.mark.skipif(IS_SQLITE or PGBOUNCER is None,
                                reason="needs a PostgreSQL run of the suite and Debian's pgbouncer")


def _database(url) -> str:
    """A database of its own on the suite's server (the inner run empties the one it is given)."""
    name = f"{url.database}_pgbouncer"
    engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return name


@pytest.fixture
def pgbouncer():
    tmp_path = Path(tempfile.mkdtemp(prefix="pgbouncer-"))  # pytest's own tmp is closed to other users
    url = make_url(DB_URL)
    database, port = _database(url), free_port()
    password = f" password={url.password}" if url.password else ""
    (tmp_path / "userlist.txt").write_text(f'"{url.username}" "{url.password or ""}"\n')
    (tmp_path / "pgbouncer.ini").write_text(f"""[databases]
medexam = host={url.host or '127.0.0.1'} port={url.port or 5432} dbname={database} user={url.username}{password}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {tmp_path / 'userlist.txt'}
pool_mode = transaction
max_client_conn = 400
default_pool_size = 20
ignore_startup_parameters = extra_float_digits
logfile = {tmp_path / 'pgbouncer.log'}
""")
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []  # it refuses to run as root
    if as_postgres:
        shutil.chown(tmp_path, "postgres")
        for f in tmp_path.iterdir():
            shutil.chown(f, "postgres")
    process = subprocess.Popen([*as_postgres, PGBOUNCER, str(tmp_path / "pgbouncer.ini")],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    through = url.set(host="127.0.0.1", port=port, database="medexam")
    deadline = time.monotonic() + 15
    while True:
        try:
            engine = create_engine(through, poolclass=NullPool)
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            engine.dispose()
            break
        except Exception:  # noqa: BLE001 (not listening yet)
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                log = tmp_path / "pgbouncer.log"
                pytest.fail(f"pgbouncer did not start: {process.communicate()[0][-1000:]} "
                            f"{log.read_text()[-1000:] if log.exists() else ''}")
            time.sleep(0.2)
    yield through.render_as_string(hide_password=False)
    process.terminate()
    process.wait(timeout=10)
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_the_concurrency_and_two_server_tests_pass_through_pgbouncer(pgbouncer):
    env = {k: v for k, v in os.environ.items() if k not in ("INSTANCE_DIR", "TEST_DATABASE_URL")}
    env.update(TEST_DATABASE_URL=pgbouncer, DB_PREPARE_THRESHOLD="")
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:warnings", "-x", *THROUGH_IT],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr[-2000:]
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in summary and "failed" not in summary, summary
    # the racing tests ran (they skip only on SQLite)
    assert "real concurrency needs PostgreSQL" not in run.stdout, summary
