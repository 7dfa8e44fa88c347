"""消息中心 in the portal: the unread count in the menu, the list, marking read (own messages only); the
新设备登录 message; a staff-issued one-time password must be changed before any other page opens."""
from __future__ import annotations

from sqlalchemy import func, select

from core.db import db
from core.models import Message
from core.notify.outbox import queue
from tests.factories import PASSWORD, login, login_as, make_candidate
from tests.support.web import post_page, text

PAID = {"number": "202711000200000001", "amount": "120.00", "receipt": "JF1"}


def test_menu_count_list_and_mark_read(client, app_ctx):
    cand = make_candidate()
    queue(cand, "payment_paid", PAID, key="a")
    queue(cand, "registration_approved", {"number": "202711000200000001"}, key="b")
    db.session.commit()
    login_as(client, cand)
    home = text(client.get("/"))
    assert "消息中心" in home and "2<span class=\"visually-hidden\">条未读" in home
    page = text(client.get("/messages"))
    assert "报名费已缴纳" in page and "120.00 元" in page and page.count('"badge">未读</span>') == 2
    first = db.session.scalar(select(Message.id).where(Message.template == "payment_paid"))
    response = post_page(client, f"/messages/{first}/read", {}, page="/messages")
    assert response.status_code == 302
    assert "1<span class=\"visually-hidden\">条未读" in text(client.get("/messages"))
    post_page(client, "/messages/read-all", {}, page="/messages")
    assert "条未读" not in text(client.get("/messages"))


def test_another_candidates_message_is_404(client, app_ctx):
    me, other = make_candidate(), make_candidate()
    queue(other, "payment_paid", PAID, key="x")
    db.session.commit()
    theirs = db.session.scalar(select(Message.id))
    login_as(client, me)
    assert post_page(client, f"/messages/{theirs}/read", {}, page="/messages").status_code == 404
    assert db.session.get(Message, theirs).read_at is None
    assert "报名费已缴纳" not in text(client.get("/messages"))


def test_marking_read_needs_the_csrf_token(client, app_ctx):
    cand = make_candidate()
    queue(cand, "payment_paid", PAID, key="a")
    db.session.commit()
    login_as(client, cand)
    assert client.post("/messages/read-all").status_code == 400
    assert db.session.scalar(select(func.count(Message.id)).where(Message.read_at.is_(None))) == 1


def test_a_login_from_a_new_browser_is_told_once(app, app_ctx):
    cand = make_candidate(last_login_at=db.func.now())
    db.session.commit()
    first_browser = app.test_client()
    login(first_browser, cand)
    login(first_browser, cand)  # the same browser again: nothing new
    assert db.session.scalar(select(func.count(Message.id))) == 1  # its first use of the cookie
    login(app.test_client(), cand)
    templates = list(db.session.scalars(select(Message.template)))
    assert templates == ["login_new_device", "login_new_device"]


def test_the_first_login_of_an_account_is_not_a_new_device(client, app_ctx):
    cand = make_candidate()
    db.session.commit()
    login(client, cand)
    assert db.session.scalar(select(func.count(Message.id))) == 0


def test_a_one_time_password_must_be_changed_before_any_other_page(client, app_ctx):
    cand = make_candidate(last_login_at=db.func.now(), must_change_password=True)
    db.session.commit()
    login(client, cand)
    for path in ("/", "/profile", "/registration", "/messages"):
        response = client.get(path)
        assert response.status_code == 302 and response.location.endswith("/security"), path
    new = "Neu#Kaoshi2027x"
    post_page(client, "/security/password", {"current_password": PASSWORD, "new_password": new,
                                             "new_password2": new}, page="/security")
    db.session.expire_all()
    assert client.get("/messages").status_code == 200


def test_preferences_are_saved_and_language_follows_the_portal(client, app_ctx):
    from core.notify.prefs import settings_of
    cand = make_candidate(email="z@example.cn")
    db.session.commit()
    login_as(client, cand)
    post_page(client, "/messages/preferences", {"sms": "on"}, page="/messages")
    page = text(client.get("/messages"))
    assert "通知方式已保存" in page and 'id="pref-sms" name="sms" checked' in page
    assert 'id="pref-email" name="email" checked' not in page and '<label for="pref-email">' in page
    client.get("/lang/en?next=/messages")
    db.session.expire_all()
    s = settings_of(cand.id)
    assert (s.email_enabled, s.sms_enabled, s.lang) == (False, True, "en")


def test_pages_of_twenty_the_count_read_with_the_page(client, app_ctx):
    from tests.support.queries import statements
    cand = make_candidate()
    for n in range(25):
        queue(cand, "payment_paid", {**PAID, "receipt": f"JF{n}"}, key=f"k{n}")
    login_as(client, cand)
    seen, response = statements(client, "/messages")
    page = text(response)
    assert page.count('class="card message') == 20 and "第 1 / 2 页" in page and "JF24" in page
    # the session with the candidate, the page with the count beside each row, the notification settings
    # (4 before: the count apart)
    assert len(seen) == 3, seen
    page = text(client.get("/messages?page=2"))
    assert page.count('class="card message') == 5 and "第 2 / 2 页" in page and "JF0" in page
    page = text(client.get("/messages?page=7"))  # past the last page (an old link): the last one, called so
    assert page.count('class="card message') == 5 and "JF0" in page and "第 2 / 2 页" in page
    assert "第 7 / 2 页" not in page and ">下一页<" not in page and "?page=1" in page  # 上一页 leads back
    assert "第 1 / 2 页" in text(client.get("/messages?page=0"))
