"""Notifications (issue 17) with the real local SMTP server and the sandbox SMS gateway: every event gives exactly
one message per channel, a rolled-back transaction gives none, a duplicate event none more, and no message
body anywhere carries a document number."""
from __future__ import annotations

import re

import pytest
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import func, select

from backoffice.roles import NATIONAL_ADMIN
from core.db import db, utcnow
from core.models import Candidate, Message, PaymentOrder, Refund, Registration
from core.notify import delivery, events
from core.notify.outbox import queue
from core.payments import service as payments
from core.registration import lifecycle, submission
from core.registration.lifecycle import Actor
from core.services import staff_actions
from tests.factories import make_catalogue, make_staff, ready_candidate, ready_draft

ID_LIKE = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")


@pytest.fixture
def staff(admin_app, session):
    staff_id, name = make_staff(admin_app, NATIONAL_ADMIN)
    return db.session.get(User, staff_id)


def submitted(cat, **candidate):
    cand = ready_candidate(**{"email": "zhang@example.cn", **candidate})
    reg = ready_draft(cand, cat)
    db.session.commit()
    return submission.submit_registration(cand, reg.id, f"t{reg.id}")


def pay(reg: Registration) -> PaymentOrder:
    order = PaymentOrder(registration_id=reg.id, out_trade_no=f"T{reg.id}", provider="sandbox", amount_fen=12000,
                         items=[], status="pending")
    db.session.add(order)
    db.session.commit()
    assert payments._mark_paid(order, "trade", "gateway", "notification", utcnow())
    db.session.commit()
    return order


def messages(channel: str | None = None) -> list[Message]:
    q = select(Message).order_by(Message.id)
    return list(db.session.scalars(q.where(Message.channel == channel) if channel else q))


def test_each_event_gives_one_message_per_channel(notify_on, session, staff):
    cat = make_catalogue()
    reg = submitted(cat)
    cand = reg.candidate
    order = pay(reg)
    lifecycle.transition(reg, "reject", Actor.staff(staff), reason="学历证书与填报不符")
    db.session.commit()
    refund = session.scalar(select(Refund))
    payments.record_external_refund(refund, staff.id, "BANK-1")
    staff_actions.reset_candidate_password(staff, cand.id, "考生来电，核验身份后重置")
    db.session.commit()
    events.device_login(cand.id, None, first_login=False)
    db.session.commit()
    other = submitted(cat)  # another candidate approved
    lifecycle.transition(other, "approve", Actor.staff(staff))
    db.session.commit()

    expected = {"registration_submitted": 2, "payment_paid": 1, "registration_rejected": 1,
                "refund_requested": 1, "refund_done": 1, "password_reset_by_staff": 1,
                "login_new_device": 1, "registration_approved": 1}
    for channel in ("inbox", "email", "sms"):
        counts = {}
        for m in messages(channel):
            counts[m.template] = counts.get(m.template, 0) + 1
        assert counts == expected, channel
    assert delivery.deliver_due() == 2 * sum(expected.values())
    assert {m.state for m in messages()} == {"sent"}

    mails = notify_on["mailbox"].messages
    assert sorted(m["Subject"] for m in mails) == sorted(m.subject for m in messages("email"))
    assert len({m["Message-ID"] for m in mails}) == len(mails)
    paid = next(m for m in mails if m["Subject"] == "报名费已缴纳")
    assert paid["To"] == "zhang@example.cn"
    assert "120.00 元" in paid.get_body(("plain",)).get_content()
    assert "<h1" in paid.get_body(("html",)).get_content()
    sms = notify_on["sms"].messages()
    assert len(sms) == len(messages("sms"))
    assert {s["template_code"] for s in sms} >= {"SMS_MEDEXAM_PAID", "SMS_MEDEXAM_REJECTED"}
    assert all(s["phone"] == "13800138000" and s["sign_name"] for s in sms)
    # nothing sent again
    assert delivery.deliver_due() == 0
    assert len(notify_on["mailbox"].messages) == len(mails)

    # no document number in any message body, anywhere it went
    assert_no_document_number([m.as_string() for m in mails] + [str(s["params"]) for s in sms])


def assert_no_document_number(extra: list[str] = ()) -> None:
    """Over every message body written and sent: no candidate's document number, and every 18-character
    number is a registration number, not an ID number."""
    numbers = set(db.session.scalars(select(Candidate.doc_number)))
    registrations = set(db.session.scalars(select(Registration.number)))
    bodies = [m.subject + m.body_text + (m.body_html or "") for m in messages()] + list(extra)
    assert bodies
    for body in bodies:
        assert not any(n in body for n in numbers), body
        assert set(ID_LIKE.findall(body)) <= registrations, body


