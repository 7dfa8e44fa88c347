"""登录 / 退出: first login to 个人信息, later to 首页, one message, new session id, idle timeout."""
from datetime import timedelta

from core.db import db
from core.models import CandidateSession
from tests.factories import PASSWORD, login, make_candidate, make_registration
from tests.support.web import csrf_token_from, post_page, text


def test_login_page_has_labels(client):
    html = text(client.get("/login"))
    assert '<label for="f-username">' in html and '<label for="f-password">' in html


def test_first_login_goes_to_profile_later_ones_to_home(client, app_ctx):
    cand = make_candidate()
    db.session.commit()
    first = login(client, cand)
    assert first.status_code == 302 and first.location.endswith("/profile")
    client.post("/logout", data={"csrf_token": csrf_token_from(text(client.get("/")))})
    second = login(client, cand)
    assert second.status_code == 302 and second.location.endswith("/")


def test_home_lists_own_registrations_and_notices(client, app_ctx):
    cand = make_candidate()
    reg = make_registration(cand)
    other = make_registration()
    cand.last_login_at = db.func.now()
    db.session.commit()
    login(client, cand)
    html = text(client.get("/"))
    assert reg.number in html and "临床执业医师" in html
    assert other.number not in html
    assert "请完善个人信息" in html and "尚未上传照片" in html and "尚未设置密码找回问题" in html
    for item in ("首页", "个人信息", "考试报名", "安全设置", "退出"):
        assert item in html


def test_same_message_for_unknown_user_and_wrong_password(client, app_ctx):
    cand = make_candidate()
    db.session.commit()
    unknown = post_page(client, "/login", {"username": "nobody", "password": PASSWORD})
    wrong = post_page(client, "/login", {"username": cand.username, "password": "Wrong#pass99"})
    assert unknown.status_code == wrong.status_code == 401
    assert "用户名或密码错误" in text(unknown) and "用户名或密码错误" in text(wrong)
    assert 'value="nobody"' in text(unknown)  # what was typed stays


def test_login_issues_a_new_session_id(client, app_ctx):
    cand = make_candidate(last_login_at=db.func.now())
    db.session.commit()
    login(client, cand)
    with client.session_transaction() as sess:
        first = sess["sid"]
    login(client, cand)
    with client.session_transaction() as sess:
        second = sess["sid"]
    assert first != second
    assert db.session.scalar(db.select(db.func.count(CandidateSession.id))) == 2


def test_logout_ends_the_session(client, app_ctx):
    cand = make_candidate()
    db.session.commit()
    login(client, cand)
    with client.session_transaction() as sess:
        token = sess["sid"]
    response = client.post("/logout", data={"csrf_token": csrf_token_from(text(client.get("/profile")))})
    assert response.status_code == 302
    assert client.get("/profile").status_code == 302
    with client.session_transaction() as sess:  # replaying the old cookie does not help
        sess["sid"] = token
    assert client.get("/profile").status_code == 302


def test_logout_needs_post_with_csrf(client, app_ctx):
    cand = make_candidate()
    db.session.commit()
    login(client, cand)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/profile").status_code == 200


def test_idle_timeout(client, app_ctx, app):
    cand = make_candidate()
    db.session.commit()
    login(client, cand)
    row = db.session.scalar(db.select(CandidateSession))
    row.last_seen_at -= app.config["CANDIDATE_IDLE_TIMEOUT"] + timedelta(seconds=1)
    db.session.commit()
    response = client.get("/profile")
    assert response.status_code == 302 and "/login" in response.location


def test_next_only_to_this_site(client, app_ctx):
    cand = make_candidate(last_login_at=db.func.now())
    db.session.commit()
    for target, expected in (("/security", "/security"), ("//evil.example/x", "/"),
                             ("https://evil.example/", "/")):
        page = text(client.get("/login"))
        response = client.post(f"/login?next={target}", data={
            "username": cand.username, "password": PASSWORD, "csrf_token": csrf_token_from(page)})
        assert response.location.endswith(expected) and "evil" not in response.location


def test_login_rate_limit_on_the_page(client, app_ctx, app):
    cand = make_candidate()
    db.session.commit()
    app.config["RATELIMIT_ENABLED"] = True
    app.extensions.pop("portal_ratelimit", None)
    try:
        for _ in range(3):  # then this address waits before its next try on this account
            post_page(client, "/login", {"username": cand.username, "password": "Wrong#pass99"})
        response = post_page(client, "/login", {"username": cand.username, "password": PASSWORD})
        assert response.status_code == 401 and "过于频繁" in text(response)
    finally:
        app.config["RATELIMIT_ENABLED"] = False
        app.extensions.pop("portal_ratelimit", None)


def test_password_reset_by_the_authority_leads_to_security_settings(client, app_ctx):
    cand = make_candidate(last_login_at=db.func.now(), must_change_password=True)
    db.session.commit()
    response = login(client, cand)
    assert response.location.endswith("/security")
    assert "请先修改密码" in text(client.get("/security"))


def test_language_cookie_only_for_known_languages(client):
    response = client.get("/lang/en?next=/login")
    assert response.location.endswith("/login") and "lang=en" in response.headers["Set-Cookie"]
    assert "Set-Cookie" not in client.get("/lang/xx").headers
    assert client.get("/lang/zh?next=//evil.example").location.endswith("/")
