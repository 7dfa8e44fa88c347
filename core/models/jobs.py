"""后台任务: long work (big exports, batch printing, reconciliation) run outside the web request."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Model, utcnow
from core.models.base import JSONType, one_of

JOB_STATES = ("queued", "running", "done", "failed")
JOB_STATE_LABELS = {"queued": "排队中", "running": "进行中", "done": "已完成", "failed": "失败"}
OWNER_TYPES = ("staff", "candidate", "system")


class Job(Model):
    """One background job. The owner (a staff user id or a candidate id) is the only one who sees it."""

    __tablename__ = "jobs"
    __table_args__ = (
        one_of("state", JOB_STATES, "ck_job_state"),
        one_of("owner_type", OWNER_TYPES, "ck_job_owner_type"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="ck_job_progress"),
        Index("ix_job_owner", "owner_type", "owner_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)  # e.g. export.registrations
    owner_type: Mapped[str] = mapped_column(String(10), nullable=False)
    owner_id: Mapped[int | None] = mapped_column(Integer)
    params: Mapped[dict] = mapped_column(JSONType, nullable=False, default=dict)
    state: Mapped[str] = mapped_column(String(10), nullable=False, default="queued")
    progress: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    message: Mapped[str | None] = mapped_column(Text)  # what the owner reads (Chinese)
    result_path: Mapped[str | None] = mapped_column(String(300))  # relative to EXPORT_DIR
    result_name: Mapped[str | None] = mapped_column(String(120))  # download file name
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow,
                                                 nullable=False)

    @property
    def state_label(self) -> str:
        return JOB_STATE_LABELS[self.state]

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")
