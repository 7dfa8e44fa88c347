"""Reports on a read replica (REPORTS_DATABASE_URL): exports, statistics and batch printing read the
replica; the job row, its progress and the audit entries are written to the primary; the staff scope
comes from the primary and still limits what the replica returns; a write through the replica session
is refused.

The "replica" is a second database (PostgreSQL: a database created here and migrated with ``db upgrade``;
SQLite: a second file) holding different rows from the primary, so every read shows where it came from.
"""
from __future__ import annotations

from io import BytesIO

import pytest
from flask_appbuilder.security.sqla.models import User
from openpyxl import load_workbook
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from core.db import db, reports_session
from core.jobs import result_file
from core.models import AuditEntry, Job, Registration
from core.services.scope import NATIONAL_ADMIN, REGION_ADMIN
from reports import statistics, tasks
from reports.exports import EXPORTS, RegistrationFilters
from reports.scope import ReportScope
from tests.factories import make_candidate, make_catalogue, make_registration, make_staff
from tests.support.environment import DB_URL, IS_SQLITE
from tests.support.web import csrf_token_from, staff_login

NAME = [c.header for c in EXPORTS["registrations"].columns].index("姓名")
NO_POOL = {"SQLALCHEMY_ENGINE_OPTIONS": {"poolclass": NullPool}}


def _server_url(database: str) -> str:
    return make_url(DB_URL).set(database=database).render_as_string(hide_password=False)


