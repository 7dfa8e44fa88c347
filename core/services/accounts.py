"""Candidate accounts (账户): registration, login, password change, recovery question, password recovery.

Basic info (基本信息) is fixed at registration: only exam staff correct it during the on-site review.
"""
from __future__ import annotations

import hashlib
import unicodedata
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy.exc import IntegrityError

from core import validators as v
from core.db import db, utcnow
from core.messages import Msg
from core.models import Candidate
from core.models.candidate import DOC_TYPES, MILITARY, SEXES
from core.privacy import notice
from core.services import audit, contact_codes, passwords, ratelimit
from core.services.errors import DomainError
from core.services.sessions import close_all_sessions

BAD_LOGIN = "用户名或密码错误。"  # one message, so accounts cannot be enumerated
TOO_FAST = "登录尝试过于频繁，请稍后再试。"
# Candidates get no hard lock a stranger could trigger (issue 14, finding 14): failures are counted per
# account *and* client address, and after FREE_FAILURES each further attempt from that address on that
# account waits 1, 2, 4 ... up to MAX_DELAY seconds. Someone else's failures never delay the candidate's own
# address; the per-IP LOGIN_RATE_LIMIT bounds guessing across accounts. Staff keep the hard lock.
FAILURE_WINDOW = 60 * 60
FREE_FAILURES = 3
MAX_DELAY = 5 * 60
REGISTER_PER_DOCUMENT = ratelimit.Limit(5, 60 * 60)
TOO_MANY_ATTEMPTS = "尝试次数过多，请1小时后再试。"
RECOVERY_ATTEMPTS = ratelimit.Limit(5, 60 * 60)
RECOVERY_MAX_FAILURES = 5
RECOVERY_LOCK = timedelta(hours=24)
GO_TO_AUTHORITY = ("当同时忘记密码及找回答案时，请携带注册时使用的身份证明材料到当地考试管理机构，"
                   "提请予以密码重置。")
RECOVERY_LOCKED = Msg("找回答案错误次数过多，找回密码已被锁定。%(help)s", help=GO_TO_AUTHORITY)
RECOVERY_QUESTIONS = ("我母亲的姓名是？", "我父亲的姓名是？", "我的出生地是？", "我就读的小学是？",
                      "我最好的朋友的名字是？", "我的第一位老师的姓名是？")
_dummy_hashes: dict[str, str] = {}


def _hash(secret: str) -> str:
    return passwords.hash_secret(secret)


def _dummy_hash() -> str:
    """A hash to check against when the username is unknown, so both answers take as long."""
    params = str(current_app.config["PASSWORD_ARGON2"])
    if params not in _dummy_hashes:
        _dummy_hashes[params] = _hash("not-a-real-password")
    return _dummy_hashes[params]


def normalise_answer(answer: str | None) -> str:
    """Full-width to half-width, case folded, all spaces removed: 'Bei Jing ' == 'beijing'."""
    text = unicodedata.normalize("NFKC", answer or "").casefold()
    return "".join(text.split())


def _check_birth(value: str | None, field: str = "birth_date") -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        birth = date.fromisoformat(value)
    except ValueError:
        raise DomainError("出生日期格式应为YYYY-MM-DD，如1990-03-07。", field) from None
    if birth > date.today() or birth.year < 1900:
        raise DomainError("出生日期不正确。", field)
    return birth


