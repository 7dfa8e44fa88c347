"""保存期限 (PIPL Art. 19, 47): how long each kind of personal data is kept, as data, and the job enforcing it.

``SCHEDULE`` is a registry: a kind (a row of the table) says what it covers, its period, what happens at its
end — ``delete``, ``deidentify`` (kept rows lose their personal fields), or ``review`` (only counted) — the
basis of the period (``source``: a law, the examination authority's rule, or the purpose of processing;
``confirmed`` is False while the period is this project's proposal awaiting the authority), which rows are due (``due(cutoff)``, rows past their period *not yet handled*) and
how to handle a batch of them. Other features add their kinds with ``retention_kind`` (document scans,
messages).

``enforce`` works kind by kind in batches of ``batch`` rows, committing each batch: a run killed half-way
has finished whole batches, and the next run starts with what is still due (a handled row is never due
again). ``due_counts`` is the dry run. Periods are counted from the row's last change (``updated_at``) or
the moment named in the kind.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import Select, case, delete, func, null, select, update

from core.db import db, utcnow
from core.jobs import JobContext, JobResult, job_handler, result_file
from core.documents import service as documents
from core.models import (AuditEntry, Candidate, Document, Job, Message, PaymentAttempt, Registration,
                         RegistrationEntry)
from core.registration.states import LIVE
from core.privacy.copies import COPY_JOB, COPY_VALID
from core.services import audit, photos

ACTIONS = {"delete": "删除", "deidentify": "去标识化", "review": "到期提醒（人工处理）"}
SOURCES = {"law": "法律法规", "authority": "考试管理机构的规定", "purpose": "处理目的所需"}
RETENTION_JOB = "privacy.retention"
YEAR = timedelta(days=365)


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    period: timedelta
    action: str  # one of ACTIONS
    basis: str  # why this long (shown in the back office and in docs/privacy.md)
    due: Callable[[datetime], Select]  # ids of rows past the cutoff and not yet handled, in id order
    apply: Callable[[list[int], datetime], None] | None  # handle these ids (the caller commits)
    source: str = "purpose"  # one of SOURCES: what the period rests on
    confirmed: bool = False  # False: this project's proposal, awaiting the examination centre's confirmation

    @property
    def period_text(self) -> str:
        days = self.period.days
        return f"{days // 365}年" if days >= 365 and days % 365 == 0 else f"{days}天"


SCHEDULE: dict[str, Kind] = {}


def retention_kind(kind: Kind) -> Kind:
    SCHEDULE[kind.key] = kind
    return kind


def due_counts(now: datetime | None = None) -> dict[str, int]:
    """试运行 (dry run): how many rows of each kind are due now; nothing changes."""
    now = now or utcnow()
    return {k.key: db.session.scalar(select(func.count()).select_from(k.due(now - k.period).subquery()))
            for k in SCHEDULE.values()}


def enforce(now: datetime | None = None, batch: int = 500) -> dict[str, int]:
    """Delete or de-identify what is due, batch by batch (each committed); {kind: rows handled}."""
    now = now or utcnow()
    done: dict[str, int] = {}
    for kind in SCHEDULE.values():
        done[kind.key] = 0
        if kind.apply is None:
            continue
        while ids := list(db.session.scalars(kind.due(now - kind.period).limit(batch))):
            kind.apply(ids, now)
            db.session.commit()
            done[kind.key] += len(ids)
    return done


@job_handler(RETENTION_JOB)
def _enforce_job(ctx: JobContext, params: dict) -> JobResult:
    counts = enforce()
    audit.record("privacy.retention.enforced", actor_type=ctx.owner_type if ctx.owner_type != "candidate"
                 else "system", actor_id=ctx.owner_id, object_type="jobs", object_id=ctx.job_id, after=counts)
    summary = "，".join(f"{SCHEDULE[k].label} {n} 条" for k, n in counts.items() if SCHEDULE[k].apply)
    return JobResult(message=f"保存期限执行完成：{summary}。")


# --- the schedule ---------------------------------------------------------------------------------

def _delete_drafts(ids: list[int], now: datetime) -> None:
    db.session.execute(delete(RegistrationEntry).where(RegistrationEntry.registration_id.in_(ids)))
    db.session.execute(delete(Registration).where(Registration.id.in_(ids), Registration.status == "draft"))


def _deidentify_registrations(ids: list[int], now: datetime) -> None:
    """The frozen snapshot (with its photo copy: `photos prune` removes the file), the draft's data and the
    reasons written about the person go; the registration's facts (exam, site, status, payment) stay."""
    db.session.execute(update(Registration).where(Registration.id.in_(ids)).values(
        snapshot=None, draft_data=None, reject_reason=None, abandoned_by=None, deidentified_at=now)
        .execution_options(synchronize_session=False))


retention_kind(Kind(
    "drafts", "从未提交的报名草稿", timedelta(days=180), "delete",
    "未提交即不构成报名：草稿只为当次报名填写，报名期结束后没有用途；180天覆盖一个报名季。",
    lambda cutoff: select(Registration.id).where(Registration.status == "draft", Registration.updated_at < cutoff)
    .order_by(Registration.id), _delete_drafts))

retention_kind(Kind(
    "ended", "放弃、审核不通过和逾期的报名", 2 * YEAR, "deidentify",
    "保留到下一考试年度结束，覆盖申请行政复议（60日，行政复议法第20条）和提起行政诉讼（6个月，行政诉讼法"
    "第46条）的期限，便于考生查询和申诉；期满去标识化，报名号、考区、缴费状态留作统计和财务核对。",
    lambda cutoff: select(Registration.id).where(
        Registration.status.in_(("abandoned", "rejected", "expired")), Registration.updated_at < cutoff,
        Registration.deidentified_at.is_(None)).order_by(Registration.id), _deidentify_registrations))

