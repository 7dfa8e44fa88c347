"""Small-cell suppression (小数抑制) for the de-identified statistics: a count of 1 to ``min_count - 1``
candidates could single people out, so it is shown as "<5" (for the default ``min_count`` 5); zeros are shown.

A row of a table is its cells and their total, and the total is published: one hidden cell alone would be
the total minus the others. So more cells are hidden (complementary suppression, shown as ``HIDDEN``), the
smallest first, until the row total tells a reader nothing more about any "<5" cell than "<5" says: each
could still be any of 1 … ``min_count - 1``, even to a reader who knows this rule (a "<5" is 1 … min-1, a
``HIDDEN`` cell of such a row at least ``min_count``). A row where no choice does that (e.g. 1 and 5: the
total 6 gives the "<5" away as 1), or whose total is itself below ``min_count``, hides every cell.

The tables have no column totals and no subtotals, so each row is its own equation and this rule per row
protects the whole table (tests/reports/test_suppression.py checks it against the bounds a reader can work
out from the published file)."""
from __future__ import annotations

HIDDEN = "*"


def small(min_count: int) -> str:
    return f"<{min_count}"


def _protected(values: list[int], hidden: set[int], primary: set[int], min_count: int) -> bool:
    """Does the row total, with these cells hidden, leave every "<N" cell anywhere in 1 … N-1?"""
    total_hidden = sum(values[i] for i in hidden)
    for p in primary:
        others = hidden - {p}
        lowest_others = sum(1 if i in primary else min_count for i in others)
        highest = min(min_count - 1, total_hidden - lowest_others)
        if others - primary:
            lowest = 1  # a hidden complement has no upper bound a reader knows
        else:
            lowest = max(1, total_hidden - (min_count - 1) * len(others))
        if highest < min_count - 1 or lowest > 1:
            return False
    return True


def suppress_row(values: list[int], min_count: int) -> list[int | str]:
    """The row's cells as published: a count, ``small(min_count)`` or ``HIDDEN``."""
    if min_count < 2:
        raise ValueError("min_count must be at least 2")
    if 0 < sum(values) < min_count:
        return [HIDDEN] * len(values)
    primary = {i for i, v in enumerate(values) if 0 < v < min_count}
    hidden = set(primary)
    candidates = sorted((v, i) for i, v in enumerate(values) if v >= min_count)
    while not _protected(values, hidden, primary, min_count):
        if not candidates:
            return [HIDDEN] * len(values)
        hidden.add(candidates.pop(0)[1])
    return [small(min_count) if i in primary else HIDDEN if i in hidden else v for i, v in enumerate(values)]


def total_cell(total: int, min_count: int) -> int | str:
    return small(min_count) if 0 < total < min_count else total
