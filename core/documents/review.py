"""网上资格审核, the reviewer's side and the 补正 loop.

Per document: 通过, or 需补正 with reason codes and a note. Per registration: 通过, 需补正 (with the deadline of
the region's rule) or 不通过 — each a lifecycle transition guarded by the ``review_version`` the reviewer saw,
so of two reviewers deciding one case at once the second is refused (StaleState, nothing changed), and a
decision on a case that changed meanwhile (a 补正 arrived) is refused too. Scope is checked on every call
(core.services.review.registration_for_review). The candidate's 补正 is ``resubmit``; a 补正 not made by the
deadline is ``lapse_overdue`` (a scheduled system job): the case returns to the reviewer as 逾期未补正.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from core.db import db, utcnow
from core.documents import modes
from core.documents.service import links_of
from core.messages import Msg
from core.models import Document, Region, Registration, RegistrationDocument, Site
from core.models.documents import REASONS
from core.notify import events as notify_events
from core.registration import lifecycle
from core.registration.access import own_registration
from core.registration.errors import StaleState
from core.registration.states import CORRECTION, STATUS_LABELS, UNDER_REVIEW
from core.services import audit, scope
from core.services.errors import DomainError, NotAllowed
from core.services.review import registration_for_review

NOTE_MAX = 500
DECISIONS = ("approve", "request_correction", "reject")


def online_case(user, registration_id: int) -> Registration:
    reg = registration_for_review(user, registration_id)
    if not reg.online_review:
        raise NotAllowed("该报名不是网上资格审核。")
    return reg


def _link(reg: Registration, link_id: int) -> RegistrationDocument:
    link = db.session.get(RegistrationDocument, link_id)
    if link is None or link.registration_id != reg.id:
        raise NotAllowed("没有找到该材料。")
    return link


def _staff(user) -> dict:
    return dict(actor_type="staff", actor_id=user.id, actor_name=user.username)


def judge_document(user, registration_id: int, link_id: int, verdict: str, reasons: list[str],
                   note: str | None) -> RegistrationDocument:
    """通过 or 需补正 (at least one reason; 其他 needs a note) for one document; caller commits."""
    reg = online_case(user, registration_id)
    if reg.status not in UNDER_REVIEW:
        raise DomainError(Msg("报名当前状态为“%(status)s”，不能审核材料。", status=STATUS_LABELS[reg.status]))
    link = _link(reg, link_id)
    note = (note or "").strip()
    reasons = sorted(set(reasons or ()))
    if verdict not in ("passed", "correction"):
        raise DomainError("请选择“通过”或“需补正”。", "verdict")
    if len(note) > NOTE_MAX:
        raise DomainError(f"说明最多{NOTE_MAX}个字符。", "note")
    if verdict == "correction":
        if not reasons or any(r not in REASONS for r in reasons):
            raise DomainError("需补正时请至少选择一个原因。", "reasons")
        if "other" in reasons and not note:
            raise DomainError("选择“其他”原因时请填写说明（考生将看到）。", "note")
    else:
        reasons, note = [], note
    before = {"verdict": link.verdict}
    done = db.session.execute(
        update(RegistrationDocument)
        .where(RegistrationDocument.id == link.id, RegistrationDocument.document_id == link.document_id)
        .values(verdict=verdict, reasons=reasons or None, note=note or None, reviewed_by_id=user.id,
                reviewed_at=utcnow())
        .execution_options(synchronize_session="fetch")).rowcount
    if done != 1:
        raise StaleState("考生刚刚更换了该材料，请刷新页面后再审核。")
    audit.record("document.reviewed", **_staff(user), obj=link, before=before,
                 after={"verdict": verdict, "reasons": reasons, "registration_id": reg.id, "slot": link.slot})
    return link


def decide(user, registration_id: int, decision: str, version: int, reason: str | None = None) -> Registration:
    """The whole case: approve / request_correction / reject, as the reviewer saw it (``version``)."""
    if decision not in DECISIONS:
        raise DomainError("未知的审核结论。")
    reg = online_case(user, registration_id)
    reason = (reason or "").strip()
    if len(reason) > NOTE_MAX:
        raise DomainError(f"说明最多{NOTE_MAX}个字符。", "reason")
    links = links_of(reg.id)
    values = {"review_version": version + 1}
    if decision == "approve":
        open_ = [lk.label for lk in links if lk.verdict != "passed"]
        if open_:
            raise DomainError(Msg("以下材料尚未审核通过：%(names)s。", names="、".join(open_)), "decision")
        values["correction_deadline"] = None
    elif decision == "request_correction":
        if not any(lk.verdict == "correction" for lk in links) and len(reason) < 2:
            raise DomainError("需补正时请至少将一份材料标为“需补正”，或写明需要修改的内容。", "reason")
        values["correction_deadline"] = modes.correction_deadline(modes.mode_for(reg.region_id, reg.exam_year_id))
    elif len(reason) < 2:
        raise DomainError("请填写审核不通过的原因（考生将看到此原因）。", "reason")
    lifecycle.transition(reg, decision, lifecycle.Actor.staff(user), values=values, reason=reason or None,
                         expect={"review_version": version},
                         detail={"deadline": values.get("correction_deadline") and
                                 values["correction_deadline"].isoformat()})
    if decision == "approve":
        _verify_entries(user, reg)
    return reg


def _verify_entries(user, reg: Registration) -> None:
    """通过 online: the entries used get the verification tick, as on site."""
    from core.services.review import used_entries, verify_entry
    for kind, entries in used_entries(reg).items():
        for entry in entries:
            verify_entry(user, reg.id, kind, entry.id)


def view_original(user, registration_id: int, link_id: int) -> Document:
    """A full-size document for a reviewer in scope: audited (caller commits)."""
    reg = online_case(user, registration_id)
    link = _link(reg, link_id)
    audit.record("document.viewed", **_staff(user), obj=link.document,
                 after={"registration_id": reg.id, "slot": link.slot})
    return link.document


def thumbnail_key(user, link_id: int) -> str:
    """The storage key of the thumbnail of a document of a 网上审核 case in the user's scope: one query
    joining the link, its case (and the staff scope, core.services.scope.scope_condition) and the document,
    reading only the key. NotAllowed otherwise. Not audited: thumbnails are not full-size views."""
    key = db.session.scalar(
        select(Document.thumb_key).select_from(RegistrationDocument)
        .join(Registration, Registration.id == RegistrationDocument.registration_id)
        .join(Document, Document.id == RegistrationDocument.document_id)
        .where(RegistrationDocument.id == link_id, Registration.online_review.is_(True),
               scope.scope_condition(user, Registration.region_id, Registration.site_id)))
    if key is None:
        raise NotAllowed("没有找到该材料，或不在您的审核范围内。")
    return key


def document_for_staff(user, registration_id: int, link_id: int) -> Document:
    """A thumbnail or page of a document of a case in scope (not audited: the full-size view is)."""
    return _link(online_case(user, registration_id), link_id).document


# --- the candidate's 补正 ---------------------------------------------------------------------------

def to_correct(reg: Registration) -> list[RegistrationDocument]:
    """What the candidate must still replace (需补正 and not replaced yet)."""
    return [lk for lk in links_of(reg.id) if lk.verdict == "correction"]


def resubmit(candidate, registration_id: int) -> Registration:
    """补正后提交: every document marked 需补正 replaced, before the deadline; commits."""
    reg = own_registration(candidate, registration_id)
    if reg.status != CORRECTION:
        raise DomainError(Msg("报名当前状态为“%(status)s”，无需补正。", status=STATUS_LABELS[reg.status]))
    if reg.correction_deadline and modes.today() > reg.correction_deadline:
        raise DomainError("补正期限已过，不能再提交补正。审核人员将按未补正处理。")
    left = to_correct(reg)
    if left:
        raise DomainError(Msg("请先更换以下需补正的材料：%(names)s。", names="、".join(lk.label for lk in left)),
                          "document")
    lifecycle.transition(reg, "resubmit", lifecycle.Actor.candidate(candidate),
                         values={"review_version": reg.review_version + 1},
                         expect={"review_version": reg.review_version})
    db.session.commit()
    return reg


REMIND_DAYS_BEFORE = 2


def remind_due() -> int:
    """The scheduled job's other half: 补正 cases due within REMIND_DAYS_BEFORE days are reminded once."""
    today = modes.today()
    regs = db.session.scalars(select(Registration).where(
        Registration.status == CORRECTION, Registration.correction_deadline >= today,
        Registration.correction_deadline <= today + timedelta(days=REMIND_DAYS_BEFORE))).all()
    for reg in regs:
        notify_events.correction_reminder(reg)
    db.session.commit()
    return len(regs)


