"""Counting the SQL statements of one request (the journey pages' query-count tests)."""
from __future__ import annotations

from sqlalchemy import event

from core.db import db


def statements(client, url: str, data: dict | None = None) -> tuple[list[str], object]:
    """The SQL statements one fresh request runs (GET, or POST with ``data``), and its response."""
    db.session.commit()
    db.session.expunge_all()  # nothing cached from the test's own session
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(url) if data is None else client.post(url, data=data)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return seen, response