def test_a_document_number_typed_in_a_reason_is_hidden(notify_on, session, staff):
    reg = submitted(make_catalogue())
    other = "11010519491231002X"  # valid check character, not the candidate's
    lifecycle.transition(reg, "reject", Actor.staff(staff),
                         reason=f"证件 {reg.candidate.doc_number} 与 {other} 不一致")
    db.session.commit()
    delivery.deliver_due()
    rejected = [m for m in messages() if m.template == "registration_rejected"]
    assert len(rejected) == 3 and all("[证件号码已隐去]" in m.body_text for m in rejected if m.channel != "sms")
    assert_no_document_number([m.as_string() for m in notify_on["mailbox"].messages])
    assert other not in " ".join(m.body_text for m in rejected)


def test_a_rolled_back_transaction_sends_nothing(notify_on, session):
    reg = submitted(make_catalogue())
    db.session.execute(db.delete(Message))
    db.session.commit()
    order = PaymentOrder(registration_id=reg.id, out_trade_no="T1", provider="sandbox", amount_fen=100, items=[],
                         status="pending")
    db.session.add(order)
    db.session.commit()
    assert payments._mark_paid(order, "trade", "gateway", "notification", utcnow())
    assert session.scalar(select(func.count(Message.id))) == 3  # queued in the payment's transaction
    db.session.rollback()
    assert session.scalar(select(func.count(Message.id))) == 0
    assert delivery.deliver_due() == 0
    assert notify_on["mailbox"].messages == [] and notify_on["sms"].messages() == []


def test_a_duplicate_event_is_queued_once(notify_on, session):
    reg = submitted(make_catalogue())
    assert queue(reg.candidate_id, "registration_submitted", {"number": reg.number},
                 key=f"registration:{reg.id}:submit") == 0
    db.session.commit()
    assert session.scalar(select(func.count(Message.id))) == 3
    delivery.deliver_due()
    assert len(notify_on["mailbox"].messages) == 1 and len(notify_on["sms"].messages()) == 1


def test_without_contacts_only_the_message_centre(notify_on, session):
    submitted(make_catalogue(), mobile=None, email=None)
    assert [m.channel for m in messages()] == ["inbox"]


def test_english_candidates_get_english(notify_on, session):
    from core.models import NotifySettings
    cand = ready_candidate(email="li@example.cn")
    db.session.add(NotifySettings(candidate_id=cand.id, lang="en"))
    reg = ready_draft(cand, make_catalogue())
    db.session.commit()
    submission.submit_registration(cand, reg.id, "t1")
    delivery.deliver_due()
    mail = notify_on["mailbox"].messages[0]
    assert mail["Subject"] == "Registration submitted"
    assert "has been submitted" in mail.get_body(("plain",)).get_content()


def test_a_submission_follows_the_candidates_own_preferences_read_with_the_status_update(notify_on, session):
    from core.models import NotifySettings
    cat = make_catalogue()
    other = ready_candidate(email="qian@example.cn")
    db.session.add(NotifySettings(candidate_id=other.id, lang="en", email_enabled=False, sms_enabled=False))
    cand = ready_candidate(email="zhao@example.cn")  # no settings of their own: Chinese, every channel
    reg = ready_draft(cand, cat)
    db.session.commit()
    submission.submit_registration(cand, reg.id, "t1")
    assert sorted((m.channel, m.lang) for m in messages()) == [("email", "zh"), ("inbox", "zh"), ("sms", "zh")]
    db.session.add(NotifySettings(candidate_id=cand.id, email_enabled=False, sms_enabled=True))
    again = ready_draft(cand, make_catalogue())
    db.session.commit()
    submission.submit_registration(cand, again.id, "t2")
    assert sorted(m.channel for m in messages() if m.key.startswith(f"registration:{again.id}:")) == [
        "inbox", "sms"]  # not essential: no e-mail


def test_non_essential_messages_follow_the_preferences(notify_on, session):
    from core.models import NotifySettings
    cand = ready_candidate(email="wang@example.cn")
    db.session.add(NotifySettings(candidate_id=cand.id, email_enabled=False, sms_enabled=False))
    db.session.commit()
    queue(cand, "registration_submitted", {"number": "N1"}, key="a")  # not essential: message centre only
    queue(cand, "payment_paid", {"number": "N1", "amount": "1.00", "receipt": "R"}, key="b")  # essential
    assert sorted((m.template, m.channel) for m in messages()) == [
        ("payment_paid", "email"), ("payment_paid", "inbox"), ("payment_paid", "sms"),
        ("registration_submitted", "inbox")]
