"""What staff do to a candidate's record and to the catalogue, each checked, scoped and audited.

- 更正基本信息: staff (never the candidate) correct basic info with a mandatory reason; the audit log keeps
  before and after, and the candidate sees the correction on the portal's 基本信息 (``corrections_for``).
- 密码重置: after checking the identity documents, a one-time password the candidate must change.
- 显示完整证件号: allowed to some roles only, and each showing is audited (显示, and the staff PDF of a
  registration); the correction form never shows the full numbers.
- 考点容量: never below the seats already taken.
- Staff password strength (FAB's password forms call ``staff_password_problem``).
"""
from __future__ import annotations

import re
import secrets
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select, text

from core.db import db, to_shanghai, utcnow
from core.models import AuditEntry, Candidate, Site
from core.models.candidate import DOC_TYPES, MILITARY, SEXES
from core.notify import events as notify_events
from core.services import audit, passwords, ratelimit, scope, staff_sessions
from core.services.errors import DomainError, NotAllowed
from core.services.sessions import close_all_sessions
from core.validators import (Checker, FieldErrors, check_choice, check_document, check_name,
                             check_travel_permit, normalise_document)

REASON_MAX = 300
CORRECTED_ACTION = "candidate.basic_info.corrected"
CORRECTABLE = {"name": "姓名", "sex": "性别", "birth_date": "出生日期", "doc_type": "证件类型",
               "doc_number": "证件号码", "nationality": "国籍", "ethnic_group": "民族",
               "permit_number": "往来大陆通行证号码", "military_identity": "本人身份"}


def _actor(user) -> dict:
    return dict(actor_type="staff", actor_id=user.id, actor_name=user.username)


