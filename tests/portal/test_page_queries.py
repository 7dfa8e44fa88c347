"""The journey's pages read what they show in few queries: no query per row, no read-back after a commit.

Every query is a round trip to PostgreSQL and CPU in the app server (docs/BENCHMARKS.md, profile of the journey).
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import event, select

from core.db import db
from core.documents import service
from core.models import AuditEntry, CandidateSession, Certificate, Message, Registration, Training
from tests.factories import (PASSWORD, dictionaries, jpeg, login_as, make_candidate, make_catalogue, ready_candidate,
                             ready_draft, upload_required)
from tests.support.queries import statements
from tests.support.web import csrf_token_from, text


def test_the_logged_in_candidate_and_the_session_come_in_one_query(client, session):
    cand = make_candidate()
    session.commit()
    login_as(client, cand)
    seen, response = statements(client, "/")
    assert response.status_code == 200 and "张三" in response.get_data(as_text=True)
    assert len(seen) == 2, seen  # the session joined with its candidate; the candidate's registrations
    assert "FROM candidate_sessions JOIN candidates" in seen[0]


def test_the_login_does_not_read_the_candidate_back_after_opening_the_session(client, session):
    cand = make_candidate()
    session.commit()
    page = client.get("/login").get_data(as_text=True)
    seen, response = statements(client, "/login", {"username": cand.username, "password": PASSWORD,
                                                   "csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    opened = next(i for i, s in enumerate(seen) if s.startswith("INSERT INTO candidate_sessions"))
    assert not seen[opened + 1:], seen  # must_change_password and the redirect use the candidate as read


def test_a_login_reads_the_candidate_once_and_commits_once(client, session):
    cand = make_candidate()
    session.commit()
    form = {"username": cand.username, "password": PASSWORD,
            "csrf_token": csrf_token_from(client.get("/login").get_data(as_text=True))}
    session.commit()
    session.expunge_all()
    seen, commits = [], []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    def count(conn):
        commits.append(seen[:])

    event.listen(db.engine, "before_cursor_execute", record)
    event.listen(db.engine, "commit", count)
    try:
        response = client.post("/login", data=form)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
        event.remove(db.engine, "commit", count)
    assert response.status_code == 302
    assert sum(s.lstrip().startswith("SELECT candidates.") for s in seen) == 1, seen
    assert len(commits) == 1  # the login's audit entry, last login, device and session together
    assert "candidate.login.succeeded" in session.scalars(select(AuditEntry.action)).all()


def test_a_login_from_a_new_device_reads_the_notification_settings_once(client, session):
    cand = make_candidate(last_login_at=datetime(2026, 11, 1))  # not the first login: 新设备登录 is sent
    session.commit()
    cand_id = cand.id
    page = client.get("/login").get_data(as_text=True)
    seen, response = statements(client, "/login", {"username": cand.username, "password": PASSWORD,
                                                   "csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    assert sum("FROM notify_settings" in s for s in seen) == 1, seen  # the language and the message share it
    # the device recorded, or found known, by one INSERT ... ON CONFLICT DO NOTHING: no SELECT before it
    assert [s.split(" (")[0] for s in seen if "notify_devices" in s] == ["INSERT INTO notify_devices"], seen
    assert len(seen) == 7, seen  # candidate, audit, last login, settings, device, message, session
    assert session.scalar(select(Message.template).where(Message.candidate_id == cand_id)) == "login_new_device"


def test_last_seen_is_written_at_most_once_a_minute(client, session):
    cand = make_candidate()
    session.commit()
    login_as(client, cand)
    row = session.scalar(db.select(CandidateSession))
    row.last_seen_at -= timedelta(minutes=2)
    two_minutes_ago = row.last_seen_at
    session.commit()
    seen, _ = statements(client, "/")
    assert [s for s in seen if s.startswith("UPDATE")] == [
        next(s for s in seen if s.startswith("UPDATE candidate_sessions SET last_seen_at"))]
    seen, _ = statements(client, "/")
    assert not [s for s in seen if not s.startswith("SELECT")]
    assert session.scalar(db.select(CandidateSession.last_seen_at)) > two_minutes_ago


def test_a_wizard_step_reads_the_draft_once_and_records_the_step(client, session):
    cat = make_catalogue()
    cand = ready_candidate()
    reg = ready_draft(cand, cat)
    reg.draft_step = "basic"
    session.commit()
    reg_id = reg.id
    login_as(client, cand)
    seen, response = statements(client, f"/registration/{reg_id}/step/work")
    assert response.status_code == 200
    assert len([s for s in seen if s.startswith("SELECT") and "FROM registrations" in s]) == 1, seen
    assert [s for s in seen if not s.startswith("SELECT")] == [
        next(s for s in seen if s.startswith("UPDATE registrations SET draft_step"))]
    assert session.get(Registration, reg_id).draft_step == "work"  # a closed browser resumes here

    seen, response = statements(client, f"/registration/{reg_id}/step/work",
                                {"csrf_token": csrf_token_from(response.get_data(as_text=True)),
                                 "employment_status": "在岗", "work_unit_name": "北京协和医院", "title": "住院医师",
                                 "title_date": "2020-07", "practice_start": "2020-07", "action": "next"})
    assert response.status_code == 302 and response.location.endswith(f"/registration/{reg_id}/step/entries")
    assert len([s for s in seen if s.startswith("SELECT") and "FROM registrations" in s]) == 1, seen
    # the step's commit recorded where the candidate goes: arriving there by the form writes nothing
    assert len([s for s in seen if s.startswith("UPDATE registrations")]) == 1, seen
    seen, response = statements(client, f"/registration/{reg_id}/step/entries")
    assert response.status_code == 200
    assert not [s for s in seen if not s.startswith("SELECT")], seen
    assert session.get(Registration, reg_id).draft_step == "entries"


def test_the_wizard_pages_statements(client, session):
    """session+candidate, registration (with year and subject), the year's settings (first page only); from 工作情况
    on the entries the findings read (教育经历, 培训经历); then what each page lists (the types for the “+” forms,
    the 考区 and 考点, the certificates)."""
    cat = make_catalogue()
    cand = ready_candidate()
    reg = ready_draft(cand, cat)
    session.commit()
    reg_id = reg.id
    login_as(client, cand)
    client.get("/")  # the consent, once per session
    # the year's settings and its regions' review modes are read by the first page and kept
    # (core/eligibility/year_settings.py): basic 5 before; work 5, entries 7, certificates 8, site 9 before then;
    # site 7 until its summary read the educations and trainings in one UNION and no certificate when none is ticked
    expected = {"basic": 3, "work": 3, "entries": 5, "certificates": 5, "site": 5}
    for step, count in expected.items():
        session.get(Registration, reg_id).draft_step = step  # arriving from the step before: nothing to write
        seen, response = statements(client, f"/registration/{reg_id}/step/{step}")
        assert response.status_code == 200
        assert len(seen) == count, (step, [x[:60] for x in seen[3:]])
    seen, _ = statements(client, f"/registration/{reg_id}/step/basic")
    assert not [s for s in seen if "FROM educations" in s or "FROM trainings" in s], seen  # 基本情况's rules


def test_saving_the_entries_step_checks_the_ids_against_the_entries_it_loads(client, session):
    cat = make_catalogue()
    cand = ready_candidate()
    reg = ready_draft(cand, cat)
    session.commit()
    reg_id, edu_id = reg.id, cand.educations[0].id
    login_as(client, cand)
    html = client.get(f"/registration/{reg_id}/step/entries").get_data(as_text=True)
    seen, response = statements(client, f"/registration/{reg_id}/step/entries",
                                {"csrf_token": csrf_token_from(html), "education_ids": [str(edu_id), "999999"],
                                 "action": "next"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert len([s for s in seen if "FROM educations" in s]) == 1, seen  # no separate id check
    assert len(seen) <= 6, seen  # 7 before
    session.expire_all()
    assert session.get(Registration, reg_id).draft_data["education_ids"] == [edu_id]  # another's id dropped


def test_starting_a_registration_reads_nothing_back(client, session):
    cat = make_catalogue()
    cand = ready_candidate()
    session.commit()
    login_as(client, cand)
    html = client.get("/registration/subjects").get_data(as_text=True)
    seen, response = statements(client, "/registration/start",
                                {"csrf_token": csrf_token_from(html), "subject_id": cat["subject"].id})
    assert response.status_code == 302 and "/step/basic" in response.location
    # session+candidate, the subject with its exam year, the year's registration if any, the INSERT
    assert len(seen) == 4 and seen[-1].startswith("INSERT INTO registrations"), seen  # 6 before


def _submitted(candidate_id: int, cat, n: int) -> Registration:
    site = cat["site"]
    reg = Registration(candidate_id=candidate_id, exam_year_id=cat["year"].id, subject_id=cat["subject"].id,
                       status="submitted", region_id=site.region_id, site_id=site.id, number=f"20271100000{n:07d}")
    db.session.add(reg)
    return reg


def test_the_registration_lists_take_the_same_queries_for_one_registration_or_three(client, session):
    cand = ready_candidate()
    cand_id = cand.id
    _submitted(cand_id, make_catalogue(), 1)  # each in its own exam year, subject, region and site
    session.commit()
    login_as(client, cand)
    one = {url: statements(client, url)[0] for url in ("/", "/registration")}
    for n in (2, 3):
        _submitted(cand_id, make_catalogue(), n)
    session.commit()
    for url in ("/", "/registration"):
        seen, response = statements(client, url)
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert all(f"20271100000{n:07d}" in html for n in (1, 2, 3))  # the three 报名号
        # the candidate, then the registrations with all they show; the list adds, once for all cards, the open
        # payment orders and the fee schedules (the fee and 支付确认中 on each card)
        assert len(seen) == len(one[url]) == {"/": 2, "/registration": 4}[url], seen


def test_submission_reads_nothing_back_after_the_site_step(client, session):
    cat = make_catalogue()
    cand = ready_candidate()
    reg = ready_draft(cand, cat)
    session.commit()
    reg_id, site_id, region_id = reg.id, cat["site"].id, cat["region"].id
    login_as(client, cand)
    html = client.get(f"/registration/{reg_id}/step/site").get_data(as_text=True)
    token = re.search(r'name="submit_token" value="([^"]+)"', html).group(1)
    seen, response = statements(client, f"/registration/{reg_id}/step/site",
                                {"csrf_token": csrf_token_from(html), "region_id": region_id, "site_id": site_id,
                                 "attempts": "2", "action": "submit", "submit_token": token})
    assert response.status_code == 303, response.get_data(as_text=True)
    # the step leaves the registration and the candidate loaded for 提交: each is read once
    assert len([s for s in seen if s.startswith("SELECT registrations.")]) == 1, seen
    assert len([s for s in seen if s.startswith("SELECT candidates.")]) == 0, seen  # joined with the session
    assert not [s for s in seen if "eligibility_" in s], seen  # the year's settings, kept since the 考点 page
    assert seen[-1].startswith("UPDATE sites SET taken"), seen  # the hot row last, then COMMIT
    # the step reads the site the form names, with its region, in the registration's statement, and 提交 finds
    # that site in the session
    assert not [s for s in seen if s.startswith(("SELECT sites.", "SELECT regions."))], seen
    assert not [s for s in seen if s.startswith("SELECT notify_settings")], seen  # with the status UPDATE
    # the 考点 step's draft (attempts changed) is written by the submission's UPDATE, not by one of its own
    assert len([s for s in seen if s.startswith("UPDATE registrations")]) == 1, seen
    assert not [s for s in seen if "review_modes" in s], seen  # kept with the year's settings
    assert not [s for s in seen if s.startswith(("SELECT educations", "SELECT trainings"))], seen  # one UNION
    assert len(seen) <= 8, seen  # 18, then 16, 15, 13, 12, 11, 10, 9 before: the registration and the candidate
    # read back, two setting reads; then the region and the site read again by 提交; the draft and the
    # notification settings on their own; the review mode on its own; the educations and the trainings apart; the
    # settings; the entries' lock stored (migration 0015); the site read apart from the registration
    session.expire_all()
    assert session.get(Registration, reg_id).status == "submitted"


def test_the_years_eligibility_settings_are_read_by_the_first_step_page_only(client, session):
    cat = make_catalogue()
    cand = ready_candidate()
    reg = ready_draft(cand, cat)
    session.commit()
    reg_id = reg.id
    login_as(client, cand)
    for step, reads in (("entries", 1), ("certificates", 0), ("site", 0)):  # certificates: its findings and
        seen, response = statements(client, f"/registration/{reg_id}/step/{step}")  # whether one is required
        assert response.status_code == 200
        assert len([s for s in seen if "eligibility_" in s]) == reads, (step, seen)


def test_the_profile_page_reads_entries_types_and_corrections_in_one_query(client, session):
    cand = ready_candidate()
    session.commit()
    login_as(client, cand)
    client.get("/")  # the consent, once per session
    seen, response = statements(client, "/profile")
    assert response.status_code == 200
    assert len([s for s in seen if "training_types" in s or "certificate_types" in s]) == 1, seen
    assert len([s for s in seen if "audit_log" in s]) == 1, seen  # no corrections: not read again
    # the session with its candidate; entries, types, documents, live registrations and corrections in one
    # (core/services/profile_page.py). 8 before: the entry lists, the types, documents, registrations and
    # corrections apart.
    assert len(seen) == 2, seen


def test_the_profile_page_takes_no_query_per_entry_or_document(client, session, document_store):
    cand = ready_candidate()
    types = dictionaries()
    db.session.add_all([
        Training(candidate_id=cand.id, training_type_id=types["住院医师规范化培训"].id, institution="协和",
                 start_ym="2015-08", end_ym="2018-07", certificate_number="T1"),
        Certificate(candidate_id=cand.id, certificate_type_id=types["执业助理医师"].id, issue_ym="2019-01",
                    cert_number="C1")])
    db.session.flush()
    service.upload(cand, "id_front", jpeg(800, 600))
    service.upload(cand, f"diploma:education:{cand.educations[0].id}", jpeg(800, 600))
    login_as(client, cand)
    client.get("/")
    seen, response = statements(client, "/profile")
    assert response.status_code == 200 and "协和" in text(response) and text(response).count("doc-thumb") == 2
    assert len(seen) == 2, seen  # 14 before: the entries' type names and each document's uses one by one



def test_the_profile_page_with_a_live_online_draft_reads_each_documents_uses_at_once(client, online):
    reg = db.session.get(Registration, online["reg_id"])
    upload_required(reg)  # five documents
    subject = reg.subject.name
    login_as(client, reg.candidate)
    client.get("/")
    seen, response = statements(client, "/profile")
    assert response.status_code == 200 and f"报名“{subject}”需要" in text(response)
    assert not [s for s in seen if s.startswith("SELECT registration_documents.")], seen  # with the documents
    # the session; the page's one statement; the draft, its region's review mode and what its subject's rules
    # ask of the entries ticked (core.eligibility reads the educations and trainings as objects). 20 before:
    # the uses of each document one by one, the entry lists twice.
    assert len(seen) <= 7, seen
