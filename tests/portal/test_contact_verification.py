"""验证联系方式: the profile's verification state, the code page, refusals beside the field."""
import pytest
from datetime import timedelta

from sqlalchemy import select

from core.db import db, utcnow
from core.models import AuditEntry, Message
from tests.factories import login_as, make_candidate
from tests.support.web import post_page, text


@pytest.fixture(autouse=True)
def _channels_on(notify_on):
    """SMTP and the sandbox SMS gateway configured (codes are refused on a channel with no provider)."""
    return notify_on


def _code(cand) -> str:
    return db.session.scalars(select(Message.params).where(Message.candidate_id == cand.id,
                                                           Message.template == "contact_code")
                              .order_by(Message.id.desc())).first()["code"]


def _unverified(client):
    cand = make_candidate(verified=False, email="li@example.com")
    db.session.commit()
    login_as(client, cand)
    return cand


def test_profile_shows_unverified_contacts_with_a_link(client, app_ctx):
    _unverified(client)
    html = text(client.get("/profile"))
    assert "未验证，验证后才会收到通知" in html
    assert "/profile/verify/sms" in html and "/profile/verify/email" in html


def test_verify_a_mobile_number(client, app_ctx):
    cand = _unverified(client)
    page = text(client.get("/profile/verify/sms"))
    assert '<label for="f-code">' in page and "138****8000" in page and "13800138000" not in page
    sent = post_page(client, "/profile/verify/sms/send", {}, page="/profile/verify/sms")
    assert sent.status_code == 302
    assert "验证码已发送至 138****8000" in text(client.get("/profile/verify/sms"))
    done = post_page(client, "/profile/verify/sms", {"code": _code(cand)}, page="/profile/verify/sms")
    assert done.status_code == 302 and "/profile" in done.location
    db.session.refresh(cand)
    assert cand.mobile_verified_at is not None and cand.email_verified_at is None
    assert "手机号码已验证" in text(client.get("/profile"))
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"candidate.code.sent", "candidate.contact.verified"} <= actions


def test_wrong_expired_and_too_many_show_beside_the_field(client, app_ctx):
    cand = _unverified(client)
    post_page(client, "/profile/verify/email/send", {}, page="/profile/verify/email")
    code = _code(cand)
    wrong = "000000" if code != "000000" else "111111"
    for data, message in (({"code": ""}, "请输入6位数字验证码"), ({"code": wrong}, "验证码不正确，还可再试4次"),
                          ({"code": "12345x"}, "请输入6位数字验证码")):
        response = post_page(client, "/profile/verify/email", data, page="/profile/verify/email")
        html = text(response)
        assert response.status_code == 422 and message in html and 'id="e-code"' in html
    for _ in range(4):
        response = post_page(client, "/profile/verify/email", {"code": wrong}, page="/profile/verify/email")
    assert "验证码错误次数过多" in text(response)
    post_page(client, "/profile/verify/email/send", {}, page="/profile/verify/email")  # a new code
    db.session.refresh(cand)
    cand.code_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = post_page(client, "/profile/verify/email", {"code": _code(cand)}, page="/profile/verify/email")
    assert response.status_code == 422 and "验证码已过期" in text(response)
    db.session.refresh(cand)
    assert cand.email_verified_at is None


def test_sending_too_often_is_refused_with_a_message(client, app_ctx, limits_on):
    _unverified(client)
    for _ in range(5):
        assert post_page(client, "/profile/verify/sms/send", {}, page="/profile/verify/sms").status_code == 302
    response = post_page(client, "/profile/verify/sms/send", {}, page="/profile/verify/sms")
    assert response.status_code == 429 and "获取验证码过于频繁，请1小时后再试" in text(response)


def test_unknown_channel_and_missing_contact(client, app_ctx):
    cand = _unverified(client)
    assert client.get("/profile/verify/fax").status_code == 404
    cand.email = None
    db.session.commit()
    response = client.get("/profile/verify/email")
    assert response.status_code == 302 and "/profile" in response.location
    assert client.post("/profile/verify/sms/send").status_code == 400  # no CSRF token


def test_verification_needs_login(client, app_ctx):
    assert "/login" in client.get("/profile/verify/sms").location
