"""The database itself enforces the rules that must never be broken, whatever the code above does."""
from datetime import date, datetime

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError, DBAPIError

from core.db import Model, db
from core.models import (AuditEntry, Candidate, ExamFamily, ExamSubject, ExamYear,
                         GatewayNotification, Region, Registration, Site)


def test_migrations_create_every_table(app_ctx):
    tables = set(inspect(db.engine).get_table_names())
    assert set(Model.metadata.tables) <= tables


def _candidate(username="zhangsan", doc="11010519491231002X"):
    return Candidate(username=username, password_hash="x", name="张三", sex="F",
                     birth_date=date(1949, 12, 31), doc_type="id_card", doc_number=doc)


def _catalogue(session, capacity=1):
    fam = ExamFamily(code="physician", name="医师资格考试")
    year = ExamYear(family=fam, year=2027, name="2027年医师资格考试",
                    window_opens_at=datetime(2027, 1, 1), window_closes_at=datetime(2027, 1, 15),
                    cutoff_date=date(2027, 8, 31))
    subject = ExamSubject(exam_year=year, code="110", name="临床执业医师", category="临床",
                          level="执业医师", route="学历", written_units=4)
    region = Region(code="110000", name="北京市")
    site = Site(region=region, code="1101", name="东城区考点", capacity=capacity, taken=0)
    session.add_all([fam, year, subject, region, site])
    session.flush()
    return year, subject, site


def test_document_number_unique_per_type(session):
    session.add(_candidate("a"))
    session.flush()
    session.add(_candidate("b"))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_site_taken_never_exceeds_capacity(session):
    _, _, site = _catalogue(session, capacity=1)
    session.execute(text("UPDATE sites SET taken = 1 WHERE id = :id"), {"id": site.id})
    with pytest.raises(IntegrityError):
        session.execute(text("UPDATE sites SET taken = 2 WHERE id = :id"), {"id": site.id})
    session.rollback()


def test_one_live_registration_per_candidate_and_year(session):
    year, subject, site = _catalogue(session)
    cand = _candidate()
    session.add(cand)
    session.flush()
    session.add(Registration(candidate_id=cand.id, exam_year_id=year.id, subject_id=subject.id,
                             status="abandoned", site_id=site.id, number="R1"))
    session.add(Registration(candidate_id=cand.id, exam_year_id=year.id, subject_id=subject.id,
                             status="submitted", site_id=site.id, number="R2"))
    session.flush()  # an abandoned one does not count
    session.add(Registration(candidate_id=cand.id, exam_year_id=year.id, subject_id=subject.id,
                             status="draft"))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_submitted_registration_needs_site_and_number(session):
    year, subject, _ = _catalogue(session)
    cand = _candidate()
    session.add(cand)
    session.flush()
    session.add(Registration(candidate_id=cand.id, exam_year_id=year.id, subject_id=subject.id,
                             status="submitted"))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_gateway_notification_stored_once(session):
    session.add(GatewayNotification(provider="alipay", notify_id="n1", raw_body="a", outcome="accepted"))
    session.flush()
    session.add(GatewayNotification(provider="alipay", notify_id="n1", raw_body="b", outcome="accepted"))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_audit_log_is_append_only_in_the_database(session):
    session.add(AuditEntry(actor_type="system", action="test.created"))
    session.commit()
    with pytest.raises(DBAPIError):
        session.execute(text("UPDATE audit_log SET action = 'forged'"))
    session.rollback()
    with pytest.raises(DBAPIError):
        session.execute(text("DELETE FROM audit_log"))
    session.rollback()
    assert session.scalar(text("SELECT action FROM audit_log")) == "test.created"
