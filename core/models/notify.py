"""通知 (issue 17): the outbox of messages to candidates, their settings and the devices they logged in from.

A message is one row per channel (消息中心 ``inbox``, ``email``, ``sms``), written in the transaction of the
event it tells about (core/notify/outbox.py) and delivered afterwards (core/notify/delivery.py).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Model, utcnow
from core.models.base import JSONType, one_of

CHANNELS = ("inbox", "email", "sms")
CHANNEL_LABELS = {"inbox": "消息中心", "email": "电子邮件", "sms": "短信"}
STATES = ("queued", "sending", "sent", "failed")
STATE_LABELS = {"queued": "待发送", "sending": "发送中", "sent": "已送达", "failed": "发送失败"}


class Message(Model):
    """One message on one channel. ``key`` (event + channel) is unique: a repeated event writes nothing."""

    __tablename__ = "notify_messages"
    __table_args__ = (
        one_of("channel", CHANNELS, "ck_notify_channel"),
        one_of("state", STATES, "ck_notify_state"),
        Index("ix_notify_due", "state", "next_attempt_at"),
        Index("ix_notify_candidate", "candidate_id", "channel"),
        Index("ix_notify_recipient", "recipient", "sent_at"),  # the per-recipient hourly limit
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), nullable=False, unique=True)  # idempotency key
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), nullable=False)
    channel: Mapped[str] = mapped_column(String(8), nullable=False)
    template: Mapped[str] = mapped_column(String(40), nullable=False)
    params: Mapped[dict] = mapped_column(JSONType, nullable=False, default=dict)
    lang: Mapped[str] = mapped_column(String(5), nullable=False, default="zh")
    recipient: Mapped[str | None] = mapped_column(String(120))  # e-mail address or mobile number
    subject: Mapped[str] = mapped_column(String(200), nullable=False)
    body_text: Mapped[str] = mapped_column(Text, nullable=False)
    body_html: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(8), nullable=False, default="queued")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)  # 消息中心: read by the candidate
    last_error: Mapped[str | None] = mapped_column(String(300))
    provider_ref: Mapped[str | None] = mapped_column(String(64))  # SMTP Message-ID / SMS BizId
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def channel_label(self) -> str:
        return CHANNEL_LABELS.get(self.channel, self.channel)


class NotifySettings(Model):
    """A candidate's language for messages and channels for non-essential ones (no row: Chinese, both on)."""

    __tablename__ = "notify_settings"
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), primary_key=True)
    lang: Mapped[str] = mapped_column(String(5), nullable=False, default="zh")
    email_enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    sms_enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


class KnownDevice(Model):
    """A browser a candidate logged in from (the SHA-256 of a random cookie): a new one gets a message."""

    __tablename__ = "notify_devices"
    __table_args__ = (UniqueConstraint("candidate_id", "device_hash", name="uq_notify_device"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), nullable=False)
    device_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
