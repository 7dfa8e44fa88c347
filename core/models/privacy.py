"""个人信息保护: the consents a candidate gave to the privacy notice (PIPL Art. 14, 17, 29)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Model, utcnow


class PrivacyConsent(Model):
    """One agreement to one version of the notice; ``sensitive`` is the separate consent to the sensitive
    items (证件号码, 照片, 证件扫描件: Art. 28-29). Rows are only added, never changed."""

    __tablename__ = "privacy_consents"
    __table_args__ = (Index("ix_privacy_consent_candidate", "candidate_id", "notice_version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), nullable=False)
    notice_version: Mapped[str] = mapped_column(String(20), nullable=False)
    sensitive: Mapped[bool] = mapped_column(Boolean, nullable=False)
    agreed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
