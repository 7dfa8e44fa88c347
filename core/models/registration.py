"""报名: one candidate x one exam year x one subject, at one test site."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, false,
                        Text, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Model
from core.models.base import JSONType, Timestamps, one_of
from core.registration.states import DRAFT, LIVE, LIVE_SQL, STATUSES, label

PAYMENT_STATUSES = ("unpaid", "paid", "refund_pending", "refunded")
PAYMENT_LABELS = {"unpaid": "未缴费", "paid": "已缴费", "refund_pending": "退费处理中",
                  "refunded": "已退费"}



class StatusLabels:
    """The words shown for ``status`` and ``payment_status`` (the model and the rows pages read as plain values)."""

    @property
    def status_label(self) -> str:
        return label(self.status)

    @property
    def payment_label(self) -> str:
        return PAYMENT_LABELS[self.payment_status]


class Registration(StatusLabels, Timestamps, Model):
    __tablename__ = "registrations"
    __table_args__ = (
        one_of("status", STATUSES, "ck_registration_status"),
        one_of("payment_status", PAYMENT_STATUSES, "ck_registration_payment_status"),
        CheckConstraint("attempts >= 1", name="ck_registration_attempts"),
        CheckConstraint("status = 'draft' OR (site_id IS NOT NULL AND number IS NOT NULL)",
                        name="ck_registration_submitted_complete"),
        Index("uq_registration_live", "candidate_id", "exam_year_id", unique=True,
              sqlite_where=text(LIVE_SQL), postgresql_where=text(LIVE_SQL)),
        Index("ix_registration_site_status", "site_id", "status"),
        Index("ix_registration_region_status", "region_id", "status"),
        Index("ix_registration_submitted_at", "submitted_at"),
        # the review queues (现场资格审核), per site and per region, in submission order (migration 0005)
        Index("ix_registration_queue", "site_id", "status", "submitted_at", "id"),
        Index("ix_registration_region_queue", "region_id", "status", "submitted_at", "id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), nullable=False, index=True)
    exam_year_id: Mapped[int] = mapped_column(ForeignKey("exam_years.id"), nullable=False)
    subject_id: Mapped[int] = mapped_column(ForeignKey("exam_subjects.id"), nullable=False)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    status: Mapped[str] = mapped_column(String(10), nullable=False, default=DRAFT)
    payment_status: Mapped[str] = mapped_column(String(16), nullable=False, default="unpaid")
    number: Mapped[str | None] = mapped_column(String(20), unique=True)  # 报名号
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=1)  # 累计报考次数
    military_unit: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)  # 加考军事医学
    needs_accessible_room: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False,
                                                        server_default=false())  # 考场编排: 无障碍考场
    draft_step: Mapped[str | None] = mapped_column(String(20))
    draft_data: Mapped[dict | None] = mapped_column(JSONType)
    snapshot: Mapped[dict | None] = mapped_column(JSONType)  # frozen at submission
    submit_token: Mapped[str | None] = mapped_column(String(64), unique=True)  # idempotency
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    abandoned_at: Mapped[datetime | None] = mapped_column(DateTime)
    abandoned_by: Mapped[str | None] = mapped_column(String(60))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    reject_reason: Mapped[str | None] = mapped_column(Text)
    deidentified_at: Mapped[datetime | None] = mapped_column(DateTime)  # core/privacy/retention.py
    # 网上资格审核 (core/documents): decided at submission from the region's review mode
    online_review: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    correction_deadline: Mapped[date | None] = mapped_column(Date)  # 补正 by this day (Asia/Shanghai)
    review_version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)  # bumped per decision

    candidate: Mapped["Candidate"] = relationship()  # noqa: F821
    exam_year: Mapped["ExamYear"] = relationship()  # noqa: F821
    subject: Mapped["ExamSubject"] = relationship()  # noqa: F821
    region: Mapped["Region | None"] = relationship()  # noqa: F821
    site: Mapped["Site | None"] = relationship()  # noqa: F821
    entries: Mapped[list["RegistrationEntry"]] = relationship(back_populates="registration",
                                                             cascade="all, delete-orphan")

    @property
    def is_live(self) -> bool:
        return self.status in LIVE

    def document_count(self) -> int:
        """How many 审核材料 this registration uses (every role seeing it may know they exist; only reviewing
        roles open them)."""
        from sqlalchemy import func, select
        from sqlalchemy.orm import object_session

        from core.models.documents import RegistrationDocument
        return object_session(self).scalar(select(func.count(RegistrationDocument.id))
                                           .where(RegistrationDocument.registration_id == self.id))


class RegistrationEntry(Model):
    """An education, training or certificate entry used by a registration (exactly one of the three)."""

    __tablename__ = "registration_entries"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN education_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN training_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN certificate_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="ck_registration_entry_exactly_one"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"), nullable=False,
                                                 index=True)
    education_id: Mapped[int | None] = mapped_column(ForeignKey("educations.id"), index=True)
    training_id: Mapped[int | None] = mapped_column(ForeignKey("trainings.id"), index=True)
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"), index=True)

    registration: Mapped[Registration] = relationship(back_populates="entries")
