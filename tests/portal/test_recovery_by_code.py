"""找回密码 by a code sent to a verified mobile or e-mail."""
import pytest
from sqlalchemy import select

from core.db import db
from core.models import AuditEntry, CandidateSession, Message
from core.services import passwords
from core.services.sessions import open_session
from tests.factories import PASSWORD, make_candidate
from tests.support.web import post_page, text

NEW = "Yisheng#2028new"


@pytest.fixture(autouse=True)
def _channels_on(notify_on):
    """SMTP and the sandbox SMS gateway configured (codes are refused on a channel with no provider)."""
    return notify_on


def _code(cand) -> str:
    return db.session.scalars(select(Message.params).where(Message.candidate_id == cand.id,
                                                           Message.template == "contact_code")
                              .order_by(Message.id.desc())).first()["code"]


def _step_one(client, cand):
    return post_page(client, "/forgot-password", {"step": "1", "username": cand.username,
                                                  "doc_number": cand.doc_number})


def test_recover_by_sms_code_ends_every_session(client, app_ctx):
    cand = make_candidate(email="li@example.com", email_verified_at=None)
    db.session.commit()
    open_session(cand, "10.0.0.5")
    db.session.commit()
    html = text(_step_one(client, cand))
    assert "发送验证码到手机 138****8000" in html and "li@example.com" not in html  # only verified ones
    assert "f-recovery_answer" not in html  # no question set
    sent = post_page(client, "/forgot-password", {"step": "send", "channel": "sms"})
    assert sent.status_code == 302
    page = text(client.get("/forgot-password"))
    assert '<label for="f-code">' in page and '<label for="f-code_new_password">' in page
    done = post_page(client, "/forgot-password", {"step": "code", "code": _code(cand),
                                                  "code_new_password": NEW, "code_new_password2": NEW})
    assert done.status_code == 302 and "/login" in done.location
    db.session.refresh(cand)
    assert passwords.verify(cand.password_hash, NEW) and cand.code_hash is None
    assert not db.session.scalar(select(CandidateSession.id).filter_by(candidate_id=cand.id, ended_at=None))
    assert "candidate.password.recovered" in set(db.session.scalars(select(AuditEntry.action)))


def test_recovery_code_refusals_beside_the_field(client, app_ctx):
    cand = make_candidate()
    db.session.commit()
    _step_one(client, cand)
    refused = post_page(client, "/forgot-password", {"step": "send", "channel": "email"})  # none verified
    assert refused.status_code == 422 and "请选择已验证的手机号码或电子邮箱" in text(refused)
    post_page(client, "/forgot-password", {"step": "send", "channel": "sms"})
    code = _code(cand)
    wrong = "000000" if code != "000000" else "111111"
    response = post_page(client, "/forgot-password", {"step": "code", "code": wrong,
                                                      "code_new_password": NEW, "code_new_password2": NEW})
    html = text(response)
    assert response.status_code == 422 and "验证码不正确" in html and 'id="e-code"' in html
    response = post_page(client, "/forgot-password", {"step": "code", "code": code,
                                                      "code_new_password": "short", "code_new_password2": "short"})
    html = text(response)
    assert response.status_code == 422 and 'id="e-code_new_password"' in html
    db.session.refresh(cand)
    assert passwords.verify(cand.password_hash, PASSWORD) and cand.code_hash  # the right code stays usable
    for _ in range(4):
        response = post_page(client, "/forgot-password", {"step": "code", "code": wrong,
                                                          "code_new_password": NEW, "code_new_password2": NEW})
    assert "验证码错误次数过多" in text(response)
    response = post_page(client, "/forgot-password", {"step": "code", "code": code,
                                                      "code_new_password": NEW, "code_new_password2": NEW})
    assert response.status_code == 422
    db.session.refresh(cand)
    assert passwords.verify(cand.password_hash, PASSWORD)


def test_recovery_sending_is_limited(client, app_ctx, limits_on):
    cand = make_candidate()
    db.session.commit()
    _step_one(client, cand)
    for _ in range(5):
        assert post_page(client, "/forgot-password", {"step": "send", "channel": "sms"}).status_code == 302
    response = post_page(client, "/forgot-password", {"step": "send", "channel": "sms"})
    assert response.status_code == 429 and "获取验证码过于频繁" in text(response)


def test_neither_question_nor_verified_contact_sends_to_the_exam_office(client, app_ctx):
    cand = make_candidate(verified=False)
    db.session.commit()
    response = _step_one(client, cand)
    assert response.status_code == 422 and "当地考试管理机构" in text(response)
    response = post_page(client, "/forgot-password", {"step": "send", "channel": "sms"})
    assert response.status_code == 422 and "超时" in text(response)
    assert not db.session.scalar(select(Message.id).filter_by(candidate_id=cand.id))
