"""考场编排 against the database: read a site's input, plan (dry run, stored as a draft run), publish.

- A run arranges one exam part (``ARRANGED_PARTS``): ``written`` (医学综合, with 军事医学) places the
  registrations of the site in its rooms hosting those sessions; ``skills`` (实践技能) places, at a base, the
  registrations of every site whose ``skills_base`` it is (and of itself unless it names another base) in its
  rooms hosting 实践技能 sessions. A registration holds one seat per part.
- ``plan_site`` reads the approved and paid registrations of a site and its open rooms, runs the pure planner
  (core.arrangement.plan) with a recorded seed, and stores the result as a draft ``ArrangementRun``. Nothing a
  candidate sees changes.
- ``publish`` writes a draft run's seats in ONE transaction: seats kept stay with their number, moved and
  released seats are recorded in ``seat_moves``, the run becomes published and the earlier one is superseded.
  A crash half-way rolls everything back: candidates see the old arrangement or the new one, never half.
- ``plan_and_publish`` plans and publishes one site in ONE transaction without a draft (the region-wide job
  and the bench use it); seats and moves are written with COPY on PostgreSQL (core/bulk.py).
- One arrangement per site at a time (``arrangement_locks``): a second run is refused while one plans or publishes.
- ``published`` (blinker signal) is sent inside the publishing transaction, after the seats are written;
  receivers (notifications: 准考证可打印) queue their work there so that a rollback sends nothing.
"""
from __future__ import annotations

import secrets
from contextlib import contextmanager
from datetime import timedelta

from blinker import Namespace
from sqlalchemy import case, delete, func, select
from sqlalchemy.exc import IntegrityError

from core.arrangement import numbers
from core.bulk import copy_rows
from core.arrangement.plan import Candidate, Plan, Room, arrange, arrange_by_session
from core.db import db, utcnow
from core.models import (ArrangementLock, ArrangementRun, Candidate as CandidateRow, ExamRoom, ExamSession,
                         ExamSubject, ExamYear, Registration, SeatAssignment, SeatMove, Site)
from core.models.arrangement import ARRANGED_PARTS, SESSION_PARTS, room_sessions
from core.notify import events as notify_events
from core.registration.lifecycle import Actor
from core.registration.states import APPROVED
from core.services import audit
from core.services.errors import DomainError

# Receivers: fn(run, registration_ids=[...]) — the registrations whose 准考证 is new or changed.
published = Namespace().signal("arrangement-published")
published.connect(notify_events.tickets_published)  # 准考证 messages to the candidates (core/notify/events.py)

SEAT_COLUMNS = ("registration_id", "site_id", "room_id", "seat", "admission_number", "run_id", "part")
MOVE_COLUMNS = ("run_id", "registration_id", "from_number", "to_number", "reason", "created_at")
LOCK_STALE_AFTER = timedelta(minutes=30)  # a lock older than this was left by a killed process
BUSY = "该考点正在编排或发布中，请等待当前任务完成后再试。"


# --- one run per site at a time ----------------------------------------------------------------------

def acquire(site_id: int, holder: str) -> None:
    """Take the site's lock on its own connection (visible to every process at once), or refuse."""
    with db.engine.begin() as conn:
        conn.execute(delete(ArrangementLock).where(ArrangementLock.site_id == site_id,
                                                   ArrangementLock.locked_at < utcnow() - LOCK_STALE_AFTER))
    try:
        with db.engine.begin() as conn:
            conn.execute(ArrangementLock.__table__.insert().values(site_id=site_id, holder=holder[:60],
                                                                   locked_at=utcnow()))
    except IntegrityError:
        raise DomainError(BUSY) from None


def release(site_id: int) -> None:
    with db.engine.begin() as conn:
        conn.execute(delete(ArrangementLock).where(ArrangementLock.site_id == site_id))


# --- input ------------------------------------------------------------------------------------------

def sessions_for(subject: ExamSubject, year_sessions: list[ExamSession], military: bool,
                 part: str = "written") -> frozenset[int]:
    """The 医学综合 sessions of the subject's level and category, plus 军事医学 for a military candidate;
    with ``part="skills"`` its 实践技能 sessions."""
    parts = ("skills",) if part == "skills" else ("written", "military") if military else ("written",)
    return frozenset(s.id for s in year_sessions if s.part in parts
                     and s.level in (None, subject.level) and s.category in (None, subject.category))


