"""What the candidate chooses from: 报考类别 (选择报考类别), 考区 and their 考点."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import contains_eager

from core.db import db, get_named, utcnow
from core.models import ExamSubject, ExamYear, Region, Site


@dataclass
class SubjectFilter:
    family_id: int | None = None
    level: str | None = None
    category: str | None = None
    route: str | None = None
    q: str | None = None  # code or keyword


def list_subjects(f: SubjectFilter | None = None) -> list[ExamSubject]:
    """Subjects of the exam years whose window is open, coming, or closed in the last 90 days."""
    f = f or SubjectFilter()
    stmt = (select(ExamSubject).join(ExamYear).options(contains_eager(ExamSubject.exam_year))
            .where(ExamYear.window_closes_at > utcnow() - timedelta(days=90))
            .order_by(ExamYear.year.desc(), ExamSubject.code))
    if f.family_id:
        stmt = stmt.where(ExamYear.family_id == f.family_id)
    if f.level:
        stmt = stmt.where(ExamSubject.level == f.level)
    if f.category:
        stmt = stmt.where(ExamSubject.category == f.category)
    if f.route:
        stmt = stmt.where(ExamSubject.route == f.route)
    if f.q and f.q.strip():
        like = f"%{f.q.strip()}%"
        stmt = stmt.where(or_(ExamSubject.code.like(like), ExamSubject.name.like(like),
                              ExamSubject.subcategory.like(like)))
    return list(db.session.scalars(stmt))


# Rows of what the 选择考区及考点 step shows, not whole objects: built once.
_REGIONS = select(Region.id, Region.name).order_by(Region.code)
_SITES = (select(Site.id, Site.name, Site.address, Site.seats_left.label("seats_left"))
          .where(Site.region_id == bindparam("region")).order_by(Site.code))


def regions() -> list:
    """The 考区 to choose from (id, name), in one query (their 考点 are listed once one is chosen)."""
    return db.session.execute(_REGIONS).all()


def sites_of(region_id: int | None) -> list:
    """The 考点 of one 考区 (id, name, address, seats_left) (none before a 考区 is chosen)."""
    if region_id is None:
        return []
    return db.session.execute(_SITES, {"region": region_id}).all()


def region_or_none(raw) -> Region | None:
    return get_named(Region, raw)
