"""Reports on a real streaming-replication standby (REPORTS_DATABASE_URL = a hot standby of DATABASE_URL).

The test starts a throwaway primary and a hot standby made from it with ``pg_basebackup -R``; the schema and
every row reach the standby only by replication. Exports and statistics read the standby, the job and the
audit entries are written to the primary, the standby refuses writes, and while replay is paused a new
registration is missing from the reports until replay resumes (the lag that docs/deployment.md describes).
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask_appbuilder.security.sqla.models import User
from openpyxl import load_workbook
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from core.db import db, reports_session
from core.jobs import result_file
from core.models import AuditEntry, Job, Registration
from core.services.scope import REGION_ADMIN
from reports import exports, statistics, tasks
from reports.scope import ReportScope
from tests.factories import make_candidate, make_catalogue, make_registration, make_staff
from tests.support.pgserver import Cluster, needs_pg_programs

pytestmark = needs_pg_programs("initdb", "pg_ctl", "pg_basebackup")

NAME = [c.header for c in exports.EXPORTS["registrations"].columns].index("姓名")
REFUSED = "cannot execute UPDATE in a read-only transaction"


@pytest.fixture(scope="module")
def pair():
    """A primary and its hot standby on two free loopback ports; the app writes to the primary and reads
    reports from the standby. Both servers are stopped and removed afterwards, whatever happened."""
    from factory import create_app
    folder = Path(tempfile.mkdtemp(prefix="medexam-pg-"))
    os.chmod(folder, 0o755)  # the postgres user must reach it when the tests run as root
    servers: list[Cluster] = []
    try:
        primary = Cluster(folder, "primary")
        servers.append(primary)
        primary.allow_replication()
        primary.start()
        standby = Cluster(folder, "standby", standby_of=primary)
        servers.append(standby)
        standby.start()
        primary.createdb()
        app = create_app("test", SQLALCHEMY_DATABASE_URI=primary.url, REPORTS_DATABASE_URL=standby.url,
                         JOB_BACKEND="inline", EXPORT_DIR=folder / "exports",
                         SQLALCHEMY_ENGINE_OPTIONS={"poolclass": NullPool})
        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        sql = {name: create_engine(c.url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
               for name, c in (("primary", primary), ("standby", standby))}
        yield SimpleNamespace(app=app, admin=app.extensions["backoffice"], **sql)
    finally:
        for server in reversed(servers):
            server.stop_quietly()
        shutil.rmtree(folder, ignore_errors=True)


def _scalar(engine, statement: str, **params):
    with engine.connect() as conn:
        return conn.scalar(text(statement), params)


def _wait_until(condition, what: str, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"the standby did not {what} within {seconds} s"
        time.sleep(0.02)


def _standby_caught_up(pair, position: str = "replay") -> None:
    """Wait until the standby has received (``receive``) or replayed (``replay``) all WAL the primary has
    written so far."""
    target = _scalar(pair.primary, "SELECT pg_current_wal_lsn()::text")
    _wait_until(lambda: _scalar(pair.standby, f"SELECT pg_last_wal_{position}_lsn() >= CAST(:t AS pg_lsn)",
                                t=target), f"{position} {target}")


def _registrations(app, names) -> tuple[int, str]:
    """Registrations in a new region, committed on the primary: (region id, region name)."""
    with app.app_context():
        cat = make_catalogue()
        for name in names:
            make_registration(make_candidate(name=name), cat)
        db.session.commit()
        return cat["region"].id, cat["region"].name


def _sheet_names(path) -> list[str]:
    rows = load_workbook(path).worksheets[0].iter_rows(min_row=2, values_only=True)
    return sorted(row[NAME] for row in rows)


def test_reports_read_the_standby_and_the_job_and_audit_are_written_to_the_primary(pair):
    region, region_name = _registrations(pair.app, ["备甲0", "备甲1", "备甲2"])
    staff_id, _ = make_staff(pair.admin, REGION_ADMIN, regions=[region])
    _standby_caught_up(pair)
    with pair.admin.app_context():
        with reports_session() as session:
            assert session.scalar(text("SELECT pg_is_in_recovery()")) is True  # the standby
        assert db.session.scalar(text("SELECT pg_is_in_recovery()")) is False  # the primary

        user = db.session.get(User, staff_id)
        job = db.session.get(Job, tasks.start_export(user, "registrations", exports.RegistrationFilters(), "统计分析").id)
        assert job.state == "done" and job.progress == 100, job.message
        assert _sheet_names(result_file(job)) == ["备甲0", "备甲1", "备甲2"]
        assert db.session.scalars(select(AuditEntry.action).where(AuditEntry.actor_id == staff_id)).all() == [
            "report.export.requested"]
        assert statistics.by_region(ReportScope.of(region_ids=[region])).rows == [[region_name, 3]]


def test_the_standby_refuses_writes_even_outside_a_read_only_transaction(pair):
    _registrations(pair.app, ["备乙0"])
    _standby_caught_up(pair)
    with pair.app.app_context():
        with reports_session() as session, pytest.raises(DBAPIError, match=REFUSED):
            session.execute(update(Registration).values(attempts=9))
    with pytest.raises(DBAPIError, match=REFUSED):  # a plain read-write connection: the server refuses
        _scalar(pair.standby, "UPDATE registrations SET attempts = 9")
    assert _scalar(pair.primary, "SELECT max(attempts) FROM registrations") == 1


def test_while_replay_is_paused_a_new_registration_is_missing_from_the_reports_until_it_resumes(pair, tmp_path):
    _registrations(pair.app, ["备丙0"])
    _standby_caught_up(pair)
    everything = ReportScope.everything()
    with pair.app.app_context():
        before = statistics.total_registrations(everything)
        _scalar(pair.standby, "SELECT pg_wal_replay_pause()")
        try:
            _registrations(pair.app, ["迟到"])
            _standby_caught_up(pair, "receive")  # the WAL is on the standby, not yet applied
            assert db.session.scalar(select(func.count(Registration.id))) == before + 1  # the primary
            assert statistics.total_registrations(everything) == before
            assert exports.export("registrations", tmp_path / "paused.xlsx", everything) == before
            assert "迟到" not in _sheet_names(tmp_path / "paused.xlsx")
        finally:
            _scalar(pair.standby, "SELECT pg_wal_replay_resume()")
        _standby_caught_up(pair)
        assert statistics.total_registrations(everything) == before + 1
        assert exports.export("registrations", tmp_path / "resumed.xlsx", everything) == before + 1
        assert "迟到" in _sheet_names(tmp_path / "resumed.xlsx")
