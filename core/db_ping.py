"""Pessimistic disconnect handling without a round trip on every request.

``pool_pre_ping`` sends a ping on every checkout: one more statement per request (a round trip, the app's CPU
for it and PostgreSQL's). What it protects against is a connection that died while it lay in the pool (the
database restarted, a failover, a network cut). Here the ping is sent only when the connection has lain
unused for ``DB_PING_AFTER_IDLE`` seconds (default 1; 0: on every checkout, as ``pool_pre_ping``): under load
every connection is back in use within milliseconds and is never pinged; after a quiet second, or once a
restarted database is back, it is pinged first as before. A ping that finds the connection dead makes the
pool open a fresh one (``DisconnectionError``, SQLAlchemy's own retry), as ``pool_pre_ping`` did.
"""
from __future__ import annotations

import time

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

_CHECKED_IN = "medexam.checked_in_at"


def ping_after_idle(engine: Engine, idle_seconds: float) -> None:
    """Install the checkout ping on ``engine`` (whose ``pool_pre_ping`` is off)."""
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection, record) -> None:
        record.info[_CHECKED_IN] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy) -> None:
        since = record.info.get(_CHECKED_IN)
        if since is None or time.monotonic() - since < idle_seconds:
            return  # opened for this checkout, or in use a moment ago
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                raise exc.DisconnectionError("connection found dead at checkout") from error
            raise
