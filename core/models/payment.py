"""Payment orders, attempts, gateway notifications and refunds. Money is integer fen (分)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Model, utcnow
from core.models.base import JSONType, Timestamps, one_of

ORDER_STATUSES = ("pending", "paid", "closed", "refund_pending", "refunded")
# The one wording of orders and refunds, for the portal (translated), the back office and the exports;
# a registration's own payment_status has its labels next to it (core.models.registration.PAYMENT_LABELS).
PROVIDER_LABELS = {"alipay": "支付宝", "sandbox": "模拟银行（演示）"}  # payment_orders.provider
ORDER_LABELS = {"pending": "待支付", "paid": "已支付", "closed": "已关闭", "refund_pending": "退费处理中",
                "refunded": "已退费"}
_open = "status IN ('pending', 'paid', 'refund_pending')"


class PaymentOrder(Timestamps, Model):
    __tablename__ = "payment_orders"
    __table_args__ = (
        one_of("status", ORDER_STATUSES, "ck_order_status"),
        CheckConstraint("amount_fen > 0", name="ck_order_amount_positive"),
        Index("uq_order_open_per_registration", "registration_id", unique=True,
              sqlite_where=text(_open), postgresql_where=text(_open)),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"), nullable=False,
                                                 index=True)
    out_trade_no: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)  # ours
    provider: Mapped[str] = mapped_column(String(20), nullable=False)
    amount_fen: Mapped[int] = mapped_column(Integer, nullable=False)
    items: Mapped[list] = mapped_column(JSONType, nullable=False)  # itemised fees
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    trade_no: Mapped[str | None] = mapped_column(String(64))  # the gateway's
    paid_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # after this the gateway refuses to take the money (time_expire); only then may we close the order
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    receipt_no: Mapped[str | None] = mapped_column(String(32), unique=True)  # 缴费凭证号, set once when paid

    registration: Mapped["Registration"] = relationship()  # noqa: F821
    attempts: Mapped[list["PaymentAttempt"]] = relationship(back_populates="order")


class PaymentAttempt(Model):
    """One press of 缴费 that sent the candidate to the bank."""

    __tablename__ = "payment_attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("payment_orders.id"), nullable=False, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    ip: Mapped[str | None] = mapped_column(String(45))

    order: Mapped[PaymentOrder] = relationship(back_populates="attempts")


class GatewayNotification(Model):
    """Every asynchronous notification received, stored once (the raw body, as received)."""

    __tablename__ = "gateway_notifications"
    __table_args__ = (UniqueConstraint("provider", "notify_id", name="uq_notification_provider_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider: Mapped[str] = mapped_column(String(20), nullable=False)
    notify_id: Mapped[str] = mapped_column(String(64), nullable=False)
    out_trade_no: Mapped[str | None] = mapped_column(String(64), index=True)
    raw_body: Mapped[str] = mapped_column(Text, nullable=False)
    outcome: Mapped[str] = mapped_column(String(40), nullable=False)  # accepted / refused: why
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)


REFUND_STATUSES = ("requested", "done", "failed", "external")
REFUND_LABELS = {"requested": "退费申请已提交，等待财务处理", "done": "已退费（原路退回）",
                 "failed": "退费未成功，等待财务重新办理", "external": "已退费（线下办理）"}


class Refund(Timestamps, Model):
    __tablename__ = "refunds"
    __table_args__ = (
        one_of("status", REFUND_STATUSES, "ck_refund_status"),
        CheckConstraint("amount_fen > 0", name="ck_refund_amount_positive"),
        UniqueConstraint("order_id", name="uq_refund_order"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("payment_orders.id"), nullable=False)
    amount_fen: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="requested")
    reason: Mapped[str | None] = mapped_column(Text)
    external_ref: Mapped[str | None] = mapped_column(String(64))
    executed_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    executed_at: Mapped[datetime | None] = mapped_column(DateTime)

    order: Mapped[PaymentOrder] = relationship()