retention_kind(Kind(
    "approved", "审核通过的报名", 30 * YEAR, "deidentify", "考试档案由考试管理机构按档案管理规定保存；本项目暂定30年（与缴费凭证相同），待国家医学考试中心确认；"
    "期满去标识化，考试年度、类别、考区和结论留作统计。",
    lambda cutoff: select(Registration.id).where(
        Registration.status == "approved", Registration.updated_at < cutoff,
        Registration.deidentified_at.is_(None)).order_by(Registration.id), _deidentify_registrations,
    source="authority"))


def _delete_photos(ids: list[int], now: datetime) -> None:
    for cand in db.session.scalars(select(Candidate).where(Candidate.id.in_(ids))):
        path = photos.photo_file(cand)
        if path is not None:
            path.unlink(missing_ok=True)
        cand.photo_path, cand.photo_uploaded_at = None, None


def _photos_due(cutoff: datetime) -> Select:
    live = select(Registration.id).where(Registration.candidate_id == Candidate.id, Registration.status.in_(LIVE))
    return select(Candidate.id).where(
        Candidate.photo_path.is_not(None), func.coalesce(Candidate.last_login_at, Candidate.created_at) < cutoff,
        ~live.exists()).order_by(Candidate.id)


retention_kind(Kind(
    "photos", "照片（长期未登录且无进行中报名的账户）", 3 * YEAR, "delete",
    "照片只用于报名和资格审核；账户3年未使用且没有进行中的报名即删除（约一个考试周期，考生不再报考）；提交时的照片"
    "随报名的保存期限处理。", _photos_due, _delete_photos))

retention_kind(Kind(
    "payments", "缴费记录（支付请求的IP地址）", 30 * YEAR, "deidentify",
    "《会计档案管理办法》（财政部、国家档案局令第79号）附表：会计凭证保管30年；期满后去除可识别个人的IP地址，"
    "订单金额和状态留作财务统计。",
    lambda cutoff: select(PaymentAttempt.id).where(PaymentAttempt.created_at < cutoff, PaymentAttempt.ip.is_not(None))
    .order_by(PaymentAttempt.id),
    lambda ids, now: db.session.execute(update(PaymentAttempt).where(PaymentAttempt.id.in_(ids)).values(ip=None)),
    source="law", confirmed=True))

def _deidentify_audit(ids: list[int], now: datetime) -> None:
    """The one change the database permits on the audit log (migration 0012f): who (name, account id, IP), what
    was written (before/after) and which candidate go; when, the kind of actor, the action and the other
    objects (registrations, orders: de-identified by their own kinds) stay for statistics."""
    db.session.execute(update(AuditEntry).where(AuditEntry.id.in_(ids), AuditEntry.deidentified_at.is_(None))
                       .values(actor_id=None, actor_name=None, before=null(), after=null(), ip=None,
                               object_id=case((AuditEntry.object_type == "candidates", null()),
                                              else_=AuditEntry.object_id),
                               deidentified_at=now)
                       .execution_options(synchronize_session=False))


retention_kind(Kind(
    "audit", "审计日志", 30 * YEAR, "deidentify",
    "审计日志是报名、审核和缴费记录的证据，与这些记录保存同样长（30年）；法定下限6个月（网络安全法第21条，"
    "数据库拒绝更早的去标识化）。期满去除人员姓名、账户编号、IP和变更内容，保留时间和操作类型；除此之外日志不能修改。",
    lambda cutoff: select(AuditEntry.id).where(AuditEntry.at < cutoff, AuditEntry.deidentified_at.is_(None))
    .order_by(AuditEntry.id), _deidentify_audit))


def _delete_job_files(ids: list[int], now: datetime) -> None:
    for job in db.session.scalars(select(Job).where(Job.id.in_(ids))):
        path = result_file(job)
        if path is not None:
            path.unlink(missing_ok=True)
        job.result_path = None
        job.message = (job.message or "") + "（文件已过保存期限并删除）"


def _files_due(kinds_in: bool, days_kinds: tuple[str, ...]) -> Callable[[datetime], Select]:
    def due(cutoff: datetime) -> Select:
        kind = Job.kind.in_(days_kinds) if kinds_in else Job.kind.not_in(days_kinds)
        return select(Job.id).where(kind, Job.result_path.is_not(None), Job.finished_at < cutoff).order_by(Job.id)
    return due


retention_kind(Kind(
    "copies", "个人信息副本文件", COPY_VALID, "delete", "只供考生本人下载，3天下载期过后删除（告知书中写明）。",
    _files_due(True, (COPY_JOB,)), _delete_job_files))

retention_kind(Kind(
    "documents", "审核材料扫描件（网上资格审核）", 2 * YEAR, "delete",
    "审核材料只用于资格审核；保留到下一考试年度结束，便于复核和申诉，期满删除（审核结论随报名保存）。",
    lambda cutoff: select(Document.id).where(Document.created_at < cutoff).order_by(Document.id),
    lambda ids, now: documents.erase(ids)))

retention_kind(Kind(
    "messages", "通知消息（消息中心、电子邮件、短信）", 2 * YEAR, "delete",
    "通知只为告知当次事件；保留到下一考试年度结束，便于考生查阅，期满删除。",
    lambda cutoff: select(Message.id).where(Message.created_at < cutoff).order_by(Message.id),
    lambda ids, now: db.session.execute(delete(Message).where(Message.id.in_(ids)))))

retention_kind(Kind(
    "exports", "导出文件和批量打印文件", timedelta(days=7), "delete", "导出文件只为完成当次工作，7天后删除。",
    _files_due(False, (COPY_JOB,)), _delete_job_files))
