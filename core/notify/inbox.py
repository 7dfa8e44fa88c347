"""消息中心: the candidate's own messages (the ``inbox`` rows), unread count, marking read.

Only the candidate's own rows are ever read or changed here: another candidate's message id is NotAllowed
(the portal answers 404).
"""
from __future__ import annotations

from sqlalchemy import bindparam, func, select, update

from core.db import db, utcnow
from core.models import Message
from core.services.errors import NotAllowed

PAGE_SIZE = 20


def _own(candidate_id: int):
    return (Message.candidate_id == candidate_id, Message.channel == "inbox")


def unread_count(candidate_id: int) -> int:
    return db.session.scalar(select(func.count(Message.id)).where(*_own(candidate_id),
                                                                  Message.read_at.is_(None))) or 0


# one page of messages and, beside each, how many there are in all: one statement, built once
_PAGE = (select(Message.id, Message.subject, Message.body_text, Message.created_at, Message.read_at,
                func.count().over().label("total"))
         .where(Message.candidate_id == bindparam("candidate_id"), Message.channel == "inbox")
         .order_by(Message.id.desc()).limit(bindparam("limit")).offset(bindparam("offset")))


def _page(candidate_id: int, page: int) -> list:
    return db.session.execute(_PAGE, {"candidate_id": candidate_id, "limit": PAGE_SIZE,
                                      "offset": (page - 1) * PAGE_SIZE}).all()


def messages_of(candidate_id: int, page: int = 1) -> tuple[list, int, int]:
    """One page of messages (rows: id, subject, body_text, created_at, read_at), newest first, the page shown
    and the number of pages. A page past the last (an old link) shows the last page."""
    page = max(page, 1)
    rows = _page(candidate_id, page)
    if not rows and page > 1:
        total = db.session.scalar(select(func.count(Message.id)).where(*_own(candidate_id))) or 0
        page = max(1, -(-total // PAGE_SIZE))
        rows = _page(candidate_id, page)
    total = rows[0].total if rows else 0
    return rows, page, max(1, -(-total // PAGE_SIZE))


def mark_read(candidate_id: int, message_id: int) -> None:
    """Mark one of the candidate's own messages read (again: nothing changes). Commits."""
    message = db.session.get(Message, message_id)
    if message is None or message.candidate_id != candidate_id or message.channel != "inbox":
        raise NotAllowed("没有找到该消息。")
    if message.read_at is None:
        message.read_at = utcnow()
    db.session.commit()


def mark_all_read(candidate_id: int) -> int:
    result = db.session.execute(update(Message).where(*_own(candidate_id), Message.read_at.is_(None))
                                .values(read_at=utcnow()).execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount
