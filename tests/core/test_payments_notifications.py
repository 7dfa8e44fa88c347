"""The gateway's asynchronous notification: verified on the raw body, stored once, checked, and moving the
order to paid exactly once; everything forged, mismatched, unknown or replayed is refused and changes nothing."""
import threading
import urllib.request
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.db import db, utcnow
from core.models import AuditEntry, GatewayNotification, PaymentOrder, Registration
from core.payments import service
from tests.support.environment import IS_SQLITE
from tests.support.payments import gateway_notification

NOTIFY = "/payment/notify/sandbox"
FORM = "application/x-www-form-urlencoded"


def counts(session, order_id):
    session.expire_all()
    order = session.get(PaymentOrder, order_id)
    paid_audits = session.scalar(select(func.count()).select_from(AuditEntry).filter_by(action="payment.order.paid"))
    return order.status, order.registration.payment_status, paid_audits


def post(client, body):
    response = client.post(NOTIFY, data=body, content_type=FORM)
    return response.status_code, response.get_data(as_text=True)


def test_a_genuine_notification_confirms_the_payment_once(client, session, order, payment_keys):
    body = gateway_notification(payment_keys, order.out_trade_no, "1040.00")
    assert post(client, body) == (200, "success")
    assert counts(session, order.id) == ("paid", "paid", 1)
    assert order.receipt_no and order.trade_no == "2027010122001400000000000001"
    assert post(client, body) == (200, "success")  # the gateway's retry: acknowledged, nothing more
    assert counts(session, order.id) == ("paid", "paid", 1)
    stored = session.scalars(select(GatewayNotification)).all()
    assert [(n.notify_id, n.outcome) for n in stored] == [("n-0001", "accepted: paid")]


def test_a_second_notification_with_another_id_changes_nothing(client, session, order, payment_keys):
    post(client, gateway_notification(payment_keys, order.out_trade_no, "1040.00", notify_id="a"))
    later = gateway_notification(payment_keys, order.out_trade_no, "1040.00", notify_id="b",
                                 trade_status="TRADE_FINISHED")
    assert post(client, later) == (200, "success")
    assert counts(session, order.id) == ("paid", "paid", 1)


def _unchanged(session, order):
    assert counts(session, order.id) == ("pending", "unpaid", 0)


def test_a_forged_signature_is_refused_and_not_even_stored(client, session, order, payment_keys):
    forged = gateway_notification(payment_keys, order.out_trade_no, "1040.00",
                                  key=payment_keys["app_private"].read_bytes())
    assert post(client, forged) == (400, "failure")
    assert post(client, "out_trade_no=" + order.out_trade_no + "&trade_status=TRADE_SUCCESS") == (400, "failure")
    _unchanged(session, order)
    assert session.scalar(select(func.count()).select_from(GatewayNotification)) == 0


@pytest.mark.parametrize("change,outcome", [
    ({"amount": "0.01"}, "refused: amount mismatch"),
    ({"app_id": "2021009999999999"}, "refused: merchant mismatch"),
    ({"out_trade_no": "MX-NOT-OURS"}, "refused: unknown order"),
    ({"notify_time": utcnow() - timedelta(days=3)}, "refused: stale notification"),
])
def test_signed_but_mismatched_notifications_are_refused(client, session, order, payment_keys, change, outcome):
    args = {"out_trade_no": order.out_trade_no, "amount": "1040.00", **change}
    body = gateway_notification(payment_keys, args.pop("out_trade_no"), args.pop("amount"), **args)
    assert post(client, body) == (400, "failure")
    _unchanged(session, order)
    assert session.scalar(select(GatewayNotification.outcome)) == outcome
    assert post(client, body) == (400, "failure")  # its retry is refused the same way, still stored once
    assert session.scalar(select(func.count()).select_from(GatewayNotification)) == 1


def test_replaying_an_old_notification_after_a_refund_changes_nothing(client, session, order, payment_keys):
    body = gateway_notification(payment_keys, order.out_trade_no, "1040.00")
    post(client, body)
    session.expire_all()
    refund = service.request_refund(session.get(PaymentOrder, order.id), "放弃报考")
    service.record_external_refund(refund, None, "BANK-1")
    assert post(client, body) == (200, "success")
    session.expire_all()
    assert session.get(PaymentOrder, order.id).status == "refunded"
    assert session.get(Registration, order.registration_id).payment_status == "refunded"
    assert counts(session, order.id)[2] == 1


def test_a_closed_trade_notification_closes_the_pending_order(client, session, order, payment_keys):
    body = gateway_notification(payment_keys, order.out_trade_no, "1040.00", trade_status="TRADE_CLOSED")
    assert post(client, body) == (200, "success")
    assert counts(session, order.id) == ("closed", "unpaid", 0)


def test_payment_arriving_after_abandon_becomes_a_refund_request(client, session, order, payment_keys):
    session.execute(db.update(Registration).where(Registration.id == order.registration_id)
                    .values(status="abandoned"))
    session.commit()
    assert post(client, gateway_notification(payment_keys, order.out_trade_no, "1040.00")) == (200, "success")
    assert counts(session, order.id) == ("refund_pending", "refund_pending", 1)


@pytest.mark.skipif(IS_SQLITE, reason="50 concurrent handlers need PostgreSQL")
def test_fifty_identical_notifications_at_once_give_exactly_one_transition(app, session, order, payment_keys,
                                                                           platform_url):
    body = gateway_notification(payment_keys, order.out_trade_no, "1040.00").encode()
    barrier = threading.Barrier(50)
    answers = []

    def send():
        request = urllib.request.Request(platform_url + NOTIFY, data=body, headers={"Content-Type": FORM})
        barrier.wait()
        with urllib.request.urlopen(request, timeout=60) as response:
            answers.append(response.read().decode())

    threads = [threading.Thread(target=send) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert answers == ["success"] * 50
    assert counts(session, order.id) == ("paid", "paid", 1)
    assert session.scalar(select(func.count()).select_from(GatewayNotification)) == 1
    assert session.scalar(select(func.count()).select_from(PaymentOrder).where(PaymentOrder.receipt_no.is_not(None))) == 1


@pytest.mark.skipif(IS_SQLITE, reason="concurrent handlers need PostgreSQL")
def test_fifty_notifications_with_different_ids_race_to_one_transition(app, session, order, payment_keys,
                                                                       platform_url):
    bodies = [gateway_notification(payment_keys, order.out_trade_no, "1040.00", notify_id=f"r{i}").encode()
              for i in range(50)]
    barrier = threading.Barrier(50)
    answers = []

    def send(body):
        request = urllib.request.Request(platform_url + NOTIFY, data=body, headers={"Content-Type": FORM})
        barrier.wait()
        with urllib.request.urlopen(request, timeout=60) as response:
            answers.append(response.read().decode())

    threads = [threading.Thread(target=send, args=(b,)) for b in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert answers == ["success"] * 50
    assert counts(session, order.id) == ("paid", "paid", 1)
    assert session.scalar(select(func.count()).select_from(GatewayNotification)) == 50
