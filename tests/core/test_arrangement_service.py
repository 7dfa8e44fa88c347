"""考场编排 against the database: dry run, publish in one transaction, re-arrangement with recorded moves,
one run per site at a time, the background job."""
import pytest
from sqlalchemy import func, select

from core import jobs
from core.arrangement import numbers, service
from core.arrangement.job import KIND
from core.db import db
from core.models import ArrangementRun, AuditEntry, Message, Registration, SeatAssignment, SeatMove
from core.registration import lifecycle
from core.registration.lifecycle import SYSTEM_ACTOR
from core.services.errors import DomainError
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


def test_dry_run_changes_nothing_a_candidate_sees_and_publish_writes_numbers(site):
    cat, rooms, regs = site
    run = service.plan_site(cat["site"].id, cat["year"].id, SYSTEM_ACTOR, seed=42)
    db.session.commit()
    assert run.state == "draft" and run.placed_count == 25 and not run.unplaced
    assert not _seats()  # a dry run publishes nothing
    again = service.plan_site(cat["site"].id, cat["year"].id, SYSTEM_ACTOR, seed=42)
    assert again.plan == run.plan  # the recorded seed reproduces the plan
    db.session.commit()
    service.publish(run.id, SYSTEM_ACTOR)
    seats = _seats()
    assert len(seats) == 25 and len({n for *_r, n in seats.values()}) == 25
    for reg_id, (room_id, seat, number) in seats.items():
        p = numbers.parts(number)
        room = next(r for r in rooms if r.id == room_id)
        assert p == {"year": 2027, "region": cat["region"].code[:2], "site_id": cat["site"].id,
                     "room": room.number, "seat": seat}
    assert db.session.scalar(select(func.count()).select_from(SeatMove)) == 0  # a first publication moves no one
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"arrangement.planned", "arrangement.published"} <= actions
    with pytest.raises(DomainError):
        service.publish(run.id, SYSTEM_ACTOR)  # once only
    with pytest.raises(DomainError, match="重新预排"):
        service.publish(again.id, SYSTEM_ACTOR)  # planned against an arrangement that has since changed


def test_rearrangement_keeps_numbers_and_records_every_move(site):
    cat, rooms, regs = site
    first = service.plan_site(cat["site"].id, cat["year"].id, SYSTEM_ACTOR, seed=1)
    db.session.commit()
    service.publish(first.id, SYSTEM_ACTOR)
    before = _seats()
    rejected = regs[0]
    lifecycle.transition(rejected, "reject", lifecycle.Actor("staff", None, "审核员"))
    closed = rooms[0]
    closed.closed = True
    make_rooms(cat["site"], rooms[1].sessions, 10, start=4)  # a room opened instead
    newcomer = arranged_registrations(cat, 1)[0]
    db.session.commit()
    run = service.plan_site(cat["site"].id, cat["year"].id, SYSTEM_ACTOR, seed=2)
    db.session.commit()
    service.publish(run.id, SYSTEM_ACTOR)
    after = _seats()
    assert rejected.id not in after and newcomer.id in after
    moves = {m.registration_id: m for m in db.session.scalars(select(SeatMove))}
    for reg_id, (room_id, seat, number) in before.items():
        if reg_id == rejected.id:
            assert moves[reg_id].from_number == number and moves[reg_id].to_number is None
        elif room_id == closed.id:
            assert moves[reg_id].from_number == number and moves[reg_id].to_number == after[reg_id][2]
            assert after[reg_id][0] != closed.id
        else:
            assert after[reg_id] == (room_id, seat, number) and reg_id not in moves  # untouched
    assert moves[newcomer.id].from_number is None
    assert set(moves) == {rejected.id, newcomer.id} | {reg for reg, (r, *_x) in before.items() if r == closed.id}


def test_unplaced_are_reported_with_reasons(session):
    cat = make_catalogue(capacity=100)
    s = make_sessions(cat)
    make_rooms(cat["site"], s["physician"], 3)  # no 军事医学, no 无障碍
    arranged_registrations(cat, 4)
    mil = arranged_registrations(cat, 1, military_unit=True)[0]
    acc = arranged_registrations(cat, 1, needs_accessible_room=True)[0]
    db.session.commit()
    run = service.plan_site(cat["site"].id, cat["year"].id, SYSTEM_ACTOR, seed=3)
    assert run.placed_count == 3
    assert run.unplaced[str(mil.id)] == "无安排军事医学场次的考场"
    assert run.unplaced[str(acc.id)] == "无可用的无障碍考场"
    assert list(run.unplaced.values()).count("座位不足") == 1


