"""提交 stays lean: few statements, the seat UPDATE last, and nothing read back after the commit."""
from __future__ import annotations

from sqlalchemy import event

from core.db import db
from core.models import Candidate, Registration
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
    session.commit()
    session.expunge_all()  # as at the start of a request: nothing loaded yet
    cand = session.get(Candidate, cand_id)

    done, seen = statements_during(lambda: submission.submit_registration(cand, reg_id, "t-1"))

    writes = [s.split()[0] + " " + s.split()[1 if s.startswith("UPDATE") else 2] for s in seen
              if not s.startswith("SELECT")]
    # the audit entry is flushed with the seat UPDATE (no read in between flushes it earlier)
    assert writes == ["UPDATE registrations", "INSERT registration_entries", "UPDATE educations",
                      "INSERT notify_messages", "INSERT audit_log", "UPDATE sites"]  # one INSERT for the channels
    # registration with year and subject, rule settings, route settings (open or closed per year),
    # educations, trainings (R10: one of type 住院医师规范化培训 must be ticked, so the unticked ones are read
    # too), site, the region's review mode (网上资格审核); the outbox: one INSERT for every channel (the
    # candidate's message settings come back with the status UPDATE)
    assert not [s for s in seen if s.startswith("SELECT notify_settings")], seen
    assert len(seen) <= 12, "\n".join(s[:150] for s in seen)  # 13 before: the message settings read alone
    # what the caller reads comes from the commit, and matches the database
    _, after = statements_during(lambda: (done.status, done.number, done.site_id, done.submit_token))
    assert after == []
    session.expunge_all()
    stored = session.get(Registration, reg_id)
    assert (stored.status, stored.number, stored.site_id, stored.submit_token) == (
        "submitted", done.number, site_id, "t-1")
