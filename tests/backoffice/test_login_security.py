"""Staff login: two-factor codes, lockout, rate limiting, strong passwords, CSRF, isolation from the portal."""
from __future__ import annotations

import pyotp
import pytest

from core.db import db
from core.services.scope import REGION_ADMIN, SITE_REVIEWER
from tests.factories import STAFF_PASSWORD, login, make_candidate, make_staff
from tests.support.web import admin_csrf, csrf_token_from, staff_login


@pytest.fixture
def totp_on(admin_app):
    admin_app.config["STAFF_TOTP_REQUIRED"] = True
    yield
    admin_app.config["STAFF_TOTP_REQUIRED"] = False


def test_two_factor_required_with_setting(app_ctx, admin_app, client, totp_on):
    secret = pyotp.random_base32()
    _, name = make_staff(admin_app, SITE_REVIEWER, totp_secret=secret)
    resp = staff_login(client, name)  # password only
    assert resp.status_code == 302 and "/login/2fa/" in resp.headers["Location"]
    assert client.get("/admin/review/list/").status_code == 302  # not logged in yet
    page = client.get("/admin/login/2fa/").get_data(as_text=True)
    assert '<label for="code"' in page
    bad = client.post("/admin/login/2fa/", data={"code": "000000", "csrf_token": csrf_token_from(page)})
    assert "动态验证码不正确" in bad.get_data(as_text=True)
    code = pyotp.TOTP(secret).now()
    ok = client.post("/admin/login/2fa/", data={"code": code, "csrf_token": csrf_token_from(page)})
    assert ok.status_code == 302
    assert client.get("/admin/review/list/").status_code == 200
    # the same code cannot be replayed for another login
    other = client.application.test_client() if hasattr(client, "application") else None
    other = other or admin_app.test_client()
    staff_login(other, name)
    p2 = other.get("/admin/login/2fa/").get_data(as_text=True)
    replay = other.post("/admin/login/2fa/", data={"code": code, "csrf_token": csrf_token_from(p2)})
    assert "动态验证码不正确" in replay.get_data(as_text=True)


def test_first_login_enrols_the_authenticator(app_ctx, admin_app, client, totp_on):
    _, name = make_staff(admin_app, REGION_ADMIN)
    staff_login(client, name)
    page = client.get("/admin/login/2fa/").get_data(as_text=True)
    secret = page.split('id="totp-secret">')[1].split("<")[0]
    resp = client.post("/admin/login/2fa/", data={"code": pyotp.TOTP(secret).now(),
                                                  "csrf_token": csrf_token_from(page)})
    assert resp.status_code == 302
    from core.services.totp import is_enrolled
    assert is_enrolled(db.session.scalar(db.text("SELECT id FROM ab_user WHERE username=:u"), {"u": name}))


def test_production_config_requires_two_factor():
    from config import ProductionConfig, TestConfig
    assert ProductionConfig.STAFF_TOTP_REQUIRED is True
    assert TestConfig.STAFF_TOTP_REQUIRED is False


def test_account_locks_after_repeated_failures(app_ctx, admin_app, client):
    _, name = make_staff(admin_app, REGION_ADMIN)
    for _ in range(5):
        staff_login(client, name, password="wrong-Password-1")
    resp = staff_login(client, name)  # right password, but locked
    assert resp.status_code == 200 and "暂时锁定" in resp.get_data(as_text=True)


