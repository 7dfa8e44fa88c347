"""Issue 14, findings 1-3: the staff lockout, the two-factor step and staff sessions, attacked as the outside
test did. Each test replays the attack and shows it now fails (and that the rightful user still gets in)."""
from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from flask import current_app

from core.db import db
from core.models import StaffSession
from core.services.scope import NATIONAL_ADMIN, REGION_ADMIN
from tests.factories import make_staff
from tests.support.web import admin_csrf, csrf_token_from, staff_login, text

WRONG = "Wrong#2027-Password"
COOKIE = "admin_session"


@pytest.fixture
def totp_on(admin_app):
    admin_app.config["STAFF_TOTP_REQUIRED"] = True
    yield
    admin_app.config["STAFF_TOTP_REQUIRED"] = False


def _client():
    """A browser on the whole site (portal with the back office at /admin)."""
    return current_app.test_client()


def _logged_in(client) -> bool:
    return client.get("/admin/candidates/").status_code == 200


def _copy_cookie(src, dst) -> None:
    """An attacker's copy of the admin cookie, taken now."""
    dst.set_cookie(COOKIE, src.get_cookie(COOKIE, path="/admin").value, path="/admin")


# --- 1. lockout through the e-mail address ---------------------------------------------------------

def test_failures_typed_with_the_email_lock_the_account(app_ctx, admin_app):
    _, name = make_staff(admin_app, REGION_ADMIN)
    email = f"{name}@example.cn"
    attacker = _client()
    for _ in range(5):
        assert staff_login(attacker, email, password=WRONG).status_code == 200
    for identifier in (email, name):  # the right password, by either identifier: locked
        owner = _client()
        resp = staff_login(owner, identifier)
        assert resp.status_code == 200 and "暂时锁定" in text(resp)
        assert not _logged_in(owner)


def test_lock_by_username_holds_for_the_email(app_ctx, admin_app):
    _, name = make_staff(admin_app, REGION_ADMIN)
    for _ in range(5):
        staff_login(_client(), name, password=WRONG)
    owner = _client()
    assert "暂时锁定" in text(staff_login(owner, f"{name}@example.cn"))
    assert not _logged_in(owner)


# --- 2. the two-factor step --------------------------------------------------------------------------

def _code_page(client):
    return csrf_token_from(text(client.get("/admin/login/2fa/")))


def test_pending_login_ends_after_three_wrong_codes(app_ctx, admin_app, totp_on):
    secret = pyotp.random_base32()
    _, name = make_staff(admin_app, REGION_ADMIN, totp_secret=secret)
    client = _client()
    assert "/login/2fa/" in staff_login(client, name).headers["Location"]
    csrf = _code_page(client)
    answers = [client.post("/admin/login/2fa/", data={"code": f"{n:06d}", "csrf_token": csrf})
               for n in range(1, 11)]  # ten guesses in one pending login
    assert [r.status_code for r in answers[:2]] == [200, 200]
    assert all(r.status_code == 302 and "/admin/login/" in r.headers["Location"]
               and "2fa" not in r.headers["Location"] for r in answers[2:])
    right = client.post("/admin/login/2fa/", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf})
    assert right.status_code == 302 and "2fa" not in right.headers["Location"]
    assert not _logged_in(client)


def test_right_code_refused_once_wrong_codes_locked_the_account(app_ctx, admin_app, totp_on):
    secret = pyotp.random_base32()
    uid, name = make_staff(admin_app, REGION_ADMIN, totp_secret=secret)
    client = _client()
    staff_login(client, name)  # first pending login: three wrong codes, it ends
    csrf = _code_page(client)
    for n in range(3):
        client.post("/admin/login/2fa/", data={"code": f"00000{n}", "csrf_token": csrf})
    staff_login(client, name)  # second pending login: two more wrong codes lock the account
    csrf = _code_page(client)
    for n in range(2):
        client.post("/admin/login/2fa/", data={"code": f"11111{n}", "csrf_token": csrf})
    right = client.post("/admin/login/2fa/", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf})
    assert right.status_code == 302 and "2fa" not in right.headers["Location"]
    assert "暂时锁定" in text(client.get(right.headers["Location"]))
    assert not _logged_in(client)
    assert "暂时锁定" in text(staff_login(_client(), name))  # the password step too


def test_an_old_pending_cookie_cannot_restart_the_code_count(app_ctx, admin_app, totp_on):
    """The count lives in the database: replaying the cookie from before the wrong codes gains nothing."""
    secret = pyotp.random_base32()
    _, name = make_staff(admin_app, REGION_ADMIN, totp_secret=secret)
    client, replay = _client(), _client()
    staff_login(client, name)
    csrf = _code_page(client)
    _copy_cookie(client, replay)
    for n in range(3):
        client.post("/admin/login/2fa/", data={"code": f"22222{n}", "csrf_token": csrf})
    again = replay.post("/admin/login/2fa/", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf})
    assert again.status_code == 302 and "2fa" not in again.headers["Location"]
    assert not _logged_in(replay)


# --- 3. staff sessions can be revoked ---------------------------------------------------------------

def test_cookie_replayed_after_logout_opens_nothing(app_ctx, admin_app):
    _, name = make_staff(admin_app, REGION_ADMIN)
    client, replay = _client(), _client()
    staff_login(client, name)
    _copy_cookie(client, replay)
    assert _logged_in(replay)
    client.get("/admin/logout/")
    assert not _logged_in(client) and not _logged_in(replay)


