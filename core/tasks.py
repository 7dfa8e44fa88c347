"""The Celery tasks (core/celery.py): thin calls into core.jobs and the photo housekeeping, each run in the
Flask app's context by ``AppContextTask``. Periodic ones are scheduled in ``celery.conf.beat_schedule``."""
from __future__ import annotations

import logging
from datetime import timedelta

from core.celery import celery
from core.jobs import enqueue, fail_stale_jobs, purge_results, run_job
from core.notify import delivery
from core.privacy import retention  # noqa: F401  (registers the retention job's handler)
from core.services.photos import prune_profile_photos
from core.services.snapshot import prune_frozen_photos

log = logging.getLogger(__name__)


@celery.task(name="medexam.run_job")
def run_job_task(job_id: int) -> None:
    run_job(job_id)


@celery.task(name="medexam.system_job")
def system_job_task(kind: str) -> None:
    """A periodic job owned by the system: a Job row is written, then run here."""
    enqueue(kind, owner_type="system", owner_id=None, backend="inline")


@celery.task(name="medexam.job_housekeeping")
def job_housekeeping_task() -> None:
    """Stale running jobs end as failed; result files past their keeping time are deleted."""
    fail_stale_jobs()
    purge_results()


@celery.task(name="medexam.photos_prune")
def photos_prune_task() -> None:
    """Frozen copies and profile photos no row names (`flask photos prune`, default age limit)."""
    files, size = prune_frozen_photos(timedelta(minutes=60))
    log.info("photos prune: %d unreferenced frozen photos removed (%d bytes)", files, size)
    files, size = prune_profile_photos(timedelta(minutes=60))
    log.info("photos prune: %d unreferenced profile photos removed (%d bytes)", files, size)


@celery.task(name="medexam.notify_deliver")
def notify_deliver_task() -> None:
    """Deliver the messages due now (woken after a commit that queued some; beat every 30 s for retries)."""
    delivery.deliver_due()


@celery.task(name="medexam.documents_prune")
def documents_prune_task() -> None:
    """Stored document files no row names (an upload killed between the store and the commit)."""
    from core.documents.service import prune_orphans
    log.info("documents prune: %d unreferenced files removed", prune_orphans(timedelta(minutes=60)))
