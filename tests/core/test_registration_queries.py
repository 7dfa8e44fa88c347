"""提交 stays lean: few statements, the seat UPDATE last, and nothing read back after the commit."""
from __future__ import annotations

from sqlalchemy import event, select

from core.db import db
from core.models import AuditEntry, Candidate, Registration
from core.registration import submission
from tests.factories import make_catalogue, ready_candidate, ready_draft


def statements_during(fn):
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        result = fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return result, seen


def test_submission_takes_the_seat_last_and_reads_nothing_back(session):
    cat = make_catalogue(capacity=3)
    cand = ready_candidate()
    reg_id, cand_id, site_id = ready_draft(cand, cat).id, cand.id, cat["site"].id
    username, subject_code, site_code = cand.username, cat["subject"].code, cat["site"].code
    session.commit()
    session.expunge_all()  # as at the start of a request: nothing loaded yet
    cand = session.get(Candidate, cand_id)

    done, seen = statements_during(lambda: submission.submit_registration(cand, reg_id, "t-1"))

    writes = [s.split()[0] + " " + s.split()[1 if s.startswith("UPDATE") else 2] for s in seen
              if not s.startswith("SELECT")]
    # the audit entry is written by its own table INSERT as the transition records it (no ORM object waiting for
    # a flush), then the message; one INSERT for the channels
    assert writes == ["UPDATE registrations", "INSERT registration_entries", "UPDATE educations",
                      "INSERT audit_log", "INSERT notify_messages", "UPDATE sites"]
    # registration with year and subject, rule settings, route settings (open or closed per year),
    # educations, trainings (R10: one of type 住院医师规范化培训 must be ticked, so the unticked ones are read
    # too), site, the region's review mode (网上资格审核); the outbox: one INSERT for every channel (the
    # candidate's message settings come back with the status UPDATE)
    assert not [s for s in seen if s.startswith("SELECT notify_settings")], seen
    # the region's review mode comes with the year's settings
    assert not [s for s in seen if s.startswith("SELECT review_modes")], seen
    assert len(seen) <= 11, "\n".join(s[:150] for s in seen)  # 13 before: the message settings read alone,
    # then 12: the review mode read alone
    # what the caller reads comes from the commit, and matches the database
    _, after = statements_during(lambda: (done.status, done.number, done.site_id, done.submit_token))
    assert after == []
    session.expunge_all()
    stored = session.get(Registration, reg_id)
    assert (stored.status, stored.number, stored.site_id, stored.submit_token) == (
        "submitted", done.number, site_id, "t-1")
    # the audit entry, whole, as the ORM object wrote it before
    entry = session.scalars(select(AuditEntry).filter_by(object_type="registrations", object_id=reg_id)).one()
    assert (entry.action, entry.actor_type, entry.actor_id, entry.actor_name, entry.before, entry.ip) == (
        "registration.submitted", "candidate", cand_id, username, {"status": "draft"}, None)
    assert entry.after == {"status": "submitted", "number": done.number, "subject": subject_code, "site": site_code,
                           "seat_released": False, "entries_unlocked": {},
                           "refund_requested": False}
    assert entry.at is not None and entry.deidentified_at is None
