"""提交 stays lean: few statements, the seat UPDATE last, and nothing read back after the commit."""
from __future__ import annotations

from sqlalchemy import event, select

from core import eligibility
from core.db import db, utcnow
from core.models import AuditEntry, Candidate, Education, Registration, Training
from core.registration import submission
from core.services import snapshot
from tests.factories import dictionaries, make_catalogue, ready_candidate, ready_draft


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
    # a flush), then the message; one INSERT for the channels. The entries recorded are locked by that record
    # alone (no UPDATE of educations: their state is derived)
    assert writes == ["UPDATE registrations", "INSERT registration_entries",
                      "INSERT audit_log", "INSERT notify_messages", "UPDATE sites"]
    # registration with year and subject, rule settings, route settings (open or closed per year),
    # educations, trainings (R10: one of type 住院医师规范化培训 must be ticked, so the unticked ones are read
    # too), site, the region's review mode (网上资格审核); the outbox: one INSERT for every channel (the
    # candidate's message settings come back with the status UPDATE)
    assert not [s for s in seen if s.startswith("SELECT notify_settings")], seen
    # the region's review mode comes with the year's settings
    assert not [s for s in seen if s.startswith("SELECT review_modes")], seen
    # the educations and trainings in one statement (eligibility.entry_rows), not two collections
    assert not [s for s in seen if s.startswith(("SELECT educations", "SELECT trainings"))], seen
    assert len(seen) <= 9, "\n".join(s[:150] for s in seen)  # 13 before: the message settings read alone,
    # then 12: the review mode read alone, 11: educations and trainings read apart, 10: the entries' lock stored
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
                           "seat_released": False, "refund_requested": False}
    assert entry.at is not None and entry.deidentified_at is None


def test_the_entries_read_as_rows_give_the_facts_and_the_frozen_entries_the_collections_give(session):
    """提交 reads the educations and trainings in one statement, as rows (eligibility.entry_rows): the rules and
    the frozen application see exactly what the candidate's collections hold, in the same order."""
    cat = make_catalogue()
    cand = ready_candidate()
    types = dictionaries()
    session.add_all([
        Education(candidate_id=cand.id, school_name="首都医科大学", level="专科", study_mode="业余", major="临床医学",
                  start_ym="2005-09", end_ym="2008-07", major_manual=True, major_unconfirmed=True),
        Training(candidate_id=cand.id, training_type_id=types["住院医师规范化培训"].id, institution="协和医院",
                 major="内科", start_ym="2016-09", end_ym="2019-07", certificate_number="ZP-1"),
        Training(candidate_id=cand.id, training_type_id=types["进修"].id, institution="某医院", start_ym="2019-09")])
    session.flush()
    reg = ready_draft(cand, cat)
    reg.draft_data = {**reg.draft_data, "training_ids": [t.id for t in cand.trainings]}
    session.flush()
    session.expire_all()
    reg, cand = session.get(Registration, reg.id), session.get(Candidate, cand.id)

    rows, seen = statements_during(lambda: eligibility.entry_rows(cand.id))
    assert len(seen) == 1
    assert [e.school_name for e in rows[0]] == [e.school_name for e in cand.educations] == ["首都医科大学", "北京大学"]
    assert len(rows[1]) == 2
    assert eligibility.facts_for(reg, rows=rows) == eligibility.facts_for(reg)
    kw = dict(site=cat["site"], number="202711000000000001", attempts=1, military_unit=False,
              ids=eligibility.chosen_ids(reg), photo=None, submitted_at=utcnow())
    frozen = snapshot.build_snapshot(reg, rows=rows, **kw)
    assert frozen == snapshot.build_snapshot(reg, **kw)
    assert [t["type"] for t in frozen["trainings"]] == ["住院医师规范化培训", "进修"]
