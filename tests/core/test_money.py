"""Fen and yuan: one pair of conversions (core.money), exact Decimal everywhere money is shown."""
from __future__ import annotations

from decimal import Decimal

import pytest

from core.money import fen_to_yuan, yuan_to_fen


@pytest.mark.parametrize("fen,yuan", [(0, "0.00"), (1, "0.01"), (10, "0.10"), (52050, "520.50"),
                                      (999_999_999, "9999999.99"), (-5, "-0.05")])
def test_fen_to_yuan_is_an_exact_decimal_with_two_places(fen, yuan):
    value = fen_to_yuan(fen)
    assert isinstance(value, Decimal) and str(value) == yuan


@pytest.mark.parametrize("fen", [0, 1, 10, 52050, 999_999_999])
def test_yuan_to_fen_takes_back_what_fen_to_yuan_gives(fen):
    assert yuan_to_fen(fen_to_yuan(fen)) == yuan_to_fen(str(fen_to_yuan(fen))) == fen


def test_the_back_office_and_the_portal_show_the_same_amount(app):
    from backoffice.base import yuan
    with app.test_request_context():
        portal = app.jinja_env.filters["yuan"]
        assert [yuan(f) for f in (10, 52050, None)] == ["0.10", "520.50", ""]
        assert [portal(f) for f in (10, 52050, None)] == ["0.10", "520.50", "0.00"]
