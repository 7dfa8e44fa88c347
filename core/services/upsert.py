"""Add or update by natural key: the dictionary imports (院校, 工作单位) and the demo data write rows this way."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from core.db import db
from core.services import audit


def upsert(model, existing, values: dict):
    """Add a ``model`` row with ``values`` when ``existing`` is None, else update ``existing`` in place.

    Returns the row and what happened to it: "added", "updated" or "unchanged" (caller's transaction).
    """
    if existing is None:
        row = model(**values)
        db.session.add(row)
        return row, "added"
    if all(getattr(existing, k) == v for k, v in values.items()):
        return existing, "unchanged"
    for k, v in values.items():
        setattr(existing, k, v)
    return existing, "updated"


@contextmanager
def counted_import(action: str, object_type: str, *, actor_type: str = "system", actor_id: int | None = None,
                   actor_name: str | None = None) -> Iterator[dict[str, int]]:
    """One import, one transaction: the body counts each ``upsert`` outcome in the dict it is given; then one
    audit entry (when anything changed) and the commit, or a rollback of everything on any error."""
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    try:
        yield counts
        if counts["added"] or counts["updated"]:
            audit.record(action, actor_type=actor_type, actor_id=actor_id, actor_name=actor_name,
                         object_type=object_type, after=counts)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
