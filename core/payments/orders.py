"""A registration's open payment order, and the refund request for a paid one.

Separate from ``core.payments.service`` because the registration life cycle needs both (a paid
registration that ends gets a refund request) and the payment service needs the life cycle (expiry).
"""
from __future__ import annotations

from sqlalchemy import update

from core.db import db
from core.models import PaymentOrder, Refund, Registration
from core.notify import events as notify_events
from core.services import audit

OPEN_ORDER_STATUSES = ("pending", "paid", "refund_pending")


def open_order(registration: Registration) -> PaymentOrder | None:
    return db.session.scalar(db.select(PaymentOrder).where(
        PaymentOrder.registration_id == registration.id, PaymentOrder.status.in_(OPEN_ORDER_STATUSES)))


def request_refund(order_or_registration: PaymentOrder | Registration, reason: str, *,
                   actor_type: str = "candidate", actor_id: int | None = None) -> Refund | None:
    """A refund request for a paid order (a paid registration ended). Idempotent; None when nothing was paid.

    Joins the caller's transaction: the caller commits.
    """
    order = order_or_registration
    if isinstance(order_or_registration, Registration):
        order = open_order(order_or_registration)
    if order is None or order.status not in ("paid", "refund_pending"):
        return None
    existing = db.session.scalar(db.select(Refund).filter_by(order_id=order.id))
    if existing is not None:
        return existing
    result = db.session.execute(update(PaymentOrder).where(PaymentOrder.id == order.id,
                                                           PaymentOrder.status == "paid")
                                .values(status="refund_pending").execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return db.session.scalar(db.select(Refund).filter_by(order_id=order.id))
    db.session.execute(update(Registration).where(Registration.id == order.registration_id)
                       .values(payment_status="refund_pending").execution_options(synchronize_session=False))
    refund = Refund(order_id=order.id, amount_fen=order.amount_fen, status="requested", reason=reason)
    db.session.add(refund)
    db.session.flush()
    db.session.refresh(order)
    audit.record("payment.refund.requested", actor_type=actor_type, actor_id=actor_id, obj=refund,
                 after={"out_trade_no": order.out_trade_no, "amount_fen": refund.amount_fen, "reason": reason})
    notify_events.refund_requested(refund, reason)
    return refund
