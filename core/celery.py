"""Celery, the production backend of core.jobs (Redis as broker).

One Celery app, unbound here so that core can use it; ``init_app`` binds it to the Flask app once, in the
worker (celery_app.py), and every task then runs inside that app's context (``AppContextTask``).
The tasks themselves are in core/tasks.py; a task only carries a job id, the job's parameters, progress
and result live in the ``jobs`` table, as on every backend.
"""
from __future__ import annotations

from celery import Celery, Task
from flask import Flask, current_app

from core.db import db

DEFAULT_BROKER = "redis://127.0.0.1:6379/0"  # when REDIS_URL is unset


class AppContextTask(Task):
    """Runs in the bound Flask app's context and leaves no database session behind."""

    flask_app: Flask | None = None

    def __call__(self, *args, **kwargs):
        with self.flask_app.app_context():
            try:
                return super().__call__(*args, **kwargs)
            finally:
                db.session.remove()


celery = Celery("medexam", task_cls=AppContextTask)
celery.conf.update(
    task_ignore_result=True,  # results live in the jobs table
    task_acks_late=True,  # a worker that dies mid-job leaves it to another one
    worker_prefetch_multiplier=1,  # jobs are long: one at a time per worker process
    broker_connection_retry_on_startup=True,
    # `celery -A celery_app beat`: the periodic system jobs, recorded in the jobs table like any other
    beat_schedule={
        "payments-reconcile": {"task": "medexam.system_job", "schedule": 300.0,
                               "args": ["payments.reconcile"]},
        "payments-expire": {"task": "medexam.system_job", "schedule": 600.0, "args": ["payments.expire"]},
        "review-lapse-corrections": {"task": "medexam.system_job", "schedule": 3600.0,
                                     "args": ["review.lapse_corrections"]},
        "documents-prune": {"task": "medexam.documents_prune", "schedule": 3600.0},
        "jobs-housekeeping": {"task": "medexam.job_housekeeping", "schedule": 900.0},
        "photos-prune": {"task": "medexam.photos_prune", "schedule": 3600.0},
        "notify-deliver": {"task": "medexam.notify_deliver", "schedule": 30.0},
        "privacy-retention": {"task": "medexam.system_job", "schedule": 86400.0, "args": ["privacy.retention"]},
    },
)


def init_app(app: Flask) -> Celery:
    """Bind Celery to this Flask app: its broker and queue, and the app every task runs in."""
    celery.conf.update(broker_url=app.config["REDIS_URL"] or DEFAULT_BROKER,
                       task_default_queue=app.config["JOB_QUEUE"])
    AppContextTask.flask_app = app
    app.extensions["celery"] = celery
    return celery


def send_job(job_id: int) -> None:
    """Put a job on the broker and queue of the calling app's configuration (a web process, unbound)."""
    config = current_app.config
    with celery.connection_for_write(config["REDIS_URL"] or DEFAULT_BROKER) as conn:
        celery.send_task("medexam.run_job", args=[job_id], queue=config["JOB_QUEUE"], connection=conn)
