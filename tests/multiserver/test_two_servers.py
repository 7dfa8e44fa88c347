"""Two stateless app servers on one PostgreSQL and one Redis: sessions, login limits and seats are shared.

Real gunicorn processes on two ports, real HTTP; the servers read the test database the suite migrated.
"""
from __future__ import annotations

import re
import threading
from datetime import date

import pytest

from core.db import db
from core.models import Registration, ReviewMode, Site
from core.services.sessions import open_session
from tests.factories import PASSWORD, make_candidate, make_catalogue, ready_candidate, ready_draft
from tests.support.environment import DB_URL, IS_SQLITE
from tests.support.servers import REDIS_URL, Server, portal_cookie, redis_available, request
from tests.support.web import csrf_token_from

pytestmark = pytest.mark.skipif(IS_SQLITE or not redis_available(),
                                reason="needs PostgreSQL (TEST_DATABASE_URL) and Redis at 127.0.0.1:6379")

LOGIN_LIMIT = 4


@pytest.fixture(scope="module")
def servers(app, tmp_path_factory):
    log = tmp_path_factory.mktemp("servers") / "gunicorn.log"
    started = []
    try:
        for _ in range(2):  # both start at once, then both must answer
            started.append(Server(DB_URL, log, wait=False, REDIS_URL=REDIS_URL,
                                  LOGIN_RATE_LIMIT=f"{LOGIN_LIMIT} per minute"))
        for server in started:
            server.wait_ready()
        yield started
    finally:
        for server in started:
            server.stop()


@pytest.fixture(autouse=True)
def _empty_redis():
    import redis
    redis.Redis.from_url(REDIS_URL).flushdb()


def _login(port: int, username: str, password: str, cookies: dict):
    page = request(port, "GET", "/login", cookies=cookies)
    return request(port, "POST", "/login", {"username": username, "password": password,
                                            "csrf_token": csrf_token_from(page.text)}, cookies)


def test_login_on_one_server_is_valid_on_the_other(servers, session):
    a, b = servers
    cand = make_candidate()
    session.commit()
    cookies: dict = {}
    logged_in = _login(a.port, cand.username, PASSWORD, cookies)
    assert logged_in.status == 302 and "/login" not in logged_in.location
    page = request(b.port, "GET", "/registration", cookies=cookies)
    assert page.status == 200 and "考试报名" in page.text and cand.name in page.text

    # logging out through B ends the session for A as well (server-side sessions)
    out = request(b.port, "POST", "/logout", {"csrf_token": csrf_token_from(page.text)}, cookies=dict(cookies))
    assert out.status == 302
    again = request(a.port, "GET", "/registration", cookies=cookies)
    assert again.status == 302 and "/login" in again.location


def test_login_rate_limit_is_counted_across_both_servers(servers, session):
    a, b = servers
    answers = []
    for attempt in range(LOGIN_LIMIT + 1):  # a, b, a, b, a: neither server alone reaches the limit
        server = servers[attempt % 2]
        answers.append(_login(server.port, f"nobody{attempt}", "wrong-Password1", {}))
    assert [r.status for r in answers] == [401] * (LOGIN_LIMIT + 1)
    assert all("登录尝试过于频繁" not in r.text for r in answers[:LOGIN_LIMIT])
    assert "登录尝试过于频繁" in answers[-1].text
    # the counter is one key in the shared Redis, not one per process
    import redis
    assert int(redis.Redis.from_url(REDIS_URL).get("medexam:rl:login-ip:127.0.0.1")) == LOGIN_LIMIT + 1
    assert a.port != b.port


def test_last_seats_submitted_through_both_servers_are_never_overbooked(servers, app, session):
    seats, candidates = 3, 12
    cat = make_catalogue(capacity=seats)
    jobs = []
    for k in range(candidates):
        cand = ready_candidate(password_hash="x")  # no login needed: a session is opened below
        reg = ready_draft(cand, cat)
        cookies, csrf = portal_cookie(app, open_session(cand, "127.0.0.1"))
        jobs.append((servers[k % 2].port, reg.id, cookies, csrf))
    session.commit()

    start = threading.Barrier(candidates)
    statuses: list[int] = []

    def submit(port, reg_id, cookies, csrf):
        start.wait()
        answer = request(port, "POST", f"/registration/{reg_id}/submit",
                         {"csrf_token": csrf, "submit_token": f"t-{reg_id}"}, cookies)
        statuses.append(answer.status)
        if answer.status == 409:
            assert "已报满" in answer.text

    threads = [threading.Thread(target=submit, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(statuses) == [303] * seats + [409] * (candidates - seats)
    session.expire_all()
    site = session.get(Site, cat["site"].id)
    submitted = session.scalars(db.select(Registration).filter_by(status="submitted")).all()
    assert site.taken == len(submitted) == seats
    assert all(re.fullmatch(r"\d{18}", r.number) for r in submitted)


def test_a_review_mode_set_meanwhile_is_seen_by_a_server_that_kept_the_year_s_settings(servers, app, session):
    """Each server keeps the year's settings (core/eligibility/year_settings.py); a change committed elsewhere
    (here the test's own session: as the back office's would) renews the year's key, so the next page reads them
    again on every server."""
    a, b = servers
    cat = make_catalogue()
    cand = ready_candidate(password_hash="x")
    reg = ready_draft(cand, cat)
    cookies, _csrf = portal_cookie(app, open_session(cand, "127.0.0.1"))
    session.commit()
    site_step = f"/registration/{reg.id}/step/site"
    for server in (a, b):  # both read and keep the settings: 现场审核, no documents asked for
        page = request(server.port, "GET", site_step, cookies=cookies)
        assert page.status == 200 and "审核材料" not in page.text
    session.add(ReviewMode(region_id=cat["region"].id, exam_year_id=cat["year"].id, mode="online",
                           review_start=date(2027, 1, 5), review_end=date(2027, 2, 5), correction_days=5))
    session.commit()
    for server in (a, b):
        page = request(server.port, "GET", site_step, cookies=cookies)
        assert page.status == 200 and "尚缺审核材料" in page.text
