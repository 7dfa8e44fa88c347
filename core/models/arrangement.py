"""考场编排: exam sessions, rooms (考场), arrangement runs, published seats (准考证号) and their moves.

The planning itself is pure (core/arrangement/plan.py); these tables hold its input and its published result.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (Boolean, CheckConstraint, Column, DateTime, ForeignKey, Integer, String, Table,
                        Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Model, utcnow
from core.models.base import JSONType, one_of

PARTS = ("skills", "written", "military")
PART_LABELS = {"skills": "实践技能", "written": "医学综合", "military": "军事医学"}
# What one arrangement run places: 医学综合 (with 军事医学) at the registration's site, 实践技能 at its base
ARRANGED_PARTS = ("written", "skills")
ARRANGED_PART_LABELS = {"written": "医学综合", "skills": "实践技能"}
SESSION_PARTS = {"written": ("written", "military"), "skills": ("skills",)}  # the session parts a run covers
RUN_STATES = ("draft", "published", "discarded")
RUN_STATE_LABELS = {"draft": "预排（未发布）", "published": "已发布", "discarded": "已作废"}

room_sessions = Table(
    "exam_room_sessions", Model.metadata,
    Column("room_id", ForeignKey("exam_rooms.id", ondelete="CASCADE"), primary_key=True),
    Column("session_id", ForeignKey("exam_sessions.id", ondelete="CASCADE"), primary_key=True),
)


class ExamSession(Model):
    """场次: one sitting of an exam part for a year, for a level (执业/助理) and optionally a category."""

    __tablename__ = "exam_sessions"
    __table_args__ = (one_of("part", PARTS, "ck_exam_session_part"),
                      CheckConstraint("ends_at > starts_at", name="ck_exam_session_times"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exam_year_id: Mapped[int] = mapped_column(ForeignKey("exam_years.id"), nullable=False, index=True)
    part: Mapped[str] = mapped_column(String(10), nullable=False)
    level: Mapped[str | None] = mapped_column(String(10))  # None: every level
    category: Mapped[str | None] = mapped_column(String(20))  # None: every category
    name: Mapped[str] = mapped_column(String(40), nullable=False)  # e.g. 第一单元
    starts_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)  # UTC
    ends_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)

    exam_year: Mapped["ExamYear"] = relationship()  # noqa: F821

    @property
    def part_label(self) -> str:
        return PART_LABELS[self.part]

    def __str__(self) -> str:
        return f"{self.part_label} {self.name}"


class ExamRoom(Model):
    """考场 of a site: its number (001-999, part of the 准考证号), seats, where it is, which sessions it hosts."""

    __tablename__ = "exam_rooms"
    __table_args__ = (UniqueConstraint("site_id", "number", name="uq_exam_room_site_number"),
                      CheckConstraint("capacity > 0 AND capacity <= 999", name="ck_exam_room_capacity"),
                      CheckConstraint("number > 0 AND number <= 999", name="ck_exam_room_number"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), nullable=False, index=True)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    capacity: Mapped[int] = mapped_column(Integer, nullable=False)
    address: Mapped[str | None] = mapped_column(String(120))
    floor: Mapped[str | None] = mapped_column(String(20))
    accessible: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)  # 无障碍
    closed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)  # 停用: re-arrange moves its seats

    site: Mapped["Site"] = relationship()  # noqa: F821
    sessions: Mapped[list[ExamSession]] = relationship(secondary=room_sessions)

    def __str__(self) -> str:
        return f"第{self.number:03d}考场"


class TicketWindow(Model):
    """Per region and exam year: from when candidates print their 准考证, until when its QR code is valid,
    and the rules of the day printed on it."""

    __tablename__ = "ticket_windows"
    __table_args__ = (UniqueConstraint("region_id", "exam_year_id", name="uq_ticket_window"),
                      CheckConstraint("valid_until > opens_at", name="ck_ticket_window_times"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), nullable=False)
    exam_year_id: Mapped[int] = mapped_column(ForeignKey("exam_years.id"), nullable=False)
    opens_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)  # UTC
    valid_until: Mapped[datetime] = mapped_column(DateTime, nullable=False)  # UTC, the QR payload's expiry
    rules: Mapped[str | None] = mapped_column(Text)  # 考试须知; None: the default text

    region: Mapped["Region"] = relationship()  # noqa: F821
    exam_year: Mapped["ExamYear"] = relationship()  # noqa: F821


class ArrangementRun(Model):
    """One planning of a site: seed, the plan (draft) and its report; published explicitly, at most once."""

    __tablename__ = "arrangement_runs"
    __table_args__ = (one_of("state", RUN_STATES, "ck_arrangement_run_state"),
                      one_of("part", ARRANGED_PARTS, "ck_arrangement_run_part"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), nullable=False, index=True)
    exam_year_id: Mapped[int] = mapped_column(ForeignKey("exam_years.id"), nullable=False)
    part: Mapped[str] = mapped_column(String(10), nullable=False, default="written", server_default="written")
    seed: Mapped[int] = mapped_column(Integer, nullable=False)
    state: Mapped[str] = mapped_column(String(10), nullable=False, default="draft")
    base_run_id: Mapped[int | None] = mapped_column(Integer)  # the published run it re-arranges
    plan: Mapped[dict] = mapped_column(JSONType, nullable=False, default=dict)  # {reg_id: [room_id, seat]}
    unplaced: Mapped[dict] = mapped_column(JSONType, nullable=False, default=dict)  # {reg_id: reason}
    # 实践技能: the session (day or half-day) of each placed registration, {reg_id: session_id}; 医学综合: {}
    sessions: Mapped[dict] = mapped_column(JSONType, nullable=False, default=dict, server_default="{}")
    placed_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    moved_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)

    site: Mapped["Site"] = relationship()  # noqa: F821

    @property
    def state_label(self) -> str:
        return RUN_STATE_LABELS[self.state]

    @property
    def part_label(self) -> str:
        return ARRANGED_PART_LABELS[self.part]


class SeatAssignment(Model):
    """A published seat: registration and part -> room, seat and its 准考证号 (docs/arrangement.md). One per
    part: 医学综合 at the registration's site, 实践技能 at its base."""

    __tablename__ = "seat_assignments"
    __table_args__ = (UniqueConstraint("room_id", "seat", name="uq_seat_room_seat"),
                      UniqueConstraint("registration_id", "part", name="uq_seat_registration_part"),
                      CheckConstraint("seat > 0", name="ck_seat_positive"),
                      one_of("part", ARRANGED_PARTS, "ck_seat_part"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"), nullable=False)
    part: Mapped[str] = mapped_column(String(10), nullable=False, default="written", server_default="written")
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), nullable=False, index=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("exam_rooms.id"), nullable=False)
    seat: Mapped[int] = mapped_column(Integer, nullable=False)
    admission_number: Mapped[str] = mapped_column(String(20), nullable=False, unique=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("arrangement_runs.id"), nullable=False)

    registration: Mapped["Registration"] = relationship()  # noqa: F821
    room: Mapped[ExamRoom] = relationship()


class SeatMove(Model):
    """Every change of a published seat: moved, released (报名失效) or newly placed by a re-arrangement."""

    __tablename__ = "seat_moves"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("arrangement_runs.id"), nullable=False, index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"), nullable=False, index=True)
    from_number: Mapped[str | None] = mapped_column(String(20))
    to_number: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(60), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class ArrangementLock(Model):
    """One arrangement at a time per site: the row exists while a run plans or publishes."""

    __tablename__ = "arrangement_locks"
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    holder: Mapped[str] = mapped_column(String(60), nullable=False)
    locked_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
