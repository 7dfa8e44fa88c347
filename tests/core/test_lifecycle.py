"""The registration life cycle (core/registration/lifecycle.py) walked as a table: every transition from every
state. Allowed pairs happen once, with their consequences; every other pair is refused with nothing changed."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from backoffice.roles import NATIONAL_ADMIN
from core.db import db, utcnow
from core.models import AuditEntry, Education, PaymentOrder, Refund, Registration, Site
from core.payments import service as payments
from core.registration import lifecycle, submission
from core.registration.errors import StaleState
from core.registration.lifecycle import SYSTEM_ACTOR, TRANSITIONS, Actor
from core.registration.states import (ABANDONED, APPROVED, CORRECTED, CORRECTION, DRAFT, ENDED, EXPIRED, LAPSED,
                                      REJECTED, STATUSES, SUBMITTED)
from core.services.errors import NotAllowed
from tests.factories import make_catalogue, make_staff, ready_candidate, ready_draft
from tests.support.environment import IS_SQLITE

REASON = "毕业证书原件与填报不符"
# how each state is reached from a submitted registration (through the life cycle itself)
REACH = {SUBMITTED: [], APPROVED: ["approve"], REJECTED: ["reject"], ABANDONED: ["abandon"], EXPIRED: ["expire"],
         CORRECTION: ["request_correction"], CORRECTED: ["request_correction", "resubmit"],
         LAPSED: ["request_correction", "lapse_correction"]}


@pytest.fixture
def world(admin_app, session):
    """Named as the back-office fixture it replaces here: a catalogue and a national reviewer."""
    cat = make_catalogue()
    db.session.commit()
    staff_id, staff_name = make_staff(admin_app, NATIONAL_ADMIN)
    return {"cat": cat, "staff": Actor("staff", staff_id, staff_name)}


def actor_for(name: str, world: dict, candidate) -> Actor:
    kind = TRANSITIONS[name].actors[0]
    return {"candidate": Actor.candidate(candidate), "staff": world["staff"], "system": SYSTEM_ACTOR}[kind]


def kwargs_for(name: str, reg: Registration, cat: dict) -> dict:
    if name == "submit":
        site = cat["site"]
        return {"values": dict(site_id=site.id, region_id=site.region_id, number=f"T{reg.id:08d}",
                               submitted_at=utcnow()),
                "entry_ids": {"education": [e.id for e in reg.candidate.educations]}}
    return {"reason": REASON} if name == "reject" else {}


def registration_in(state: str, world: dict) -> Registration:
    cand = ready_candidate()
    reg = ready_draft(cand, world["cat"])
    db.session.commit()
    if state == DRAFT:
        return reg
    reg = submission.submit_registration(cand, reg.id, f"t{reg.id}")
    for name in REACH[state]:
        lifecycle.transition(reg, name, actor_for(name, world, cand), **kwargs_for(name, reg, world["cat"]))
        db.session.commit()
    assert reg.status == state
    return reg


def observed(reg_id: int, site_id: int, edu_id: int) -> dict:
    db.session.expire_all()
    reg = db.session.get(Registration, reg_id)
    return {"status": reg.status if reg else None, "payment": reg.payment_status if reg else None,
            "taken": db.session.get(Site, site_id).taken, "entry": db.session.get(Education, edu_id).state,
            "audit": db.session.scalar(select(func.count()).select_from(AuditEntry)
                                       .filter_by(object_type="registrations", object_id=reg_id)),
            "refunds": db.session.scalar(select(func.count()).select_from(Refund))}


def expected(before: dict, name: str) -> dict:
    """What a transition must change, from the table: status, seat, entry lock, one audit entry."""
    t = TRANSITIONS[name]
    after = {**before, "status": t.target, "audit": before["audit"] + 1}
    if t.target is None:
        after["payment"] = None
    elif before["status"] == DRAFT:  # submit: a seat taken, the entry locked
        after.update(taken=before["taken"] + 1, entry="locked")
    elif t.target in ENDED:  # a seat back, the entry unlocked
        after.update(taken=before["taken"] - 1, entry="editable")
    return after


PAIRS = [(name, state) for name in TRANSITIONS for state in STATUSES]


@pytest.mark.parametrize("name,state", PAIRS, ids=[f"{n}-from-{s}" for n, s in PAIRS])
def test_every_transition_from_every_state(world, session, name, state):
    reg = registration_in(state, world)
    reg_id, cand = reg.id, reg.candidate
    keys = (reg_id, world["cat"]["site"].id, cand.educations[0].id)
    before = observed(*keys)
    reg = db.session.get(Registration, reg_id)
    call = lambda: lifecycle.transition(reg, name, actor_for(name, world, cand),  # noqa: E731
                                        **kwargs_for(name, reg, world["cat"]))
    if state not in TRANSITIONS[name].sources:
        with pytest.raises(StaleState):
            call()
        db.session.rollback()
        assert observed(*keys) == before
        return
    call()
    db.session.commit()
    after = observed(*keys)
    assert after == expected(before, name)
    entry = session.scalars(select(AuditEntry).filter_by(object_id=reg_id).order_by(AuditEntry.id.desc())).first()
    assert entry.action == TRANSITIONS[name].audit_action and entry.actor_type == TRANSITIONS[name].actors[0]
    assert entry.before == {"status": state}
    # and only once: the same transition again is refused, with nothing changed
    if after["status"] is not None:
        reg = db.session.get(Registration, reg_id)
        with pytest.raises(StaleState):
            call()
        db.session.rollback()
        assert observed(*keys) == after


@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_an_actor_the_table_does_not_name_is_refused(world, session, name):
    state = TRANSITIONS[name].sources[0]
    reg = registration_in(state, world)
    wrong = next(a for a in (Actor.candidate(reg.candidate), world["staff"], SYSTEM_ACTOR)
                 if a.kind not in TRANSITIONS[name].actors)
    with pytest.raises(NotAllowed):
        lifecycle.transition(reg, name, wrong, **kwargs_for(name, reg, world["cat"]))
    db.session.rollback()
    assert db.session.get(Registration, reg.id).status == state


def pay(reg: Registration) -> PaymentOrder:
    order = PaymentOrder(registration_id=reg.id, out_trade_no=f"T{reg.id}", provider="sandbox", amount_fen=12000,
                         items=[], status="pending")
    db.session.add(order)
    db.session.commit()
    assert payments._mark_paid(order, "trade", "gateway", "notification", utcnow())
    db.session.commit()
    return order


@pytest.mark.parametrize("name", ["reject", "abandon"])
def test_ending_a_paid_registration_requests_a_refund(world, session, name):
    reg = registration_in(APPROVED if name == "reject" else SUBMITTED, world)
    order = pay(reg)
    outcome = lifecycle.transition(reg, name, actor_for(name, world, reg.candidate),
                                   **kwargs_for(name, reg, world["cat"]))
    db.session.commit()
    assert outcome.refund_requested and reg.payment_status == "refund_pending"
    refund = session.scalar(select(Refund))
    assert (refund.order_id, refund.status, refund.reason) == (order.id, "requested",
                                                               TRANSITIONS[name].refund_reason)
    assert session.get(PaymentOrder, order.id).status == "refund_pending"


def test_expiry_never_ends_a_paid_registration(world, session):
    reg = registration_in(SUBMITTED, world)
    pay(reg)
    with pytest.raises(StaleState):
        lifecycle.transition(reg, "expire", SYSTEM_ACTOR)
    db.session.rollback()
    assert db.session.get(Registration, reg.id).status == SUBMITTED


def test_a_payment_after_rejection_becomes_a_refund_request(world, session):
    reg = registration_in(REJECTED, world)
    pay(reg)
    db.session.expire_all()
    assert db.session.get(Registration, reg.id).payment_status == "refund_pending"
    assert session.scalar(select(Refund)).reason == "报名已失效，缴费自动转为退费申请"


def test_receivers_run_inside_the_transition_s_transaction(world, session):
    reg = registration_in(SUBMITTED, world)
    seen = []

    def receiver(registration, name, actor, outcome):
        seen.append((registration.id, name, actor.kind, outcome.before, outcome.after))
        db.session.add(AuditEntry(action="test.notified", actor_type="system", object_type="registrations",
                                  object_id=registration.id))

    lifecycle.transitioned.connect(receiver)
    try:
        lifecycle.transition(reg, "approve", world["staff"])
        db.session.rollback()  # the caller gives up: the receiver's write goes with the transition
    finally:
        lifecycle.transitioned.disconnect(receiver)
    assert seen == [(reg.id, "approve", "staff", SUBMITTED, APPROVED)]
    assert db.session.get(Registration, reg.id).status == SUBMITTED
    assert session.scalar(select(func.count()).select_from(AuditEntry).filter_by(action="test.notified")) == 0


def _race(app, name: str, reg_id: int, actor: Actor, kwargs: dict) -> str:
    with app.app_context():
        try:
            reg = db.session.get(Registration, reg_id)
            if reg is None:  # a discarded draft, gone before this one looked
                return "stale"
            lifecycle.transition(reg, name, actor, **kwargs)
            db.session.commit()
            return "ok"
        except StaleState:
            db.session.rollback()
            return "stale"
        finally:
            db.session.remove()


@pytest.mark.skipif(IS_SQLITE, reason="real concurrency needs PostgreSQL")
@pytest.mark.parametrize("name", [n for n in TRANSITIONS if n != "submit"])  # submit's race: test_seats.py
def test_a_transition_raced_against_itself_happens_once(app, world, session, name):
    reg = registration_in(TRANSITIONS[name].sources[0], world)
    keys = (reg.id, world["cat"]["site"].id, reg.candidate.educations[0].id)
    before = observed(*keys)
    actor, kwargs = actor_for(name, world, reg.candidate), kwargs_for(name, reg, world["cat"])
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: _race(app, name, reg.id, actor, kwargs), range(16)))
    assert answers.count("ok") == 1 and answers.count("stale") == 15, answers
    assert observed(*keys) == expected(before, name)


def _pay_or_reject(app, what: str, reg_id: int, order_id: int, staff: Actor) -> str:
    with app.app_context():
        try:
            if what == "pay":
                order = db.session.get(PaymentOrder, order_id)
                payments._mark_paid(order, "trade", "gateway", "notification", utcnow())
            else:
                lifecycle.transition(db.session.get(Registration, reg_id), "reject", staff, reason=REASON)
            db.session.commit()
            return "ok"
        finally:
            db.session.remove()


@pytest.mark.skipif(IS_SQLITE, reason="row locks need PostgreSQL")
def test_rejection_racing_the_payment_always_ends_in_one_refund_request(app, world, session):
    pairs = []
    for _ in range(12):
        reg = registration_in(SUBMITTED, world)
        order = PaymentOrder(registration_id=reg.id, out_trade_no=f"R{reg.id}", provider="sandbox",
                             amount_fen=12000, items=[], status="pending")
        session.add(order)
        session.commit()
        pairs.append((reg.id, order.id))
    jobs = [(what, r, o) for r, o in pairs for what in ("pay", "reject")]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(lambda j: _pay_or_reject(app, *j, world["staff"]), jobs)) == {"ok"}
    session.expire_all()
    for reg_id, order_id in pairs:
        reg = session.get(Registration, reg_id)
        assert (reg.status, reg.payment_status) == (REJECTED, "refund_pending")
        assert session.scalar(select(func.count()).select_from(Refund).filter_by(order_id=order_id)) == 1
