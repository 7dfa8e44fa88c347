"""The payment state machine: every transition of orders, of registrations' payment status and of refunds.

Orders: pending -> paid | closed; paid -> refund_pending -> refunded. Each transition is one conditional
UPDATE (``... WHERE status = 'pending'``) whose rowcount says whether *this* call made it, so duplicate
notifications, the reconciliation job and racing requests give exactly one transition, one audit entry
and one receipt, on PostgreSQL (where the order row is also locked with SELECT ... FOR UPDATE) and on
SQLite alike (where FOR UPDATE is silently dropped).

Transactions: ``start_payment``, ``handle_notification``, ``reconcile``, ``expire_unpaid``,
``execute_refund`` and ``record_external_refund`` commit (they are whole actions, some around a gateway
call); ``request_refund`` joins the caller's transaction (放弃报考 commits it with the abandon).
"""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from core.db import db, utcnow
from core.models import (Candidate, GatewayNotification, PaymentAttempt, PaymentOrder, Refund,
                         Region, Registration)
from core.notify import events as notify_events
from core.payments.fees import fee_lines, total_fen
from core.payments.orders import OPEN_ORDER_STATUSES, open_order, request_refund  # noqa: F401 (re-exported)
from core.payments.provider import GatewayError, PaymentRequest
from core.payments.registry import get_provider
from core.registration import lifecycle
from core.registration.errors import StaleState
from core.registration.states import PAYABLE
from core.services import audit
from core.services.errors import DomainError, NotAllowed

log = logging.getLogger(__name__)

NOTIFY_MAX_AGE = timedelta(hours=48)  # the gateway retries for about 25 hours; older is a replay
CLOSE_GRACE = timedelta(minutes=2)  # clock skew between us and the gateway around time_expire


def _provider(name: str | None = None):
    return get_provider(current_app.config, name)


# 缴费 page -------------------------------------------------------------------------------------------------
@dataclass
class PaymentView:
    """What the 缴费 page shows for one registration."""

    can_pay: bool
    message: str | None = None  # why not, or how the region collects fees
    lines: list = field(default_factory=list)
    total_fen: int = 0
    order: PaymentOrder | None = None  # the open order, if any
    refund: Refund | None = None


def payment_view(registration: Registration, now: datetime | None = None) -> PaymentView:
    now = now or utcnow()
    order = open_order(registration)
    refund = db.session.scalar(db.select(Refund).filter_by(order_id=order.id)) if order else None
    region = db.session.get(Region, registration.region_id) if registration.region_id else None
    if registration.payment_status != "unpaid" or (order and order.status != "pending"):
        return PaymentView(False, None, order.items if order else [], order.amount_fen if order else 0,
                           order, refund)
    if region is None or not region.online_payment_open:
        note = (region.fee_collection_note if region else None) or "本考区未开通网上缴费，请按考区公告办理缴费。"
        return PaymentView(False, note)
    if registration.status not in PAYABLE:
        return PaymentView(False, "该报名已不能缴费。")
    if region.payment_deadline is not None and now >= region.payment_deadline:
        return PaymentView(False, "本考区网上缴费已截止。")
    try:
        lines = [line.as_dict() for line in fee_lines(registration)]
    except DomainError as exc:
        return PaymentView(False, exc.message)
    return PaymentView(True, None, lines, sum(line["amount_fen"] for line in lines), order)


def _new_out_trade_no(registration: Registration, now: datetime) -> str:
    return f"MX{now:%Y%m%d%H%M%S}{registration.id:08d}{secrets.randbelow(10000):04d}"


def start_payment(registration: Registration, candidate: Candidate, *, notify_url: str, return_url: str,
                  ip: str | None = None, now: datetime | None = None) -> PaymentRequest:
    """考生点击“缴费”: reuse the open order (the gateway never takes the same order twice) or make one."""
    if registration.candidate_id != candidate.id:
        raise NotAllowed("无权访问该报名。")
    now = now or utcnow()
    view = payment_view(registration, now)
    order = view.order
    if order is not None and order.status == "pending" and order.expires_at and order.expires_at <= now:
        reconcile_order(order, now=now, force=True)  # the old one is past time_expire: settle it first
        db.session.refresh(registration)
        view = payment_view(registration, now)
        order = view.order
    if order is not None and order.status != "pending":
        raise DomainError("该报名已缴费，请勿重复缴费。")
    if order is not None and order.status == "pending" and order.expires_at and order.expires_at <= now:
        raise DomainError("上一笔支付正在向银行确认，请稍后刷新页面再试，请勿重复缴费。")
    if not view.can_pay:
        raise DomainError(view.message or "该报名当前不能缴费。")
    if order is None or order.amount_fen != view.total_fen:
        if order is not None:  # the fee schedule changed before the candidate paid: start afresh
            reconcile_order(order, now=now, force=True)
        order = _create_order(registration, view, now)
    db.session.add(PaymentAttempt(order_id=order.id, ip=ip))
    db.session.commit()
    subject = f"{registration.number or ''} 医学考试报名费".strip()
    return _provider(order.provider).create_payment(
        out_trade_no=order.out_trade_no, amount_fen=order.amount_fen, subject=subject,
        notify_url=notify_url, return_url=return_url, expires_at=order.expires_at)


