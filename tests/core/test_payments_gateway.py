"""Against the real sandbox bank on a local port: notification before and after the return, dropped,
duplicated and reordered notifications, reconciliation, closing unpaid orders, refunds, deadline expiry."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.db import utcnow
from core.models import AuditEntry, PaymentOrder, Registration, Site
from core.payments import service
from tests.factories import add_fees, login_as, make_catalogue, make_registration
from tests.support.payments import go_to_bank, order_state, pay_at_bank, wait_for


@pytest.fixture
def reg(session, pay_config):
    cat = make_catalogue()
    add_fees(cat)
    registration = make_registration(cat=cat)
    session.commit()
    return registration


def paid_audits(session):
    return session.scalar(select(func.count()).select_from(AuditEntry).filter_by(action="payment.order.paid"))


def test_notification_before_the_return(client, session, reg, bank, platform_url):
    back = pay_at_bank(bank, reg, platform_url)
    assert wait_for(lambda: order_state(session, reg) == ("paid", "paid"))
    login_as(client, reg.candidate)
    page = client.get(back, follow_redirects=True).get_data(as_text=True)
    assert "已缴费" in page and "正在确认" not in page
    assert wait_for(lambda: bank.snapshot()["outbox"][0]["acknowledged"])


def test_return_before_notification_says_confirming_then_paid(client, session, reg, bank, platform_url):
    bank.settings.hold = True
    back = pay_at_bank(bank, reg, platform_url)
    login_as(client, reg.candidate)
    page = client.get(back, follow_redirects=True).get_data(as_text=True)
    assert "正在确认支付结果" in page and "请勿重复缴费" in page and 'http-equiv="refresh"' in page
    assert "失败" not in page.split('id="main"')[1].split("<footer")[0], page
    assert 'id="paid"' not in page
    assert order_state(session, reg) == ("pending", "unpaid")
    assert bank.deliver_due(force=True) == 1
    status_url = re.search(r'url=([^"]+)"', page).group(1)
    page = client.get(status_url).get_data(as_text=True)
    assert 'id="paid"' in page and "http-equiv" not in page
    assert paid_audits(session) == 1


def test_duplicated_notifications_change_nothing(client, session, reg, bank, platform_url):
    bank.settings.duplicate = 3
    pay_at_bank(bank, reg, platform_url)
    assert wait_for(lambda: all(d["acknowledged"] for d in bank.snapshot()["outbox"]))
    assert order_state(session, reg) == ("paid", "paid") and paid_audits(session) == 1


def test_an_unacknowledged_notification_is_sent_again(client, session, reg, bank, platform_url, payment_keys):
    config = client.application.config
    config["PAYMENT_GATEWAY_PUBLIC_KEY_PATH"] = payment_keys["app_public"]  # cannot verify the bank: "failure"
    bank.settings.retry_after = (0.2, 0.5, 1, 2, 3, 5)
    pay_at_bank(bank, reg, platform_url)
    assert wait_for(lambda: bank.snapshot()["outbox"][0]["attempts"] >= 1)
    assert order_state(session, reg) == ("pending", "unpaid")
    config["PAYMENT_GATEWAY_PUBLIC_KEY_PATH"] = payment_keys["bank_public"]
    assert wait_for(lambda: bank.snapshot()["outbox"][0]["acknowledged"], timeout=15), bank.snapshot()
    assert order_state(session, reg) == ("paid", "paid")
    delivery = bank.snapshot()["outbox"][0]
    assert delivery["attempts"] >= 2 and delivery["answers"][0] == "HTTP 400"


def test_a_dropped_notification_is_recovered_by_reconciliation(app, session, reg, bank, platform_url):
    bank.settings.drop = True
    pay_at_bank(bank, reg, platform_url)
    assert order_state(session, reg) == ("pending", "unpaid")
    assert service.reconcile()["paid"] == 0  # not pending long enough yet: left alone
    later = utcnow() + app.config["PAYMENT_PENDING_TIMEOUT"] + timedelta(seconds=1)
    assert service.reconcile(now=later) == {"paid": 1, "closed": 0, "pending": 0, "error": 0}
    assert order_state(session, reg) == ("paid", "paid") and paid_audits(session) == 1
    assert service.reconcile(now=later)["paid"] == 0  # nothing pending any more


def test_reconciliation_with_the_cli_command(app, session, reg, bank, platform_url, monkeypatch):
    bank.settings.drop = True
    pay_at_bank(bank, reg, platform_url)
    monkeypatch.setitem(app.config, "PAYMENT_PENDING_TIMEOUT", timedelta(0))
    result = app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert result.exit_code == 0 and "确认已缴费 1 笔" in result.output
    assert order_state(session, reg) == ("paid", "paid")


def test_an_unpaid_order_stays_pending_until_it_expires_then_is_closed_at_the_gateway(app, session, reg, bank,
                                                                                      platform_url):
    go_to_bank(bank, reg, platform_url)  # the candidate looked at the bank page and left
    soon = utcnow() + app.config["PAYMENT_PENDING_TIMEOUT"] + timedelta(seconds=1)
    assert service.reconcile(now=soon)["pending"] == 1
    assert order_state(session, reg) == ("pending", "unpaid")
    after_expiry = utcnow() + app.config["PAYMENT_ORDER_TTL"] + timedelta(minutes=5)
    assert service.reconcile(now=after_expiry)["closed"] == 1
    assert order_state(session, reg) == ("closed", "unpaid")
    order = session.scalar(select(PaymentOrder).filter_by(registration_id=reg.id))
    assert bank.trade("2021000000000001", order.out_trade_no).status == "TRADE_CLOSED"


def test_an_unreachable_or_refusing_gateway_decides_nothing(app, session, reg, bank, platform_url):
    bank.settings.drop = True
    pay_at_bank(bank, reg, platform_url)
    bank.settings.query_refuse = True
    later = utcnow() + app.config["PAYMENT_ORDER_TTL"] + timedelta(minutes=5)
    assert service.reconcile(now=later)["error"] == 1
    assert order_state(session, reg) == ("pending", "unpaid")
    bank.settings.query_refuse = False
    assert service.reconcile(now=later)["paid"] == 1


def test_paying_again_reuses_the_order_and_the_bank_refuses_a_second_payment(client, session, reg, bank,
                                                                             platform_url):
    pay_at_bank(bank, reg, platform_url)
    assert wait_for(lambda: order_state(session, reg) == ("paid", "paid"))
    with pytest.raises(service.DomainError, match="请勿重复缴费"):
        service.start_payment(session.get(Registration, reg.id), reg.candidate, notify_url="x", return_url="y")


def test_reordered_notifications_after_a_refund_leave_the_order_refunded(client, session, reg, bank, platform_url):
    bank.settings.hold = True
    pay_at_bank(bank, reg, platform_url)
    bank.deliver_due(force=True)
    assert order_state(session, reg) == ("paid", "paid")
    refund = service.request_refund(session.get(Registration, reg.id), "放弃报考")
    session.commit()
    bank.settings.reorder = True
    bank.outbox.clear()
    service.execute_refund(refund, None)
    bank.deliver_due(force=True)  # the refund's TRADE_CLOSED notification
    assert order_state(session, reg) == ("refunded", "refunded")
    assert refund.status == "done"
    with pytest.raises(service.DomainError):
        service.execute_refund(refund, None)
    assert session.scalar(select(func.count()).select_from(AuditEntry)
                          .filter_by(action="payment.refund.executed")) == 1


def test_a_refused_refund_is_marked_failed_and_can_be_retried(session, reg, bank, platform_url):
    pay_at_bank(bank, reg, platform_url)
    assert wait_for(lambda: order_state(session, reg) == ("paid", "paid"))
    refund = service.request_refund(session.get(Registration, reg.id), "放弃报考")
    session.commit()
    bank.settings.query_refuse = True
    with pytest.raises(service.DomainError, match="退费未成功"):
        service.execute_refund(refund, None)
    assert refund.status == "failed" and order_state(session, reg) == ("refund_pending", "refund_pending")
    bank.settings.query_refuse = False
    service.execute_refund(refund, None)
    assert refund.status == "done" and order_state(session, reg) == ("refunded", "refunded")


def test_deadline_expiry_releases_the_seat_exactly_once(app, session, reg, bank):
    site_id = reg.site_id
    taken = session.get(Site, site_id).taken
    region = reg.region
    region.payment_deadline = utcnow() - timedelta(minutes=1)
    paid = make_registration(cat=dict(_cat_of(reg), site=session.get(Site, site_id)), payment_status="paid")
    session.commit()
    assert service.expire_unpaid() == 1
    assert service.expire_unpaid() == 0
    session.expire_all()
    assert session.get(Registration, reg.id).status == "expired"
    assert session.get(Registration, paid.id).status == "submitted"
    assert session.get(Site, site_id).taken == taken + 1 - 1  # the paid one took one, the expired one gave one
    assert session.scalar(select(func.count()).select_from(AuditEntry).filter_by(action="registration.expired")) == 1


def test_expiry_never_expires_a_payment_in_flight(app, session, reg, bank, platform_url):
    bank.settings.drop = True
    pay_at_bank(bank, reg, platform_url)  # paid at the bank, the notification lost
    region = session.get(Registration, reg.id).region
    region.payment_deadline = utcnow() - timedelta(minutes=1)
    session.commit()
    assert service.expire_unpaid() == 0
    assert order_state(session, reg) == ("paid", "paid")
    assert session.get(Registration, reg.id).status == "submitted"


def test_expire_cli_command(app, session, reg, bank):
    reg.region.payment_deadline = utcnow() - timedelta(minutes=1)
    session.commit()
    result = app.test_cli_runner().invoke(args=["payments", "expire"])
    assert result.exit_code == 0 and "1 条报名已失效" in result.output


def _cat_of(reg):
    return {"year": reg.exam_year, "subject": reg.subject, "region": reg.region, "site": reg.site}


def test_a_slow_gateway_times_out_and_decides_nothing(app, session, reg, bank, platform_url, monkeypatch):
    bank.settings.drop = True
    pay_at_bank(bank, reg, platform_url)
    bank.settings.query_delay = 1.0
    monkeypatch.setitem(app.config, "PAYMENT_GATEWAY_TIMEOUT", 0.3)
    later = utcnow() + app.config["PAYMENT_PENDING_TIMEOUT"] + timedelta(seconds=1)
    assert service.reconcile(now=later)["error"] == 1
    assert order_state(session, reg) == ("pending", "unpaid")


def test_paying_after_the_old_order_expired_settles_it_and_starts_a_new_one(app, session, reg, bank, platform_url):
    go_to_bank(bank, reg, platform_url)
    first = session.scalar(select(PaymentOrder).filter_by(registration_id=reg.id))
    first_no = first.out_trade_no
    later = utcnow() + app.config["PAYMENT_ORDER_TTL"] + timedelta(minutes=5)
    service.start_payment(session.get(Registration, reg.id), reg.candidate, notify_url="x", return_url="y",
                          now=later)
    session.expire_all()
    orders = session.scalars(select(PaymentOrder).filter_by(registration_id=reg.id).order_by(PaymentOrder.id)).all()
    assert [(o.out_trade_no == first_no, o.status) for o in orders] == [(True, "closed"), (False, "pending")]