def check_registration(data: dict) -> dict:
    """All fields of the 注册 form checked at once -> clean values, or FieldErrors with every message."""
    check = v.Checker()
    out: dict = {}
    out["username"] = check(v.check_username, data.get("username"))
    doc_type = check(v.check_choice, data.get("doc_type"), "doc_type", "证件类型", DOC_TYPES)
    out["doc_type"] = doc_type
    doc_number = check(v.check_document, doc_type, data.get("doc_number")) if doc_type else None
    out["doc_number"] = doc_number
    password = check(v.check_password, data.get("password"), username=out["username"] or "",
                     doc_number=doc_number or v.normalise_document(data.get("doc_number")))
    if password and data.get("password2") != password:
        check.errors.setdefault("password2", "两次输入的密码不一致。")
    out["password"] = password
    mainland = doc_type in (None, "id_card")
    out["name"] = check(v.check_name, data.get("name"), mainland=mainland)
    sex = check(v.check_choice, data.get("sex"), "sex", "性别", SEXES, required=False)
    birth = check(_check_birth, data.get("birth_date"))
    if doc_type in ("id_card", "residence_permit"):  # 性别 and 出生日期 come from the number, right or wrong
        if doc_number:
            id_sex, id_birth = v.check_id_number(doc_number)
            if sex and sex != id_sex:
                check.errors.setdefault("sex", "性别与证件号码不符（证件号码第17位决定性别）。")
            if birth and birth != id_birth:
                check.errors.setdefault("birth_date", "出生日期与证件号码不符。")
            sex, birth = id_sex, id_birth
    else:
        if not sex and "sex" not in check.errors:
            check.errors["sex"] = "请选择性别。"
        if not birth and "birth_date" not in check.errors:
            check.errors["birth_date"] = "请填写出生日期。"
    out["sex"], out["birth_date"] = sex, birth
    if doc_type == "id_card":
        out["nationality"] = "中国"
        out["ethnic_group"] = check(v.check_choice, data.get("ethnic_group"), "ethnic_group", "民族",
                                    v.ETHNIC_GROUPS)
    else:
        out["nationality"] = check(v.check_text, data.get("nationality") or (
            "中国" if doc_type in ("residence_permit", "hk_macau_permit", "taiwan_permit") else ""),
            "nationality", "国籍", max_len=40)
        out["ethnic_group"] = check(v.check_choice, data.get("ethnic_group"), "ethnic_group", "民族",
                                    v.ETHNIC_GROUPS, required=False)
    out["permit_number"] = None
    if doc_type in ("hk_macau_permit", "taiwan_permit"):
        out["permit_number"] = doc_number
    elif doc_type == "residence_permit":
        out["permit_number"] = check(_required_permit, data.get("permit_number"))
    out["military_identity"] = check(v.check_choice, data.get("military_identity") or "civilian",
                                     "military_identity", "本人身份", MILITARY)
    for field, message in notice.check_agreement(data.get("agree_notice"), data.get("agree_sensitive")).items():
        check.errors.setdefault(field, message)
    check.done()
    return out


def _required_permit(value: str | None) -> str:
    if not (value or "").strip():
        raise DomainError("港澳台居民请填写往来大陆通行证号码。", "permit_number")
    return v.check_travel_permit(value)


DUPLICATE_DOCUMENT = "该证件号码已经注册过账户。请直接登录；如忘记密码，请使用“找回密码”。"


def _document_key(doc_type: str, number: str) -> str:
    """A rate-limit key for a document number that does not contain it (keys show in Redis and logs)."""
    return "register-doc:" + hashlib.sha256(f"{doc_type}:{number}".encode()).hexdigest()[:24]


def register(data: dict, ip: str | None = None) -> Candidate:
    """注册: create the account with its fixed basic info (one transaction, audited). Attempts that reach
    the duplicate checks are limited per IP (REGISTRATION_RATE_LIMIT) and per document number, so the
    answers 该证件号码已经注册过 / 该用户名已被使用 cannot be harvested in bulk."""
    clean = check_registration(data)
    ip_limit = ratelimit.Limit.parse(current_app.config["REGISTRATION_RATE_LIMIT"])
    if not ratelimit.hit(f"register-ip:{ip}", ip_limit) or \
            not ratelimit.hit(_document_key(clean["doc_type"], clean["doc_number"]), REGISTER_PER_DOCUMENT):
        raise DomainError(TOO_MANY_ATTEMPTS, "username")
    if db.session.scalar(db.select(Candidate.id).filter_by(doc_type=clean["doc_type"],
                                                           doc_number=clean["doc_number"])):
        raise DomainError(DUPLICATE_DOCUMENT, "doc_number")
    if db.session.scalar(db.select(Candidate.id).where(
            db.func.lower(Candidate.username) == clean["username"].lower())):
        raise DomainError("该用户名已被使用，请换一个。", "username")
    password = clean.pop("password")
    cand = Candidate(password_hash=_hash(password), **clean)
    db.session.add(cand)
    try:
        db.session.flush()
    except IntegrityError:  # a concurrent registration with the same document or username
        db.session.rollback()
        raise DomainError(DUPLICATE_DOCUMENT, "doc_number") from None
    audit.record("candidate.account.registered", actor_type="candidate", actor_id=cand.id,
                 actor_name=cand.username, obj=cand,
                 after={"username": cand.username, "doc_type": cand.doc_type})
    notice.record_consent(cand)
    db.session.commit()
    return cand


