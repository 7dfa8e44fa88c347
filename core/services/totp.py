"""Two-factor login for staff (双因素认证): time-based one-time passwords (RFC 6238, pyotp).

The secret lives in ``StaffSecurity.totp_secret``; a code is accepted once (``totp_last_step``) and within
one 30-second step either side of the server clock.
"""
from __future__ import annotations

import time

import pyotp

from core.db import db
from core.models import StaffSecurity
from core.services import audit

ISSUER = "国家医学考试网上报名考务管理"
STEP = 30


def security_for(user_id: int) -> StaffSecurity:
    row = db.session.get(StaffSecurity, user_id)
    if row is None:
        row = StaffSecurity(user_id=user_id, must_change_password=False, failed_logins=0)
        db.session.add(row)
        db.session.flush()
    return row


def is_enrolled(user_id: int) -> bool:
    row = db.session.get(StaffSecurity, user_id)
    return bool(row and row.totp_secret)


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def _matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    code = (code or "").strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = int((now or time.time()) // STEP)
    for step in (current, current - 1, current + 1):
        if totp.at(step * STEP) == code:
            return step
    return None


def verify(user_id: int, code: str) -> bool:
    """True for a right, not yet used code of an enrolled user (the step is remembered; caller commits)."""
    row = db.session.get(StaffSecurity, user_id)
    if row is None or not row.totp_secret:
        return False
    step = _matching_step(row.totp_secret, code)
    if step is None or (row.totp_last_step is not None and step <= row.totp_last_step):
        return False
    row.totp_last_step = step
    return True


def enroll(user_id: int, username: str, secret: str, code: str) -> bool:
    """Store the secret once the user proved their authenticator shows the right code."""
    step = _matching_step(secret, code)
    if step is None:
        return False
    row = security_for(user_id)
    row.totp_secret = secret
    row.totp_last_step = step
    audit.record("staff.totp.enrolled", actor_type="staff", actor_id=user_id, actor_name=username,
                 object_type="ab_user", object_id=user_id)
    return True


def reset(user_id: int, actor) -> None:
    """A 国家管理员 clears a lost authenticator: the user enrols again at the next login."""
    row = security_for(user_id)
    row.totp_secret = None
    row.totp_last_step = None
    audit.record("staff.totp.reset", actor_type="staff", actor_id=actor.id, actor_name=actor.username,
                 object_type="ab_user", object_id=user_id)
