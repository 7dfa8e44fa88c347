"""后台任务: long work runs outside the web request, the same code on every backend.

A job is a row in ``jobs`` (core.models.jobs.Job) plus a handler registered under its ``kind``.
``enqueue`` writes the row and hands its id to a backend:

* ``celery``  — production: a Celery worker (Redis broker, core/celery.py) calls ``run_job``;
* ``thread``  — the zero-set-up default: a thread of the web process calls ``run_job``;
* ``inline``  — runs before ``enqueue`` returns (scripts and tests).

Progress and failures live in the row, so the owner's job page reads the same thing whichever
backend ran it. Handlers live with the feature they serve (reports.tasks ...) and register here.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from flask import Flask, current_app
from sqlalchemy import select, update

from core.db import db, utcnow
from core.models.jobs import Job
from core.services.errors import DomainError

log = logging.getLogger(__name__)

GENERIC_FAILURE = "任务执行失败，请稍后重试；如仍失败请联系管理员。"


@dataclass
class JobResult:
    """What a finished job leaves: a file under EXPORT_DIR (optional) and a line for its owner."""

    path: Path | None = None
    name: str | None = None  # download file name
    message: str | None = None


class JobContext:
    """Given to a handler: where to write its file and how to report progress."""

    def __init__(self, job: Job, export_dir: Path):
        self.job_id = job.id
        self.kind = job.kind
        self.owner_type = job.owner_type
        self.owner_id = job.owner_id
        self.export_dir = export_dir
        self._last = -1

    def output_path(self, suffix: str) -> Path:
        """The job's file, created empty with mode 0600 in a 0700 folder: exports hold full document
        numbers, so nobody but the platform's own user reads them (writers truncate it, keeping the mode)."""
        self.export_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.export_dir, 0o700)
        path = self.export_dir / f"job-{self.job_id}{suffix}"
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        os.chmod(path, 0o600)
        return path

    def progress(self, percent: float, message: str | None = None) -> None:
        """Record progress (0-99 while running). Written on its own connection, so it is visible at
        once and never commits or disturbs the handler's own transaction."""
        value = max(0, min(99, int(percent)))
        if value == self._last and message is None:
            return
        self._last = value
        values: dict[str, Any] = {"progress": value, "updated_at": utcnow()}
        if message is not None:
            values["message"] = message
        with db.engine.begin() as conn:
            conn.execute(update(Job).where(Job.id == self.job_id).values(**values))


Handler = Callable[[JobContext, dict], JobResult | None]
HANDLERS: dict[str, Handler] = {}


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that does the work of jobs of this kind."""

    def register(func: Handler) -> Handler:
        HANDLERS[kind] = func
        return func

    return register


def enqueue(kind: str, *, owner_type: str, owner_id: int | None, params: dict | None = None,
            message: str | None = None, backend: str | None = None,
            on_created: Callable[[Job], None] | None = None) -> Job:
    """Write the job row (committed) and start it on the configured backend.

    ``on_created(job)`` runs before the commit, e.g. to add the audit entry in the same transaction."""
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job(kind=kind, owner_type=owner_type, owner_id=owner_id, params=params or {},
              state="queued", progress=0, message=message or "已加入任务队列，请稍候。")
    db.session.add(job)
    if on_created is not None:
        db.session.flush()
        on_created(job)
    db.session.commit()
    dispatch(job.id, backend)
    return job


def configured_backend() -> str:
    cfg = current_app.config
    return cfg["JOB_BACKEND"] or ("celery" if cfg["REDIS_URL"] else "thread")


def dispatch(job_id: int, backend: str | None = None) -> None:
    backend = backend or configured_backend()
    if backend == "celery":
        from core.celery import send_job  # Celery is imported only when used
        send_job(job_id)
    elif backend == "thread":
        app = current_app._get_current_object()
        threading.Thread(target=_run_in_app, args=(app, job_id), name=f"job-{job_id}",
                         daemon=True).start()
    elif backend == "inline":
        run_job(job_id)
    else:
        raise ValueError(f"JOB_BACKEND must be celery, thread or inline, not {backend!r}")


def _run_in_app(app: Flask, job_id: int) -> None:
    with app.app_context():
        try:
            run_job(job_id)
        finally:
            db.session.remove()


def run_job(job_id: int) -> str | None:
    """Run one queued job to its end (done or failed); returns the final state.

    The row is claimed with a conditional UPDATE, so a job handed out twice still runs once.
    """
    claimed = db.session.execute(
        update(Job).where(Job.id == job_id, Job.state == "queued")
        .values(state="running", started_at=utcnow(), updated_at=utcnow(), message="正在处理……"))
    db.session.commit()
    if claimed.rowcount != 1:
        return None
    job = db.session.get(Job, job_id)
    handler = HANDLERS.get(job.kind)
    ctx = JobContext(job, Path(current_app.config["EXPORT_DIR"]))
    params = dict(job.params or {})
    try:
        if handler is None:
            raise DomainError("系统无法识别该任务类型。")
        result = handler(ctx, params) or JobResult()
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        _remove_outputs(ctx)
        return _finish(job_id, "failed", exc.message)
    except Exception:  # noqa: BLE001 - any crash ends as a visible failure, never a silent hang
        db.session.rollback()
        log.exception("job %s (%s) failed", job_id, job.kind)
        _remove_outputs(ctx)
        return _finish(job_id, "failed", GENERIC_FAILURE)
    export_dir = Path(current_app.config["EXPORT_DIR"])
    relative = str(result.path.relative_to(export_dir)) if result.path else None
    return _finish(job_id, "done", result.message or "已完成。", result_path=relative,
                   result_name=result.name)


def _remove_outputs(ctx: JobContext) -> None:
    """A failed job leaves no half-written file (exports hold personal data)."""
    for path in ctx.export_dir.glob(f"job-{ctx.job_id}.*"):
        path.unlink(missing_ok=True)


def _finish(job_id: int, state: str, message: str, **values) -> str:
    progress = {"progress": 100} if state == "done" else {}
    db.session.execute(update(Job).where(Job.id == job_id).values(
        state=state, message=message, finished_at=utcnow(), updated_at=utcnow(), **progress,
        **values))
    db.session.commit()
    return state


def job_for_owner(job_id: int, owner_type: str, owner_id: int) -> Job | None:
    """The job if it belongs to this owner, else None (the caller answers 404)."""
    return db.session.scalar(select(Job).where(Job.id == job_id, Job.owner_type == owner_type,
                                               Job.owner_id == owner_id))


def jobs_of_owner(owner_type: str, owner_id: int, limit: int = 20) -> list[Job]:
    return list(db.session.scalars(select(Job).where(Job.owner_type == owner_type,
                                                     Job.owner_id == owner_id)
                                   .order_by(Job.id.desc()).limit(limit)))


def result_file(job: Job) -> Path | None:
    """Absolute path of a finished job's file, if it still exists and lies inside EXPORT_DIR."""
    if job.state != "done" or not job.result_path:
        return None
    base = Path(current_app.config["EXPORT_DIR"]).resolve()
    path = (base / job.result_path).resolve()
    return path if path.is_relative_to(base) and path.is_file() else None


