"""The events that tell a candidate something, each queued in its own transaction (core/notify/outbox.py).

- the registration life cycle's ``transitioned`` signal (core/registration/lifecycle.py connects
  ``on_transitioned``): a transition's template comes from ``TRANSITION_TEMPLATES``, so a new transition
  (e.g. a 补正 request) only needs a line here and a template in core/notify/templates.py;
- payment confirmed, refund requested and made (core/payments/), password reset by staff
  (core/services/staff_actions.py), login from a new device (``device_login``, called by the portal);
- the 考场编排's ``published`` signal (core/arrangement/service.py connects ``tickets_published``).
"""
from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from core.db import db, insert_ignoring, to_shanghai, utcnow
from core.models import KnownDevice, PaymentOrder, Refund, Registration, TicketWindow
from core.money import fen_to_yuan
from core.notify.outbox import UNREAD, queue, queue_many

# transition name (lifecycle.TRANSITIONS) -> template (templates.TEMPLATES); a transition not named here
# (discard: a draft nobody else saw) sends nothing
TRANSITION_TEMPLATES = {
    "submit": "registration_submitted",
    "approve": "registration_approved",
    "reject": "registration_rejected",
    "abandon": "registration_abandoned",
    "expire": "registration_expired",
    "request_correction": "correction_requested",  # 网上资格审核 (core/documents/review.py)
    "resubmit": "correction_submitted",
    "lapse_correction": "correction_lapsed",
}


def on_transitioned(reg: Registration, *, name: str, actor=None, outcome=None, **_) -> None:
    template = TRANSITION_TEMPLATES.get(name)
    if template is None:
        return
    params = {"number": reg.number or "—"}
    if name in ("reject", "request_correction"):
        params["reason"] = reg.reject_reason or "—"
    if name == "request_correction":
        params["deadline"] = reg.correction_deadline.isoformat() if reg.correction_deadline else "—"
    # a case may go through 补正 more than once: each request, resubmission and lapse is its own event
    again = f":{reg.review_version}" if name in ("request_correction", "resubmit", "lapse_correction") else ""
    queue(reg.candidate_id, template, params, key=f"registration:{reg.id}:{name}{again}",
          prefs=outcome.notify_prefs if outcome is not None else UNREAD)


def correction_reminder(reg: Registration) -> None:
    """补正 deadline approaching and nothing resubmitted: one reminder per deadline."""
    queue(reg.candidate_id, "correction_reminder",
          {"number": reg.number or "—", "deadline": reg.correction_deadline.isoformat()},
          key=f"registration:{reg.id}:correction-reminder:{reg.correction_deadline.isoformat()}")


def tickets_published(run, *, registration_ids: list[int], **_) -> None:
    """考场编排 published (core/arrangement/service.py ``published``, in its transaction): each candidate whose
    准考证 is new or changed is told from when it prints."""
    if not registration_ids:
        return
    regs = []
    for chunk in range(0, len(registration_ids), 5000):
        regs += db.session.execute(select(Registration.id, Registration.candidate_id, Registration.number,
                                          Registration.region_id, Registration.exam_year_id)
                                   .where(Registration.id.in_(registration_ids[chunk:chunk + 5000]))).all()
    windows = {(w.region_id, w.exam_year_id): w.opens_at for w in db.session.scalars(select(TicketWindow).where(
        TicketWindow.region_id.in_({r.region_id for r in regs}),
        TicketWindow.exam_year_id.in_({r.exam_year_id for r in regs})))}
    items = []
    for reg in regs:
        opens = windows.get((reg.region_id, reg.exam_year_id))
        items.append((reg.candidate_id, {"number": reg.number or "—",
                                         "date": f"{to_shanghai(opens):%Y-%m-%d}" if opens else "—"},
                      f"ticket:{reg.id}:{run.id}"))
    queue_many("admission_ticket", items)  # one INSERT per 1,000 messages (core/notify/outbox.py)


def payment_paid(order: PaymentOrder) -> None:
    reg = db.session.get(Registration, order.registration_id)
    queue(reg.candidate_id, "payment_paid", {"number": reg.number or "—", "amount": str(fen_to_yuan(
        order.amount_fen)), "receipt": order.receipt_no or "—"}, key=f"order:{order.id}:paid")


def refund_requested(refund: Refund, reason: str) -> None:
    reg, order = _of_refund(refund)
    queue(reg.candidate_id, "refund_requested", {"number": reg.number or "—", "reason": reason,
                                                 "amount": str(fen_to_yuan(refund.amount_fen))},
          key=f"refund:{refund.id}:requested")


def refund_made(refund: Refund) -> None:
    reg, _order = _of_refund(refund)
    queue(reg.candidate_id, "refund_done", {"number": reg.number or "—",
                                            "amount": str(fen_to_yuan(refund.amount_fen))},
          key=f"refund:{refund.id}:done")


def _of_refund(refund: Refund) -> tuple[Registration, PaymentOrder]:
    order = db.session.get(PaymentOrder, refund.order_id)
    return db.session.get(Registration, order.registration_id), order


def password_reset(candidate_id: int, audit_entry_id: int) -> None:
    queue(candidate_id, "password_reset_by_staff", {"time": _now_text()},
          key=f"password-reset:{audit_entry_id}")


def device_login(candidate_id: int, token: str | None, first_login: bool, prefs=UNREAD) -> str:
    """After a login: the browser's device token (a new one if it had none or an unknown one). A device
    not seen before gets recorded, and — unless this is the account's first login — a 新设备登录 message,
    both in this transaction (the caller commits). ``prefs``: as ``outbox.queue``'s."""
    token = token if token and 20 <= len(token) <= 64 else secrets.token_urlsafe(32)
    conn = db.session.connection()
    added = conn.execute(insert_ignoring(KnownDevice.__table__, ("candidate_id", "device_hash"), KnownDevice.id,
                                         conn.dialect.name),
                         {"candidate_id": candidate_id, "device_hash": hashlib.sha256(token.encode()).hexdigest(),
                          "created_at": utcnow()}).scalar()  # None: a device seen before
    if added is not None and not first_login:
        queue(candidate_id, "login_new_device", {"time": _now_text()}, key=f"device:{added}", prefs=prefs)
    return token


def _now_text() -> str:
    return f"{to_shanghai(utcnow()):%Y-%m-%d %H:%M}"