def military_session(subject: ExamSubject, year_sessions: list[ExamSession]) -> int | None:
    return next((s.id for s in year_sessions if s.part == "military" and s.level in (None, subject.level)
                 and s.category in (None, subject.category)), None)


def served_sites(site_id: int, part: str = "written"):
    """The sites whose candidates a run of ``part`` at this site places: the site itself for 医学综合; for
    实践技能 the sites naming it as their base, and itself unless it names another base."""
    if part != "skills":
        return [site_id]
    return select(Site.id).where((Site.skills_base_id == site_id)
                                 | ((Site.id == site_id) & Site.skills_base_id.is_(None)))


def _check_part(part: str) -> None:
    if part not in ARRANGED_PARTS:
        raise DomainError("考试部分须为医学综合或实践技能。", field="part")


def site_input(site_id: int, exam_year_id: int, part: str = "written") -> tuple[list[Candidate], list[Room]]:
    """Approved and paid registrations the site arranges for ``part``, and its open rooms that host no session
    of another part, as planner values."""
    year_sessions = list(db.session.scalars(select(ExamSession).where(ExamSession.exam_year_id == exam_year_id)))
    subjects = {s.id: s for s in db.session.scalars(select(ExamSubject).where(
        ExamSubject.exam_year_id == exam_year_id))}
    rows = db.session.execute(
        select(Registration.id, Registration.subject_id, Registration.military_unit,
               Registration.needs_accessible_room, CandidateRow.work_unit_id, CandidateRow.work_unit_name)
        .join(CandidateRow, CandidateRow.id == Registration.candidate_id)
        .where(Registration.site_id.in_(served_sites(site_id, part)), Registration.exam_year_id == exam_year_id,
               Registration.status == APPROVED, Registration.payment_status == "paid")).all()
    cands = []
    for reg_id, subject_id, military, accessible, unit_id, unit_name in rows:
        subject = subjects[subject_id]
        military = military and part == "written"  # 军事医学 is a written unit
        mil = military_session(subject, year_sessions) if military else None
        cands.append(Candidate(reg_id, subject.code, sessions_for(subject, year_sessions, military, part),
                               f"#{unit_id}" if unit_id else (unit_name or ""), bool(accessible),
                               mil if military else None))
        if military and mil is None:  # no 军事医学 session defined: ask for one that no room hosts
            cands[-1] = Candidate(reg_id, subject.code, cands[-1].sessions | {-1}, cands[-1].work_unit,
                                  bool(accessible), -1)
    hosted: dict[int, set[int]] = {}
    for room_id, session_id in db.session.execute(
            select(room_sessions.c.room_id, room_sessions.c.session_id)
            .join(ExamRoom, ExamRoom.id == room_sessions.c.room_id).where(ExamRoom.site_id == site_id)):
        hosted.setdefault(room_id, set()).add(session_id)
    other = {s.id for s in year_sessions if s.part not in SESSION_PARTS[part]}
    rooms = [Room(r.id, r.number, r.capacity, frozenset(hosted.get(r.id, ())), r.accessible)
             for r in db.session.scalars(select(ExamRoom).where(ExamRoom.site_id == site_id,
                                                                ExamRoom.closed.is_(False)))
             if not hosted.get(r.id, set()) & other]  # not a room of the other part (this year's sessions)
    return cands, rooms


def published_seats(site_id: int, part: str = "written") -> dict[int, tuple[int, int]]:
    return {reg: (room, seat) for reg, room, seat in db.session.execute(
        select(SeatAssignment.registration_id, SeatAssignment.room_id, SeatAssignment.seat)
        .where(SeatAssignment.site_id == site_id, SeatAssignment.part == part))}


def published_run(site_id: int, exam_year_id: int, part: str = "written") -> ArrangementRun | None:
    return db.session.scalar(select(ArrangementRun).where(
        ArrangementRun.site_id == site_id, ArrangementRun.exam_year_id == exam_year_id,
        ArrangementRun.part == part,
        ArrangementRun.state == "published").order_by(ArrangementRun.id.desc()).limit(1))


