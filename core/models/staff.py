"""Back-office staff scope: which region or sites a staff account may see."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Model


class StaffScope(Model):
    """One row binds a staff user (FAB ``ab_user``) to a region or to one site.

    A 考区管理员 has one region row; a 考点审核员 one row per site. 国家管理员 needs none.
    """

    __tablename__ = "staff_scopes"
    __table_args__ = (
        CheckConstraint("(region_id IS NULL) <> (site_id IS NULL)", name="ck_scope_region_xor_site"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False, index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))

    user = relationship("User")  # FAB's ab_user
    region: Mapped["Region | None"] = relationship()  # noqa: F821
    site: Mapped["Site | None"] = relationship()  # noqa: F821


class StaffSecurity(Model):
    """Per-staff security state that FAB's user table lacks: TOTP secret, forced password change."""

    __tablename__ = "staff_security"
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), primary_key=True)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column(Integer)  # a code is accepted only once
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)


class StaffSession(Model):
    """A server-side staff login: the admin cookie holds a random token, this table its SHA-256.

    A row is *pending* (``verified`` false) between the password and the two-factor code; ``code_failures``
    counts wrong codes of that pending login. Logout, a password change, a role or scope change,
    deactivation and 结束全部会话 set ``ended_at``: every app server then refuses the cookie.
    ``grant_candidate_id``/``grant_until``: the 身份核验 grant of this login, used once.
    """

    __tablename__ = "staff_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False, index=True)
    verified: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    code_failures: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    ip: Mapped[str | None] = mapped_column(String(45))
    grant_candidate_id: Mapped[int | None] = mapped_column(Integer)
    grant_until: Mapped[datetime | None] = mapped_column(DateTime)