def status(job: Job) -> dict[str, Any]:
    """The job as its owner's page polls it (JSON)."""
    return {"id": job.id, "kind": job.kind, "state": job.state, "state_label": job.state_label,
            "progress": job.progress, "message": job.message, "finished": job.finished,
            "has_file": job.state == "done" and bool(job.result_path)}


def wait_for(job_id: int, timeout: float = 30.0, interval: float = 0.05) -> Job:
    """Poll until the job has finished (scripts and tests)."""
    deadline = time.monotonic() + timeout
    while True:
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        if job.finished or time.monotonic() > deadline:
            return job
        db.session.rollback()
        time.sleep(interval)


# --- periodic system jobs (Celery beat in production; `flask payments ...` from cron otherwise) ----

@job_handler("payments.reconcile")
def _reconcile_payments(ctx: JobContext, params: dict) -> JobResult:
    """对账: orders pending too long are checked with the gateway (core.payments.service)."""
    from core.payments.service import reconcile
    counts = reconcile()
    return JobResult(message=f"对账完成：确认已缴费 {counts['paid']} 笔，关闭未支付 {counts['closed']} 笔，"
                             f"仍待确认 {counts['pending']} 笔，网关无应答 {counts['error']} 笔。")


@job_handler("payments.expire")
def _expire_unpaid(ctx: JobContext, params: dict) -> JobResult:
    """逾期未缴费: registrations unpaid after the region's deadline expire; their seats come back."""
    from core.payments.service import expire_unpaid
    return JobResult(message=f"逾期未缴费处理完成：{expire_unpaid()} 条报名已失效，考位已释放。")


@job_handler("review.lapse_corrections")
def _lapse_corrections(ctx: JobContext, params: dict) -> JobResult:
    """逾期未补正: 网上审核 cases whose 补正 deadline passed go back to the reviewer (core.documents.review)."""
    from core.documents.review import lapse_overdue, remind_due
    reminded = remind_due()
    return JobResult(message=f"逾期未补正处理完成：{lapse_overdue()} 条报名已退回审核人员；"
                             f"{reminded} 条即将截止的补正已提醒。")


def fail_stale_jobs(older_than_minutes: int = 60) -> int:
    """Jobs left 'running' by a process that died (a thread backend restarted) end as failed."""
    from datetime import timedelta
    cutoff = utcnow() - timedelta(minutes=older_than_minutes)
    result = db.session.execute(update(Job).where(Job.state == "running", Job.updated_at < cutoff).values(
        state="failed", message="任务因服务重启而中断，请重新提交。", finished_at=utcnow(), updated_at=utcnow()))
    db.session.commit()
    return result.rowcount


def purge_results(older_than_days: int = 7) -> int:
    """Delete the files of jobs finished more than N days ago (exports hold personal data)."""
    from datetime import timedelta
    cutoff = utcnow() - timedelta(days=older_than_days)
    old = db.session.scalars(select(Job).where(Job.result_path.is_not(None), Job.finished_at < cutoff)).all()
    base = Path(current_app.config["EXPORT_DIR"]).resolve()
    for job in old:
        path = (base / job.result_path).resolve()
        if path.is_relative_to(base):
            path.unlink(missing_ok=True)
        job.result_path = None
        job.message = (job.message or "") + "（文件已过保存期限并删除）"
    db.session.commit()
    return len(old)
