"""A pooled connection is pinged before use only after lying idle (core/db_ping.py): a dead one is then replaced
by a fresh connection, as pool_pre_ping did; one in use a moment ago is handed out without a ping."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool, QueuePool

from core.db_ping import ping_after_idle
from tests.support.environment import DB_URL, IS_SQLITE

IDLE = 0.2


def _engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'ping.db'}", poolclass=QueuePool, pool_size=1, max_overflow=0)
    ping_after_idle(engine, IDLE)
    pings = []
    ping = engine.dialect.do_ping
    engine.dialect.do_ping = lambda dbapi_connection: pings.append(1) or ping(dbapi_connection)
    return engine, pings


def _dbapi_connection(engine):
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar() == 1
        return conn.connection.dbapi_connection


def test_a_connection_used_a_moment_ago_is_not_pinged(tmp_path):
    engine, pings = _engine(tmp_path)
    first = _dbapi_connection(engine)
    assert _dbapi_connection(engine) is first and _dbapi_connection(engine) is first
    assert pings == []


def test_an_idle_connection_that_died_in_the_pool_is_replaced_before_use(tmp_path):
    engine, pings = _engine(tmp_path)
    first = _dbapi_connection(engine)
    first.close()  # as a database restart would leave it
    time.sleep(IDLE + 0.05)
    second = _dbapi_connection(engine)  # no error: the ping found it dead, the pool opened another
    assert second is not first and pings == [1]
    time.sleep(IDLE + 0.05)
    assert _dbapi_connection(engine) is second and len(pings) == 2  # idle again: pinged, alive, kept


@pytest.mark.skipif(IS_SQLITE, reason="a server connection to end: PostgreSQL only")
def test_a_postgresql_connection_ended_by_the_server_is_replaced_after_idle():
    engine = create_engine(DB_URL, pool_size=1, max_overflow=0)
    ping_after_idle(engine, IDLE)
    try:
        with engine.connect() as conn:
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        killer = create_engine(DB_URL, poolclass=NullPool)
        with killer.connect() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
        killer.dispose()
        time.sleep(IDLE + 0.05)
        with engine.connect() as conn:  # the ping finds it ended; the pool opens another, no error here
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar() != pid
    finally:
        engine.dispose()
