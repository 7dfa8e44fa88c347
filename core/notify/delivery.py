"""Delivering queued messages: claim, send, record; retries with backoff; a final failed state.

A worker claims a batch with one ``UPDATE ... SET state='sending' WHERE id IN (...) AND state='queued'
RETURNING id`` (on PostgreSQL the ids are chosen with ``FOR UPDATE SKIP LOCKED``, so two workers take
different rows and never wait on each other); only the worker whose UPDATE moved a row sends it, so two
workers never send one message twice. After each send the row becomes ``sent`` (with the provider's
reference) or, on ``Retry``, ``queued`` again after the next delay of NOTIFY_RETRY_DELAYS; after the last
delay, or at once on ``Refused``, ``failed`` (staff see it and may resend: core/notify/staff.py).
A worker killed mid-delivery leaves rows ``sending``: after NOTIFY_CLAIM_TIMEOUT they are queued again
(``release_stale``) — the one case where a message may go twice (the e-mail keeps its Message-ID, the SMS
its OutId, so the receiving side can tell).
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update

from core.db import db, utcnow
from core.models import Message
from core.notify import channels
from core.notify.errors import Refused, Retry
from core.notify.templates import SECRET_TEMPLATES, TEMPLATES

CODE_BLANKED = "（验证码已隐去）"
RATE_LIMITED = "该收件人一小时内通知过多，稍后发送"

log = logging.getLogger(__name__)


def deliver_due(batch: int = 50, now: datetime | None = None) -> int:
    """Deliver every message due now, batch by batch; returns how many were sent."""
    release_stale(now)
    sent = 0
    with channels.Connections() as connections:
        while True:
            ids = claim(batch, now)
            if not ids:
                return sent
            for message_id in ids:
                sent += deliver(message_id, connections)


def claim(batch: int = 50, now: datetime | None = None) -> list[int]:
    now = now or utcnow()
    due = (select(Message.id).where(Message.state == "queued", Message.next_attempt_at <= now)
           .order_by(Message.next_attempt_at, Message.id).limit(batch))
    if db.session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(due))
    if not ids:
        db.session.commit()
        return []
    claimed = db.session.scalars(
        update(Message).where(Message.id.in_(ids), Message.state == "queued")
        .values(state="sending", claimed_at=now, attempts=Message.attempts + 1)
        .returning(Message.id).execution_options(synchronize_session=False)).all()
    db.session.commit()
    return sorted(claimed)


def deliver(message_id: int, connections: channels.Connections) -> int:
    """Send one claimed message and record the outcome (committed); 1 if it was sent."""
    message = db.session.get(Message, message_id)
    if message is None or message.state != "sending":
        return 0
    if _over_recipient_limit(message):
        return _record(message, "queued", error=RATE_LIMITED, next_attempt_at=utcnow() + timedelta(hours=1),
                       attempts=message.attempts - 1)
    try:
        reference = channels.send(message, connections)
    except Refused as exc:
        return _record(message, "failed", error=str(exc))
    except Retry as exc:
        return _retry_later(message, str(exc))
    except Exception as exc:  # noqa: BLE001 - a bug in a channel must not stop the others
        log.exception("notify: message %s on %s failed unexpectedly", message.id, message.channel)
        return _retry_later(message, f"内部错误（{type(exc).__name__}）")
    return _record(message, "sent", reference=reference)


def _over_recipient_limit(message: Message) -> bool:
    """Per-recipient limit (NOTIFY_RECIPIENT_HOURLY): non-essential e-mails and SMS beyond it in the last hour
    wait an hour (never dropped); essential ones always go."""
    limit = current_app.config["NOTIFY_RECIPIENT_HOURLY"]
    if not limit or TEMPLATES[message.template].essential:
        return False
    since = utcnow() - timedelta(hours=1)
    sent = db.session.scalar(select(func.count(Message.id)).where(
        Message.channel == message.channel, Message.recipient == message.recipient, Message.state == "sent",
        Message.sent_at >= since))
    return sent >= limit


def _retry_later(message: Message, error: str) -> int:
    delays = current_app.config["NOTIFY_RETRY_DELAYS"]
    if message.attempts > len(delays):
        return _record(message, "failed", error=error)
    next_at = utcnow() + timedelta(seconds=delays[message.attempts - 1])
    return _record(message, "queued", error=error, next_attempt_at=next_at)


def _record(message: Message, state: str, *, error: str | None = None, reference: str | None = None,
            next_attempt_at: datetime | None = None, attempts: int | None = None) -> int:
    values = {"state": state, "claimed_at": None, "last_error": error[:300] if error else None}
    if attempts is not None:
        values["attempts"] = attempts
    if state == "sent":
        values.update(sent_at=utcnow(), provider_ref=(reference or "")[:64] or None)
    if next_attempt_at is not None:
        values["next_attempt_at"] = next_attempt_at
    if state in ("sent", "failed") and message.template in SECRET_TEMPLATES:  # a code is kept nowhere readable
        values.update(body_text=CODE_BLANKED, body_html=None, params={})
    db.session.execute(update(Message).where(Message.id == message.id, Message.state == "sending")
                       .values(**values).execution_options(synchronize_session=False))
    db.session.commit()
    if state == "failed":
        log.warning("notify: message %s on %s failed: %s", message.id, message.channel, error)
    return 1 if state == "sent" else 0


def release_stale(now: datetime | None = None) -> int:
    """Rows left ``sending`` by a worker that died are queued again."""
    now = now or utcnow()
    cutoff = now - timedelta(seconds=current_app.config["NOTIFY_CLAIM_TIMEOUT"])
    result = db.session.execute(update(Message).where(Message.state == "sending", Message.claimed_at < cutoff)
                                .values(state="queued", claimed_at=None, next_attempt_at=now)
                                .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount


def seconds_to_next(now: datetime | None = None) -> float | None:
    """Seconds until the next queued message is due (0 if one is due now); None when nothing waits."""
    earliest = db.session.scalar(select(func.min(Message.next_attempt_at)).where(Message.state == "queued"))
    db.session.commit()
    if earliest is None:
        return None
    return max((earliest - (now or utcnow())).total_seconds(), 0.0)
