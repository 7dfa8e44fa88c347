"""考点座位: the only code that moves ``sites.taken``.

A seat is taken with one conditional UPDATE (``taken < capacity`` in the WHERE clause), which is atomic
on PostgreSQL and SQLite alike; never a read-check-write, never ``SELECT … FOR UPDATE`` (SQLAlchemy drops
it on SQLite). The CHECK constraint ``taken <= capacity`` is the second guard. Both functions run inside
the caller's transaction: a seat taken for a submission that fails is given back by the rollback.
"""
from __future__ import annotations

from sqlalchemy import text

from core.db import db


_TAKE = text("UPDATE sites SET taken = taken + 1 WHERE id = :id AND taken < capacity")
_RELEASE = text("UPDATE sites SET taken = taken - 1 WHERE id = :id AND taken > 0")


def take_seat(site_id: int) -> bool:
    """Take one seat at the site; False when the site is full (nothing changed)."""
    return db.session.execute(_TAKE, {"id": site_id}).rowcount == 1


def release_seat(site_id: int) -> bool:
    """Give one seat back (the caller guarantees it is called once per seat taken)."""
    return db.session.execute(_RELEASE, {"id": site_id}).rowcount == 1


def seats_left(site_id: int) -> int:
    capacity, taken = db.session.execute(
        text("SELECT capacity, taken FROM sites WHERE id = :id"), {"id": site_id}).one()
    return capacity - taken
