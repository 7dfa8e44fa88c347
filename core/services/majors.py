"""The majors dictionary (专业): search for the 专业 field (name, code, pinyin initials, as schools), the
candidate's choice resolved on save, and the default list loaded by `flask majors load` and the demo.

A major chosen from the dictionary gives the education its R7 专业类别; one typed by hand is kept as
typed and flagged for the reviewer (``major_manual``), like a school typed by hand.
"""
from __future__ import annotations

from sqlalchemy import func

from core.data.majors import MAJORS
from core.db import db
from core.models import Major
from core.pinyin import initials
from core.services.schools import LIMIT, _prefix, _substring, classify
from core.services.upsert import counted_import, upsert

# An education's level -> the catalogue its major comes from.
CATALOGUE_OF_LEVEL = {"本科": "本科", "专科": "专科", "中专": "专科", "硕士研究生": "研究生", "博士研究生": "研究生"}


def search_majors(q: str, level: str | None = None, limit: int = LIMIT) -> list[Major]:
    """Majors for what the candidate typed: 'kqyx', '口腔', '100301'; of the level's catalogue if given."""
    kind, q = classify(q)
    if not kind:
        return []
    stmt = db.select(Major)
    if level in CATALOGUE_OF_LEVEL:
        stmt = stmt.where(Major.level == CATALOGUE_OF_LEVEL[level])
    if kind == "code":
        stmt = stmt.where(_prefix(Major.code, q)).order_by(Major.code)
    elif kind == "initials":
        stmt = stmt.where(_prefix(Major.initials, q)).order_by(func.length(Major.initials), Major.code)
    else:
        stmt = stmt.where(_substring(Major.name, q)).order_by(func.length(Major.name), Major.code)
    return list(db.session.scalars(stmt.limit(limit)))


def major_json(major: Major) -> dict:
    return {"id": major.id, "name": major.name, "code": major.code, "level": major.level,
            "category": major.category}


def resolve_major(major_id, name: str | None, level: str | None) -> Major | None:
    """The dictionary major the candidate chose: the posted id while its name still matches, else the one
    major of that name in the level's catalogue (None: typed by hand)."""
    if not name:
        return None
    major = db.session.get(Major, int(major_id)) if str(major_id or "").isdigit() else None
    if major is not None and major.name == name:
        return major
    stmt = db.select(Major).filter_by(name=name)
    if level in CATALOGUE_OF_LEVEL:
        stmt = stmt.filter_by(level=CATALOGUE_OF_LEVEL[level])
    found = list(db.session.scalars(stmt.limit(2)))
    return found[0] if len(found) == 1 else None


def major_values(code, name, level, ministry_class, category, edition) -> dict:
    return dict(code=code, name=name, level=level, ministry_class=ministry_class, category=category,
                edition=edition, initials=initials(name))


def put_default_majors(counts: dict[str, int] | None = None) -> dict[str, Major]:
    """Add or update the default list (core/data/majors.py) by code, in the caller's transaction."""
    existing = {m.code: m for m in db.session.scalars(db.select(Major))}
    out = {}
    for row in MAJORS:
        values = major_values(*row)
        major, outcome = upsert(Major, existing.get(values["code"]), values)
        out[major.code] = major
        if counts is not None:
            counts[outcome] += 1
    db.session.flush()
    return out


def load_default_majors() -> dict[str, int]:
    """`flask majors load`: the default list, one transaction, audited when anything changed."""
    with counted_import("dictionary.majors.loaded", "majors") as counts:
        put_default_majors(counts)
    return counts
