"""Test fixtures: one migrated database per run, clean before every test.

The database is ``TEST_DATABASE_URL`` (PostgreSQL in CI) or a SQLite file under a temporary folder.
The schema is built by the Alembic migrations themselves, so every run also tests them.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest

_TMP = Path(tempfile.mkdtemp(prefix="mlx-tests-"))
os.environ.setdefault("INSTANCE_DIR", str(_TMP / "instance"))
os.environ.setdefault("TEST_DATABASE_URL", f"sqlite:///{_TMP / 'test.db'}")
os.environ["APP_ENV"] = "test"

from sqlalchemy import text  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402

from core.db import Model, db  # noqa: E402

DB_URL = os.environ["TEST_DATABASE_URL"]
IS_SQLITE = DB_URL.startswith("sqlite")
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


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_token_from(html: str) -> str:
    """The CSRF token of the first form on a page (tests post forms the way a browser does)."""
    match = CSRF_RE.search(html)
    assert match, "page has no csrf_token field"
    return match.group(1) or match.group(2)


# No document number in the logs (tests/security): every log record of the whole run is checked at the end.
_ID_RE = re.compile(r"(?<![0-9])[1-9][0-9]{5}(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
                    r"[0-9]{3}[0-9Xx](?![0-9])")


def is_id_number(s: str) -> bool:
    """An 18-character 居民身份证 number with a valid GB 11643 check character."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(c) * w for c, w in zip(s, weights)) % 11] == s[17].upper()


class _RunLog(__import__("logging").Handler):
    """Root handler at DEBUG: remembers every record (werkzeug's access log included) carrying an ID number."""

    leaks: list = []

    def emit(self, record):
        try:
            message = record.getMessage()
        except Exception:  # a broken log call is not this check's business
            message = str(record.msg)
        if record.exc_info and record.exc_info[1] is not None:
            message += " " + str(record.exc_info[1])
        if any(is_id_number(m) for m in _ID_RE.findall(message)):
            self.leaks.append(f"{record.name}: {message[:300]}")


def _install_run_log():
    import logging
    root = logging.getLogger()
    if not any(isinstance(h, _RunLog) for h in root.handlers):
        root.addHandler(_RunLog(logging.DEBUG))
    root.setLevel(logging.DEBUG)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    """Around every test's setup: the run handler at DEBUG, again after fixtures that reconfigure logging
    (``db upgrade`` runs Alembic's fileConfig, which replaces the root logger's handlers)."""
    _install_run_log()
    yield
    _install_run_log()


def pytest_sessionfinish(session, exitstatus):
    if _RunLog.leaks:
        print("\nDocument numbers found in the logs of this run:\n  " + "\n  ".join(_RunLog.leaks[:20]))
        session.exitstatus = 1
