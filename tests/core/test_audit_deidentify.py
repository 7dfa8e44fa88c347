"""审计日志 after its period (PIPL Art. 47): the retention job de-identifies exactly the expired entries, in
committed batches that resume; the database permits that one change and nothing else (an ordinary UPDATE, a
partial clearing, a young entry, a second de-identification and every DELETE are refused), on SQLite and
PostgreSQL alike (migration 0012f)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from core.db import db, utcnow
from core.models import AuditEntry
from core.privacy import retention
from core.services import audit

PERIOD = retention.SCHEDULE["audit"].period


def _entry(age: timedelta, object_type: str = "candidates", object_id: int = 7) -> int:
    entry = audit.record("candidate.profile.updated", actor_type="staff", actor_id=3, actor_name="张审核",
                         object_type=object_type, object_id=object_id,
                         before={"mobile": "13800000000"}, after={"mobile": "13900000000"})
    entry.at, entry.ip = utcnow() - age, "10.2.3.4"
    db.session.flush()
    return entry.id


def _row(entry_id: int):
    return db.session.execute(text(
        "SELECT action, actor_type, actor_id, actor_name, object_type, object_id, before, after, ip, deidentified_at"
        " FROM audit_log WHERE id = :id"), {"id": entry_id}).one()


@pytest.fixture
def entries(app_ctx):
    ids = {"expired": [_entry(PERIOD + timedelta(days=d)) for d in (1, 30, 400)],
           "expired_reg": _entry(PERIOD + timedelta(days=2), object_type="registrations", object_id=9),
           "young": _entry(PERIOD - timedelta(days=1)), "new": _entry(timedelta(days=1))}
    db.session.commit()
    return ids


def test_the_job_de_identifies_exactly_the_expired_entries(entries):
    assert retention.due_counts()["audit"] == 4  # the dry run counts them, changes nothing
    assert _row(entries["young"]).actor_name == "张审核"
    done = retention.enforce(batch=3)
    assert done["audit"] == 4
    db.session.expire_all()
    for entry_id in entries["expired"]:
        row = _row(entry_id)
        assert row.action == "candidate.profile.updated" and row.actor_type == "staff"  # what and when stay
        assert (row.actor_id, row.actor_name, row.object_id, row.before, row.after, row.ip) == (None,) * 6
        assert row.object_type == "candidates" and row.deidentified_at is not None
    reg = _row(entries["expired_reg"])
    assert reg.object_id == 9 and reg.actor_name is None  # a registration stays named by its id
    for kept in (entries["young"], entries["new"]):
        row = _row(kept)
        assert row.actor_name == "张审核" and row.ip == "10.2.3.4" and row.object_id == 7 and row.deidentified_at is None
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEntry)) == 6  # nothing deleted
    assert retention.due_counts()["audit"] == 0 and retention.enforce()["audit"] == 0  # never again


def test_a_run_killed_half_way_resumes(entries, monkeypatch):
    kind = retention.SCHEDULE["audit"]
    calls = []

    def dies_on_the_second_batch(ids, at):
        calls.append(ids)
        if len(calls) == 2:
            raise KeyboardInterrupt("killed")
        kind.apply(ids, at)

    monkeypatch.setitem(retention.SCHEDULE, "audit", retention.Kind(**{**kind.__dict__,
                                                                        "apply": dies_on_the_second_batch}))
    with pytest.raises(KeyboardInterrupt):
        retention.enforce(batch=2)
    db.session.rollback()
    assert retention.due_counts()["audit"] == 2  # the first batch is done and committed
    monkeypatch.setitem(retention.SCHEDULE, "audit", kind)
    assert retention.enforce(batch=2)["audit"] == 2


DEIDENTIFY = ("UPDATE audit_log SET actor_id = NULL, actor_name = NULL, before = NULL, after = NULL, ip = NULL,"
              " object_id = NULL, deidentified_at = :now WHERE id = :id")


def _refused(sql: str, **params) -> None:
    with pytest.raises(DBAPIError):
        db.session.execute(text(sql), params)
        db.session.flush()
    db.session.rollback()


def test_only_the_de_identification_of_an_old_entry_is_permitted(entries):
    old, young = entries["expired"][0], entries["new"]
    now = utcnow()
    _refused("UPDATE audit_log SET action = 'forged' WHERE id = :id", id=old)
    _refused("UPDATE audit_log SET actor_name = NULL WHERE id = :id", id=old)  # without the mark
    _refused("UPDATE audit_log SET actor_name = 'x', deidentified_at = :now WHERE id = :id", id=old, now=now)
    _refused("UPDATE audit_log SET actor_name = NULL, before = NULL, after = NULL, ip = NULL,"
             " action = 'forged', deidentified_at = :now WHERE id = :id", id=old, now=now)  # plus a forgery
    _refused("UPDATE audit_log SET actor_name = NULL, before = NULL, after = NULL, ip = NULL, object_id = 8,"
             " deidentified_at = :now WHERE id = :id", id=old, now=now)  # pointing elsewhere
    _refused(DEIDENTIFY, id=young, now=now)  # younger than the six months of 网络安全法 Art. 21
    _refused("DELETE FROM audit_log WHERE id = :id", id=old)
    db.session.execute(text(DEIDENTIFY), {"id": old, "now": now})  # the one permitted change
    db.session.commit()
    _refused(DEIDENTIFY, id=old, now=utcnow())  # once
    _refused("UPDATE audit_log SET object_type = 'x' WHERE id = :id", id=old)
    _refused("DELETE FROM audit_log WHERE id = :id", id=old)
    assert _row(old).action == "candidate.profile.updated" and _row(young).actor_name == "张审核"
