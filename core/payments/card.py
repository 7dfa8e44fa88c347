"""What a registration's card says about paying: the fee, whether the bank's confirmation is awaited, and where
to pay when the region has no online payment (issue 15)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.db import utcnow
from core.models import Registration
from core.payments.fees import fee_lines
from core.payments.orders import open_order
from core.services.errors import DomainError


@dataclass(frozen=True)
class PaymentCard:
    fee_fen: int | None  # what the registration costs (the order's amount once there is one); None: unknown
    confirming: bool  # sent to the bank, its confirmation not yet in: not 未缴费, and no second 缴费
    out_trade_no: str | None  # the order to follow while confirming
    note: str | None  # the region's own words on where to pay when it has no online payment (data)


def payment_card(registration: Registration, now: datetime | None = None) -> PaymentCard:
    order = open_order(registration)
    if order is not None:
        fee = order.amount_fen
    else:
        try:
            fee = sum(line.amount_fen for line in fee_lines(registration))
        except DomainError:
            fee = None
    now = now or utcnow()
    confirming = bool(order is not None and order.status == "pending" and order.attempts
                      and registration.payment_status == "unpaid"
                      and (order.expires_at is None or order.expires_at > now))
    region = registration.region
    note = (region.fee_collection_note if region is not None and not region.online_payment_open
            and registration.payment_status == "unpaid" and registration.status != "draft" else None)
    return PaymentCard(fee, confirming, order.out_trade_no if confirming else None, note)