def _create_order(registration: Registration, view: PaymentView, now: datetime) -> PaymentOrder:
    order = PaymentOrder(registration_id=registration.id, out_trade_no=_new_out_trade_no(registration, now),
                         provider=current_app.config["PAYMENT_PROVIDER"], amount_fen=view.total_fen,
                         items=view.lines, status="pending",
                         expires_at=now + current_app.config["PAYMENT_ORDER_TTL"])
    db.session.add(order)
    try:
        db.session.flush()
    except IntegrityError:  # another tab made one a moment ago: use that one
        db.session.rollback()
        existing = open_order(registration)
        if existing is None or existing.status != "pending":
            raise DomainError("该报名已缴费，请勿重复缴费。") from None
        return existing
    audit.record("payment.order.created", actor_type="candidate", actor_id=registration.candidate_id,
                 obj=order, after={"out_trade_no": order.out_trade_no, "amount_fen": order.amount_fen,
                                   "registration_id": registration.id})
    return order


# the gateway's asynchronous notification -------------------------------------------------------------------
def handle_notification(provider_name: str, raw_body: str, now: datetime | None = None) -> tuple[str, int]:
    """Verify, store once, check, and confirm. Returns the (body, status) the gateway expects."""
    now = now or utcnow()
    try:
        provider = _provider(provider_name)
        notification = provider.verify_notification(raw_body)
    except GatewayError as exc:
        log.error("payment notification refused: provider %s unusable (%s)", provider_name, exc)
        return "failure", 400
    if notification is None or not notification.notify_id:
        log.warning("payment notification refused: signature invalid (provider %s)", provider_name)
        return provider.acknowledgement(False)

    record = GatewayNotification(provider=provider_name, notify_id=notification.notify_id[:64],
                                 out_trade_no=notification.out_trade_no[:64], raw_body=raw_body,
                                 outcome="received", received_at=now)
    db.session.add(record)
    try:
        db.session.flush()
    except IntegrityError:  # the same notification again (a retry, a duplicate, a replay): answer as before
        db.session.rollback()
        earlier = db.session.scalar(db.select(GatewayNotification).filter_by(
            provider=provider_name, notify_id=notification.notify_id[:64]))
        accepted = earlier is not None and earlier.outcome.startswith("accepted")
        log.info("payment notification %s seen before (%s)", notification.notify_id, earlier and earlier.outcome)
        return provider.acknowledgement(accepted)

    record.outcome = _apply_notification(provider, notification, now)
    db.session.commit()
    accepted = record.outcome.startswith("accepted")
    (log.info if accepted else log.warning)("payment notification %s for order %s: %s",
                                            notification.notify_id, notification.out_trade_no, record.outcome)
    return provider.acknowledgement(accepted)


def _apply_notification(provider, n, now: datetime) -> str:
    if n.notify_time is None or now - n.notify_time > NOTIFY_MAX_AGE:
        return "refused: stale notification"
    order = db.session.scalar(db.select(PaymentOrder).filter_by(out_trade_no=n.out_trade_no)
                              .with_for_update())  # a row lock on PostgreSQL; the UPDATEs decide on SQLite
    if order is None:
        return "refused: unknown order"
    if n.app_id != provider.app_id or order.provider != provider.name:
        return "refused: merchant mismatch"
    if n.amount_fen != order.amount_fen:
        return "refused: amount mismatch"
    if n.paid:
        if order.status == "closed":
            log.error("order %s paid at the gateway after we closed it: finance must refund", order.out_trade_no)
            audit.record("payment.order.paid_after_close", actor_type="gateway", obj=order,
                         after={"out_trade_no": order.out_trade_no, "trade_no": n.trade_no})
            return "accepted: paid after close"
        return "accepted: paid" if _mark_paid(order, n.trade_no, "gateway", "notification", now) \
            else "accepted: already paid"
    if n.closed:
        return "accepted: closed" if _close_order(order, "gateway", now) else "accepted: ignored"
    return "accepted: ignored"


