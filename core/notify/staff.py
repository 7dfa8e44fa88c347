"""通知 in the back office: a candidate's messages with their delivery state, the failed deliveries of the
staff member's scope, and 重新发送 (audited). Scope is ``core.services.scope``'s: a candidate is in scope
through a registration in it; outside it a message or candidate is NotAllowed (404)."""
from __future__ import annotations

from sqlalchemy import select, update

from core.db import db, utcnow
from core.models import Candidate, Message
from core.notify.outbox import PENDING
from core.services import audit, scope
from core.services.errors import DomainError, NotAllowed

LIST_LIMIT = 200


def messages_for_candidate(user, candidate_id: int) -> list[Message]:
    if not scope.can_see_candidate(user, candidate_id):
        raise NotAllowed("没有找到该考生。")
    return list(db.session.scalars(select(Message).where(Message.candidate_id == candidate_id)
                                   .order_by(Message.id.desc()).limit(LIST_LIMIT)))


def failed_messages(user) -> list[tuple[Message, Candidate]]:
    """Failed e-mails and SMS of candidates in the user's scope, newest first."""
    rows = db.session.execute(select(Message, Candidate).join(Candidate, Candidate.id == Message.candidate_id)
                              .where(Message.state == "failed", scope.candidate_clause(user))
                              .order_by(Message.id.desc()).limit(LIST_LIMIT))
    return [(m, c) for m, c in rows]


def resend(user, message_id: int) -> Message:
    """A failed message goes back to the queue (attempts from zero); audited; commits and wakes delivery."""
    message = db.session.get(Message, message_id)
    if message is None or not scope.can_see_candidate(user, message.candidate_id):
        raise NotAllowed("没有找到该消息。")
    moved = db.session.execute(update(Message).where(Message.id == message_id, Message.state == "failed")
                               .values(state="queued", attempts=0, next_attempt_at=utcnow(), claimed_at=None)
                               .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        db.session.rollback()
        raise DomainError("该消息不是“发送失败”状态，无需重新发送。")
    audit.record("notify.message.resent", actor_type="staff", actor_id=user.id, obj=message,
                 before={"state": "failed", "last_error": message.last_error},
                 after={"state": "queued", "channel": message.channel, "template": message.template})
    db.session.info[PENDING] = True
    db.session.commit()
    db.session.refresh(message)
    return message
