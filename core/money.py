"""Money: stored as integer fen (分), shown and exchanged with the bank in yuan (元). Decimal, never float."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation


def fen_to_yuan(fen: int) -> Decimal:
    """12345 -> Decimal('123.45'), always two decimals (str() gives the bank's amount format '123.45')."""
    return Decimal(fen).scaleb(-2)


def yuan_to_fen(amount) -> int | None:
    """'123.45' (or a Decimal) -> 12345; None unless it is an exact, finite, non-negative amount in yuan."""
    try:
        value = Decimal(str(amount)).scaleb(2)
    except (InvalidOperation, TypeError, ValueError):
        return None
    if not value.is_finite() or value != value.to_integral_value() or value < 0:
        return None
    return int(value)
