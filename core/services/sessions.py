"""Server-side candidate sessions: a random token in the portal cookie, its SHA-256 in the database.

A new token (session id) at every login; logout and the idle timeout end it for every app server.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import bindparam, func, select

from core.db import db, utcnow
from core.models import Candidate, CandidateSession, Message

TOUCH_EVERY = timedelta(seconds=60)  # write last_seen at most once a minute

# The one query on every page, built once with its token as a parameter: building the select and its cache
# key anew on every page was about a quarter of the lookup's CPU.
_UNREAD = (select(func.count(Message.id))
           .where(Message.candidate_id == Candidate.id, Message.channel == "inbox", Message.read_at.is_(None))
           .scalar_subquery())
_LOOKUP = (select(CandidateSession.id, CandidateSession.last_seen_at, Candidate, _UNREAD)
           .join(Candidate, Candidate.id == CandidateSession.candidate_id)
           .where(CandidateSession.token_hash == bindparam("token_hash"), CandidateSession.ended_at.is_(None)))

_OPEN = CandidateSession.__table__.insert()  # a login writes its session row at once, not through the unit of work


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(candidate: Candidate, ip: str | None) -> str:
    """Create a session row and return the token to put in the cookie (caller commits)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.execute(_OPEN, {"token_hash": _hash(token), "candidate_id": candidate.id, "created_at": now,
                               "last_seen_at": now, "ip": ip})
    return token


def resolve_session(token: str | None, idle_timeout: timedelta) -> Candidate | None:
    """The candidate behind a cookie token, or None when unknown, ended or idle too long.

    One query on every page: the session's id and last-seen time, and its candidate, joined, with the
    candidate's unread 消息中心 count for the menu (kept on the candidate as ``unread_messages``).
    """
    if not token:
        return None
    found = db.session.execute(_LOOKUP, {"token_hash": _hash(token)}).first()
    if found is None:
        return None
    session_id, last_seen_at, candidate, candidate.unread_messages = found
    now = utcnow()
    if now - last_seen_at > idle_timeout:
        _set(session_id, ended_at=now)
        return None
    if now - last_seen_at > TOUCH_EVERY:
        _set(session_id, last_seen_at=now)
    return candidate


def _set(session_id: int, **values) -> None:
    db.session.execute(db.update(CandidateSession).where(CandidateSession.id == session_id).values(**values))
    db.session.commit()


def close_session(token: str | None) -> None:
    if token:
        db.session.execute(db.update(CandidateSession)
                           .where(CandidateSession.token_hash == _hash(token),
                                  CandidateSession.ended_at.is_(None))
                           .values(ended_at=utcnow()))
        db.session.commit()


def close_all_sessions(candidate_id: int) -> None:
    """After a password change or reset: every other login of this candidate ends."""
    db.session.execute(db.update(CandidateSession)
                       .where(CandidateSession.candidate_id == candidate_id,
                              CandidateSession.ended_at.is_(None))
                       .values(ended_at=utcnow()))
