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