def _reason(reason: str | None, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise DomainError("请填写原因（必填，将记入审计日志）。", field)
    if len(reason) > REASON_MAX:
        raise DomainError(f"原因最多{REASON_MAX}个字符。", field)
    return reason


def candidate_in_scope(user, candidate_id: int) -> Candidate:
    """A candidate the user may look at (history included)."""
    if not scope.can_see_candidate(user, candidate_id):
        raise NotAllowed("没有找到该考生，或不在您的管理范围内。")
    return db.session.get(Candidate, candidate_id)


def candidate_to_manage(user, candidate_id: int) -> Candidate:
    """A candidate the user may change: through a live registration of a current year in scope."""
    if not scope.can_manage_candidate(user, candidate_id):
        raise NotAllowed("没有找到该考生，或不在您的管理范围内。")
    return db.session.get(Candidate, candidate_id)


def _checked_changes(cand: Candidate, data: dict) -> dict:
    """Validate the submitted basic info; FieldErrors lists every bad field."""
    c = Checker()
    doc_type = c(check_choice, data.get("doc_type"), "doc_type", "证件类型", DOC_TYPES)
    mainland = doc_type in ("id_card", None)
    out = {
        "name": c(check_name, data.get("name"), mainland=mainland),
        "sex": c(check_choice, data.get("sex"), "sex", "性别", SEXES),
        "doc_type": doc_type,
        "nationality": (data.get("nationality") or "").strip()[:40] or "中国",
        "ethnic_group": (data.get("ethnic_group") or "").strip()[:20] or None,
        "military_identity": c(check_choice, data.get("military_identity"), "military_identity", "本人身份",
                               MILITARY),
    }
    # The form never shows the full numbers (finding 4 of issue 14): a blank field keeps the stored one.
    doc_number = (data.get("doc_number") or "").strip() or cand.doc_number
    if doc_type:
        out["doc_number"] = c(check_document, doc_type, doc_number)
    try:
        out["birth_date"] = date.fromisoformat((data.get("birth_date") or "").strip())
    except ValueError:
        c.errors.setdefault("birth_date", "出生日期格式为YYYY-MM-DD，例如1990-03-07。")
    permit = (data.get("permit_number") or "").strip() or (cand.permit_number or "")
    out["permit_number"] = c(check_travel_permit, permit) if permit else None
    if doc_type in ("hk_macau_permit", "taiwan_permit", "residence_permit") and not permit:
        c.errors.setdefault("permit_number", "台港澳人士须填写往来大陆通行证号码。")
    try:
        reason = _reason(data.get("reason"))
    except DomainError as exc:
        c.errors.setdefault("reason", exc.message)
        reason = None
    if c.errors:
        raise FieldErrors(c.errors)
    if (out["doc_type"], out["doc_number"]) != (cand.doc_type, cand.doc_number):
        taken = db.session.scalar(select(Candidate.id).where(
            Candidate.doc_type == out["doc_type"], Candidate.doc_number == out["doc_number"],
            Candidate.id != cand.id))
        if taken:
            raise FieldErrors({"doc_number": "该证件号码已被另一个账户使用。"})
    out["reason"] = reason
    return out


def correct_basic_info(user, candidate_id: int, data: dict) -> dict:
    """更正基本信息 with a mandatory reason; returns the changed fields {field: (before, after)}."""
    cand = candidate_to_manage(user, candidate_id)
    values = _checked_changes(cand, data)
    reason = values.pop("reason")
    changed = {f: (getattr(cand, f), v) for f, v in values.items() if getattr(cand, f) != v}
    if not changed:
        raise DomainError("没有任何修改：请修改需要更正的项目。")
    for f, (_, new) in changed.items():
        setattr(cand, f, new)
    audit.record(CORRECTED_ACTION, obj=cand,
                 before={f: _plain(old) for f, (old, _) in changed.items()},
                 after={**{f: _plain(new) for f, (_, new) in changed.items()}, "reason": reason},
                 **_actor(user))
    return changed


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def corrections_for(candidate_id: int) -> list[dict]:
    """Corrections of a candidate's basic info, newest first, for the portal's 基本信息 page:
    [{at (Asia/Shanghai), fields (Chinese labels), reason, changes: [{field, before, after}]}], the values
    shown in Chinese, document numbers masked; the staff member is not named."""
    rows = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == CORRECTED_ACTION, AuditEntry.object_type == "candidates",
        AuditEntry.object_id == candidate_id).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()))
    return [{"at": to_shanghai(r.at),
             "fields": [CORRECTABLE.get(f, f) for f in (r.after or {}) if f != "reason"],
             "reason": (r.after or {}).get("reason"),
             "changes": [{"field": CORRECTABLE.get(f, f), "before": _shown(f, (r.before or {}).get(f)),
                          "after": _shown(f, v)} for f, v in (r.after or {}).items() if f != "reason"]}
            for r in rows]


_VALUE_LABELS = {"sex": SEXES, "doc_type": DOC_TYPES, "military_identity": MILITARY}


def _shown(field: str, value) -> str:
    """A corrected value as the candidate reads it: Chinese labels, document numbers masked."""
    if value in (None, ""):
        return "（空）"
    if field in ("doc_number", "permit_number"):
        return audit.mask_document(str(value))
    return _VALUE_LABELS.get(field, {}).get(value, str(value))


def reveal_document(user, candidate_id: int) -> str:
    """The full document number, for roles allowed to see it; each showing is audited (caller commits)."""
    if not scope.can_see_full_documents(user):
        raise NotAllowed("您的角色不能查看完整证件号码。")
    cand = candidate_to_manage(user, candidate_id)
    audit.record("candidate.document.revealed", obj=cand, **_actor(user))
    return cand.doc_number


def reveal_contacts(user, candidate_id: int) -> dict[str, str | None]:
    """The contact fields the user's role may see (``scope.full_contact_fields``: 手机, and for administrators
    电子邮箱 and 通讯地址) in full, of a candidate with a live registration in scope; each showing is audited
    with the fields' names, never their values (caller commits)."""
    fields = scope.full_contact_fields(user)
    if not fields:
        raise NotAllowed("您的角色不能查看完整联系方式。")
    cand = candidate_to_manage(user, candidate_id)
    audit.record("candidate.contact.revealed", obj=cand, after={"fields": list(fields)}, **_actor(user))
    return {f: getattr(cand, f) for f in fields}


