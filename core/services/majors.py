"""The majors dictionary (专业): search for the 专业 field (name, code, pinyin initials, as schools), the
candidate's choice resolved on save, a flagged major confirmed by the candidate, the checks of one major
(back-office editor and import), and the default list loaded by `flask majors load` and the demo.

A major chosen from the dictionary gives the education its R7 专业类别; one typed by hand is kept as
typed and flagged for the reviewer (``major_manual``), like a school typed by hand. A disabled major
(停用) is no longer offered nor accepted; educations naming it keep it.
"""
from __future__ import annotations

import re

from sqlalchemy import func

from core.data.majors import MAJORS
from core.db import db, get_named
from core.eligibility.majors import MAJOR_CATEGORIES
from core.models import Major
from core.pinyin import initials
from core.services.schools import LIMIT, _prefix, _substring, classify
from core.services.upsert import counted_import, upsert

MAJOR_LEVELS = ("本科", "专科", "研究生")
# 100201K, 100202TK, 520101K (本科, 高职专科: six digits, then T / K), 100201 and 1051 (研究生)
CODE_RE = re.compile(r"^\d{4}(\d{2})?[TK]{0,2}$")

# An education's level -> the catalogue its major comes from.
CATALOGUE_OF_LEVEL = {"本科": "本科", "专科": "专科", "中专": "专科", "硕士研究生": "研究生", "博士研究生": "研究生"}


def search_majors(q: str, level: str | None = None, limit: int = LIMIT) -> list[Major]:
    """Majors for what the candidate typed: 'kqyx', '口腔', '100301'; of the level's catalogue if given."""
    kind, q = classify(q)
    if not kind:
        return []
    stmt = db.select(Major).where(Major.active)
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
    major = get_named(Major, major_id)
    if major is not None and major.name == name and major.active:
        return major
    stmt = db.select(Major).filter_by(name=name, active=True)
    if level in CATALOGUE_OF_LEVEL:
        stmt = stmt.filter_by(level=CATALOGUE_OF_LEVEL[level])
    found = list(db.session.scalars(stmt.limit(2)))
    return found[0] if len(found) == 1 else None


def check_major(values: dict) -> tuple[dict, dict[str, str]]:
    """One major as the back office's form or an import row gives it: the clean values and a Chinese
    message per refused field (code, name, level, category, ministry_class, edition, active)."""
    text = {k: str(values.get(k) or "").strip() for k in ("code", "name", "level", "category", "ministry_class",
                                                          "edition")}
    errors = {}
    code = text["code"].upper()
    if not CODE_RE.match(code):
        errors["code"] = "专业代码为4位或6位数字，可带T、K（如100301K、520102K、1051）。"
    if not text["name"] or len(text["name"]) > 60:
        errors["name"] = "请填写专业名称（最多60个字）。"
    if text["level"] not in MAJOR_LEVELS:
        errors["level"] = "层次应为本科、专科或研究生。"
    if text["category"] not in MAJOR_CATEGORIES:
        errors["category"] = "专业类别应为：" + "、".join(MAJOR_CATEGORIES) + "之一。"
    for key, label in (("ministry_class", "所属专业类"), ("edition", "目录版本")):
        if len(text[key]) > 40:
            errors[key] = f"{label}最多40个字。"
    active = values.get("active", True)
    if isinstance(active, str):
        active = active.strip() not in ("否", "停用", "0", "false", "False", "no")
    clean = dict(major_values(code, text["name"], text["level"], text["ministry_class"] or None,
                              text["category"], text["edition"] or None), active=bool(active))
    return clean, errors


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