# --- dry run ----------------------------------------------------------------------------------------

def plan_part(part: str, exam_year_id: int, cands: list[Candidate], rooms: list[Room], seed: int,
              previous: dict | None, base: ArrangementRun | None) -> Plan:
    """The planner for the part: 医学综合 seats cover all of a candidate's sessions; 实践技能 gives each
    candidate one of their group's sessions (days or half-days, in time order), kept from ``base`` when valid."""
    if part != "skills":
        return arrange(cands, rooms, seed, previous)
    order = {sid: i for i, sid in enumerate(db.session.scalars(
        select(ExamSession.id).where(ExamSession.exam_year_id == exam_year_id)
        .order_by(ExamSession.starts_at, ExamSession.id)))}
    before = {int(k): v for k, v in (base.sessions or {}).items()} if base is not None else None
    return arrange_by_session(cands, rooms, seed, previous, before, order)


def _plan(site_id: int, exam_year_id: int, seed: int | None, part: str):
    """Read the site's input and run the planner: (plan, base run, seed). Under the site's lock (caller)."""
    cands, rooms = site_input(site_id, exam_year_id, part)
    base = published_run(site_id, exam_year_id, part)
    previous = published_seats(site_id, part) if base else None
    seed = secrets.randbelow(2**31) if seed is None else seed
    return plan_part(part, exam_year_id, cands, rooms, seed, previous, base), base, seed


def _new_run(site_id: int, exam_year_id: int, part: str, seed: int, plan, base, actor: Actor, state: str,
             keep_plan: bool = True) -> ArrangementRun:
    run = ArrangementRun(site_id=site_id, exam_year_id=exam_year_id, seed=seed, state=state, part=part,
                         base_run_id=base.id if base else None,
                         plan={str(k): list(v) for k, v in plan.seats.items()} if keep_plan else {},
                         unplaced={str(k): v for k, v in plan.unplaced.items()},
                         sessions={str(k): v for k, v in plan.sessions.items()},
                         placed_count=len(plan.seats), moved_count=len(plan.moved),
                         created_by_id=actor.id if actor.kind == "staff" else None)
    db.session.add(run)
    db.session.flush()
    return run


def _summary(run: ArrangementRun) -> dict:
    return {"site_id": run.site_id, "part": run.part, "seed": run.seed, "placed": run.placed_count,
            "unplaced": len(run.unplaced), "moved": run.moved_count}


def plan_site(site_id: int, exam_year_id: int, actor: Actor, seed: int | None = None,
              part: str = "written") -> ArrangementRun:
    """A draft run (预排) of the site for one exam part: planned, stored, not published. Caller commits."""
    _check_part(part)
    acquire(site_id, f"plan by {actor.label}")
    try:  # the lock covers the reading and planning; the draft is written after (publish re-checks its base)
        plan, base, seed = _plan(site_id, exam_year_id, seed, part)
    finally:
        release(site_id)
    run = _new_run(site_id, exam_year_id, part, seed, plan, base, actor, "draft")
    audit.record("arrangement.planned", **actor.audit_fields(), obj=run, after=_summary(run))
    return run


# --- publish ----------------------------------------------------------------------------------------

def publish(run_id: int, actor: Actor) -> ArrangementRun:
    """Publish a draft run in one transaction (committed here). Refused if the published arrangement
    changed since the draft was planned (plan again), or another run of the site is busy."""
    run = db.session.get(ArrangementRun, run_id)
    if run is None or run.state != "draft":
        raise DomainError("只能发布尚未发布的预排结果。")
    with _one_transaction(run.site_id, f"publish by {actor.label}"):
        base = published_run(run.site_id, run.exam_year_id, run.part)
        if (base.id if base else None) != run.base_run_id:
            raise DomainError("该考点的编排在预排之后已发布过，请重新预排。")
        _publish(run, base, {int(k): tuple(v) for k, v in run.plan.items()}, actor)
    return run


