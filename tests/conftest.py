"""Test fixtures: one migrated database per run, clean before every test.

The database is ``TEST_DATABASE_URL`` (PostgreSQL in CI) or a SQLite file under a temporary folder
(tests/support/environment.py). The schema is built by the Alembic migrations themselves, so every run also
tests them. Fixtures shared by several folders live in tests/fixtures/ (registered below), builders in
tests/factories.py, other helpers in tests/support/.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

# First: the database URL, instance folder and APP_ENV are set before the application is imported.
from tests.support.environment import DB_URL, IS_SQLITE, TMP as _TMP

from sqlalchemy import text
from sqlalchemy.pool import NullPool

from core.db import Model, db
from tests.support.log_check import RunLog, install_run_log

pytest_plugins = ["tests.fixtures.payments", "tests.fixtures.backoffice", "tests.fixtures.limits",
                  "tests.fixtures.pages", "tests.fixtures.notify", "tests.fixtures.arrangement",
                  "tests.fixtures.storage", "tests.fixtures.documents", "tests.fixtures.drafts"]

# FAB's permission catalogue is built once by `roles sync`; everything else is emptied per test.
KEEP_TABLES = {"ab_permission", "ab_view_menu", "ab_permission_view", "ab_role",
               "ab_permission_view_role", "alembic_version"}


def _reset_postgres_schema(url: str) -> None:
    from sqlalchemy import create_engine
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def app():
    from factory import create_app

    overrides = {"SQLALCHEMY_ENGINE_OPTIONS": {"poolclass": NullPool}} if IS_SQLITE else {}
    if not IS_SQLITE:
        _reset_postgres_schema(DB_URL)
    application = create_app("test", SQLALCHEMY_DATABASE_URI=DB_URL, **overrides)
    runner = application.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    if IS_SQLITE:
        shutil.copy(_sqlite_path(), _TMP / "template.db")
    yield application


def _sqlite_path() -> Path:
    return Path(DB_URL.removeprefix("sqlite:///"))


@pytest.fixture(autouse=True)
def _clean_database(request):
    """Each test starts on a freshly migrated, empty database."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        db.session.remove()
        if IS_SQLITE:
            db.engine.dispose()
            app.extensions["backoffice"].extensions["sqlalchemy"]  # noqa: B018 (same NullPool)
            shutil.copy(_TMP / "template.db", _sqlite_path())
        else:
            names = [t.name for t in Model.metadata.sorted_tables if t.name not in KEEP_TABLES]
            with db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def session(app_ctx):
    return db.session


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def admin_app(app):
    return app.extensions["backoffice"]


# No document number in the logs (tests/security): every log record of the whole run is checked at the end
# (tests/support/log_check.py).
@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    """Around every test's setup: the run handler at DEBUG, again after fixtures that reconfigure logging
    (``db upgrade`` runs Alembic's fileConfig, which replaces the root logger's handlers)."""
    install_run_log()
    yield
    install_run_log()


def pytest_sessionfinish(session, exitstatus):
    if RunLog.leaks:
        print("\nDocument numbers found in the logs of this run:\n  " + "\n  ".join(RunLog.leaks[:20]))
        session.exitstatus = 1
