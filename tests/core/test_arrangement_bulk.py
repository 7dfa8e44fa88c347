"""Issue 18 at scale: core.bulk.copy_rows (COPY on PostgreSQL, executemany on SQLite), service.plan_and_publish
(one transaction, the same plan as plan + publish), outbox.queue_many (many messages in one INSERT)."""
import pytest
from sqlalchemy import event, func, select

from core.arrangement import service
from core.bulk import copy_rows
from core.db import db, utcnow
from core.models import ArrangementLock, ArrangementRun, AuditEntry, Message, SeatAssignment, SeatMove
from core.notify import outbox
from core.registration import lifecycle
from core.registration.lifecycle import SYSTEM_ACTOR
from tests.factories import arranged_registrations, make_catalogue, make_rooms, make_sessions


@pytest.fixture
def site(session):
    cat = make_catalogue(capacity=500)
    s = make_sessions(cat)
    rooms = make_rooms(cat["site"], s["physician"] + [s["military"]], 10, 10, 10, accessible=(2,))
    regs = arranged_registrations(cat, 25)
    db.session.commit()
    return cat, rooms, regs


def _seats():
    return {a.registration_id: (a.room_id, a.seat, a.admission_number)
            for a in db.session.scalars(select(SeatAssignment))}


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


# --- copy_rows --------------------------------------------------------------------------------------

def test_copy_rows_writes_in_the_session_transaction_and_a_rollback_removes_them(site):
    cat, _rooms, regs = site
    run = service.plan_site(cat["site"].id, cat["year"].id, SYSTEM_ACTOR, seed=1)
    db.session.flush()
    now = utcnow()
    rows = [(run.id, r.id, None, f"N{r.id}", "新增编排", now) for r in regs]
    assert copy_rows(SeatMove.__table__, service.MOVE_COLUMNS, rows) == 25
    got = db.session.execute(select(SeatMove.registration_id, SeatMove.to_number, SeatMove.from_number)
                             .order_by(SeatMove.registration_id)).all()
    assert got == [(r.id, f"N{r.id}", None) for r in sorted(regs, key=lambda r: r.id)]  # seen by the session
    db.session.rollback()
    assert _count(SeatMove) == 0 and _count(ArrangementRun) == 0


def test_copy_rows_failing_half_way_writes_nothing(site):
    """The 13th row breaks a constraint (no reason): the database refuses the copy, nothing is written."""
    cat, _rooms, regs = site
    run = service.plan_site(cat["site"].id, cat["year"].id, SYSTEM_ACTOR, seed=1)
    db.session.commit()
    now = utcnow()
    rows = [(run.id, r.id, None, f"N{r.id}", None if i == 12 else "新增编排", now) for i, r in enumerate(regs)]
    with pytest.raises(Exception) as refused:
        copy_rows(SeatMove.__table__, service.MOVE_COLUMNS, rows)
    assert "reason" in str(refused.value)
    db.session.rollback()
    assert _count(SeatMove) == 0


def test_publish_uses_copy_on_postgresql(site):
    """On PostgreSQL the seats go through COPY (no INSERT INTO seat_assignments); elsewhere one executemany."""
    cat, _rooms, _regs = site
    statements = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        service.plan_and_publish(cat["site"].id, cat["year"].id, SYSTEM_ACTOR, seed=3)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO SEAT_ASSIGNMENTS")]
    if engine.dialect.name == "postgresql":
        assert inserts == []  # COPY is not seen as an execute by SQLAlchemy
    else:
        assert len(inserts) == 1
    assert len(_seats()) == 25


# --- plan_and_publish -------------------------------------------------------------------------------