def plan_and_publish(site_id: int, exam_year_id: int, actor: Actor, seed: int | None = None,
                     part: str = "written") -> ArrangementRun:
    """Plan and publish one site in ONE transaction (committed here), without a draft: the same plan as
    ``plan_site`` then ``publish`` with the same seed. The run keeps its report (unplaced, counts); its seats
    are in seat_assignments. A failure anywhere rolls everything back (the site keeps its arrangement)."""
    _check_part(part)
    with _one_transaction(site_id, f"plan and publish by {actor.label}"):
        plan, base, seed = _plan(site_id, exam_year_id, seed, part)
        run = _new_run(site_id, exam_year_id, part, seed, plan, base, actor, "draft", keep_plan=False)
        _publish(run, base, plan.seats, actor)
    return run


@contextmanager
def _one_transaction(site_id: int, holder: str):
    """Under the site's lock: commit what the block wrote, or roll all of it back; release the lock either way."""
    acquire(site_id, holder)
    try:
        yield
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    finally:
        release(site_id)


def _publish(run: ArrangementRun, base: ArrangementRun | None, wanted: dict[int, tuple[int, int]],
             actor: Actor) -> None:
    changed = _write_seats(run, base, wanted)
    run.state, run.published_at = "published", utcnow()
    if base is not None:
        base.state = "discarded"
    audit.record("arrangement.published", **actor.audit_fields(), obj=run, after=_summary(run))
    published.send(run, registration_ids=changed)


def _write_seats(run: ArrangementRun, base: ArrangementRun | None, wanted: dict[int, tuple[int, int]]) -> list[int]:
    """Make seat_assignments equal the run's plan; record each change. Returns the changed registrations."""
    site = db.session.get(Site, run.site_id)
    year = db.session.get(ExamYear, run.exam_year_id)
    room_numbers = dict(db.session.execute(select(ExamRoom.id, ExamRoom.number)
                                           .where(ExamRoom.site_id == run.site_id)).all())
    current = {a.registration_id: a for a in db.session.scalars(
        select(SeatAssignment).where(SeatAssignment.site_id == run.site_id, SeatAssignment.part == run.part))}
    if run.part == "skills":  # a site moved to this base: its candidates' seats at the former base move here
        for chunk in range(0, len(wanted), 5000):
            current.update({a.registration_id: a for a in db.session.scalars(select(SeatAssignment).where(
                SeatAssignment.part == "skills", SeatAssignment.site_id != run.site_id,
                SeatAssignment.registration_id.in_(sorted(wanted)[chunk:chunk + 5000])))})
    changed, moves, seats, now = [], [], [], utcnow()
    gone = [a for reg, a in current.items() if wanted.get(reg) != (a.room_id, a.seat)]
    for a in gone:  # free their seats and numbers first (same transaction)
        db.session.delete(a)
    db.session.flush()
    for reg_id, (room_id, seat) in sorted(wanted.items()):
        old = current.get(reg_id)
        if old is not None and (old.room_id, old.seat) == (room_id, seat):
            continue
        number = numbers.admission_number(year.year, site.region.code, site.id, room_numbers[room_id], seat)
        seats.append((reg_id, site.id, room_id, seat, number, run.id, run.part))
        changed.append(reg_id)
        if base is not None or old is not None:  # (old without base: moved here from another base)
            moves.append((run.id, reg_id, old.admission_number if old else None, number,
                          "调整考场" if old else "新增编排", now))
    for a in gone:
        if a.registration_id not in wanted:
            changed.append(a.registration_id)
            moves.append((run.id, a.registration_id, a.admission_number, None,
                          run.unplaced.get(str(a.registration_id), "报名已失效"), now))
    copy_rows(SeatAssignment.__table__, SEAT_COLUMNS, seats)  # COPY on PostgreSQL, same transaction
    copy_rows(SeatMove.__table__, MOVE_COLUMNS, moves)
    return changed


def discard(run_id: int, actor: Actor) -> None:
    run = db.session.get(ArrangementRun, run_id)
    if run is None or run.state != "draft":
        raise DomainError("只能作废尚未发布的预排结果。")
    run.state = "discarded"
    audit.record("arrangement.discarded", **actor.audit_fields(), obj=run, after={"site_id": run.site_id})


