"""The PostgreSQL cursor that builds its column descriptions when read (web/pg_cursor.py) describes a result
as psycopg itself does, and SQLAlchemy reads rows and column names through it as before."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.support.environment import DB_URL, IS_SQLITE

pytestmark = pytest.mark.skipif(IS_SQLITE, reason="a psycopg cursor: PostgreSQL only")


def _psycopg_url() -> str:
    return DB_URL.replace("postgresql+psycopg://", "postgresql://", 1)


def test_the_description_is_psycopgs_own_even_after_the_cursor_moved_on():
    import psycopg

    from web.pg_cursor import LazyDescriptionCursor
    query = "SELECT 1 AS one, 'x'::varchar(5) AS name, now() AS at, NULL::numeric(6, 2) AS amount"
    with psycopg.connect(_psycopg_url()) as plain, psycopg.connect(_psycopg_url(),
                                                                  cursor_factory=LazyDescriptionCursor) as lazy:
        expected = plain.execute(query).description
        cursor = lazy.cursor()
        described = cursor.execute(query).description
        cursor.execute("SELECT 2 AS other")  # the cursor moves on before the description is read
        assert len(described) == 4
        assert [tuple(c) for c in described] == [tuple(c) for c in expected]
        assert [c.name for c in described[1:3]] == ["name", "at"]
        assert cursor.execute("CREATE TEMP TABLE t (a int)").description is None
        assert cursor.execute("SELECT FROM t").description is not None  # no columns, but rows (none)


def test_the_app_reads_through_it(app_ctx):
    from core.db import db
    from web.pg_cursor import LazyDescriptionCursor
    connection = db.engine.raw_connection()
    try:
        assert isinstance(connection.driver_connection.cursor(), LazyDescriptionCursor)
    finally:
        connection.close()
    row = db.session.execute(text("SELECT 7 AS seven, 'a' AS letter")).one()
    assert row.seven == 7 and row._mapping["letter"] == "a"
