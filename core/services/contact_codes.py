"""One-time codes (验证码): verifying a mobile number or e-mail address, and 找回密码 by code.

An account has at most one pending code (a new one replaces it): 6 digits, kept only as an HMAC-SHA256 with
the app's SECRET_KEY bound to the account, channel, purpose and destination (a changed number makes it
useless), valid CODE_TTL, at most MAX_TRIES wrong tries. Sending is limited per destination, per account and
per client address (core/services/ratelimit.py; keys hold a digest of the destination, never the number).
The message goes through the outbox (``outbox.queue_code``), to the destination whether verified or not.
Callers commit nothing: every function here commits its own change.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from datetime import timedelta

from flask import current_app

from core.db import db, utcnow
from core.messages import Msg
from core.models import Candidate
from core.notify import outbox
from core.services import audit, ratelimit
from core.services.errors import DomainError

CHANNELS = {"sms": "mobile", "email": "email"}  # channel -> the candidate's contact column
PURPOSES = {"verify": {"zh": "验证联系方式", "en": "verifying your contact"},
            "recover": {"zh": "找回密码", "en": "password recovery"}}  # the message names it
CODE_TTL = timedelta(minutes=10)
MAX_TRIES = 5
PER_DESTINATION = ratelimit.Limit(5, 60 * 60)
PER_ACCOUNT = ratelimit.Limit(10, 60 * 60)
PER_IP = ratelimit.Limit(30, 60 * 60)
TOO_MANY_SENDS = "获取验证码过于频繁，请1小时后再试。"
NO_CODE = "请先点击“获取验证码”。"
EXPIRED = "验证码已过期（10分钟内有效），请重新获取。"
TOO_MANY_TRIES = "验证码错误次数过多，已失效，请重新获取。"
BAD_FORMAT = "请输入6位数字验证码。"
SETTING = {"sms": "SMS_PROVIDER", "email": "SMTP_HOST"}  # no provider configured: no codes on that channel
NOT_AVAILABLE = {"sms": "短信服务暂未开通，暂不能通过短信发送验证码。",
                 "email": "邮件服务暂未开通，暂不能通过电子邮件发送验证码。"}


def available(channel: str) -> bool:
    return channel in SETTING and bool(current_app.config.get(SETTING[channel]))


def destination(cand: Candidate, channel: str) -> str | None:
    return getattr(cand, CHANNELS[channel]) if channel in CHANNELS else None


def verified(cand: Candidate, channel: str) -> bool:
    return bool(destination(cand, channel)) and getattr(cand, f"{CHANNELS[channel]}_verified_at") is not None


def mask(value: str | None) -> str:
    """138****8000, zh***@example.com: enough to recognise, not to learn."""
    value = value or ""
    if "@" in value:
        local, _, domain = value.partition("@")
        return f"{local[:2]}***@{domain}"
    return f"{value[:3]}****{value[-4:]}" if len(value) >= 8 else "****"


def _digest(cand: Candidate, channel: str, purpose: str, code: str) -> str:
    text = f"{cand.id}|{channel}|{purpose}|{destination(cand, channel)}|{code}"
    return hmac.new(current_app.config["SECRET_KEY"].encode(), text.encode(), hashlib.sha256).hexdigest()


def _key(kind: str, value: str) -> str:
    return f"code-{kind}:" + hashlib.sha256(value.encode()).hexdigest()[:24]


def send(cand: Candidate, channel: str, purpose: str, ip: str | None) -> None:
    """A new code to the candidate's mobile (``sms``) or e-mail; refused when limited. Commits."""
    dest = destination(cand, channel)
    if purpose not in PURPOSES or not dest:
        raise DomainError("请先填写并保存手机号码或电子邮箱。", "code")
    if not available(channel):
        raise DomainError(NOT_AVAILABLE[channel], "code")
    if purpose == "recover" and not verified(cand, channel):
        raise DomainError("该联系方式尚未验证，不能用于找回密码。", "code")
    if not all([ratelimit.hit(_key("to", f"{channel}:{dest}"), PER_DESTINATION),
                ratelimit.hit(f"code-account:{cand.id}", PER_ACCOUNT),
                ratelimit.hit(f"code-ip:{ip}", PER_IP)]):
        raise DomainError(TOO_MANY_SENDS, "code")
    code = f"{secrets.randbelow(10 ** 6):06d}"
    cand.code_channel, cand.code_purpose = channel, purpose
    cand.code_hash = _digest(cand, channel, purpose, code)
    cand.code_expires_at, cand.code_tries = utcnow() + CODE_TTL, 0
    outbox.queue_code(cand, channel, dest, {"code": code, "purpose": PURPOSES[purpose]},
                      key=f"code:{cand.id}:{uuid.uuid4().hex}")
    audit.record("candidate.code.sent", actor_type="candidate", actor_id=cand.id, actor_name=cand.username,
                 obj=cand, after={"channel": channel, "purpose": purpose})
    db.session.commit()


def check(cand: Candidate, channel: str, purpose: str, code: str | None) -> None:
    """The pending code must match (DomainError on field ``code`` otherwise; a wrong try is counted and
    committed). A match leaves the code pending: ``consume`` it in the caller's transaction."""
    code = (code or "").strip()
    if not cand.code_hash or cand.code_channel != channel or cand.code_purpose != purpose:
        raise DomainError(NO_CODE, "code")
    if cand.code_expires_at is None or cand.code_expires_at <= utcnow():
        raise DomainError(EXPIRED, "code")
    if cand.code_tries >= MAX_TRIES:
        raise DomainError(TOO_MANY_TRIES, "code")
    if not re.fullmatch(r"[0-9]{6}", code):
        raise DomainError(BAD_FORMAT, "code")
    if not hmac.compare_digest(cand.code_hash, _digest(cand, channel, purpose, code)):
        cand.code_tries += 1
        left = MAX_TRIES - cand.code_tries
        audit.record("candidate.code.failed", actor_type="candidate", actor_id=cand.id, actor_name=cand.username,
                     obj=cand, after={"channel": channel, "purpose": purpose, "tries": cand.code_tries})
        db.session.commit()
        raise DomainError(Msg("验证码不正确，还可再试%(left)s次。", left=left) if left else TOO_MANY_TRIES,
                          "code")


def consume(cand: Candidate) -> None:
    cand.code_hash = cand.code_channel = cand.code_purpose = cand.code_expires_at = None
    cand.code_tries = 0


def verify_contact(cand: Candidate, channel: str, code: str | None) -> None:
    """验证: the code sent to the mobile / e-mail marks it verified. Commits."""
    check(cand, channel, "verify", code)
    consume(cand)
    setattr(cand, f"{CHANNELS[channel]}_verified_at", utcnow())
    audit.record("candidate.contact.verified", actor_type="candidate", actor_id=cand.id,
                 actor_name=cand.username, obj=cand, after={"channel": channel})
    db.session.commit()


def contact_changed(cand: Candidate, column: str, value: str | None) -> None:
    """A new mobile number or e-mail address is unverified again (and a code sent to the old one is void)."""
    if column in CHANNELS.values() and (getattr(cand, column) or None) != (value or None):
        setattr(cand, f"{column}_verified_at", None)
        if cand.code_channel and CHANNELS[cand.code_channel] == column:
            consume(cand)
