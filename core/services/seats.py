"""考点座位: the only code that moves ``sites.taken``.

A seat is taken with one conditional UPDATE (``taken < capacity`` in the WHERE clause), which is atomic
on PostgreSQL and SQLite alike; never a read-check-write, never ``SELECT … FOR UPDATE`` (SQLAlchemy drops
it on SQLite). The CHECK constraint ``taken <= capacity`` is the second guard. Both functions run inside
the caller's transaction: a seat taken for a submission that fails is given back by the rollback.
"""
from __future__ import annotations

from sqlalchemy import text

from core.db import db


def take_seat(site_id: int) -> bool:
    """Take one seat at the site; False when the site is full (nothing changed)."""
    result = db.session.execute(
        text("UPDATE sites SET taken = taken + 1 WHERE id = :id AND taken < capacity"), {"id": site_id})
    return result.rowcount == 1


def release_seat(site_id: int) -> bool:
    """Give one seat back (the caller guarantees it is called once per seat taken)."""
    result = db.session.execute(
        text("UPDATE sites SET taken = taken - 1 WHERE id = :id AND taken > 0"), {"id": site_id})
    return result.rowcount == 1


def seats_left(site_id: int) -> int:
    capacity, taken = db.session.execute(
        text("SELECT capacity, taken FROM sites WHERE id = :id"), {"id": site_id}).one()
    return capacity - taken
