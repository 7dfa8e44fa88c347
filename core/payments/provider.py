"""The payment-provider interface: what the platform needs from any bank gateway.

A provider is one module implementing ``PaymentProvider``, listed by name in core/payments/registry.py;
which one runs, and against which merchant account, is configuration (``PAYMENT_*`` in config.py).
Amounts cross this interface in integer fen.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


class GatewayError(Exception):
    """The gateway could not be reached or answered something we cannot trust; nothing is decided."""


@dataclass(frozen=True)
class PaymentRequest:
    """What the candidate's browser is sent to: the gateway URL with the signed parameters."""

    url: str


@dataclass(frozen=True)
class Notification:
    """A verified asynchronous notification, reduced to what the platform checks."""

    notify_id: str
    out_trade_no: str
    trade_no: str | None
    app_id: str
    amount_fen: int | None
    trade_status: str
    notify_time: datetime | None
    paid: bool
    closed: bool
    raw: dict = field(repr=False, default_factory=dict)


@dataclass(frozen=True)
class TradeState:
    """The gateway's answer to a query: ``exists`` False when it has never seen the trade."""

    exists: bool
    paid: bool = False
    closed: bool = False
    trade_no: str | None = None
    amount_fen: int | None = None
    trade_status: str | None = None


@dataclass(frozen=True)
class RefundResult:
    ok: bool
    message: str = ""


class PaymentProvider(Protocol):
    name: str
    app_id: str

    def create_payment(self, *, out_trade_no: str, amount_fen: int, subject: str, notify_url: str,
                       return_url: str, expires_at: datetime) -> PaymentRequest: ...

    def verify_notification(self, raw_body: str) -> Notification | None:
        """The notification if its signature is the gateway's, else None (nothing else is read)."""

    def verify_return(self, params: dict) -> bool:
        """Whether the browser's return parameters carry the gateway's signature (never proof of payment)."""

    def query(self, out_trade_no: str) -> TradeState: ...

    def close(self, out_trade_no: str) -> TradeState: ...

    def refund(self, *, out_trade_no: str, amount_fen: int, out_request_no: str,
               reason: str) -> RefundResult: ...

    def acknowledgement(self, accepted: bool) -> tuple[str, int]:
        """The body and HTTP status the gateway's protocol expects in answer to a notification."""