def form_printed_in_full(user, registration) -> None:
    """A staff 报名申请表 printed with the full document number: audited like 显示 (caller commits)."""
    audit.record("registration.form.printed", obj=registration, after={"full_document": True}, **_actor(user))


# A one-time password: easy to read aloud or copy, no ambiguous characters.
_OTP_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"


def reset_candidate_password(user, candidate_id: int, reason: str | None) -> str:
    """密码重置 after the identity check: returns the one-time password (shown once, never stored)."""
    reason = _reason(reason)
    cand = candidate_to_manage(user, candidate_id)
    one_time = _new_one_time_password(cand)
    entry = audit.record("candidate.password.reset_by_staff", obj=cand, after={"reason": reason}, **_actor(user))
    _tell_reset(cand, entry)
    return one_time


def _new_one_time_password(cand: Candidate) -> str:
    """Set a one-time password the candidate must change at next login; end their sessions."""
    one_time = "".join(secrets.choice(_OTP_ALPHABET) for _ in range(10)) + "#" + str(secrets.randbelow(10))
    cand.password_hash = passwords.hash_secret(one_time)
    cand.must_change_password = True
    cand.failed_logins = 0
    cand.locked_until = None
    close_all_sessions(cand.id)
    return one_time


# --- catalogue guards ----------------------------------------------------------------------------

def check_capacity(site_id: int | None, capacity) -> None:
    """考点容量 can never go below the seats already taken."""
    if capacity is None or capacity < 0:
        raise DomainError("容量必须是不小于0的整数。", "capacity")
    if site_id is None:
        return
    taken = db.session.scalar(select(Site.taken).where(Site.id == site_id)) or 0
    if capacity < taken:
        raise DomainError(f"容量不能小于已报名占用的座位数（{taken}）。", "capacity")


def set_site_capacity(user, site_id: int, capacity: int) -> None:
    """Change a capacity atomically: the WHERE clause re-checks ``taken`` at the moment of writing."""
    site = db.session.get(Site, site_id)
    if site is None or not scope.can_manage_region(user, site.region_id):
        raise NotAllowed("没有找到该考点，或不在您的管理范围内。")
    before = site.capacity
    check_capacity(site_id, capacity)
    done = db.session.execute(text("UPDATE sites SET capacity = :c WHERE id = :id AND taken <= :c"),
                              {"c": capacity, "id": site_id}).rowcount
    if done != 1:
        raise DomainError("容量不能小于已报名占用的座位数。", "capacity")
    db.session.refresh(site)
    audit.record("site.capacity.changed", obj=site, before={"capacity": before},
                 after={"capacity": capacity}, **_actor(user))


# --- staff passwords -------------------------------------------------------------------------------

STAFF_PASSWORD_MIN = 12


