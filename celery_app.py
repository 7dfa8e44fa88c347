"""Celery: the production backend for background jobs (core.jobs), with Redis as broker.

Start a worker beside the web servers (same environment: APP_ENV, DATABASE_URL, REDIS_URL ...):

    .venv/bin/celery -A celery_app worker --loglevel=info
    .venv/bin/celery -A celery_app beat     # one per deployment: the periodic jobs of beat_schedule below

and set ``JOB_BACKEND=celery`` (or just ``REDIS_URL``) for the web app. The task only carries the job
id; the job's parameters, progress and result live in the ``jobs`` table, as on every backend.
``JOB_HANDLER_MODULES`` (comma-separated) lists the modules whose handlers the worker loads.
"""
from __future__ import annotations

import importlib
import logging
import os
from datetime import timedelta

from celery import Celery

BROKER_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
QUEUE = os.environ.get("JOB_QUEUE", "medexam-jobs")
HANDLER_MODULES = os.environ.get("JOB_HANDLER_MODULES", "reports.tasks")

celery = Celery("medexam", broker=BROKER_URL)
log = logging.getLogger(__name__)
celery.conf.update(
    task_default_queue=QUEUE,
    task_ignore_result=True,  # results live in the jobs table
    task_acks_late=True,  # a worker that dies mid-job leaves it to another one
    worker_prefetch_multiplier=1,  # jobs are long: one at a time per worker process
    broker_connection_retry_on_startup=True,
    # `celery -A celery_app beat`: the periodic system jobs, recorded in the jobs table like any other
    beat_schedule={
        "payments-reconcile": {"task": "medexam.system_job", "schedule": 300.0,
                               "args": ["payments.reconcile"]},
        "payments-expire": {"task": "medexam.system_job", "schedule": 600.0, "args": ["payments.expire"]},
        "jobs-housekeeping": {"task": "medexam.job_housekeeping", "schedule": 900.0},
        "photos-prune": {"task": "medexam.photos_prune", "schedule": 3600.0},
    },
)

_flask_app = None


def flask_app():
    """The Flask app a worker process runs jobs in (created once, on the first job)."""
    global _flask_app
    if _flask_app is None:
        from sqlalchemy.pool import NullPool

        from config import load_config
        from factory import create_app

        overrides = {}
        if load_config().SQLALCHEMY_DATABASE_URI.startswith("sqlite"):
            overrides["SQLALCHEMY_ENGINE_OPTIONS"] = {"poolclass": NullPool}
        _flask_app = create_app(**overrides)
        for name in filter(None, (m.strip() for m in HANDLER_MODULES.split(","))):
            importlib.import_module(name)
    return _flask_app


@celery.task(name="medexam.run_job")
def run_job_task(job_id: int) -> None:
    from core.db import db
    from core.jobs import run_job

    with flask_app().app_context():
        try:
            run_job(job_id)
        finally:
            db.session.remove()


@celery.task(name="medexam.system_job")
def system_job_task(kind: str) -> None:
    """A periodic job owned by the system: a Job row is written, then run here."""
    from core.db import db
    from core.jobs import enqueue

    with flask_app().app_context():
        try:
            enqueue(kind, owner_type="system", owner_id=None, backend="inline")
        finally:
            db.session.remove()


@celery.task(name="medexam.job_housekeeping")
def job_housekeeping_task() -> None:
    """Stale running jobs end as failed; result files past their keeping time are deleted."""
    from core.db import db
    from core.jobs import fail_stale_jobs, purge_results

    with flask_app().app_context():
        try:
            fail_stale_jobs()
            purge_results()
        finally:
            db.session.remove()


@celery.task(name="medexam.photos_prune")
def photos_prune_task() -> None:
    """Frozen copies and profile photos no row names (`flask photos prune`, default age limit)."""
    from core.db import db
    from core.services.photos import prune_profile_photos
    from core.services.snapshot import prune_frozen_photos

    with flask_app().app_context():
        try:
            files, size = prune_frozen_photos(timedelta(minutes=60))
            log.info("photos prune: %d unreferenced frozen photos removed (%d bytes)", files, size)
            files, size = prune_profile_photos(timedelta(minutes=60))
            log.info("photos prune: %d unreferenced profile photos removed (%d bytes)", files, size)
        finally:
            db.session.remove()


def send_job(job_id: int) -> None:
    """Put a job on the broker named by the calling app's REDIS_URL (or this module's default)."""
    from flask import current_app, has_app_context

    cfg = current_app.config if has_app_context() else {}
    url = cfg.get("REDIS_URL") or BROKER_URL
    queue = cfg.get("JOB_QUEUE") or QUEUE
    with celery.connection_for_write(url) as conn:
        celery.send_task("medexam.run_job", args=[job_id], queue=queue, connection=conn)
