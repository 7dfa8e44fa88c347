"""Celery bound to the Flask app (core/celery.py): a task brings its own app context and session."""
from __future__ import annotations

from datetime import timedelta

from flask import has_app_context

from core.db import db, utcnow
from core.models import Job


def test_a_task_runs_in_the_bound_apps_context(app):
    from core.celery import init_app
    from core.tasks import job_housekeeping_task

    assert init_app(app) is app.extensions["celery"]
    with app.app_context():
        stale = Job(kind="test.wait", owner_type="staff", owner_id=1, params={}, state="running",
                    progress=30, updated_at=utcnow() - timedelta(hours=2))
        db.session.add(stale)
        db.session.commit()
        job_id = stale.id
    assert not has_app_context()
    job_housekeeping_task()  # called as the worker calls it: no context of its own
    assert not has_app_context()
    with app.app_context():
        assert db.session.get(Job, job_id).state == "failed"