def test_cookie_replayed_after_own_password_change_opens_nothing(app_ctx, admin_app):
    _, name = make_staff(admin_app, REGION_ADMIN)
    client, replay = _client(), _client()
    staff_login(client, name)
    _copy_cookie(client, replay)
    new = "Changed#2027-Strong-Pw"
    resp = client.post("/admin/resetmypassword/form", data={"password": new, "conf_password": new,
                                                             "csrf_token": admin_csrf(client)})
    assert resp.status_code == 302
    assert not _logged_in(replay)
    assert _logged_in(client)  # the one who changed it continues, under a new token


def test_admin_password_reset_role_change_deactivation_and_end_all_end_sessions(world, admin_app):
    admin = _client()
    staff_login(admin, world["staff"]["national"][1])
    csrf = admin_csrf(admin)
    uid, name = world["staff"]["region"]

    def victim():
        c = _client()
        staff_login(c, name)
        assert _logged_in(c)
        return c

    # 结束全部会话
    c = victim()
    resp = admin.post("/admin/users/action_post", data={"action": "end_sessions", "rowid": str(uid),
                                                        "csrf_token": csrf})
    assert resp.status_code == 302 and not _logged_in(c)
    # a change of scope
    c = victim()
    scope_id = db.session.scalar(db.text("SELECT id FROM staff_scopes WHERE user_id = :u"), {"u": uid})
    resp = admin.post(f"/admin/staff-scopes/edit/{scope_id}",
                      data={"user": str(uid), "region": str(world["ids"]["region_b"]), "site": "",
                            "csrf_token": csrf})
    assert resp.status_code == 302 and not _logged_in(c)
    # deactivation (启用 unticked) through FAB's user form
    c = victim()
    role_id = db.session.scalar(db.text("SELECT role_id FROM ab_user_role WHERE user_id = :u"), {"u": uid})
    resp = admin.post(f"/admin/users/edit/{uid}",
                      data={"first_name": "考务", "last_name": "人员", "username": name,
                            "email": f"{name}@example.cn", "roles": str(role_id), "csrf_token": csrf})
    assert resp.status_code == 302
    assert db.session.scalar(db.text("SELECT active FROM ab_user WHERE id = :u"), {"u": uid}) in (False, 0)
    assert not _logged_in(c)
    actions = db.session.scalars(db.text("SELECT after FROM audit_log WHERE action = 'staff.sessions.ended' "
                                         "AND object_id = :u ORDER BY id"), {"u": uid}).all()
    assert len(actions) == 3


def _age_sessions(column: str, by: timedelta) -> None:
    for row in db.session.scalars(db.select(StaffSession)):
        setattr(row, column, getattr(row, column) - by - timedelta(minutes=1))
    db.session.commit()


def test_session_ends_at_its_absolute_lifetime_however_active(app_ctx, admin_app):
    _, name = make_staff(admin_app, REGION_ADMIN)
    client = _client()
    staff_login(client, name)
    assert _logged_in(client)
    lifetime = admin_app.config["STAFF_ABSOLUTE_TIMEOUT"]
    _age_sessions("created_at", lifetime)
    assert not _logged_in(client)


def test_server_side_idle_timeout(app_ctx, admin_app):
    _, name = make_staff(admin_app, NATIONAL_ADMIN)
    client = _client()
    staff_login(client, name)
    idle = admin_app.config["STAFF_IDLE_TIMEOUT"]
    _age_sessions("last_seen_at", idle)
    assert not _logged_in(client)


def test_each_login_is_a_new_token_and_only_its_hash_is_stored(app_ctx, admin_app):
    _, name = make_staff(admin_app, REGION_ADMIN)
    a, b = _client(), _client()
    staff_login(a, name)
    staff_login(b, name)
    hashes = db.session.scalars(db.select(StaffSession.token_hash)).all()
    assert len(set(hashes)) == 2 and all(len(h) == 64 for h in hashes)
    assert all(h not in a.get_cookie(COOKIE, path="/admin").value for h in hashes)


# --- 5. the 身份核验 grant is server-side and single-use ------------------------------------------------

def test_identity_grant_replayed_from_a_cookie_copy_resets_nothing(world):
    from core.models import Candidate
    from core.services import staff_actions
    from tests.factories import make_candidate
    newcomer = make_candidate(name="李四")
    db.session.commit()
    cid, number, hash_before = newcomer.id, newcomer.doc_number, newcomer.password_hash
    client, replay = _client(), _client()
    staff_login(client, world["staff"]["region"][1])
    csrf = admin_csrf(client)
    resp = client.post("/admin/candidates/identity-check",
                       data={"doc_type": "id_card", "doc_number": number, "name": "李四", "csrf_token": csrf})
    assert resp.status_code == 302
    _copy_cookie(client, replay)  # the cookie as it was with the grant
    url = f"/admin/candidates/{cid}/reset-password"
    first = client.post(url, data={"reason": "身份证原件核验无误", "csrf_token": csrf})
    assert first.status_code == 200
    db.session.expire_all()
    hash_after_first = db.session.scalar(db.select(Candidate.password_hash).where(Candidate.id == cid))
    assert hash_after_first != hash_before
    for c in (replay, client):
        again = c.post(url, data={"reason": "身份证原件核验无误", "csrf_token": csrf})
        assert again.status_code == 404
    db.session.expire_all()
    assert db.session.scalar(db.select(Candidate.password_hash).where(Candidate.id == cid)) == hash_after_first
    resets = db.session.scalar(db.text("SELECT count(*) FROM audit_log WHERE action = "
                                       "'candidate.password.reset_by_staff' AND object_id = :c"), {"c": cid})
    assert resets == 1 and staff_actions.IDENTITY_GRANT_SECONDS > 0
