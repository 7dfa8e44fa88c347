"""Review mode per region and exam year (back-office data): 现场审核 as before, or 网上审核 with its window and
the 补正 deadline rule: ``correction_days`` after the request, never past the region's ``review_end``."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import bindparam, select

from core.db import db, to_shanghai, utcnow
from core.models import ReviewMode


# Built once (a select and its cache key cost ~80 µs to make).
_MODE = select(ReviewMode).where(ReviewMode.region_id == bindparam("region_id"),
                                 ReviewMode.exam_year_id == bindparam("exam_year_id"))


def mode_for(region_id: int | None, exam_year_id: int) -> ReviewMode | None:
    if region_id is None:
        return None
    return db.session.scalar(_MODE, {"region_id": region_id, "exam_year_id": exam_year_id})


def is_online_mode(mode: str | None) -> bool:
    """Whether a ``ReviewMode.mode`` means 网上审核 (None: the region has no row, 现场审核)."""
    return mode == "online"


def today() -> date:
    """Today in Asia/Shanghai (deadlines are days there)."""
    return to_shanghai(utcnow()).date()


def correction_deadline(mode: ReviewMode | None, on: date | None = None) -> date:
    """The last day to 补正, for a request made ``on`` (default today)."""
    on = on or today()
    if mode is None:
        return on + timedelta(days=5)
    return max(on, min(on + timedelta(days=mode.correction_days), mode.review_end))