# --- statistics -------------------------------------------------------------------------------------

def sittings(exam_year_id: int | None):
    """How many times a room's seats are filled: once for 医学综合 (a seat covers all of a candidate's written
    sessions), once per 实践技能 session it hosts (each day has its own candidates); a room hosting nothing counts once."""
    hosted = (select(func.count()).select_from(room_sessions.join(ExamSession, ExamSession.id == room_sessions.c.session_id))
              .where(room_sessions.c.room_id == ExamRoom.id))
    if exam_year_id is not None:
        hosted = hosted.where(ExamSession.exam_year_id == exam_year_id)
    skills = hosted.where(ExamSession.part == "skills").scalar_subquery()
    return skills + case((hosted.where(ExamSession.part != "skills").scalar_subquery() > 0, 1),
                         (skills == 0, 1), else_=0)


def site_statistics(site_ids: list[int], exam_year_id: int | None = None) -> list[dict]:
    """Per site: rooms, rooms used, seats, seats filled, unplaced (of the published run)."""
    rooms = dict(db.session.execute(select(ExamRoom.site_id, func.count()).where(
        ExamRoom.site_id.in_(site_ids), ExamRoom.closed.is_(False)).group_by(ExamRoom.site_id)).all())
    seats = dict(db.session.execute(select(ExamRoom.site_id, func.sum(ExamRoom.capacity * sittings(exam_year_id)))
                                    .where(ExamRoom.site_id.in_(site_ids), ExamRoom.closed.is_(False))
                                    .group_by(ExamRoom.site_id)).all())
    used = dict(db.session.execute(select(SeatAssignment.site_id, func.count(func.distinct(SeatAssignment.room_id)))
                                   .where(SeatAssignment.site_id.in_(site_ids))
                                   .group_by(SeatAssignment.site_id)).all())
    filled = dict(db.session.execute(select(SeatAssignment.site_id, func.count()).where(
        SeatAssignment.site_id.in_(site_ids)).group_by(SeatAssignment.site_id)).all())
    runs = select(ArrangementRun).where(ArrangementRun.site_id.in_(site_ids), ArrangementRun.state == "published")
    if exam_year_id is not None:
        runs = runs.where(ArrangementRun.exam_year_id == exam_year_id)
    latest = {(r.site_id, r.part): len(r.unplaced) for r in db.session.scalars(runs.order_by(ArrangementRun.id))}
    unplaced: dict[int, int] = {}
    for (site_id, _part), count in latest.items():  # 医学综合 and 实践技能 together
        unplaced[site_id] = unplaced.get(site_id, 0) + count
    out = []
    for site in db.session.scalars(select(Site).where(Site.id.in_(site_ids)).order_by(Site.code)):
        out.append({"site_id": site.id, "site": site.name, "rooms": rooms.get(site.id, 0),
                    "rooms_used": used.get(site.id, 0), "seats": int(seats.get(site.id) or 0),
                    "seats_filled": filled.get(site.id, 0), "unplaced": unplaced.get(site.id, 0)})
    return out


def mark_closed(room: ExamRoom, actor: Actor) -> None:
    """停用考场: its seats stay published until a re-arrangement moves them (recorded moves)."""
    room.closed = True
    audit.record("arrangement.room.closed", **actor.audit_fields(), obj=room, after={"closed": True})



def set_accessible_need(user, number: str, needed: bool) -> Registration:
    """Mark (or unmark) a registration as needing a 无障碍 room; the next 预排 places it accordingly. Caller commits.
    Outside the user's manageable regions the number is answered as unknown."""
    from core.services import scope
    reg = db.session.scalar(select(Registration).where(Registration.number == (number or "").strip()))
    if reg is None or not scope.can_manage_region(user, reg.region_id):
        raise DomainError("未找到该报名号，或该报名不在您管理的考区。", field="number")
    before = reg.needs_accessible_room
    reg.needs_accessible_room = needed
    audit.record("arrangement.accessible_need.changed", **Actor.staff(user).audit_fields(), obj=reg,
                 before={"needs_accessible_room": before}, after={"needs_accessible_room": needed})
    return reg
