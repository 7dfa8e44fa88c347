"""解锁: a registration that stops being live gives its entries back — 放弃报考, 审核不通过 and 逾期未缴费 alike.

The guide: 被锁定后该条目将不可修改（可通过放弃相关报考项目来解锁）. The lock is derived from the live registrations
that use an entry (core/models/candidate.py), so an entry another live registration of the candidate still
uses stays locked, and racing endings release each seat once and leave no entry locked for good.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from core.db import db, utcnow
from core.models import AuditEntry, Candidate, Education, Registration, Site, Training
from core.payments import service
from core.registration import submission, withdrawal
from tests.factories import (dictionaries, make_catalogue, make_registration, many_drafts, ready_candidate,
                             ready_draft)
from tests.support.concurrency import abandon
from tests.support.environment import IS_SQLITE


def deadline_passed(cat) -> None:
    cat["region"].payment_deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()


def state(model, entry_id: int) -> str:
    db.session.expire_all()
    return db.session.get(model, entry_id).state


def test_expiry_for_non_payment_unlocks_the_entries(session):
    cat = make_catalogue()
    cand = ready_candidate()
    training = Training(candidate_id=cand.id, training_type_id=dictionaries()["住院医师规范化培训"].id,
                        institution="协和医院", start_ym="2016-09", end_ym="2019-07")
    session.add(training)
    session.flush()
    draft = ready_draft(cand, cat)
    draft.draft_data = {**draft.draft_data, "training_ids": [training.id]}
    reg = submission.submit_registration(cand, draft.id, "t")
    edu_id = cand.educations[0].id
    assert (state(Education, edu_id), state(Training, training.id)) == ("locked", "locked")

    deadline_passed(cat)
    assert service.expire_unpaid() == 1
    assert session.get(Registration, reg.id).status == "expired"
    assert (state(Education, edu_id), state(Training, training.id)) == ("editable", "editable")
    audit = session.scalar(select(AuditEntry).filter_by(action="registration.expired"))
    assert audit.after["seat_released"] is True and audit.actor_type == "system"
    assert service.expire_unpaid() == 0


def test_expiry_keeps_an_entry_used_by_another_live_registration_locked(session):
    this_year, other_year = make_catalogue(), make_catalogue()
    cand = ready_candidate()
    expiring = submission.submit_registration(cand, ready_draft(cand, this_year).id, "a")
    other = submission.submit_registration(cand, ready_draft(cand, other_year).id, "b")
    edu_id = cand.educations[0].id

    deadline_passed(this_year)
    assert service.expire_unpaid() == 1
    assert session.get(Registration, expiring.id).status == "expired"
    assert state(Education, edu_id) == "locked"  # still used by `other`

    withdrawal.abandon_registration(cand, other.id)  # the last live one gives it back
    assert state(Education, edu_id) == "editable"


def test_expiry_leaves_a_verified_entry_verified(session):
    cat = make_catalogue()
    cand = ready_candidate()
    cand.educations[0].verified_at = utcnow()  # a reviewer's tick
    submission.submit_registration(cand, ready_draft(cand, cat).id, "t")
    deadline_passed(cat)
    assert service.expire_unpaid() == 1
    assert state(Education, cand.educations[0].id) == "verified"


def test_a_paid_registration_does_not_expire_and_keeps_its_entries_locked(session):
    cat = make_catalogue()
    cand = ready_candidate()
    reg = submission.submit_registration(cand, ready_draft(cand, cat).id, "t")
    reg.payment_status = "paid"
    deadline_passed(cat)
    assert service.expire_unpaid() == 0
    assert state(Education, cand.educations[0].id) == "locked"


# --- racing, on PostgreSQL ------------------------------------------------------------------------

def _expire_all(app) -> str:
    with app.app_context():
        try:
            service.expire_unpaid()
            return "ok"
        except Exception as exc:  # noqa: BLE001 — the test counts anything leaking
            return f"error: {exc!r}"
        finally:
            db.session.remove()


@pytest.mark.skipif(IS_SQLITE, reason="real concurrency needs PostgreSQL")
def test_racing_expiry_and_abandon_end_each_registration_once(app, session):
    cat = make_catalogue(capacity=60)
    for _ in range(3):  # paid registrations at the same site: a seat released twice would show
        make_registration(cat=cat, payment_status="paid")
    drafts = many_drafts(cat, 30)
    for candidate_id, draft_id in drafts:
        submission.submit_registration(session.get(Candidate, candidate_id), draft_id, f"tok-{draft_id}")
    assert session.get(Site, cat["site"].id).taken == 33
    deadline_passed(cat)

    tasks = []
    for i, draft in enumerate(drafts):
        if i % 10 == 0:
            tasks.append(("expire", None))
        tasks.append(("abandon", draft))
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda t: _expire_all(app) if t[0] == "expire" else abandon(app, *t[1]), tasks))
    assert set(answers) <= {"ok", "already"}, set(answers)

    session.expire_all()
    ids = [draft_id for _, draft_id in drafts]
    ended = session.scalars(select(Registration.status).where(Registration.id.in_(ids))).all()
    assert set(ended) <= {"expired", "abandoned"} and len(ended) == 30
    assert session.get(Site, cat["site"].id).taken == 3
    audits = session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action.in_(("registration.expired", "registration.abandoned"))))
    assert audits == 30
    still_locked = session.scalar(select(func.count()).select_from(Education).where(
        Education.candidate_id.in_([c for c, _ in drafts]), Education.state == "locked"))
    assert still_locked == 0


@pytest.mark.skipif(IS_SQLITE, reason="overlapping transactions need PostgreSQL")
def test_two_registrations_ending_at_once_leave_the_shared_entry_unlocked(app, session):
    """Expiry of one and 放弃报考 of the other, overlapping: each sees the other still live when it ends, yet
    the shared entry is editable once both have committed (nothing stored could be left locked)."""
    this_year, other_year = make_catalogue(), make_catalogue()
    cand = ready_candidate()
    expiring = submission.submit_registration(cand, ready_draft(cand, this_year).id, "a")
    abandoning = submission.submit_registration(cand, ready_draft(cand, other_year).id, "b")
    cand_id, edu_id, other_id = cand.id, cand.educations[0].id, abandoning.id
    session.commit()

    # the expiry's status change, held open before its commit, while 放弃报考 runs and commits
    session.execute(update(Registration).where(Registration.id == expiring.id).values(status="expired"))
    answer = []
    racer = threading.Thread(target=lambda: answer.append(abandon(app, cand_id, other_id)))
    racer.start()
    racer.join(10)
    assert answer == ["ok"]  # not kept waiting: no row of the candidate's is locked to unlock entries
    session.commit()
    assert state(Education, edu_id) == "editable"
