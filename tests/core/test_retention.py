"""保存期限: the retention job deletes or de-identifies exactly what the schedule says (a property over dates,
kinds and registration states, on SQLite and PostgreSQL), in batches; a run killed half-way resumes; the dry run
counts the same rows; what must be kept (live registrations' photos, submitted registrations, the audit log) is
never touched."""
from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.db import db, utcnow
from core.documents import service as documents
from core.models import AuditEntry, Candidate, Document, Job, Message, PaymentAttempt, PaymentOrder, Registration
from core.notify.outbox import queue
from core.privacy import retention
from core.services import audit
from core.storage import storage
from tests.factories import jpeg, make_catalogue, make_registration

_seq = itertools.count(1)
STATUSES = ("draft", "submitted", "approved", "abandoned", "rejected", "expired")
PERIOD_OF = {"draft": "drafts", "abandoned": "ended", "rejected": "ended", "expired": "ended",
             "approved": "approved", "submitted": "ended"}  # submitted: no kind; aged like an ended one
offsets = st.integers(min_value=-72, max_value=72)  # hours before (-) or after (+) the cutoff


def _cand(**kw) -> Candidate:
    n = next(_seq)  # built directly: no password hashing in a property test
    cand = Candidate(username=f"keep{n}", password_hash="x", name="王五", sex="M", birth_date=utcnow().date(),
                     doc_type="passport", doc_number=f"R{n:08d}", **kw)
    db.session.add(cand)
    db.session.flush()
    return cand


def _at(now, kind: str, offset_hours: int):
    return now - retention.SCHEDULE[kind].period + timedelta(hours=offset_hours)


def _world(cat, now, regs, photos, attempts, files):
    """Rows of every kind at the generated ages; returns what each one should become."""
    made = {"regs": [], "photos": [], "attempts": [], "files": []}
    for status, off in regs:
        cand = _cand()
        when = _at(now, PERIOD_OF[status], off)
        if status == "draft":
            reg = Registration(candidate_id=cand.id, exam_year_id=cat["year"].id, subject_id=cat["subject"].id,
                               status="draft", draft_data={"step": "basic"}, updated_at=when)
            db.session.add(reg)
            db.session.flush()
        else:
            reg = make_registration(cand, cat, status=status, take_seat=False, updated_at=when,
                                    reject_reason="学历不符" if status == "rejected" else None)
        handled = off < 0 and status != "submitted"
        made["regs"].append((reg.id, status, handled))
    for live, off in photos:
        cand = _cand(photo_path=f"ab/{next(_seq)}.jpg", last_login_at=_at(now, "photos", off))
        if live:
            make_registration(cand, cat, take_seat=False)
        made["photos"].append((cand.id, off < 0 and not live))
    order = None
    for off in attempts:
        if order is None:
            reg = make_registration(_cand(), cat, take_seat=False)
            order = PaymentOrder(registration_id=reg.id, out_trade_no=f"P{next(_seq):012d}", provider="sandbox",
                                 amount_fen=100, items=[], status="pending")
            db.session.add(order)
            db.session.flush()
        attempt = PaymentAttempt(order_id=order.id, created_at=_at(now, "payments", off), ip="10.1.2.3")
        db.session.add(attempt)
        db.session.flush()
        made["attempts"].append((attempt.id, off < 0))
    for copy, off in files:
        kind = "copies" if copy else "exports"
        job = Job(kind="privacy.copy" if copy else "reports.export", owner_type="candidate" if copy else "staff",
                  owner_id=1, params={}, state="done", progress=100, result_path=f"job-{next(_seq)}.zip",
                  finished_at=_at(now, kind, off))
        db.session.add(job)
        db.session.flush()
        made["files"].append((job.id, off < 0))
    audit.record("registration.submitted", actor_type="system", object_type="registrations", object_id=1)
    db.session.commit()
    return made


def _check(made) -> None:
    db.session.expire_all()
    for reg_id, status, handled in made["regs"]:
        reg = db.session.get(Registration, reg_id)
        if status == "draft":
            assert (reg is None) == handled, (status, handled)
        else:
            assert reg is not None and reg.status == status  # never deleted, state unchanged
            assert (reg.deidentified_at is not None) == handled, (status, handled)
            assert (reg.snapshot is None) == handled, (status, handled)
    for cand_id, handled in made["photos"]:
        assert (db.session.get(Candidate, cand_id).photo_path is None) == handled
    for attempt_id, handled in made["attempts"]:
        assert (db.session.get(PaymentAttempt, attempt_id).ip is None) == handled
    for job_id, handled in made["files"]:
        assert (db.session.get(Job, job_id).result_path is None) == handled


