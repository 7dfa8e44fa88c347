"""Background jobs: the row tells the owner where the work stands, whichever backend runs it."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import redis

from core import jobs
from core.models import Job
from core.services.errors import DomainError

RELEASE = threading.Event()


@jobs.job_handler("test.write_file")
def _write_file(ctx: jobs.JobContext, params: dict) -> jobs.JobResult:
    for i in range(params.get("steps", 4)):
        ctx.progress(100 * i / params.get("steps", 4), f"第 {i + 1} 步")
    path = ctx.output_path(".txt")
    path.write_text(f"{params['text']} pid={os.getpid()}", encoding="utf-8")
    return jobs.JobResult(path=path, name="结果.txt", message="文件已生成。")


@jobs.job_handler("test.refuse")
def _refuse(ctx, params):
    raise DomainError("所选考点不在您的管理范围内。")


@jobs.job_handler("test.crash")
def _crash(ctx, params):
    ctx.output_path(".xlsx").write_bytes(b"half a file")
    raise RuntimeError("secret internals: /etc/passwd")


@jobs.job_handler("test.wait")
def _wait(ctx, params):
    ctx.progress(40, "已处理 40%")
    assert RELEASE.wait(10)
    return None


def _job(session, job_id) -> Job:
    session.expire_all()
    return session.get(Job, job_id)


def test_inline_job_runs_to_done_with_its_file(app_ctx, session):
    job = jobs.enqueue("test.write_file", owner_type="staff", owner_id=7, params={"text": "考生𠮷"},
                       backend="inline")
    job = _job(session, job.id)
    assert (job.state, job.progress, job.message) == ("done", 100, "文件已生成。")
    assert job.started_at and job.finished_at
    path = jobs.result_file(job)
    assert path.read_text(encoding="utf-8").startswith("考生𠮷")
    assert jobs.status(job)["has_file"] is True


def test_refusal_is_shown_to_the_owner_in_its_own_words(app_ctx, session):
    job = jobs.enqueue("test.refuse", owner_type="staff", owner_id=7, backend="inline")
    job = _job(session, job.id)
    assert (job.state, job.message) == ("failed", "所选考点不在您的管理范围内。")
    assert jobs.result_file(job) is None


def test_crash_ends_as_failed_without_leaking_internals_or_files(app_ctx, session):
    job = jobs.enqueue("test.crash", owner_type="staff", owner_id=7, backend="inline")
    job = _job(session, job.id)
    assert job.state == "failed"
    assert job.message == jobs.GENERIC_FAILURE and "passwd" not in job.message
    assert not list(Path(app_ctx.config["EXPORT_DIR"]).glob(f"job-{job.id}.*"))


def test_unknown_kind_is_refused_at_enqueue(app_ctx):
    with pytest.raises(ValueError):
        jobs.enqueue("no.such.kind", owner_type="staff", owner_id=1)


def test_a_job_runs_once_even_if_handed_out_twice(app_ctx, session):
    job = jobs.enqueue("test.write_file", owner_type="staff", owner_id=1, params={"text": "x"},
                       backend="inline")
    assert jobs.run_job(job.id) is None
    assert _job(session, job.id).state == "done"


def test_thread_backend_shows_progress_while_running(app_ctx, session):
    RELEASE.clear()
    job = jobs.enqueue("test.wait", owner_type="candidate", owner_id=3, backend="thread")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        row = _job(session, job.id)
        session.rollback()
        if row.progress == 40:
            break
        time.sleep(0.05)
    assert (row.state, row.progress, row.message) == ("running", 40, "已处理 40%")
    assert jobs.status(row)["finished"] is False
    RELEASE.set()
    done = jobs.wait_for(job.id, timeout=10)
    assert (done.state, done.progress) == ("done", 100)


def test_a_job_is_visible_only_to_its_owner(app_ctx, session):
    job = jobs.enqueue("test.write_file", owner_type="staff", owner_id=7, params={"text": "x"},
                       backend="inline")
    assert jobs.job_for_owner(job.id, "staff", 7).id == job.id
    assert jobs.job_for_owner(job.id, "staff", 8) is None
    assert jobs.job_for_owner(job.id, "candidate", 7) is None
    assert [j.id for j in jobs.jobs_of_owner("staff", 7)] == [job.id]


# --- the production path: a real Celery worker process, fed through the real Redis broker ----------

REDIS_URL = "redis://127.0.0.1:6379/11"


def _redis_up() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.fixture
def celery_worker(app, tmp_path, monkeypatch):
    """A `celery worker` subprocess on a queue of its own, using the test database."""
    if not _redis_up():
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    queue = f"medexam-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "JOB_QUEUE", queue)
    env = dict(os.environ, APP_ENV="test", REDIS_URL=REDIS_URL, JOB_QUEUE=queue,
               JOB_HANDLER_MODULES="reports.tasks,tests.core.test_jobs",
               TEST_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               EXPORT_DIR=str(app.config["EXPORT_DIR"]))
    root = Path(__file__).resolve().parents[2]
    log = (tmp_path / "worker.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "celery", "-A", "celery_app", "worker",
                             "--pool=solo", "-Q", queue, "--without-gossip", "--without-mingle",
                             "--without-heartbeat", "-l", "warning"],
                            cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    yield proc
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    redis.Redis.from_url(REDIS_URL).delete(queue)


def test_celery_worker_runs_the_job_through_redis(app_ctx, session, celery_worker):
    job = jobs.enqueue("test.write_file", owner_type="staff", owner_id=5,
                       params={"text": "经由 Redis"}, backend="celery")
    done = jobs.wait_for(job.id, timeout=60, interval=0.2)
    assert done.state == "done", done.message
    text = jobs.result_file(done).read_text(encoding="utf-8")
    assert text.startswith("经由 Redis")
    assert int(text.split("pid=")[1]) == celery_worker.pid != os.getpid()


def test_payment_expiry_runs_as_a_system_job(app_ctx, session):
    from datetime import timedelta

    from core.db import utcnow
    from tests.factories import make_catalogue, make_registration
    cat = make_catalogue()
    cat["region"].payment_deadline = utcnow() - timedelta(hours=1)
    reg = make_registration(cat=cat)
    session.commit()
    job = jobs.enqueue("payments.expire", owner_type="system", owner_id=None, backend="inline")
    job = _job(session, job.id)
    assert job.state == "done" and "1 条报名已失效" in job.message
    session.refresh(reg)
    assert reg.status == "expired"


def test_stale_running_jobs_end_as_failed(app_ctx, session):
    from datetime import timedelta

    from core.db import utcnow
    job = Job(kind="test.wait", owner_type="staff", owner_id=1, params={}, state="running", progress=30,
              updated_at=utcnow() - timedelta(hours=2))
    fresh = Job(kind="test.wait", owner_type="staff", owner_id=1, params={}, state="running", progress=30)
    session.add_all([job, fresh])
    session.commit()
    assert jobs.fail_stale_jobs(60) == 1
    assert _job(session, job.id).state == "failed" and _job(session, fresh.id).state == "running"


def test_old_result_files_are_purged(app_ctx, session):
    from datetime import timedelta

    from core.db import utcnow
    job = jobs.enqueue("test.write_file", owner_type="staff", owner_id=7, params={"text": "x"},
                       backend="inline")
    job = _job(session, job.id)
    path = jobs.result_file(job)
    assert jobs.purge_results(7) == 0 and path.exists()
    job.finished_at = utcnow() - timedelta(days=8)
    session.commit()
    assert jobs.purge_results(7) == 1
    assert not path.exists() and jobs.result_file(_job(session, job.id)) is None