def test_only_approved_and_paid_registrations_are_arranged(session):
    cat = make_catalogue(capacity=100)
    s = make_sessions(cat)
    make_rooms(cat["site"], s["physician"], 30)
    paid = arranged_registrations(cat, 2)
    from tests.factories import make_registration
    make_registration(cat=cat, status="approved", payment_status="unpaid")
    make_registration(cat=cat, status="submitted", payment_status="paid")
    db.session.commit()
    run = service.plan_site(cat["site"].id, cat["year"].id, SYSTEM_ACTOR, seed=3)
    assert set(run.plan) == {str(r.id) for r in paid}


def test_a_second_run_for_the_same_site_is_refused_while_one_holds_it(site):
    cat, _rooms, _regs = site
    service.acquire(cat["site"].id, "another worker")
    try:
        with pytest.raises(DomainError, match="正在编排"):
            service.plan_site(cat["site"].id, cat["year"].id, SYSTEM_ACTOR)
    finally:
        service.release(cat["site"].id)
    assert service.plan_site(cat["site"].id, cat["year"].id, SYSTEM_ACTOR).placed_count == 25
    db.session.commit()


def test_a_publication_failing_half_way_leaves_nothing_half_published(site, monkeypatch):
    cat, _rooms, _regs = site
    run = service.plan_site(cat["site"].id, cat["year"].id, SYSTEM_ACTOR, seed=5)
    db.session.commit()
    real = numbers.admission_number
    calls = []

    def dies_half_way(*args):  # a killed process, simulated at the 13th seat
        calls.append(1)
        if len(calls) == 13:
            raise RuntimeError("worker killed")
        return real(*args)

    monkeypatch.setattr(numbers, "admission_number", dies_half_way)
    with pytest.raises(RuntimeError):
        service.publish(run.id, SYSTEM_ACTOR)
    db.session.expire_all()
    assert not _seats() and db.session.get(ArrangementRun, run.id).state == "draft"
    monkeypatch.setattr(numbers, "admission_number", real)
    service.publish(run.id, SYSTEM_ACTOR)  # the lock was released; publishing again works
    assert len(_seats()) == 25


def test_the_job_plans_each_site_with_progress_and_reports(site):
    cat, _rooms, _regs = site
    job = jobs.enqueue(KIND, owner_type="system", owner_id=None, backend="inline",
                       params={"site_ids": [cat["site"].id], "exam_year_id": cat["year"].id, "seed": 9})
    job = jobs.wait_for(job.id)
    assert job.state == "done" and job.progress == 100
    assert "已安排 25 人" in job.message and "未能安排 0 人" in job.message
    run = db.session.scalar(select(ArrangementRun))
    assert run.seed == 9 and run.state == "draft"


def test_publish_sends_the_signal_with_the_changed_registrations(site):
    cat, _rooms, regs = site
    got = []

    def receiver(run, registration_ids):
        got.append(sorted(registration_ids))

    service.published.connect(receiver)
    try:
        run = service.plan_site(cat["site"].id, cat["year"].id, SYSTEM_ACTOR)
        db.session.commit()
        service.publish(run.id, SYSTEM_ACTOR)
    finally:
        service.published.disconnect(receiver)
    assert got == [sorted(r.id for r in regs)]
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 25


def test_publishing_tells_each_placed_candidate_once_and_a_republish_of_nothing_new_tells_no_one(site):
    cat, _rooms, regs = site
    run = service.plan_site(cat["site"].id, cat["year"].id, SYSTEM_ACTOR)
    db.session.commit()
    service.publish(run.id, SYSTEM_ACTOR)
    told = db.session.execute(select(Message.candidate_id, func.count()).where(
        Message.template == "admission_ticket", Message.channel == "inbox").group_by(Message.candidate_id)).all()
    assert sorted(told) == sorted((r.candidate_id, 1) for r in regs)
    again = service.plan_site(cat["site"].id, cat["year"].id, SYSTEM_ACTOR)  # nothing changed: nobody moves
    db.session.commit()
    service.publish(again.id, SYSTEM_ACTOR)
    assert db.session.scalar(select(func.count()).select_from(Message).where(
        Message.template == "admission_ticket", Message.channel == "inbox")) == len(regs)