@pytest.fixture
def cat(app_ctx):
    cat = make_catalogue()
    db.session.commit()
    return cat


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(regs=st.lists(st.tuples(st.sampled_from(STATUSES), offsets), max_size=8),
       photos=st.lists(st.tuples(st.booleans(), offsets), max_size=4),
       attempts=st.lists(offsets, max_size=4),
       files=st.lists(st.tuples(st.booleans(), offsets), max_size=4),
       batch=st.integers(min_value=1, max_value=4))
def test_the_job_handles_exactly_what_the_schedule_says(cat, regs, photos, attempts, files, batch):
    now = utcnow()
    made = _world(cat, now, regs, photos, attempts, files)
    audit_rows = db.session.scalar(db.select(db.func.count()).select_from(AuditEntry))
    retention.enforce(now, batch=batch)
    _check(made)
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEntry)) == audit_rows


def test_dry_run_counts_what_the_run_then_handles_and_changes_nothing(cat):
    now = utcnow()
    made = _world(cat, now, [("draft", -1), ("draft", 5), ("rejected", -2), ("approved", -1), ("submitted", -9)],
                  [(False, -1), (True, -1)], [-1, 1], [(True, -1), (False, -1), (False, 2)])
    counts = retention.due_counts(now)
    again = retention.due_counts(now)
    assert counts == again  # a dry run changes nothing
    assert {k: counts[k] for k in ("drafts", "ended", "approved", "photos", "payments", "copies", "exports")} == \
        {"drafts": 1, "ended": 1, "approved": 1, "photos": 1, "payments": 1, "copies": 1, "exports": 1}
    done = retention.enforce(now)
    assert {k: v for k, v in done.items() if v} == {k: v for k, v in counts.items() if v}
    _check(made)
    assert retention.due_counts(now)["drafts"] == 0


def test_a_run_killed_half_way_resumes_and_ends_the_same(cat, monkeypatch):
    now = utcnow()
    made = _world(cat, now, [("abandoned", -h) for h in range(1, 8)] + [("approved", 3)], [], [], [])
    kind = retention.SCHEDULE["ended"]
    calls = []

    def dies_on_the_third_batch(ids, at):
        calls.append(ids)
        if len(calls) == 3:
            raise KeyboardInterrupt("killed")
        kind_apply(ids, at)

    kind_apply = kind.apply
    monkeypatch.setitem(retention.SCHEDULE, "ended", retention.Kind(**{**kind.__dict__, "apply": dies_on_the_third_batch}))
    with pytest.raises(KeyboardInterrupt):
        retention.enforce(now, batch=2)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(Registration).where(
        Registration.deidentified_at.is_not(None))) == 4  # two whole batches, nothing of the third
    monkeypatch.setitem(retention.SCHEDULE, "ended", kind)
    assert retention.enforce(now, batch=2)["ended"] == 3
    _check(made)


def test_a_later_kind_joins_the_schedule(cat, monkeypatch):
    seen = []
    monkeypatch.setitem(retention.SCHEDULE, "scans", retention.Kind(
        "scans", "证件扫描件", timedelta(days=1), "delete", "测试",
        lambda cutoff: db.select(Candidate.id).where(Candidate.id < 0), lambda ids, now: seen.append(ids)))
    assert "scans" in retention.due_counts() and retention.enforce()["scans"] == 0


def test_the_operator_command_counts_then_enforces(app, cat):
    now = utcnow()
    made = _world(cat, now, [("draft", -30), ("draft", 30)], [], [], [])
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["privacy", "retention", "--dry-run"])
    assert dry.exit_code == 0 and "从未提交的报名草稿（180天）：到期 1 条" in dry.output
    assert db.session.get(Registration, made["regs"][0][0]) is not None
    done = runner.invoke(args=["privacy", "retention"])
    assert done.exit_code == 0 and "从未提交的报名草稿（180天）：删除 1 条" in done.output
    _check(made)


def test_document_scans_and_messages_go_after_two_years_with_their_files(cat):
    cand = make_registration(cat=cat).candidate
    old, new = documents.upload(cand, "id_front", jpeg()), documents.upload(cand, "id_back", jpeg())
    queue(cand, "registration_approved", {"number": "1"}, key="retention-old")
    db.session.commit()
    old.created_at = utcnow() - timedelta(days=2 * 365 + 1)
    db.session.execute(db.update(Message).values(created_at=utcnow() - timedelta(days=2 * 365 + 1)))
    db.session.commit()
    old_id, old_key, new_id = old.id, old.key, new.id
    assert retention.due_counts()["documents"] == 1 and retention.due_counts()["messages"] >= 1
    done = retention.enforce()
    assert done["documents"] == 1 and done["messages"] >= 1
    assert db.session.get(Document, old_id) is None and storage().get(old_key) is None  # the file too
    assert db.session.get(Document, new_id) is not None
    assert db.session.scalar(db.select(db.func.count()).select_from(Message)) == 0
