"""Column helpers shared by the model modules."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, DateTime
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core.db import utcnow

JSONType = JSON().with_variant(JSONB(), "postgresql")


def one_of(column: str, values: tuple[str, ...], name: str) -> CheckConstraint:
    """CHECK that a string column holds one of the allowed state values."""
    allowed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=name)


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime, default=utcnow, onupdate=utcnow, nullable=False
    )


class Named:
    """Shown by its name wherever a model object is printed (back-office dropdowns, related columns)."""

    def __str__(self) -> str:
        return self.name