def staff_password_problem(password: str) -> str | None:
    """None for a strong staff password, else one Chinese sentence saying what is missing."""
    password = password or ""
    if len(password) < STAFF_PASSWORD_MIN:
        return f"考务人员密码至少{STAFF_PASSWORD_MIN}位。"
    kinds = sum(bool(re.search(p, password)) for p in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"))
    if kinds < 3:
        return "考务人员密码须包含大写字母、小写字母、数字、符号中的至少三类。"
    if len(set(password)) < 6:
        return "密码重复字符过多，请换一个不易被猜到的密码。"
    return None


# --- identity check at the counter (身份核验后重置密码) ------------------------------------------------
#
# A candidate who forgot both password and recovery answer brings the original identity document to the
# local examination authority, whether or not they have registered in that region. The staff member types
# document type, the FULL number and the name from the original; only an exact match of all three names a
# candidate, and only for that staff session and only for one password reset (the grant, a column of the
# staff session's row, expires after IDENTITY_GRANT_SECONDS). Each lookup is audited with the number
# masked and limited per staff user, so the form cannot be used to find out who has an account.

IDENTITY_CHECK_ROLES = (scope.NATIONAL_ADMIN, scope.REGION_ADMIN)
IDENTITY_GRANT_SECONDS = 15 * 60
IDENTITY_NOT_FOUND = "未找到与证件信息一致的考生"
IDENTITY_CHECKED_ACTION = "candidate.identity.checked"


def may_check_identity(user) -> bool:
    return bool(scope.role_names(user) & set(IDENTITY_CHECK_ROLES))


def _identity_limit_key(user) -> str:
    return f"staff-identity-check:{user.id}:{user.username}"


def identity_lookup(user, doc_type: str | None, doc_number: str | None, name: str | None) -> Candidate:
    """The candidate whose document type, full document number and name all match exactly, else
    DomainError(IDENTITY_NOT_FOUND). Audited (number masked) and rate limited per staff user; the caller
    commits, also on a miss (the audit entry must stay)."""
    if not may_check_identity(user):
        raise NotAllowed("您的角色不能进行身份核验。")
    doc_type = (doc_type or "").strip()
    number = normalise_document(doc_number)
    name = (name or "").strip()
    c = Checker()
    c(check_choice, doc_type, "doc_type", "证件类型", DOC_TYPES)
    if not number:
        c.errors["doc_number"] = "请填写证件原件上的完整证件号码。"
    if not name:
        c.errors["name"] = "请填写证件上的姓名。"
    if c.errors:
        raise FieldErrors(c.errors)
    facts = {"doc_type": doc_type, "doc_number": audit.mask_document(number)}
    limit = ratelimit.Limit.parse(current_app.config["IDENTITY_CHECK_RATE_LIMIT"])
    if not ratelimit.hit(_identity_limit_key(user), limit):
        audit.record(IDENTITY_CHECKED_ACTION, object_type="candidates", after={**facts, "result": "rate_limited"},
                     **_actor(user))
        raise DomainError("身份核验查询过于频繁，请一小时后再试。")
    cand = db.session.scalar(select(Candidate).where(Candidate.doc_type == doc_type,
                                                     Candidate.doc_number == number, Candidate.name == name))
    audit.record(IDENTITY_CHECKED_ACTION, obj=cand, object_type=None if cand else "candidates",
                 after={**facts, "result": "found" if cand else "not_found"}, **_actor(user))
    if cand is None:
        raise DomainError(IDENTITY_NOT_FOUND)
    return cand


def identity_grant(user, candidate_id: int, session_token: str | None) -> None:
    """After a match: this staff session may reset this candidate's password once, for a short while. The
    grant is a column of the session's row (server-side), never in the cookie (caller commits)."""
    staff_sessions.grant_identity(session_token, user.id, candidate_id,
                                  utcnow() + timedelta(seconds=IDENTITY_GRANT_SECONDS))


def grant_allows(session_token: str | None, user, candidate_id: int) -> bool:
    return may_check_identity(user) and staff_sessions.has_identity_grant(session_token, user.id, candidate_id)


def reset_after_identity_check(user, candidate_id: int, reason: str | None, session_token: str | None) -> str:
    """密码重置 for a candidate found by ``identity_lookup`` (possibly outside the user's scope): only with
    the grant, which this uses up (one conditional UPDATE: a replayed or concurrent second reset fails);
    the audit entry says the identity was checked in person and by whom."""
    reason = _reason(reason)
    if not may_check_identity(user) or not staff_sessions.use_identity_grant(session_token, user.id,
                                                                             candidate_id):
        raise NotAllowed("请先进行身份核验。")
    cand = db.session.get(Candidate, candidate_id)
    if cand is None:
        raise NotAllowed("没有找到该考生。")
    one_time = _new_one_time_password(cand)
    entry = audit.record("candidate.password.reset_by_staff", obj=cand,
                         after={"reason": reason, "identity": "identity checked in person",
                                "checked_by": user.username}, **_actor(user))
    _tell_reset(cand, entry)
    return one_time


def _tell_reset(cand: Candidate, entry) -> None:
    """The candidate hears of the reset (消息中心, e-mail, SMS) in the reset's transaction."""
    db.session.flush()
    notify_events.password_reset(cand.id, entry.id)
