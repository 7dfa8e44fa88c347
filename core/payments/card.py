"""What a registration's card says about paying: the fee, whether the bank's confirmation is awaited, and where
to pay when the region has no online payment (issue 15)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam

from core.db import db, utcnow
from core.models import PaymentOrder, Registration
from core.payments.fees import lines_of, schedules
from core.payments.orders import OPEN_ORDER_STATUSES
from core.services.errors import DomainError


@dataclass(frozen=True)
class PaymentCard:
    fee_fen: int | None  # what the registration costs (the order's amount once there is one); None: unknown
    confirming: bool  # sent to the bank, its confirmation not yet in: not 未缴费, and no second 缴费
    out_trade_no: str | None  # the order to follow while confirming
    note: str | None  # the region's own words on where to pay when it has no online payment (data)


# Built once: the ids are a parameter (expanding, as `in_(list)` renders anyway).
_OPEN_ORDERS = db.select(PaymentOrder).where(PaymentOrder.registration_id.in_(bindparam("ids", expanding=True)),
                                             PaymentOrder.status.in_(OPEN_ORDER_STATUSES))


def payment_cards(registrations, now: datetime | None = None) -> dict[int, PaymentCard]:
    """The cards of a list of registrations in two queries (their open orders, their fee schedules)."""
    ids = [r.id for r in registrations]
    orders = {o.registration_id: o for o in db.session.scalars(_OPEN_ORDERS, {"ids": ids})} if ids else {}
    fees = schedules([r for r in registrations if r.id not in orders])
    now = now or utcnow()
    return {r.id: _card(r, orders.get(r.id), fees, now) for r in registrations}


def _card(registration: Registration, order: PaymentOrder | None, fees: dict, now: datetime) -> PaymentCard:
    if order is not None:
        fee = order.amount_fen
    else:
        try:
            fee = sum(line.amount_fen for line in
                      lines_of(fees.get((registration.region_id, registration.subject_id), {}), registration))
        except DomainError:
            fee = None
    confirming = bool(order is not None and order.status == "pending" and order.attempts
                      and registration.payment_status == "unpaid"
                      and (order.expires_at is None or order.expires_at > now))
    region = registration.region
    note = (region.fee_collection_note if region is not None and not region.online_payment_open
            and registration.payment_status == "unpaid" and registration.status != "draft" else None)
    return PaymentCard(fee, confirming, order.out_trade_no if confirming else None, note)