def _failed_login(who: str, ip: str | None) -> None:
    failures = ratelimit.store().incr(f"login-fail:{who}:{ip}", FAILURE_WINDOW) if ratelimit.enabled() else 0
    if failures >= FREE_FAILURES:
        ratelimit.block(f"login-wait:{who}:{ip}", min(2 ** (failures - FREE_FAILURES), MAX_DELAY))


def authenticate(username: str, password: str, ip: str | None) -> tuple[Candidate, bool]:
    """登录: (candidate, first_login) or DomainError with one message whatever was wrong.

    A failed attempt is committed here (its count and audit entry stay whatever follows); a successful one is
    left to the caller's transaction, which commits it with the session it opens: one commit per login."""
    ip_limit = ratelimit.Limit.parse(current_app.config["LOGIN_RATE_LIMIT"])
    if not ratelimit.hit(f"login-ip:{ip}", ip_limit):
        raise DomainError(TOO_FAST, "username")
    who = (username or "").strip().lower()
    if ratelimit.blocked(f"login-wait:{who}:{ip}"):
        raise DomainError(TOO_FAST, "username")
    cand = db.session.scalar(db.select(Candidate).where(db.func.lower(Candidate.username) == who))
    if cand is None:
        passwords.verify(_dummy_hash(), password or "")  # same time as a real check
        _failed_login(who, ip)
        raise DomainError(BAD_LOGIN, "username")
    if not passwords.verify(cand.password_hash, password or ""):
        _failed_login(who, ip)
        cand.failed_logins += 1
        audit.record("candidate.login.failed", actor_type="candidate", actor_id=cand.id,
                     actor_name=cand.username, obj=cand)
        db.session.commit()
        raise DomainError(BAD_LOGIN, "username")
    ratelimit.clear(f"login-fail:{who}:{ip}")
    if passwords.needs_rehash(cand.password_hash):  # an older scheme: upgraded now, the password is at hand
        cand.password_hash = _hash(password)
    first_login = cand.last_login_at is None
    cand.last_login_at = utcnow()
    cand.failed_logins = 0
    audit.append("candidate.login.succeeded", actor_type="candidate", actor_id=cand.id,
                 actor_name=cand.username, obj=cand)
    return cand, first_login


def _check_new_password(cand: Candidate, new: str, new2: str) -> str:
    check = v.Checker()
    password = check(v.check_password, new, username=cand.username, doc_number=cand.doc_number,
                     field="new_password")
    if password and new2 != password:
        check.errors.setdefault("new_password2", "两次输入的新密码不一致。")
    check.done()
    return password


def change_password(cand: Candidate, current: str, new: str, new2: str) -> None:
    """修改密码 (current password required); every session of the candidate ends."""
    if not passwords.verify(cand.password_hash, current or ""):
        raise DomainError("当前密码不正确。", "current_password")
    password = _check_new_password(cand, new, new2)
    if passwords.verify(cand.password_hash, password):
        raise DomainError("新密码不能与当前密码相同。", "new_password")
    cand.password_hash = _hash(password)
    cand.must_change_password = False
    close_all_sessions(cand.id)
    audit.record("candidate.password.changed", actor_type="candidate", actor_id=cand.id,
                 actor_name=cand.username, obj=cand)
    db.session.commit()


def set_recovery(cand: Candidate, current: str, question: str, answer: str) -> None:
    """密码找回设置: the question and the answer (normalised, hashed, never shown again)."""
    check = v.Checker()
    if not passwords.verify(cand.password_hash, current or ""):
        check.errors["recovery_current_password"] = "当前密码不正确。"
    question = check(v.check_text, question, "recovery_question", "找回问题", max_len=60)
    answer_n = normalise_answer(answer)
    if len(answer_n) < 2:
        check.errors.setdefault("recovery_answer", "请填写找回答案（至少2个字符）。")
    elif len(answer_n) > 60:
        check.errors.setdefault("recovery_answer", "找回答案最多60个字符。")
    check.done()
    had_one = cand.recovery_answer_hash is not None
    cand.recovery_question = question
    cand.recovery_answer_hash = _hash(answer_n)
    cand.recovery_failures = 0
    cand.recovery_locked_until = None
    audit.record("candidate.recovery.changed" if had_one else "candidate.recovery.set",
                 actor_type="candidate", actor_id=cand.id, actor_name=cand.username, obj=cand,
                 after={"recovery_question": question})
    db.session.commit()


