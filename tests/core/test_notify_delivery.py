"""Delivering the outbox (core/notify/delivery.py) against the real local SMTP server and the sandbox SMS
gateway: a retry after an SMTP failure arrives once, refusals end as failed at once, a provider that is
down delays, never loses; a worker killed mid-delivery is taken over; two workers racing send once."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from core.db import db, utcnow
from core.models import Message
from core.notify import delivery
from core.notify.outbox import queue
from tests.factories import make_candidate
from tests.support.environment import IS_SQLITE

PAID = {"number": "202711000200000001", "amount": "120.00", "receipt": "JF1"}


def queued(n: int = 1, **candidate) -> list[int]:
    cand = make_candidate(email=candidate.pop("email", "a@example.cn"), **candidate)
    for i in range(n):
        queue(cand, "payment_paid", PAID, key=f"t:{cand.id}:{i}")
    db.session.commit()
    return list(db.session.scalars(select(Message.id).where(Message.channel != "inbox")))


def state(channel: str) -> Message:
    db.session.expire_all()
    return db.session.scalar(select(Message).where(Message.channel == channel))


def test_an_email_retried_after_an_smtp_failure_arrives_once(notify_on, session):
    notify_on["mailbox"].fail_next = 1  # 451 for the first try
    queued()
    assert delivery.deliver_due() == 2
    mail = state("email")
    assert (mail.state, mail.attempts, mail.last_error) == ("sent", 2, None)
    assert len(notify_on["mailbox"].messages) == 1
    assert delivery.deliver_due() == 0 and len(notify_on["mailbox"].messages) == 1


def test_a_refused_address_fails_at_once_and_the_sms_still_goes(notify_on, session):
    queued(email="nobody@invalid.test")
    delivery.deliver_due()
    mail = state("email")
    assert (mail.state, mail.attempts) == ("failed", 1) and "550" in mail.last_error
    assert state("sms").state == "sent"


def test_retries_end_in_the_failed_state(notify_on, session, monkeypatch):
    notify_on["mailbox"].fail_next = 99
    queued()
    delivery.deliver_due()
    mail = state("email")
    assert (mail.state, mail.attempts) == ("failed", 3)  # first try + the two delays of NOTIFY_RETRY_DELAYS
    assert notify_on["mailbox"].messages == []


def test_an_smtp_server_down_delays_the_message(notify_on, app, session, monkeypatch):
    from tests.support.servers import free_port
    monkeypatch.setitem(app.config, "SMTP_PORT", free_port())  # nobody listens
    monkeypatch.setitem(app.config, "NOTIFY_RETRY_DELAYS", (60,))
    queued()
    delivery.deliver_due()
    mail = state("email")
    assert mail.state == "queued" and mail.next_attempt_at > utcnow() and "无法连接" in mail.last_error
    assert 50 < delivery.seconds_to_next() <= 60
    monkeypatch.setitem(app.config, "SMTP_PORT", notify_on["mailbox"].port)  # back up
    delivery.deliver_due(now=utcnow() + timedelta(seconds=61))
    assert state("email").state == "sent" and len(notify_on["mailbox"].messages) == 1


def test_sms_provider_errors(notify_on, session):
    notify_on["sms"].settings.http_500 = 1  # down once: retried
    queued()
    delivery.deliver_due()
    assert state("sms").state == "sent" and state("sms").attempts == 2
    assert len(notify_on["sms"].messages()) == 1


def test_sms_number_refused_by_the_provider_fails(notify_on, session):
    notify_on["sms"].settings.error_code = "isv.MOBILE_NUMBER_ILLEGAL"
    queued()
    delivery.deliver_due()
    sms = state("sms")
    assert (sms.state, sms.attempts) == ("failed", 1) and "MOBILE_NUMBER_ILLEGAL" in sms.last_error


def test_a_wrong_sms_secret_is_refused_by_the_gateway(notify_on, app, session, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_ACCESS_KEY_SECRET", "wrong")
    queued()
    delivery.deliver_due()
    assert state("sms").last_error == "短信服务拒绝：SignatureDoesNotMatch"
    assert notify_on["sms"].messages() == []


def test_a_worker_killed_mid_delivery_is_taken_over(notify_on, app, session):
    ids = queued()
    assert sorted(delivery.claim()) == sorted(ids)  # claimed, then the worker "dies"
    assert delivery.deliver_due() == 0  # not yet stale: nobody else sends it
    db.session.execute(update(Message).values(claimed_at=utcnow() - timedelta(
        seconds=app.config["NOTIFY_CLAIM_TIMEOUT"] + 1)))
    db.session.commit()
    assert delivery.deliver_due() == 2
    assert len(notify_on["mailbox"].messages) == 1 and len(notify_on["sms"].messages()) == 1


def _worker(app, results: list, barrier: threading.Barrier) -> None:
    with app.app_context():
        try:
            barrier.wait()
            results.append(delivery.deliver_due(batch=5))
        finally:
            db.session.remove()


@pytest.mark.postgres
@pytest.mark.skipif(IS_SQLITE, reason="row locks (SKIP LOCKED) are PostgreSQL's")
def test_two_workers_racing_send_each_message_once(notify_on, app, session):
    cand = make_candidate(email="race@example.cn")
    for i in range(30):
        queue(cand, "payment_paid", PAID, key=f"race:{i}")
    db.session.commit()
    results: list[int] = []
    barrier = threading.Barrier(2)
    threads = [threading.Thread(target=_worker, args=(app, results, barrier)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(results) == 60
    mails = notify_on["mailbox"].messages
    assert len(mails) == 30 and len({m["Message-ID"] for m in mails}) == 30
    assert len(notify_on["sms"].messages()) == 30
    assert {m.state for m in session.scalars(select(Message))} == {"sent"}


def test_per_recipient_limit_delays_non_essential_messages_only(notify_on, app, session, monkeypatch):
    monkeypatch.setitem(app.config, "NOTIFY_RECIPIENT_HOURLY", 2)
    cand = make_candidate(email="busy@example.cn")
    for i in range(3):
        queue(cand, "login_new_device", {"time": f"2027-01-01 10:0{i}"}, key=f"dev:{i}")
    queue(cand, "payment_paid", PAID, key="paid")  # essential: never held back
    db.session.commit()
    assert delivery.deliver_due() == 6
    held = session.scalars(select(Message).where(Message.state == "queued")).all()
    assert sorted(m.channel for m in held) == ["email", "sms"]
    assert all(m.key.startswith("dev:2") and m.last_error == delivery.RATE_LIMITED and m.attempts == 0
               for m in held)
    assert len(notify_on["mailbox"].messages) == 3  # two new-device e-mails and the payment
    db.session.execute(update(Message).where(Message.state == "sent")
                       .values(sent_at=utcnow() - timedelta(hours=2)))
    db.session.commit()
    assert delivery.deliver_due(now=utcnow() + timedelta(hours=1, seconds=1)) == 2
    assert len(notify_on["mailbox"].messages) == 4 and len(notify_on["sms"].messages()) == 4


def test_an_smtp_server_that_never_answers_times_out_and_the_message_waits(notify_on, app, session, monkeypatch):
    import socket
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts the connection, never sends a greeting
    try:
        monkeypatch.setitem(app.config, "SMTP_PORT", silent.getsockname()[1])
        monkeypatch.setitem(app.config, "SMTP_TIMEOUT", 0.5)
        monkeypatch.setitem(app.config, "NOTIFY_RETRY_DELAYS", (60,))
        queued()
        assert delivery.deliver_due() == 1  # the SMS goes; the e-mail waits
        mail = state("email")
        assert mail.state == "queued" and "无法连接" in mail.last_error and mail.attempts == 1
    finally:
        silent.close()
