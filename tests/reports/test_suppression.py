"""Small-cell suppression of the de-identified statistics (reports/suppression.py), checked against what a
reader can work out: from a published row (cells, markers, total) the bounds of every "<N" cell."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from reports.suppression import HIDDEN, small, suppress_row, total_cell


def reader_bounds(shown: list, total, min_count: int) -> list[tuple[int, int]]:
    """What a reader who knows the rule learns about each "<N" cell of one published row: its lowest and
    highest possible value. A "<N" is 1 … N-1; a hidden cell beside a "<N" is at least N (else it would be
    a "<N" itself); the hidden cells add up to the total minus the shown ones."""
    marks = [i for i, v in enumerate(shown) if v == small(min_count)]
    if total == small(min_count) or not marks:
        return [(1, min_count - 1)] * len(marks)
    rest = total - sum(v for v in shown if isinstance(v, int))
    lows = {i: 1 if v == small(min_count) else min_count for i, v in enumerate(shown) if v in (small(min_count), HIDDEN)}
    highs = {i: min_count - 1 if v == small(min_count) else rest for i, v in lows.items()}
    bounds = []
    for p in marks:
        others = [i for i in lows if i != p]
        bounds.append((max(1, rest - sum(highs[i] for i in others)),
                       min(min_count - 1, rest - sum(lows[i] for i in others))))
    return bounds


@settings(max_examples=600, deadline=None)
@given(st.lists(st.integers(0, 14), min_size=1, max_size=7), st.integers(2, 8))
def test_a_row_never_gives_a_small_count_away(values, min_count):
    shown = suppress_row(values, min_count)
    total = total_cell(sum(values), min_count)
    for value, cell in zip(values, shown):
        if isinstance(cell, int):
            assert cell == value and (cell == 0 or cell >= min_count)  # shown as it is, never 1 … N-1
        elif cell == small(min_count):
            assert 0 < value < min_count
        else:
            assert cell == HIDDEN
    assert total == sum(values) if sum(values) == 0 or sum(values) >= min_count else total == small(min_count)
    # the total tells nothing more about a "<N" cell than "<N" says
    assert all(b == (1, min_count - 1) for b in reader_bounds(shown, total, min_count))


@pytest.mark.parametrize("values, shown", [
    ([12, 1], [HIDDEN, "<5"]),          # the total 13 would give the 1 away: the 12 goes too
    ([12, 0, 1], [HIDDEN, 0, "<5"]),    # zeros stay
    ([2, 3, 10], ["<5", "<5", 10]),     # two small cells keep each other: 5 = 1+4 … 4+1
    ([4, 4, 10], ["<5", "<5", HIDDEN]),  # 8 = 4 + 4 would say both are 4: the 10 goes too
    ([1, 5], [HIDDEN, HIDDEN]),         # 6 = 1 + 5 whatever is hidden: the whole row goes
    ([3, 0], [HIDDEN, HIDDEN]),         # the total below 5: the whole row goes, the total is "<5"
    ([7, 9], [7, 9]),
])
def test_examples(values, shown):
    assert suppress_row(values, 5) == shown


def test_the_threshold_cannot_switch_suppression_off():
    with pytest.raises(ValueError):
        suppress_row([1, 9], 1)
