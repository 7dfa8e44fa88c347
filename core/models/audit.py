"""Append-only audit log. Rows are written by core.services.audit.record and never changed, except their
de-identification after the retention period (core/privacy/retention.py, migration 0012f)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Model, utcnow
from core.models.base import JSONType, one_of

ACTOR_TYPES = ("candidate", "staff", "system", "gateway")


class AuditEntry(Model):
    __tablename__ = "audit_log"
    __table_args__ = (
        one_of("actor_type", ACTOR_TYPES, "ck_audit_actor_type"),
        Index("ix_audit_object", "object_type", "object_id"),
        Index("ix_audit_actor", "actor_type", "actor_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False, index=True)
    actor_type: Mapped[str] = mapped_column(String(10), nullable=False)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(80), nullable=False, index=True)  # e.g. registration.submitted
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict | None] = mapped_column(JSONType)
    after: Mapped[dict | None] = mapped_column(JSONType)
    ip: Mapped[str | None] = mapped_column(String(45))
    # Set once, when the retention job de-identified the entry (the only change the database permits,
    # migration 0012f); the personal columns are NULL from then on.
    deidentified_at: Mapped[datetime | None] = mapped_column(DateTime)


class AuditLogIsAppendOnly(Exception):
    pass


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_change(mapper, connection, target):  # noqa: ARG001
    raise AuditLogIsAppendOnly("审计日志只能追加，不能修改或删除。")
