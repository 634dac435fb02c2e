"""Reading an amount of money typed into a form: ``1,234.50`` or ``1234.50``, nothing else.

The domain's :func:`cctui.domain.money.to_money` checks the range and the two decimal
places; it also takes a decimal comma, which on a form would make ``1,234`` ambiguous
(one thousand two hundred and thirty-four, or one point two three four?). A form therefore
accepts only the shapes below, then hands the cleaned digits to ``to_money``:

* digits with an optional decimal point and decimals: ``1234``, ``1234.5``, ``1234.50``
  (more than two decimals are refused by ``to_money`` with its own sentence);
* the same with a comma between every group of three digits: ``1,234.50``.

Signs, exponents (``1e3``), ``nan``, currency symbols, blanks inside the number and a
decimal comma are refused with a sentence saying how to write the amount.
"""

from __future__ import annotations

import re
from decimal import Decimal

from cctui.domain.errors import ValidationError
from cctui.domain.money import to_money

_PLAIN = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")

HOW_TO_WRITE = "write it like 1,234.50 or 1234.50"
"""The hint every refusal ends with."""


def parse_money_input(text: str, *, what: str = "amount") -> Decimal:
    """The amount typed in ``text`` as an exact Decimal with two places.

    Raises :class:`~cctui.domain.errors.ValidationError` with one sentence naming ``what``
    when the text is empty, is not written as ``1,234.50`` or ``1234.50``, has more than
    two decimals, is zero or is too large.
    """
    cleaned = text.strip()
    if not cleaned:
        raise ValidationError(f"Type the {what}: {HOW_TO_WRITE}.")
    if _PLAIN.fullmatch(cleaned):
        digits = cleaned
    elif _GROUPED.fullmatch(cleaned):
        digits = cleaned.replace(",", "")
    else:
        shown = cleaned if len(cleaned) <= 30 else cleaned[:29] + "…"
        raise ValidationError(f"The {what} {shown!r} is not an amount: {HOW_TO_WRITE}.")
    return to_money(digits, what=what)
