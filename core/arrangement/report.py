"""What a run's page reports beside its list of the unplaced: per subject group how many could not be placed
and why, and for 实践技能 each session (day or half-day) with its seats and how many were placed."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from core.arrangement.plan import SEATS_PER_ROOM
from core.db import db, to_shanghai
from core.models import ArrangementRun, ExamRoom, ExamSession, ExamSubject, Registration
from core.models.arrangement import room_sessions


def shortfall(run: ArrangementRun) -> list[dict]:
    """Per subject group and reason: how many of the run's candidates could not be placed (largest first)."""
    ids = [int(k) for k in run.unplaced]
    groups = {reg: f"{name}（{code}）" for reg, name, code in db.session.execute(
        select(Registration.id, ExamSubject.name, ExamSubject.code)
        .join(ExamSubject, ExamSubject.id == Registration.subject_id).where(Registration.id.in_(ids)))}
    counts = Counter((groups.get(i, "—"), run.unplaced[str(i)]) for i in ids)
    return [{"group": g, "reason": r, "count": n}
            for (g, r), n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))]


def days(run: ArrangementRun) -> list[dict]:
    """实践技能 run: each session its base's open rooms host, in time order, with its seats and the placed."""
    if run.part != "skills":
        return []
    rooms = {r.id: r for r in db.session.scalars(select(ExamRoom).where(ExamRoom.site_id == run.site_id,
                                                                        ExamRoom.closed.is_(False)))}
    hosted: dict[int, list[int]] = {}
    for room_id, session_id in db.session.execute(select(room_sessions.c.room_id, room_sessions.c.session_id)
                                                  .where(room_sessions.c.room_id.in_(rooms))):
        hosted.setdefault(session_id, []).append(room_id)
    placed = Counter(run.sessions.values())
    out = []
    for s in db.session.scalars(select(ExamSession).where(ExamSession.id.in_(hosted), ExamSession.part == "skills")
                                .order_by(ExamSession.starts_at, ExamSession.id)):
        start, end = to_shanghai(s.starts_at), to_shanghai(s.ends_at)
        out.append({"name": s.name, "time": f"{start:%Y-%m-%d %H:%M}-{end:%H:%M}",
                    "rooms": len(hosted[s.id]),
                    "seats": sum(min(rooms[r].capacity, SEATS_PER_ROOM) for r in hosted[s.id]),
                    "placed": placed.get(s.id, 0)})
    return out
