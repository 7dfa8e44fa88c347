"""Dictionary search for the 毕业学校 field and the 工作单位 picker.

Pinyin initials (``bjdx``) and codes are prefix searches on indexed columns; characters are a
substring search on the name. Initials are computed on write (core.pinyin), never per search.
"""
from __future__ import annotations

import re

from sqlalchemy import and_, func

from core.db import db
from core.models import Region, School, WorkUnit

LIMIT = 10
_LETTERS = re.compile(r"^[a-z]+$")
_DIGITS = re.compile(r"^\d+$")


def _prefix(column, prefix: str):
    """column starts with prefix, written so that the dialect's index serves it.

    PostgreSQL: LIKE 'p%' with a text_pattern_ops index (migration 0003); SQLite: a range on the
    BINARY index (SQLite's LIKE is case-insensitive and cannot use it). The prefix is [a-z0-9] only.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        return column.like(prefix + "%")
    return and_(column >= prefix, column < prefix[:-1] + chr(ord(prefix[-1]) + 1))


def _substring(column, text: str):
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"%{escaped}%", escape="\\")


def classify(q: str) -> tuple[str, str]:
    """('initials'|'code'|'name'|'', normalised query)."""
    q = (q or "").strip()
    if not q:
        return "", ""
    if _DIGITS.fullmatch(q):
        return "code", q
    if _LETTERS.fullmatch(q.lower()):
        return "initials", q.lower()
    return "name", q[:50]


def search_schools(q: str, limit: int = LIMIT) -> list[School]:
    """Schools for what the candidate typed: 'bjdx', '北京', '4111010001'."""
    kind, q = classify(q)
    if not kind:
        return []
    stmt = db.select(School)
    if kind == "code":
        stmt = stmt.where(_prefix(School.code, q)).order_by(School.code)
    elif kind == "initials":
        stmt = stmt.where(_prefix(School.initials, q)).order_by(func.length(School.initials),
                                                                 School.code)
    else:
        stmt = stmt.where(_substring(School.name, q)).order_by(func.length(School.name), School.code)
    return list(db.session.scalars(stmt.limit(limit)))


def school_json(school: School) -> dict:
    return {"id": school.id, "name": school.name, "code": school.code,
            "province": school.province, "level": school.level}


def search_work_units(q: str = "", region_id: int | None = None, limit: int = 50) -> list[WorkUnit]:
    """The 工作单位 picker: by region, and by name, pinyin initials or licence code."""
    kind, q = classify(q)
    stmt = db.select(WorkUnit)
    if region_id:
        stmt = stmt.where(WorkUnit.region_id == region_id)
    if kind == "initials":
        stmt = stmt.where(_prefix(WorkUnit.initials, q))
    elif kind:  # a licence code may mix digits and letters; names are substrings
        stmt = stmt.where(_substring(WorkUnit.name, q) | WorkUnit.licence_code.startswith(q.upper())
                          | WorkUnit.licence_code.startswith(q))
    elif not region_id:
        return []
    return list(db.session.scalars(stmt.order_by(func.length(WorkUnit.name), WorkUnit.id).limit(limit)))


def regions() -> list[Region]:
    return list(db.session.scalars(db.select(Region).order_by(Region.code)))
