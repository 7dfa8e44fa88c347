"""One-time codes (core/services/contact_codes.py) and the outbox's verified-contacts rule."""
import pytest
from datetime import timedelta

from sqlalchemy import select

from core.db import db, utcnow
from core.models import Message
from core.notify import delivery, outbox
from core.services import contact_codes, profile
from core.services.errors import DomainError
from tests.factories import make_candidate


@pytest.fixture(autouse=True)
def _channels_on(notify_on):
    """SMTP and the sandbox SMS gateway configured (codes are refused on a channel with no provider)."""
    return notify_on


def _code_message(cand) -> Message:
    return db.session.scalars(select(Message).where(Message.candidate_id == cand.id,
                                                    Message.template == "contact_code")
                              .order_by(Message.id.desc())).first()


def _send(cand, channel="sms", purpose="verify", ip="10.0.0.1") -> str:
    contact_codes.send(cand, channel, purpose, ip)
    return _code_message(cand).params["code"]


def test_a_code_goes_only_to_the_unverified_number_and_is_kept_hashed(app_ctx):
    cand = make_candidate(verified=False, email="li@example.com")
    db.session.commit()
    code = _send(cand)
    rows = db.session.scalars(select(Message).where(Message.candidate_id == cand.id)).all()
    assert [(m.channel, m.recipient, m.state) for m in rows] == [("sms", "13800138000", "queued")]
    assert len(code) == 6 and code.isdigit() and code in rows[0].body_text
    assert cand.code_hash and code not in cand.code_hash and len(cand.code_hash) == 64
    assert cand.code_expires_at - utcnow() <= contact_codes.CODE_TTL


def test_the_right_code_verifies_once(app_ctx):
    cand = make_candidate(verified=False)
    db.session.commit()
    code = _send(cand)
    contact_codes.verify_contact(cand, "sms", code)
    assert cand.mobile_verified_at is not None and cand.code_hash is None
    with pytest.raises(DomainError, match="获取验证码"):  # single use
        contact_codes.verify_contact(cand, "sms", code)


def test_wrong_tries_are_counted_and_the_fifth_voids_the_code(app_ctx):
    cand = make_candidate(verified=False)
    db.session.commit()
    code = _send(cand)
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(DomainError, match="6位数字"):  # not counted: not a code at all
        contact_codes.verify_contact(cand, "sms", "12ab")
    for left in (4, 3, 2, 1):
        with pytest.raises(DomainError, match=f"还可再试{left}次"):
            contact_codes.verify_contact(cand, "sms", wrong)
    with pytest.raises(DomainError, match="错误次数过多"):
        contact_codes.verify_contact(cand, "sms", wrong)
    with pytest.raises(DomainError, match="错误次数过多"):  # the right code no longer helps
        contact_codes.verify_contact(cand, "sms", code)
    db.session.refresh(cand)
    assert cand.code_tries == 5 and cand.mobile_verified_at is None


def test_an_expired_code_is_refused(app_ctx):
    cand = make_candidate(verified=False)
    db.session.commit()
    code = _send(cand)
    cand.code_expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    with pytest.raises(DomainError, match="已过期"):
        contact_codes.verify_contact(cand, "sms", code)
    assert cand.mobile_verified_at is None


def test_a_code_is_bound_to_its_purpose_channel_and_number(app_ctx):
    cand = make_candidate(verified=False, email="li@example.com")
    db.session.commit()
    code = _send(cand)
    with pytest.raises(DomainError, match="获取验证码"):
        contact_codes.verify_contact(cand, "email", code)
    with pytest.raises(DomainError, match="未验证"):  # recovery codes only to verified contacts
        contact_codes.send(cand, "sms", "recover", "10.0.0.1")
    profile.save_contact(cand, {"mobile": "13900139000", "email": "li@example.com", "address": "北京市",
                                "postcode": "100005"})
    with pytest.raises(DomainError, match="获取验证码"):  # a new number voids the code sent to the old one
        contact_codes.verify_contact(cand, "sms", code)


def test_changing_a_verified_contact_makes_it_unverified(app_ctx):
    cand = make_candidate(email="li@example.com")
    db.session.commit()
    data = {"mobile": "13800138000", "email": "li@example.com", "address": "北京市", "postcode": "100005"}
    profile.save_contact(cand, data)
    assert cand.mobile_verified_at and cand.email_verified_at  # unchanged values stay verified
    profile.save_contact(cand, {**data, "email": "new@example.com"})
    assert cand.mobile_verified_at and cand.email_verified_at is None


def test_sending_is_limited_per_number_per_account_and_per_ip(app_ctx, limits_on):
    cand = make_candidate(verified=False, email="li@example.com")
    db.session.commit()
    for _ in range(contact_codes.PER_DESTINATION.count):
        _send(cand)
    with pytest.raises(DomainError, match="过于频繁"):  # per number
        _send(cand)
    for _ in range(contact_codes.PER_ACCOUNT.count - contact_codes.PER_DESTINATION.count - 1):
        _send(cand, "email")
    cand.mobile = "13900139000"
    with pytest.raises(DomainError, match="过于频繁"):  # per account, whatever the number
        _send(cand)
    others = [make_candidate(verified=False, mobile=f"137{n:08d}") for n in range(contact_codes.PER_IP.count + 1)]
    db.session.commit()
    for other in others[:-1]:
        _send(other, ip="10.0.0.9")
    with pytest.raises(DomainError, match="过于频繁"):  # per client address, whatever the account
        _send(others[-1], ip="10.0.0.9")
    _send(others[-1], ip="10.0.0.10")


def test_the_outbox_sends_email_and_sms_only_to_verified_contacts(app_ctx, notify_on):
    unverified = make_candidate(verified=False, email="un@example.com")
    verified = make_candidate(email="ok@example.com")
    db.session.commit()
    for cand in (unverified, verified):
        outbox.queue(cand, "login_new_device", {"time": "2027-01-01 08:00"}, key=f"t:{cand.id}")
    db.session.commit()
    channels = {c.id: sorted(m.channel for m in db.session.scalars(select(Message).filter_by(candidate_id=c.id)))
                for c in (unverified, verified)}
    assert channels == {unverified.id: ["inbox"], verified.id: ["email", "inbox", "sms"]}


def test_the_code_arrives_at_the_sms_gateway_and_is_then_blanked(app_ctx, notify_on):
    cand = make_candidate(verified=False, email="li@example.com")
    db.session.commit()
    code = _send(cand)
    contact_codes.send(cand, "email", "verify", "10.0.0.1")
    email_code = _code_message(cand).params["code"]
    assert delivery.deliver_due() == 2
    sms = notify_on["sms"].messages()
    assert [m["params"]["code"] for m in sms] == [code]
    mail = notify_on["mailbox"].messages[-1]
    assert mail["To"] == "li@example.com" and email_code in mail.get_body(("plain",)).get_content()
    rows = db.session.scalars(select(Message).filter_by(candidate_id=cand.id)).all()
    assert all(m.state == "sent" and m.params == {} and code not in m.body_text and email_code not in m.body_text
               for m in rows)
    assert not [m for m in rows if m.channel == "inbox"]


def test_no_code_on_a_channel_without_a_provider(app, app_ctx, monkeypatch):
    cand = make_candidate(verified=False)
    db.session.commit()
    monkeypatch.setitem(app.config, "SMS_PROVIDER", "")
    with pytest.raises(DomainError, match="短信服务暂未开通"):
        contact_codes.send(cand, "sms", "verify", "10.0.0.1")
    assert _code_message(cand) is None and cand.code_hash is None
