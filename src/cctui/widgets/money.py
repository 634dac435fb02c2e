"""Amounts of money as people read them: the currency's own number of decimals."""

from __future__ import annotations

from decimal import Decimal
from functools import cache

from babel.numbers import UnknownCurrencyError, get_currency_precision


@cache
def currency_decimals(currency: str) -> int:
    """How many decimals ``currency`` is written with (JPY 0, EUR 2, KWD 3); 2 if unknown."""
    try:
        return int(get_currency_precision(currency.upper()))
    except (UnknownCurrencyError, ValueError):
        return 2


def format_money(amount: Decimal, currency: str) -> str:
    """``amount`` with thousands separators and the decimals of ``currency``: ``1,234.50``."""
    decimals = currency_decimals(currency)
    return f"{amount:,.{decimals}f}"
