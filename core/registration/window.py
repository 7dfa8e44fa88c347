"""The registration window (网上报名期间) of an exam year, by server time (stored UTC, shown Asia/Shanghai)."""
from __future__ import annotations

from core.db import to_shanghai, utcnow
from core.messages import Msg
from core.models import ExamYear
from core.registration.errors import WindowClosed


def window_state(year: ExamYear, now=None) -> str:
    """'before', 'open' or 'after'."""
    now = now or utcnow()
    if now < year.window_opens_at:
        return "before"
    return "open" if now < year.window_closes_at else "after"


def window_text(year: ExamYear) -> str:
    return Msg("%(opens)s 至 %(closes)s", opens=to_shanghai(year.window_opens_at),
               closes=to_shanghai(year.window_closes_at))


def window_message(year: ExamYear, now=None) -> str | None:
    """Why 报名 is not possible now (None while the window is open)."""
    state = window_state(year, now)
    if state == "before":
        return Msg("%(year)s网上报名尚未开始，将于%(opens)s（北京时间）开始。", year=year.name,
                   opens=to_shanghai(year.window_opens_at))
    if state == "after":
        return Msg("%(year)s网上报名已于%(closes)s（北京时间）结束。", year=year.name,
                   closes=to_shanghai(year.window_closes_at))
    return None


def require_window_open(year: ExamYear) -> None:
    message = window_message(year)
    if message:
        raise WindowClosed(message)
