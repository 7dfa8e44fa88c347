"""Server-side staff sessions (考务人员会话): a random token in the admin cookie, its SHA-256 in the database.

A session is *pending* after the password and *verified* after the two-factor code (or at once when the
code is not required). Every request of the back office resolves the token (``resolve``): an unknown,
ended, idle or too old session is no login, on every app server. ``end_all`` ends a user's sessions after a
password change, a role or scope change, deactivation or an administrator's 结束全部会话.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from core.db import db, utcnow
from core.models import StaffSession
from core.services import audit

TOUCH_EVERY = timedelta(seconds=60)  # write last_seen_at at most once a minute
PENDING_LIFETIME = timedelta(minutes=5)  # between the password and the code
MAX_CODE_FAILURES = 3  # wrong codes before a pending login ends


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(user_id: int, ip: str | None, verified: bool) -> str:
    """A new session row; returns the token for the cookie (caller commits)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(StaffSession(token_hash=_hash(token), user_id=user_id, verified=verified, code_failures=0,
                                created_at=now, last_seen_at=now, ip=ip))
    db.session.flush()
    return token


def _live(token: str | None) -> StaffSession | None:
    if not token:
        return None
    return db.session.scalar(db.select(StaffSession).where(StaffSession.token_hash == _hash(token),
                                                           StaffSession.ended_at.is_(None)))


def resolve(token: str | None, idle: timedelta, absolute: timedelta) -> StaffSession | None:
    """The verified session behind a cookie token, or None (unknown, ended, idle or older than
    ``absolute``: the last two are ended here)."""
    row = _live(token)
    if row is None or not row.verified:
        return None
    now = utcnow()
    if now - row.last_seen_at > idle or now - row.created_at > absolute:
        row.ended_at = now
        db.session.commit()
        return None
    if now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
        db.session.commit()
    return row


def pending(token: str | None) -> StaffSession | None:
    """The pending (password checked, code not yet) session behind a token, within its five minutes."""
    row = _live(token)
    if row is None or row.verified:
        return None
    if utcnow() - row.created_at > PENDING_LIFETIME:
        row.ended_at = utcnow()
        db.session.commit()
        return None
    return row


def wrong_code(token: str | None) -> bool:
    """Count a wrong code of a pending login, atomically (racing guesses cannot share one count); True when
    that login has ended, now or before (caller commits)."""
    failures = db.session.execute(
        db.update(StaffSession)
        .where(StaffSession.token_hash == _hash(token or ""), StaffSession.ended_at.is_(None),
               StaffSession.verified.is_(False))
        .values(code_failures=StaffSession.code_failures + 1)
        .returning(StaffSession.code_failures)).scalar()
    if failures is None:
        return True
    if failures >= MAX_CODE_FAILURES:
        end(token)
        return True
    return False


def end(token: str | None) -> None:
    """Logout: this session ends (caller commits)."""
    row = _live(token)
    if row is not None:
        row.ended_at = utcnow()


def end_all(user_id: int, reason: str, actor=None) -> int:
    """Every live session of a user ends, on every server; audited when any did (caller commits)."""
    ended = db.session.execute(db.update(StaffSession)
                               .where(StaffSession.user_id == user_id, StaffSession.ended_at.is_(None))
                               .values(ended_at=utcnow())).rowcount
    if ended:
        audit.record("staff.sessions.ended", actor_type="staff" if actor else "system",
                     actor_id=getattr(actor, "id", None), actor_name=getattr(actor, "username", None),
                     object_type="ab_user", object_id=user_id, after={"reason": reason, "sessions": ended})
    return ended


# --- 身份核验 grant: server-side, bound to this session, used once -------------------------------------

def grant_identity(token: str | None, user_id: int, candidate_id: int, until: datetime) -> None:
    row = _live(token)
    if row is not None and row.user_id == user_id:
        row.grant_candidate_id, row.grant_until = candidate_id, until


def _grant(token: str, user_id: int, candidate_id: int):
    return (StaffSession.token_hash == _hash(token), StaffSession.ended_at.is_(None),
            StaffSession.user_id == user_id, StaffSession.grant_candidate_id == candidate_id,
            StaffSession.grant_until > utcnow())


def has_identity_grant(token: str | None, user_id: int, candidate_id: int) -> bool:
    return bool(token) and db.session.scalar(
        db.select(StaffSession.id).where(*_grant(token, user_id, candidate_id))) is not None


def use_identity_grant(token: str | None, user_id: int, candidate_id: int) -> bool:
    """Consume the grant: True once, by one conditional UPDATE (two racing resets cannot both use it)."""
    return bool(token) and db.session.execute(
        db.update(StaffSession).where(*_grant(token, user_id, candidate_id))
        .values(grant_candidate_id=None, grant_until=None)).rowcount == 1