def _admin_sql(statement: str) -> None:
    engine = create_engine(_server_url("postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with engine.connect() as conn:
        conn.execute(text(statement))
    engine.dispose()


def _fill(cat_a: dict, cat_b: dict, names_a, names_b) -> None:
    for name in names_a:
        make_registration(make_candidate(name=name), cat_a)
    for name in names_b:
        make_registration(make_candidate(name=name), cat_b)


@pytest.fixture(scope="module")
def replica(app, tmp_path_factory):
    """A second migrated database with its own rows: region A (2 registrations), region B (3)."""
    if IS_SQLITE:
        url = f"sqlite:///{tmp_path_factory.mktemp('replica') / 'replica.db'}"
    else:
        name = make_url(DB_URL).database + "_reports"
        _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _admin_sql(f'CREATE DATABASE "{name}"')
        url = _server_url(name)
    from factory import create_app
    writer = create_app("test", SQLALCHEMY_DATABASE_URI=url, **NO_POOL)
    result = writer.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with writer.app_context():
        a, b = make_catalogue(), make_catalogue()
        _fill(a, b, ["备甲0", "备甲1"], ["备乙0", "备乙1", "备乙2"])
        db.session.commit()
        info = dict(url=url, region_a=a["region"].id, region_b=b["region"].id, site_a=a["site"].id,
                    region_names=[a["region"].name, b["region"].name],
                    numbers_a=sorted(r.number for r in db.session.scalars(
                        select(Registration).where(Registration.region_id == a["region"].id))))
        db.session.remove()
    yield info
    if not IS_SQLITE:
        _admin_sql(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


@pytest.fixture(scope="module")
def reports_app(app, replica):
    """The platform as deployed with a replica: primary DATABASE_URL, reports on REPORTS_DATABASE_URL."""
    from factory import create_app
    return create_app("test", SQLALCHEMY_DATABASE_URI=DB_URL, REPORTS_DATABASE_URL=replica["url"],
                      JOB_BACKEND="inline", **NO_POOL)


@pytest.fixture
def world(app, admin_app, replica):
    """The primary: the same regions (same ids), but one registration in each, and the staff."""
    with app.app_context():
        a, b = make_catalogue(), make_catalogue()
        assert (a["region"].id, b["region"].id) == (replica["region_a"], replica["region_b"])
        _fill(a, b, ["主甲"], ["主乙"])
        db.session.commit()
        site_a = a["site"].id
    return dict(site_a=site_a, national=make_staff(admin_app, NATIONAL_ADMIN),
                region=make_staff(admin_app, REGION_ADMIN, regions=[replica["region_a"]]))


def _replica_count(url: str, model) -> int:
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as conn:
        n = conn.scalar(select(func.count()).select_from(model))
    engine.dispose()
    return n


def test_export_reads_the_replica_and_records_job_and_audit_on_the_primary(app, reports_app, replica,
                                                                            world):
    client = reports_app.test_client()
    staff_login(client, world["national"][1])
    token = csrf_token_from(client.get("/admin/reports/exports/").get_data(as_text=True))
    resp = client.post("/admin/reports/exports/", data={"kind": "registrations", "purpose": "统计分析", "csrf_token": token})
    assert resp.status_code == 302
    status = client.get(resp.headers["Location"].rstrip("/") + ".json").get_json()
    assert status["state"] == "done" and status["progress"] == 100 and "5 行" in status["message"]
    download = client.get(status["download_url"])
    rows = list(load_workbook(BytesIO(download.data)).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert sorted(r[NAME] for r in rows) == ["备乙0", "备乙1", "备乙2", "备甲0", "备甲1"]

    with app.app_context():  # the primary holds the job and both audit entries
        job = db.session.scalars(select(Job)).one()
        assert job.state == "done" and job.progress == 100 and job.result_path
        actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
        assert actions[-2:] == ["report.export.requested", "report.file.downloaded"]
    assert _replica_count(replica["url"], Job) == 0 and _replica_count(replica["url"], AuditEntry) == 0


def test_region_staff_sees_only_their_region_in_the_replica(reports_app, replica, world):
    admin = reports_app.extensions["backoffice"]
    with admin.app_context():
        user = db.session.get(User, world["region"][0])
        job = db.session.get(Job, tasks.start_export(user, "registrations", RegistrationFilters(), "统计分析").id)
        assert job.state == "done", job.message
        rows = list(load_workbook(result_file(job)).worksheets[0].iter_rows(min_row=2, values_only=True))
        assert [r[NAME] for r in rows] == ["备甲0", "备甲1"]  # not region B's, not the primary's 主甲
    client = reports_app.test_client()
    staff_login(client, world["region"][1])
    page = client.get("/admin/reports/statistics/").get_data(as_text=True)
    assert '<strong id="stat-total">2</strong>' in page  # the primary has 1 in region A


def test_statistics_read_the_replica(reports_app, replica, world):
    client = reports_app.test_client()
    staff_login(client, world["national"][1])
    page = client.get("/admin/reports/statistics/").get_data(as_text=True)
    assert '<strong id="stat-total">5</strong>' in page and replica["region_names"][0] in page
    with reports_app.app_context():
        everything = ReportScope.everything()
        assert statistics.by_region(everything).rows == [[replica["region_names"][0], 2],
                                                         [replica["region_names"][1], 3]]
        assert [row[2] for row in statistics.seat_fill(everything).rows] == [2, 3]  # seats taken


def test_batch_printing_reads_the_snapshots_from_the_replica(reports_app, replica, world):
    with reports_app.app_context():
        assert [s["number"] for s in tasks.site_snapshots(replica["site_a"])] == replica["numbers_a"]


def test_without_the_setting_reports_read_the_primary(app_ctx, world):
    with reports_session() as session:
        assert session is db.session
    assert statistics.total_registrations(ReportScope.everything()) == 2
    assert [s["candidate"]["name"] for s in tasks.site_snapshots(world["site_a"])] == ["主甲"]


@pytest.mark.parametrize("target", ["replica", "primary"])
def test_a_write_through_the_reports_session_is_refused(app, reports_app, replica, world, target):
    """Read-only transactions (PostgreSQL; SQLite: query_only), even if the URL names the primary."""
    from factory import create_app
    url = replica["url"] if target == "replica" else DB_URL
    reporting = reports_app if target == "replica" else create_app(
        "test", SQLALCHEMY_DATABASE_URI=DB_URL, REPORTS_DATABASE_URL=DB_URL, **NO_POOL)
    with reporting.app_context():
        with reports_session() as session, pytest.raises(DBAPIError, match="read-?only"):
            session.execute(update(Registration).values(attempts=9))
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as conn:
        assert conn.scalar(select(func.max(Registration.attempts))) == 1
    engine.dispose()


def test_an_unusable_reports_url_stops_the_start(monkeypatch):
    from config import ConfigurationError, TestConfig, load_config
    monkeypatch.setattr(TestConfig, "REPORTS_DATABASE_URL", "replica.example")
    with pytest.raises(ConfigurationError, match="REPORTS_DATABASE_URL"):
        load_config("test")
