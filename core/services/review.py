"""现场资格审核: the on-site qualification review of a submitted registration.

The reviewer compares the frozen application with the current profile and the originals, ticks (verifies)
each education, training and certificate entry the registration uses — a verified entry is trusted for
later exams and never editable by the candidate again — then approves, or rejects with a reason the
candidate sees. Every step checks the reviewer's scope and the registration's state again, row by row,
and is audited.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from core import eligibility
from core.db import db, utcnow
from core.models import Registration, RegistrationEntry
from core.models.candidate import ENTRY_LABELS, ENTRY_MODELS
from core.registration import lifecycle
from core.registration.states import REVIEWABLE
from core.services import audit, scope
from core.services.errors import DomainError, NotAllowed

REASON_MAX = 500


def _actor(user) -> dict:
    return dict(actor_type="staff", actor_id=user.id, actor_name=user.username)


def registration_for_review(user, registration_id: int) -> Registration:
    """The registration, if the user's scope covers it; NotAllowed otherwise (shown as 404)."""
    reg = db.session.get(Registration, registration_id)
    if reg is None or not scope.can_see_registration(user, reg):
        raise NotAllowed("没有找到该报名，或不在您的审核范围内。")
    return reg


def used_entries(reg: Registration) -> dict[str, list]:
    """The education, training and certificate entries the registration uses, by kind."""
    out: dict[str, list] = {kind: [] for kind in ENTRY_MODELS}
    for entry in reg.entries:
        for kind, model in ENTRY_MODELS.items():
            entry_id = getattr(entry, f"{kind}_id")
            if entry_id:
                out[kind].append(db.session.get(model, entry_id))
    return out


def verdict(reg: Registration) -> list:
    """The eligibility findings, by the same rules as the portal's (core.eligibility)."""
    return eligibility.check(reg)


def verify_entry(user, registration_id: int, kind: str, entry_id: int) -> None:
    """Tick one entry the registration uses: verified (its state for good), with who and when (caller commits)."""
    reg = registration_for_review(user, registration_id)
    if reg.status not in REVIEWABLE:
        raise DomainError("只能核验已提交或已审核通过的报名所用的经历。")
    model = ENTRY_MODELS.get(kind)
    column = getattr(RegistrationEntry, f"{kind}_id", None) if model else None
    if model is None or column is None:
        raise DomainError("未知的经历类型。")
    used = db.session.scalar(select(RegistrationEntry.id)
                             .where(RegistrationEntry.registration_id == reg.id, column == entry_id))
    if used is None:
        raise NotAllowed(f"该{ENTRY_LABELS[kind]}不是本次报名所用的条目。")
    entry = db.session.get(model, entry_id)
    if entry.state == "verified":
        return
    before = {"state": entry.state}
    entry.verified_by_id, entry.verified_at = user.id, utcnow()
    audit.record(f"{kind}.verified", obj=entry, before=before,
                 after={"state": "verified", "registration_id": reg.id}, **_actor(user))


def approve(user, registration_id: int) -> Registration:
    """审核通过: the ``approve`` transition, only in scope (caller commits)."""
    reg = registration_for_review(user, registration_id)
    lifecycle.transition(reg, "approve", lifecycle.Actor.staff(user))
    return reg


def reject(user, registration_id: int, reason: str | None) -> Registration:
    """审核不通过 with a reason the candidate sees: the ``reject`` transition (seat released, unverified
    entries unlocked, a refund requested if it was paid), only in scope (caller commits)."""
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise DomainError("请填写审核不通过的原因（考生将看到此原因）。", "reason")
    if len(reason) > REASON_MAX:
        raise DomainError(f"原因最多{REASON_MAX}个字符。", "reason")
    reg = registration_for_review(user, registration_id)
    lifecycle.transition(reg, "reject", lifecycle.Actor.staff(user), reason=reason)
    return reg


@dataclass
class BulkResult:
    approved: list[str] = field(default_factory=list)  # registration numbers
    refused: list[str] = field(default_factory=list)  # one sentence per refused row


def bulk_approve(user, registration_ids: list[int]) -> BulkResult:
    """批量审核通过: each row is checked again (scope, state); one refusal never stops the others."""
    result = BulkResult()
    for rid in sorted(set(registration_ids)):
        try:
            with db.session.begin_nested():
                reg = approve(user, rid)
            result.approved.append(reg.number)
        except NotAllowed:
            result.refused.append(f"编号 {rid}：不在您的审核范围内。")
        except DomainError as exc:
            result.refused.append(exc.message)
    return result
