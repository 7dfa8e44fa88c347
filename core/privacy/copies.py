"""个人信息副本 (PIPL Art. 45): a candidate asks for a copy of everything held about them; a background job
(kind ``privacy.copy``, its handler in ``reports/privacy_copy.py``) writes it; only that candidate downloads
it, within ``COPY_VALID``; asking, and each download, are audited.

Asked twice (a double click, a second tab) while a copy is being made or still offered: the same job.
The candidate's row is locked while looking, so two requests at once make one job.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from core import jobs
from core.db import db, utcnow
from core.models import Candidate, Job
from core.services import audit
from core.services.errors import DomainError, NotAllowed

COPY_JOB = "privacy.copy"
COPY_VALID = timedelta(days=3)
MAKING_PDF = "正在生成PDF……"
READY = "个人信息副本已生成，请在下载期限内下载。"
NO_ACCOUNT = "账户不存在或已注销。"
NOT_READY = "副本仍在准备中，请稍后刷新页面。"
EXPIRED = "该副本已过下载期限并已删除，请重新申请。"


def expires_at(job: Job) -> datetime | None:
    return job.finished_at + COPY_VALID if job.state == "done" and job.finished_at else None


def offered(job: Job, now: datetime | None = None) -> bool:
    """Still downloadable: done, within its time, and its file still there."""
    end = expires_at(job)
    return end is not None and (now or utcnow()) < end and jobs.result_file(job) is not None


def latest(candidate_id: int) -> Job | None:
    return db.session.scalar(select(Job).where(Job.kind == COPY_JOB, Job.owner_type == "candidate",
                                               Job.owner_id == candidate_id).order_by(Job.id.desc()).limit(1))


def request_copy(cand: Candidate) -> tuple[Job, bool]:
    """(job, new): the copy being made or still offered, else a new job (audited with it)."""
    db.session.execute(select(Candidate.id).where(Candidate.id == cand.id).with_for_update())
    job = latest(cand.id)
    if job is not None and (not job.finished or offered(job)):
        db.session.commit()
        return job, False

    def audited(new: Job) -> None:
        audit.record("candidate.privacy.copy_requested", actor_type="candidate", actor_id=cand.id,
                     actor_name=cand.username, obj=new)

    return jobs.enqueue(COPY_JOB, owner_type="candidate", owner_id=cand.id, on_created=audited,
                        message="正在准备您的个人信息副本。"), True


def file_for_download(cand: Candidate, job_id: int) -> tuple[Path, str]:
    """The copy's file for its owner, audited; another's job or a missing one: NotAllowed (a 404)."""
    job = jobs.job_for_owner(job_id, "candidate", cand.id)
    if job is None or job.kind != COPY_JOB:
        raise NotAllowed("无权访问。")
    if not job.finished:
        raise DomainError(NOT_READY)
    if not offered(job):
        raise DomainError(EXPIRED)
    audit.record("candidate.privacy.copy_downloaded", actor_type="candidate", actor_id=cand.id,
                 actor_name=cand.username, obj=job)
    db.session.commit()
    return jobs.result_file(job), job.result_name
