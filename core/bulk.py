"""``copy_rows``: write many rows into one table in the current transaction, fast.

    copy_rows(SeatAssignment.__table__, ["registration_id", "room_id", ...], [(1, 7, ...), ...])

On PostgreSQL the rows go through ``COPY ... FROM STDIN`` on the psycopg connection that the SQLAlchemy session
already uses, so they are part of its transaction (a rollback removes them). Elsewhere (SQLite) one executemany.
No Python-side column defaults are applied: give every NOT NULL column without a server default.
``rows`` is read to a list before the copy starts. The session is flushed first, so pending ORM changes (e.g. deleted rows whose unique keys the new rows reuse)
reach the database before the copy.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Table

from core.db import db


def copy_rows(table: Table, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert ``rows`` (tuples in the order of ``columns``) into ``table``; returns the number written."""
    db.session.flush()
    rows = list(rows)  # before the COPY: nothing may use the connection while it copies (a lazy load would hang)
    conn = db.session.connection()
    if conn.dialect.name != "postgresql":
        if rows:
            conn.execute(table.insert(), [dict(zip(columns, row)) for row in rows])
        return len(rows)
    quote = conn.dialect.identifier_preparer
    statement = (f"COPY {quote.format_table(table)} ({', '.join(quote.quote(c) for c in columns)}) FROM STDIN")
    with conn.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
    return len(rows)
