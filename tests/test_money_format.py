"""Amounts are written with their currency's own decimals."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cctui.widgets.money import currency_decimals, format_money


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (Decimal("1234567.891"), "EUR", "1,234,567.89"),
        (Decimal("11861657.00"), "JPY", "11,861,657"),
        (Decimal("12.5"), "KWD", "12.500"),
        (Decimal("-5"), "GBP", "-5.00"),
        (Decimal("7.25"), "XYZ", "7.25"),
    ],
)
def test_format_money_uses_the_currencys_decimals(amount, currency, shown):
    assert format_money(amount, currency) == shown


def test_unknown_or_lower_case_currency_codes():
    assert currency_decimals("jpy") == 0
    assert currency_decimals("???") == 2
