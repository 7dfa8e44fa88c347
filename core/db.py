"""The one SQLAlchemy handle shared by both front ends.

Models subclass Flask-AppBuilder's declarative `Model` so that our tables and FAB's security tables
(``ab_user`` ...) live in one metadata: staff scope rows can reference ``ab_user`` and one Alembic
history covers everything.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Iterator
from zoneinfo import ZoneInfo

from flask import current_app
from flask_appbuilder import Model
from flask_appbuilder.utils.legacy import get_sqla_class
from sqlalchemy import create_engine, event, insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from core.validators import row_id

db = get_sqla_class()()

SHANGHAI = ZoneInfo("Asia/Shanghai")

__all__ = ["db", "Model", "utcnow", "to_shanghai", "SHANGHAI", "reports_session", "commit_keeping_loaded"]

_engine_lock = threading.Lock()


@contextmanager
def reports_session() -> Iterator[Session]:
    """Where report reads (exports, statistics, batch printing) run: a read-only session on
    ``REPORTS_DATABASE_URL`` (a read replica), closed on exit; the primary's ``db.session`` when unset.
    Only reads go here: job progress, audit entries and staff scope stay on ``db.session``."""
    engine = _reports_engine()
    if engine is None:
        yield db.session
        return
    with Session(engine) as session:
        yield session


def _reports_engine() -> Engine | None:
    """One engine per app, created on first use with the app's pool settings; every transaction on it
    is read-only, so a write fails loudly even if the URL points at the primary."""
    app = current_app._get_current_object()
    url = app.config.get("REPORTS_DATABASE_URL")
    if not url:
        return None
    with _engine_lock:
        if "reports_engine" not in app.extensions:
            options = app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})
            engine = create_engine(url, **options, execution_options={"postgresql_readonly": True})
            if not options.get("pool_pre_ping") and "poolclass" not in options:
                from core.db_ping import ping_after_idle
                ping_after_idle(engine, float(app.config.get("DB_PING_AFTER_IDLE", 0)))
            if engine.dialect.name == "sqlite":  # tests: the same refusal on SQLite
                event.listen(engine, "connect", lambda conn, _rec: conn.execute("PRAGMA query_only = ON"))
            app.extensions["reports_engine"] = engine
        return app.extensions["reports_engine"]


def get_named(model, value):
    """The row of ``model`` a form, query string or URL value names, or None (``core.validators.row_id``: anything
    but a positive 32-bit integer names no row, and never reaches a query)."""
    row = row_id(value)
    return db.session.get(model, row) if row else None


_INSERTS_IGNORING: dict = {}


def insert_ignoring(table, conflict: tuple[str, ...], returning, dialect: str):
    """``INSERT INTO table ... ON CONFLICT (conflict) DO NOTHING RETURNING returning`` for ``dialect`` (PostgreSQL
    or SQLite), built once: a row already there (the same unique key) is skipped and returns nothing, and two
    transactions inserting the same key never fail each other."""
    key = (table, conflict, returning, dialect)
    statement = _INSERTS_IGNORING.get(key)
    if statement is None:
        make = {"postgresql": pg_insert, "sqlite": sqlite_insert}.get(dialect)
        statement = make(table).on_conflict_do_nothing(index_elements=list(conflict)) if make else insert(table)
        statement = _INSERTS_IGNORING[key] = statement.returning(returning)
    return statement


def commit_keeping_loaded() -> None:
    """Commit without expiring what the session has loaded, for a request that goes on with the same objects
    (a wizard step saved, then 提交 in the same request): what it wrote is what it would read back, and
    reloading the registration and the candidate cost two statements. Only for values this request loaded
    and wrote itself; anything another transaction may change meanwhile is read again by who needs it (the
    seat is a conditional UPDATE, the state a guarded transition)."""
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


def utcnow() -> datetime:
    """Naive UTC timestamp: every DateTime column stores UTC."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def to_shanghai(value: datetime | None) -> datetime | None:
    """Stored naive-UTC datetime -> aware Asia/Shanghai datetime for display."""
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc).astimezone(SHANGHAI)


def shanghai_to_utc(value: datetime) -> datetime:
    """A wall-clock time in Asia/Shanghai (naive or aware) -> naive UTC for storage."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=SHANGHAI)
    return value.astimezone(timezone.utc).replace(tzinfo=None)