def test_plan_and_publish_gives_the_same_seats_as_plan_then_publish(site):
    cat, _rooms, _regs = site
    run = service.plan_site(cat["site"].id, cat["year"].id, SYSTEM_ACTOR, seed=77)
    db.session.commit()
    service.publish(run.id, SYSTEM_ACTOR)
    two_steps = _seats()
    db.session.execute(SeatMove.__table__.delete())
    db.session.execute(SeatAssignment.__table__.delete())
    db.session.execute(ArrangementRun.__table__.delete())
    db.session.commit()
    once = service.plan_and_publish(cat["site"].id, cat["year"].id, SYSTEM_ACTOR, seed=77)
    assert _seats() == two_steps and len(two_steps) == 25
    assert once.state == "published" and once.seed == 77 and once.placed_count == 25
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "arrangement.published")
                             .order_by(AuditEntry.id.desc()).limit(1)).after["placed"] == 25
    assert _count(ArrangementLock) == 0


def test_plan_and_publish_rearranges_with_recorded_moves(site):
    cat, _rooms, regs = site
    service.plan_and_publish(cat["site"].id, cat["year"].id, SYSTEM_ACTOR, seed=4)
    before = _seats()
    gone = regs[0]
    lifecycle.transition(gone, "reject", lifecycle.Actor("staff", None, "审核员"))
    db.session.commit()
    second = service.plan_and_publish(cat["site"].id, cat["year"].id, SYSTEM_ACTOR, seed=5)
    after = _seats()
    assert gone.id not in after
    assert {k: v for k, v in before.items() if k != gone.id} == after  # nobody else moved
    moves = db.session.execute(select(SeatMove.registration_id, SeatMove.to_number)
                               .where(SeatMove.run_id == second.id)).all()
    assert moves == [(gone.id, None)]
    assert _count(ArrangementRun) == 2
    assert db.session.scalar(select(func.count()).select_from(ArrangementRun)
                             .where(ArrangementRun.state == "published")) == 1


def test_plan_and_publish_failing_half_way_writes_nothing(site):
    """Killed after the seats and their messages were written (in the signal's receivers): no seat, no run,
    no message, no audit entry, the lock released; the next attempt publishes."""
    cat, _rooms, _regs = site

    def killed(run, registration_ids):
        assert _count(SeatAssignment) == 25  # the COPY had happened in this transaction
        raise RuntimeError("worker killed")

    service.published.connect(killed)
    try:
        with pytest.raises(RuntimeError):
            service.plan_and_publish(cat["site"].id, cat["year"].id, SYSTEM_ACTOR, seed=6)
    finally:
        service.published.disconnect(killed)
    assert _count(SeatAssignment) == 0 and _count(ArrangementRun) == 0 and _count(Message) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action.like("arrangement.%"))) == 0
    assert _count(ArrangementLock) == 0
    service.plan_and_publish(cat["site"].id, cat["year"].id, SYSTEM_ACTOR, seed=6)
    assert len(_seats()) == 25


# --- queue_many -------------------------------------------------------------------------------------

@pytest.mark.parametrize("copy_from", [1000, 5])
def test_queue_many_writes_every_message_in_one_insert_and_skips_those_already_queued(site, monkeypatch, copy_from):
    """copy_from 5: on PostgreSQL through COPY into a temporary table and one INSERT ... SELECT."""
    monkeypatch.setattr(outbox, "COPY_FROM", copy_from)
    _cat, _rooms, regs = site
    cands = [r.candidate_id for r in regs]
    outbox.queue(cands[0], "admission_ticket", {"number": "X", "date": "2027-08-01"}, key="t:0")
    statements = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        written = outbox.queue_many("admission_ticket", [(c, {"number": f"R{i}", "date": "2027-08-01"}, f"t:{i}")
                                                         for i, c in enumerate(cands)])
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    db.session.commit()
    assert written == 24  # the first was already there
    assert len([s for s in statements if s.lstrip().upper().startswith("INSERT INTO NOTIFY_MESSAGES")]) == 1
    copied = any("FROM notify_incoming" in s for s in statements)
    assert copied == (copy_from == 5 and db.engine.dialect.name == "postgresql")
    got = dict(db.session.execute(select(Message.candidate_id, Message.body_text)
                                  .where(Message.channel == "inbox")).all())
    assert sorted(got) == sorted(cands)
    assert "R7" in got[cands[7]]
    assert "X" in got[cands[0]] and "R0" not in got[cands[0]]  # not queued twice
