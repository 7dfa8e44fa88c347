"""Fees from the region's schedule, and refund requests (放弃报考 after paying)."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.db import db, utcnow
from core.models import AuditEntry, PaymentOrder, Refund
from core.payments import service
from core.payments.fees import fee_lines, total_fen
from tests.factories import add_fees, make_catalogue, make_registration


def paid_order(reg, amount=74000):
    order = PaymentOrder(registration_id=reg.id, out_trade_no=f"MXTEST{reg.id:08d}", provider="sandbox",
                         amount_fen=amount, items=[], status="paid", paid_at=utcnow())
    reg.payment_status = "paid"
    db.session.add(order)
    db.session.flush()
    return order


def test_fees_are_itemised_and_written_fee_is_units_times_unit_price(session):
    cat = make_catalogue()
    add_fees(cat)
    reg = make_registration(cat=cat)
    lines = fee_lines(reg)
    assert [(line.item, line.amount_fen) for line in lines] == [
        ("registration", 30000), ("skills", 50000), ("written", 4 * 6000)]
    assert total_fen(lines) == 104000


def test_military_candidates_pay_for_the_extra_unit(session):
    cat = make_catalogue()
    add_fees(cat, subject=cat["assistant_subject"])
    reg = make_registration(cat=dict(cat, subject=cat["assistant_subject"]), military_unit=True)
    written = fee_lines(reg)[-1]
    assert (written.units, written.amount_fen) == (3, 18000)


def test_no_fee_schedule_means_no_payment(session):
    reg = make_registration()
    view = service.payment_view(reg)
    assert not view.can_pay and "收费标准" in view.message


def test_region_without_online_payment_says_how_it_collects_fees(session):
    cat = make_catalogue()
    add_fees(cat)
    cat["region"].online_payment_open = False
    cat["region"].fee_collection_note = "请于现场确认时在考点缴费。"
    reg = make_registration(cat=cat)
    view = service.payment_view(reg)
    assert not view.can_pay and view.message == "请于现场确认时在考点缴费。"


def test_past_the_deadline_there_is_no_payment(session):
    cat = make_catalogue()
    add_fees(cat)
    cat["region"].payment_deadline = utcnow() - timedelta(minutes=1)
    view = service.payment_view(make_registration(cat=cat))
    assert not view.can_pay and "截止" in view.message


def test_refund_request_for_a_paid_registration_is_made_once(session):
    reg = make_registration()
    order = paid_order(reg)
    first = service.request_refund(reg, "放弃报考")
    second = service.request_refund(order, "放弃报考")
    session.commit()
    assert first is second and first.status == "requested" and first.amount_fen == 74000
    assert order.status == "refund_pending" and reg.payment_status == "refund_pending"
    assert session.scalar(select(func.count()).select_from(Refund)) == 1
    assert session.scalar(select(func.count()).select_from(AuditEntry)
                          .filter_by(action="payment.refund.requested")) == 1


def test_nothing_to_refund_when_nothing_was_paid(session):
    reg = make_registration()
    assert service.request_refund(reg, "放弃报考") is None
    assert reg.payment_status == "unpaid"


def test_external_refund_is_recorded_with_its_reference_and_audited(session):
    reg = make_registration()
    refund = service.request_refund(paid_order(reg), "放弃报考")
    session.commit()
    with pytest.raises(service.DomainError) as err:
        service.record_external_refund(refund, None, "  ")
    assert err.value.field == "external_ref"
    service.record_external_refund(refund, None, "BANK-2027-0001", note="银行转账")
    session.refresh(reg)
    assert refund.status == "external" and refund.external_ref == "BANK-2027-0001"
    assert reg.payment_status == "refunded"
    with pytest.raises(service.DomainError):
        service.record_external_refund(refund, None, "BANK-2027-0002")
    assert session.scalar(select(func.count()).select_from(AuditEntry)
                          .filter_by(action="payment.refund.recorded_external")) == 1