def _mark_paid(order: PaymentOrder, trade_no: str | None, actor_type: str, source: str, now: datetime) -> bool:
    """pending -> paid, exactly once; the registration shows 已缴费 in the same transaction."""
    receipt_no = f"JF{now:%Y%m%d}{order.id:010d}"
    result = db.session.execute(
        update(PaymentOrder).where(PaymentOrder.id == order.id, PaymentOrder.status == "pending")
        .values(status="paid", trade_no=trade_no, paid_at=now, receipt_no=receipt_no, updated_at=now)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    # the registration's status read under its row lock: an ending transition racing this one has either
    # committed (then it is refunded here) or waits and then sees 'paid' (and requests the refund itself)
    status = db.session.execute(update(Registration).where(Registration.id == order.registration_id,
                                                           Registration.payment_status == "unpaid")
                                .values(payment_status="paid").returning(Registration.status)
                                .execution_options(synchronize_session=False)).scalar()
    db.session.refresh(order)
    audit.record("payment.order.paid", actor_type=actor_type, obj=order,
                 after={"out_trade_no": order.out_trade_no, "trade_no": trade_no, "amount_fen": order.amount_fen,
                        "receipt_no": receipt_no, "source": source})
    notify_events.payment_paid(order)
    if status is not None and status not in PAYABLE:  # ended meanwhile (abandoned, rejected, expired)
        request_refund(order, "报名已失效，缴费自动转为退费申请", actor_type="system")
    return True


def _close_order(order: PaymentOrder, actor_type: str, now: datetime) -> bool:
    result = db.session.execute(
        update(PaymentOrder).where(PaymentOrder.id == order.id, PaymentOrder.status == "pending")
        .values(status="closed", closed_at=now, updated_at=now).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    audit.record("payment.order.closed", actor_type=actor_type, obj=order,
                 after={"out_trade_no": order.out_trade_no})
    return True


# 对账 reconciliation ----------------------------------------------------------------------------------------
def reconcile(now: datetime | None = None) -> dict[str, int]:
    """Ask the gateway about every order pending longer than PAYMENT_PENDING_TIMEOUT."""
    now = now or utcnow()
    cutoff = now - current_app.config["PAYMENT_PENDING_TIMEOUT"]
    ids = db.session.scalars(db.select(PaymentOrder.id).where(
        PaymentOrder.status == "pending", PaymentOrder.created_at <= cutoff).order_by(PaymentOrder.id)).all()
    counts = {"paid": 0, "closed": 0, "pending": 0, "error": 0}
    for order_id in ids:
        counts[reconcile_order(db.session.get(PaymentOrder, order_id), now=now)] += 1
    return counts


def reconcile_order(order: PaymentOrder, now: datetime | None = None, force: bool = False) -> str:
    """One pending order against the gateway: 'paid', 'closed', 'pending' (not yet decided) or 'error'.

    An order is closed only once the gateway can no longer take the money (after time_expire, or when the
    gateway itself says closed); an unreachable gateway decides nothing.
    """
    now = now or utcnow()
    out_trade_no = order.out_trade_no
    try:
        provider = _provider(order.provider)
        state = provider.query(out_trade_no)
        expired = order.expires_at is None or now >= order.expires_at + CLOSE_GRACE
        if not state.paid and not state.closed and (expired or force):
            state = provider.close(out_trade_no)
    except GatewayError as exc:
        db.session.rollback()
        log.warning("reconcile %s: %s", out_trade_no, exc)
        return "error"
    locked = db.session.scalar(db.select(PaymentOrder).filter_by(id=order.id).with_for_update())
    outcome = "pending"
    if state.paid and state.amount_fen not in (None, locked.amount_fen):
        log.error("reconcile %s: the gateway reports another amount; left for finance", out_trade_no)
    elif state.paid:
        _mark_paid(locked, state.trade_no, "system", "reconcile", now)
        outcome = "paid"
    elif state.closed or not state.exists:
        _close_order(locked, "system", now)
        outcome = "closed"
    db.session.commit()
    return outcome


# 逾期未缴费 expiry -----------------------------------------------------------------------------------------
def expire_unpaid(now: datetime | None = None) -> int:
    """Registrations still unpaid after their region's online-payment deadline expire; seats come back once."""
    now = now or utcnow()
    ids = db.session.scalars(
        db.select(Registration.id).join(Region, Region.id == Registration.region_id).where(
            Region.online_payment_open.is_(True), Region.payment_deadline.is_not(None),
            Region.payment_deadline <= now, Registration.payment_status == "unpaid",
            Registration.status.in_(PAYABLE)).order_by(Registration.id)).all()
    expired = 0
    for registration_id in ids:
        registration = db.session.get(Registration, registration_id)
        order = open_order(registration)
        if order is not None and order.status == "pending" and reconcile_order(order, now, force=True) != "closed":
            continue  # paid meanwhile, or the gateway could not say: never expire a payment in flight
        expired += _expire(registration_id)
    return expired


def _expire(registration_id: int) -> int:
    """The ``expire`` transition for one registration (逾期未缴费), committed on its own."""
    try:
        lifecycle.transition(db.session.get(Registration, registration_id), "expire", lifecycle.SYSTEM_ACTOR,
                             detail={"reason": "逾期未缴费"})
    except StaleState:  # paid, abandoned or reviewed meanwhile
        db.session.rollback()
        return 0
    db.session.commit()
    return 1


# 退费 refunds (requested by core.payments.orders.request_refund) -------------------------------------------
def execute_refund(refund: Refund, staff_user_id: int | None) -> Refund:
    """财务执行退费 through the gateway's refund call (idempotent per refund at the gateway). Commits."""
    if refund.status not in ("requested", "failed"):
        raise DomainError("该退费已处理，不能重复退费。")
    order = db.session.get(PaymentOrder, refund.order_id)
    try:
        result = _provider(order.provider).refund(out_trade_no=order.out_trade_no, amount_fen=refund.amount_fen,
                                                  out_request_no=f"RF{refund.id}", reason=refund.reason or "退费")
    except GatewayError as exc:
        log.warning("refund %s: %s", refund.id, exc)
        result = None
    now = utcnow()
    if result is None or not result.ok:
        message = result.message if result else "银行网关暂时无法访问"
        db.session.execute(update(Refund).where(Refund.id == refund.id, Refund.status.in_(("requested", "failed")))
                           .values(status="failed", updated_at=now).execution_options(synchronize_session=False))
        audit.record("payment.refund.failed", actor_type="staff", actor_id=staff_user_id, obj=refund,
                     after={"message": message})
        db.session.commit()
        db.session.refresh(refund)
        raise DomainError(f"退费未成功：{message}。可稍后重试或登记线下退费。")
    _finish_refund(refund, "done", staff_user_id, None, now, "payment.refund.executed")
    return refund


def record_external_refund(refund: Refund, staff_user_id: int | None, external_ref: str,
                           note: str | None = None) -> Refund:
    """财务登记线下退费 (refunded outside the gateway, e.g. by bank transfer), with its reference. Commits."""
    external_ref = (external_ref or "").strip()
    if not external_ref:
        raise DomainError("请填写线下退费的凭证号。", field="external_ref")
    if refund.status not in ("requested", "failed"):
        raise DomainError("该退费已处理，不能重复登记。")
    _finish_refund(refund, "external", staff_user_id, external_ref[:64], utcnow(),
                   "payment.refund.recorded_external", note)
    return refund


def _finish_refund(refund: Refund, status: str, staff_user_id: int | None, external_ref: str | None,
                   now: datetime, action: str, note: str | None = None) -> None:
    result = db.session.execute(
        update(Refund).where(Refund.id == refund.id, Refund.status.in_(("requested", "failed")))
        .values(status=status, external_ref=external_ref, executed_by_id=staff_user_id, executed_at=now,
                updated_at=now).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        raise DomainError("该退费已处理，不能重复退费。")
    order = db.session.get(PaymentOrder, refund.order_id)
    db.session.execute(update(PaymentOrder).where(PaymentOrder.id == order.id)
                       .values(status="refunded", updated_at=now).execution_options(synchronize_session=False))
    db.session.execute(update(Registration).where(Registration.id == order.registration_id)
                       .values(payment_status="refunded").execution_options(synchronize_session=False))
    audit.record(action, actor_type="staff", actor_id=staff_user_id, obj=refund,
                 after={"out_trade_no": order.out_trade_no, "amount_fen": refund.amount_fen,
                        "external_ref": external_ref, "note": note})
    notify_events.refund_made(refund)
    db.session.commit()
    db.session.refresh(refund)
