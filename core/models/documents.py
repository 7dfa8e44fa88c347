"""网上资格审核: the review mode of a region and exam year, the candidate's documents, and the documents a
submitted registration uses with the reviewer's verdict on each."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Model, utcnow
from core.models.base import JSONType, Timestamps, one_of

REVIEW_MODES = {"onsite": "现场审核", "online": "网上审核"}
VERDICTS = {"pending": "待审核", "passed": "通过", "correction": "需补正"}
REASONS = {"blurred": "模糊不清", "mismatch": "信息与填报不符", "incomplete": "缺页或不完整",
           "not_own": "非本人证件", "expired": "已过期", "other": "其他"}


class ReviewMode(Timestamps, Model):
    """How a region reviews qualifications in an exam year: 现场审核 (as before) or 网上审核, its window and
    the 补正 deadline rule (``correction_days`` after the request, never past ``review_end``)."""

    __tablename__ = "review_modes"
    __table_args__ = (
        UniqueConstraint("region_id", "exam_year_id", name="uq_review_mode_region_year"),
        one_of("mode", tuple(REVIEW_MODES), "ck_review_mode_mode"),
        CheckConstraint("review_end >= review_start", name="ck_review_mode_window"),
        CheckConstraint("correction_days BETWEEN 1 AND 60", name="ck_review_mode_correction_days"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), nullable=False)
    exam_year_id: Mapped[int] = mapped_column(ForeignKey("exam_years.id"), nullable=False)
    mode: Mapped[str] = mapped_column(String(10), nullable=False, default="onsite")
    review_start: Mapped[date] = mapped_column(Date, nullable=False)
    review_end: Mapped[date] = mapped_column(Date, nullable=False)
    correction_days: Mapped[int] = mapped_column(Integer, nullable=False, default=5)

    region: Mapped["Region"] = relationship()  # noqa: F821
    exam_year: Mapped["ExamYear"] = relationship()  # noqa: F821

    @property
    def online(self) -> bool:
        return self.mode == "online"

    @property
    def mode_label(self) -> str:
        return REVIEW_MODES[self.mode]


class Document(Model):
    """One uploaded document of a candidate for one requirement (``slot``, see core.documents.required).

    The stored original (``key``: a re-encoded JPEG or the checked PDF), its thumbnail and one JPEG per page
    live in core.storage under random keys. A document a submitted registration uses cannot be deleted or
    replaced (core.documents.service); a replaced one is kept (``retired_at``) for the frozen record.
    """

    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), nullable=False, index=True)
    slot: Mapped[str] = mapped_column(String(40), nullable=False)  # kind[:entry_kind:entry_id]
    content_type: Mapped[str] = mapped_column(String(40), nullable=False)
    bytes: Mapped[int] = mapped_column(Integer, nullable=False)  # all stored files together
    pages: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    key: Mapped[str] = mapped_column(String(60), nullable=False, unique=True)
    thumb_key: Mapped[str] = mapped_column(String(60), nullable=False)
    page_keys: Mapped[list] = mapped_column(JSONType, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(DateTime)

    candidate: Mapped["Candidate"] = relationship()  # noqa: F821


class RegistrationDocument(Model):
    """A document a submitted registration uses (frozen at submission) and the reviewer's verdict on it."""

    __tablename__ = "registration_documents"
    __table_args__ = (
        UniqueConstraint("registration_id", "slot", name="uq_registration_document_slot"),
        one_of("verdict", tuple(VERDICTS), "ck_registration_document_verdict"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"), nullable=False)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), nullable=False, index=True)
    slot: Mapped[str] = mapped_column(String(40), nullable=False)
    label: Mapped[str] = mapped_column(String(80), nullable=False)  # as required at submission
    verdict: Mapped[str] = mapped_column(String(10), nullable=False, default="pending")
    reasons: Mapped[list | None] = mapped_column(JSONType)  # REASONS keys
    note: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)

    document: Mapped[Document] = relationship()

    @property
    def verdict_label(self) -> str:
        return VERDICTS[self.verdict]

    @property
    def reason_labels(self) -> list[str]:
        return [REASONS[r] for r in self.reasons or () if r in REASONS]
