"""The one SQLAlchemy handle shared by both front ends.

Models subclass Flask-AppBuilder's declarative `Model` so that our tables and FAB's security tables
(``ab_user`` ...) live in one metadata: staff scope rows can reference ``ab_user`` and one Alembic
history covers everything.
"""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask_appbuilder import Model
from flask_appbuilder.utils.legacy import get_sqla_class

db = get_sqla_class()()

SHANGHAI = ZoneInfo("Asia/Shanghai")

__all__ = ["db", "Model", "utcnow", "to_shanghai", "SHANGHAI"]


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
