"""The journey's pages read what they show in few queries: no query per row, no read-back after a commit.

Every query is a round trip to PostgreSQL and CPU in the app server (docs/BENCHMARKS.md, profile of the journey).
"""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import event

from core.db import db
from core.models import CandidateSession, Registration
from tests.factories import PASSWORD, login_as, make_candidate, make_catalogue, ready_candidate, ready_draft
from tests.support.web import csrf_token_from


def statements(client, url: str, data: dict | None = None) -> tuple[list[str], object]:
    """The SQL statements one fresh request runs (GET, or POST with ``data``), and its response."""
    db.session.commit()
    db.session.expunge_all()  # nothing cached from the test's own session
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(url) if data is None else client.post(url, data=data)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return seen, response


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


def test_submission_reads_nothing_back_after_the_site_step_commits(client, session):
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
                                 "attempts": "1", "action": "submit", "submit_token": token})
    assert response.status_code == 303, response.get_data(as_text=True)
    # the step's commit keeps the registration and the candidate loaded: each is read once
    assert len([s for s in seen if s.startswith("SELECT registrations.")]) == 1, seen
    assert len([s for s in seen if s.startswith("SELECT candidates.")]) == 0, seen  # joined with the session
    assert len([s for s in seen if "eligibility_" in s]) == 1, seen  # rules and routes in one query
    assert seen[-1].startswith("UPDATE sites SET taken"), seen  # the hot row last, then COMMIT
    # the step reads the site with its region in one statement, and 提交 finds that site in the session
    assert len([s for s in seen if s.startswith("SELECT sites.")]) == 1, seen
    assert not [s for s in seen if s.startswith("SELECT regions.")], seen
    assert len(seen) <= 14, seen  # 18, then 16 before: the registration and the candidate read back, two
    # setting reads; then the region and the site read again by 提交
    session.expire_all()
    assert session.get(Registration, reg_id).status == "submitted"


def test_a_step_page_reads_the_years_eligibility_settings_once(client, session):
    cat = make_catalogue()
    cand = ready_candidate()
    reg = ready_draft(cand, cat)
    session.commit()
    reg_id = reg.id
    login_as(client, cand)
    for step in ("entries", "certificates", "site"):  # certificates: its findings and whether one is required
        seen, response = statements(client, f"/registration/{reg_id}/step/{step}")
        assert response.status_code == 200
        assert len([s for s in seen if "eligibility_" in s]) == 1, (step, seen)


def test_the_profile_page_reads_the_training_and_certificate_types_in_one_query(client, session):
    cand = ready_candidate()
    session.commit()
    login_as(client, cand)
    client.get("/")  # the consent, once per session
    seen, response = statements(client, "/profile")
    assert response.status_code == 200
    assert len([s for s in seen if "training_types" in s or "certificate_types" in s]) == 1, seen
    assert len(seen) <= 8, seen  # 9 before: the types in two queries