def _recovery_locked(cand: Candidate) -> bool:
    return cand.recovery_locked_until is not None and cand.recovery_locked_until > utcnow()


def find_for_recovery(username: str, doc_number: str, ip: str | None) -> Candidate:
    """找回密码, step 1: the username and the document number must belong to one account."""
    user_key = f"recover:{(username or '').strip().lower()}"
    if not ratelimit.hit(f"recover-ip:{ip}", RECOVERY_ATTEMPTS) or \
            not ratelimit.hit(user_key, RECOVERY_ATTEMPTS):
        raise DomainError("尝试次数过多，请1小时后再试。", "username")
    cand = db.session.scalar(db.select(Candidate).where(
        db.func.lower(Candidate.username) == (username or "").strip().lower()))
    if cand is None or cand.doc_number != v.normalise_document(doc_number):
        raise DomainError("用户名与证件号码不匹配。", "username")
    if _recovery_locked(cand):
        raise DomainError(RECOVERY_LOCKED, "username")
    if not cand.recovery_answer_hash and not recovery_channels(cand):
        raise DomainError(Msg("该账户既未设置密码找回问题，也没有已验证的手机号码或电子邮箱。%(help)s",
                              help=GO_TO_AUTHORITY), "username")
    return cand


def recovery_channels(cand: Candidate) -> dict[str, str]:
    """The verified contacts a recovery code may go to (SMS / e-mail configured): channel -> masked destination."""
    return {channel: contact_codes.mask(contact_codes.destination(cand, channel))
            for channel in contact_codes.CHANNELS
            if contact_codes.verified(cand, channel) and contact_codes.available(channel)}


def recover_by_code(cand: Candidate, channel: str, code: str, new: str, new2: str) -> None:
    """找回密码 by the code sent to a verified mobile or e-mail -> a new password; every session ends."""
    contact_codes.check(cand, channel, "recover", code)
    password = _check_new_password(cand, new, new2)
    contact_codes.consume(cand)
    cand.password_hash = _hash(password)
    cand.must_change_password = False
    close_all_sessions(cand.id)
    audit.record("candidate.password.recovered", actor_type="candidate", actor_id=cand.id,
                 actor_name=cand.username, obj=cand, after={"by": channel})
    db.session.commit()


def recover_password(cand: Candidate, answer: str, new: str, new2: str) -> None:
    """找回密码, step 2: the recovery answer -> a new password; locked after repeated failures."""
    if _recovery_locked(cand):
        raise DomainError(RECOVERY_LOCKED, "recovery_answer")
    if not cand.recovery_answer_hash or not passwords.verify(cand.recovery_answer_hash,
                                                                normalise_answer(answer)):
        cand.recovery_failures += 1
        action = "candidate.recovery.failed"
        message = "找回答案不正确。"
        if cand.recovery_failures >= RECOVERY_MAX_FAILURES:
            cand.recovery_locked_until = utcnow() + RECOVERY_LOCK
            action = "candidate.recovery.locked"
            message = RECOVERY_LOCKED
        audit.record(action, actor_type="candidate", actor_id=cand.id, actor_name=cand.username,
                     obj=cand, after={"recovery_failures": cand.recovery_failures})
        db.session.commit()
        raise DomainError(message, "recovery_answer")
    password = _check_new_password(cand, new, new2)
    cand.password_hash = _hash(password)
    cand.recovery_failures = 0
    close_all_sessions(cand.id)
    audit.record("candidate.password.recovered", actor_type="candidate", actor_id=cand.id,
                 actor_name=cand.username, obj=cand)
    db.session.commit()


def recovery_locked_until(cand: Candidate) -> datetime | None:
    return cand.recovery_locked_until if _recovery_locked(cand) else None
