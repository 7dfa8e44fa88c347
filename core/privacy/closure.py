"""注销 (PIPL Art. 47): a candidate closes the account when no registration is in progress and no refund is pending.

Closing, in one transaction: drafts are deleted; the candidate's row stays (registrations and payments point to
it) with every personal field cleared or replaced (``deidentified_at``); the photo file is deleted; entries no
registration uses are deleted (those a kept registration uses stay with it); copy files are deleted; every
session ends. Registrations that ended, and payment records, are kept and handled by the retention schedule
(core/privacy/retention.py). The audit entry names no person: the log is append-only, and this entry is
about an account that no longer has a name.

"In progress": a submitted or approved registration of this exam year or a later one (the catalogue knows no
exam dates; a registration of a past year is over). A registration with a refund pending (退费处理中, or a
refund requested or failed) blocks until the refund is done.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import delete, exists, or_, select

from core.db import db, to_shanghai, utcnow
from core.jobs import result_file
from core.messages import Msg
from core.documents import service as documents
from core.models import (Candidate, Certificate, Document, Education, ExamYear, Job, KnownDevice, Message,
                         NotifySettings, PaymentOrder, Refund, Registration, RegistrationDocument,
                         RegistrationEntry, Training)
from core.privacy.copies import COPY_JOB
from core.registration.states import SUBMITTED_LIVE
from core.services import audit, passwords, photos
from core.services.errors import DomainError
from core.services.sessions import close_all_sessions
from core.validators import FieldErrors

REFUND_PENDING = "您有退费正在处理中。请在退费完成后再注销账户。"
WRONG_PASSWORD = "当前密码不正确。"
CONFIRM = "请勾选确认：注销后无法登录，也无法恢复。"
CLOSED_NAME = "已注销"


def refusal(cand: Candidate) -> str | None:
    """Why this account cannot be closed now, or None."""
    this_year = to_shanghai(utcnow()).year
    number = db.session.scalar(
        select(Registration.number).join(ExamYear, ExamYear.id == Registration.exam_year_id)
        .where(Registration.candidate_id == cand.id, Registration.status.in_(SUBMITTED_LIVE),
               ExamYear.year >= this_year).limit(1))
    if number:
        return Msg("您有进行中的报名（报名号 %(number)s）。请先放弃报考，或在考试结束后再注销账户。", number=number)
    own_orders = select(PaymentOrder.id).join(Registration).where(Registration.candidate_id == cand.id)
    pending = db.session.scalar(select(or_(
        exists().where(Registration.candidate_id == cand.id, Registration.payment_status == "refund_pending"),
        exists().where(Refund.order_id.in_(own_orders), Refund.status.in_(("requested", "failed"))))))
    return REFUND_PENDING if pending else None


def close_account(cand: Candidate, password: str | None, confirmed: str | None) -> dict[str, int]:
    """注销, or FieldErrors (password, confirmation) / DomainError (the reason it is refused). Commits."""
    errors = {}
    if not passwords.verify(cand.password_hash, password):
        errors["password"] = WRONG_PASSWORD
    if confirmed != "yes":
        errors["confirm"] = CONFIRM
    if errors:
        raise FieldErrors(errors)
    db.session.execute(select(Candidate.id).where(Candidate.id == cand.id).with_for_update())
    reason = refusal(cand)
    if reason:
        db.session.rollback()
        raise DomainError(reason)
    counts = _erase(cand)
    audit.record("candidate.account.closed", actor_type="candidate", actor_id=cand.id, actor_name=CLOSED_NAME,
                 obj=cand, after=counts)
    db.session.commit()
    return counts


def _erase(cand: Candidate) -> dict[str, int]:
    now = utcnow()
    drafts = [r for (r,) in db.session.execute(select(Registration.id).where(
        Registration.candidate_id == cand.id, Registration.status == "draft"))]
    db.session.execute(delete(RegistrationEntry).where(RegistrationEntry.registration_id.in_(drafts)))
    db.session.execute(delete(Registration).where(Registration.id.in_(drafts)))
    entries = 0
    for model, column in ((Education, RegistrationEntry.education_id), (Training, RegistrationEntry.training_id),
                          (Certificate, RegistrationEntry.certificate_id)):
        used = select(column).where(column.is_not(None))
        entries += db.session.execute(delete(model).where(model.candidate_id == cand.id, model.id.not_in(used))
                                      ).rowcount
    path = photos.photo_file(cand)
    if path is not None:
        path.unlink(missing_ok=True)
    for job in db.session.scalars(select(Job).where(Job.kind == COPY_JOB, Job.owner_type == "candidate",
                                                    Job.owner_id == cand.id, Job.result_path.is_not(None))):
        if (file := result_file(job)) is not None:
            file.unlink(missing_ok=True)
        job.result_path = None
    for model in (Message, KnownDevice, NotifySettings):  # notifications, devices, preferences: nothing to keep
        db.session.execute(delete(model).where(model.candidate_id == cand.id))
    documents.erase(list(db.session.scalars(select(Document.id).where(  # scans no kept registration used
        Document.candidate_id == cand.id, Document.id.not_in(select(RegistrationDocument.document_id))))))
    kept = db.session.scalar(select(db.func.count()).select_from(Registration).where(
        Registration.candidate_id == cand.id))
    _deidentify(cand, now)
    close_all_sessions(cand.id)
    return {"drafts_deleted": len(drafts), "entries_deleted": entries, "registrations_kept": kept}


def _deidentify(cand: Candidate, now) -> None:
    tag = f"closed{cand.id}"
    cand.username, cand.password_hash = tag, "!"  # "!" matches no password
    cand.name, cand.doc_number, cand.permit_number = CLOSED_NAME, tag, None
    cand.birth_date = date(1900, 1, 1)
    for field in ("recovery_question", "recovery_answer_hash", "mobile", "email", "address", "postcode",
                  "work_unit_id", "work_unit_name", "department", "title", "title_date", "post",
                  "employment_status", "practice_start", "photo_path", "photo_uploaded_at", "last_login_at",
                  "locked_until", "recovery_locked_until", "mobile_verified_at", "email_verified_at", "code_hash",
                  "code_channel", "code_purpose", "code_expires_at"):
        setattr(cand, field, None)
    cand.closed_at = cand.deidentified_at = now