def test_login_rate_limited(app):
    """FAB's AUTH_RATE_LIMITED on the login blueprint (login and two-factor step), with RATELIMIT_ENABLED set."""
    from factory import create_app
    from tests.support.environment import DB_URL
    limited = create_app("test", SQLALCHEMY_DATABASE_URI=DB_URL, RATELIMIT_ENABLED=True,
                         SQLALCHEMY_ENGINE_OPTIONS=app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    client = limited.test_client()
    codes = [staff_login(client, "nobody", password="x").status_code for _ in range(12)]
    assert codes[:10] == [302] * 10 or 200 in codes[:10]
    assert codes[-1] == 429


def test_strong_password_required_for_staff():
    from core.services.staff_actions import staff_password_problem
    assert staff_password_problem("short1A!")
    assert staff_password_problem("alllowercaseletters")
    assert staff_password_problem(STAFF_PASSWORD) is None


def test_login_form_needs_csrf(app_ctx, admin_app, client):
    _, name = make_staff(admin_app, REGION_ADMIN)
    resp = client.post("/admin/login/", data={"username": name, "password": STAFF_PASSWORD})
    assert resp.status_code in (200, 400)
    assert client.get("/admin/review/list/").status_code == 302


def test_actions_need_csrf(world, client):
    staff_login(client, world["staff"]["national"][1])
    resp = client.post("/admin/review/action_post", data={"action": "bulk_approve",
                                                          "rowid": str(world["ids"]["reg_a"])})
    assert resp.status_code == 400


def test_candidate_cookie_opens_nothing_under_admin(app_ctx, app, client):
    cand = make_candidate()
    db.session.commit()
    assert login(client, cand).status_code == 302
    for url in ("/admin/", "/admin/review/list/", "/admin/candidates/"):
        resp = client.get(url)
        assert resp.status_code == 302 and "/admin/login/" in resp.headers["Location"] or url == "/admin/"
    assert client.get("/admin/review/list/").status_code == 302


def test_staff_cookie_is_not_a_candidate_login_and_logouts_are_separate(app_ctx, admin_app, app, client):
    cand = make_candidate()
    db.session.commit()
    _, name = make_staff(admin_app, REGION_ADMIN)
    staff_login(client, name)
    assert client.get("/profile").status_code == 302  # portal: not logged in
    login(client, cand)
    assert client.get("/profile").status_code == 200
    assert client.get("/admin/candidates/").status_code == 200
    # logging out of the back office keeps the candidate logged in
    client.get("/admin/logout/")
    assert client.get("/profile").status_code == 200
    assert client.get("/admin/candidates/").status_code == 302
    # and logging out of the portal keeps staff logged in
    staff_login(client, name)
    page = client.get("/profile").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token_from(page)})
    assert client.get("/profile").status_code == 302
    assert client.get("/admin/candidates/").status_code == 200
    assert admin_csrf(client)


def test_password_set_by_admin_must_be_changed(world, client, app):
    from core.models import StaffSecurity
    site_user, site_name = world["staff"]["site"]
    staff_login(client, world["staff"]["national"][1])
    page = client.get(f"/admin/resetpassword/form?pk={site_user}").get_data(as_text=True)
    new = "Reset#2027-Admin-Set"
    resp = client.post(f"/admin/resetpassword/form?pk={site_user}",
                       data={"password": new, "conf_password": new, "csrf_token": csrf_token_from(page)})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(StaffSecurity, site_user).must_change_password is True
    other = app.test_client()
    staff_login(other, site_name, password=new)
    blocked = other.get("/admin/review/list/")
    assert blocked.status_code == 302 and "/resetmypassword/" in blocked.headers["Location"]
    page = other.get("/admin/resetmypassword/form").get_data(as_text=True)
    weak = other.post("/admin/resetmypassword/form", data={"password": "short", "conf_password": "short",
                                                           "csrf_token": csrf_token_from(page)})
    assert "考务人员密码至少12位" in weak.get_data(as_text=True)
    mine = "Mine#2027-Strong-Pw"
    other.post("/admin/resetmypassword/form", data={"password": mine, "conf_password": mine,
                                                    "csrf_token": csrf_token_from(page)})
    assert other.get("/admin/review/list/").status_code == 200


def test_idle_staff_session_expires(app_ctx, admin_app, client, monkeypatch):
    """The admin cookie carries its own age: past STAFF_IDLE_TIMEOUT the back office asks for a login again."""
    import time

    _, name = make_staff(admin_app, REGION_ADMIN)
    staff_login(client, name)
    assert client.get("/admin/candidates/").status_code == 200
    lifetime = admin_app.permanent_session_lifetime.total_seconds()
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + lifetime + 60)
    resp = client.get("/admin/candidates/")
    assert resp.status_code == 302 and "/admin/login/" in resp.headers["Location"]