def lapse_overdue() -> int:
    """The scheduled job: cases whose 补正 deadline passed go back to the reviewer as 逾期未补正."""
    today = modes.today()
    ids = db.session.scalars(select(Registration.id).where(Registration.status == CORRECTION,
                                                           Registration.correction_deadline < today)).all()
    done = 0
    for rid in ids:
        reg = db.session.get(Registration, rid)
        try:
            lifecycle.transition(reg, "lapse_correction", lifecycle.SYSTEM_ACTOR,
                                 values={"review_version": reg.review_version + 1})
            db.session.commit()
            done += 1
        except StaleState:  # resubmitted a moment ago
            db.session.rollback()
    return done


# --- progress for the authority ----------------------------------------------------------------------

# the states a 网上审核 case passes through, in the authority's words (a submitted case is 待审核 here)
PROGRESS_LABELS = {"submitted": "待审核", "correction": "待补正", "corrected": "已补正待复审",
                   "lapsed": "逾期未补正待复审", "approved": "通过", "rejected": "不通过"}


@dataclass
class ProgressRow:
    region: str
    site: str  # empty on a region's total
    counts: dict[str, int]
    oldest_waiting: datetime | None  # the case waiting longest for a reviewer (待审核, 已补正/逾期未补正待复审)


def progress_rows(where, exam_year_id: int | None = None, session=None) -> list[ProgressRow]:
    """Per site: 网上审核 cases by state and the oldest one waiting for a reviewer, for the registrations
    ``where`` admits (a staff user's scope, or a report's ``ReportScope``); one grouped query. ``session``:
    the reports session (read replica) for the statistics export, the primary otherwise."""
    clauses = [Registration.online_review.is_(True), where]
    if exam_year_id:
        clauses.append(Registration.exam_year_id == exam_year_id)
    rows = (session or db.session).execute(
        select(Region.name, Site.id, Site.name, Registration.status, func.count(Registration.id),
               func.min(Registration.updated_at))
        .join(Site, Site.id == Registration.site_id).join(Region, Region.id == Site.region_id)
        .where(*clauses).group_by(Region.code, Region.name, Site.id, Site.code, Site.name, Registration.status)
        .order_by(Region.code, Site.code)).all()
    out: dict[int, ProgressRow] = {}
    for region, site_id, site, status, count, oldest in rows:
        row = out.setdefault(site_id, ProgressRow(region, site, {}, None))
        row.counts[status] = count
        if status in UNDER_REVIEW and (row.oldest_waiting is None or oldest < row.oldest_waiting):
            row.oldest_waiting = oldest
    return list(out.values())


def progress(user, exam_year_id: int | None = None) -> list[ProgressRow]:
    """The back office's progress page: the sites in the user's scope."""
    return progress_rows(scope.registration_clause(user), exam_year_id)


def region_totals(sites: list[ProgressRow]) -> list[ProgressRow]:
    """The per-site rows added up per region (in their order), the oldest waiting case of all its sites."""
    out: dict[str, ProgressRow] = {}
    for row in sites:
        total = out.setdefault(row.region, ProgressRow(row.region, "", {}, None))
        for status, count in row.counts.items():
            total.counts[status] = total.counts.get(status, 0) + count
        if row.oldest_waiting and (total.oldest_waiting is None or row.oldest_waiting < total.oldest_waiting):
            total.oldest_waiting = row.oldest_waiting
    return list(out.values())
