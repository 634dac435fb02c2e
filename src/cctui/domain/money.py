"""Amounts of money typed by users or passed to services: exact, positive, two places."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from cctui.domain.errors import ValidationError

MAX_AMOUNT = Decimal("999999999999.99")
"""The largest amount a NUMERIC(14, 2) column holds."""

CENT = Decimal("0.01")


def to_money(
    value: Decimal | int | str, *, what: str = "amount", allow_zero: bool = False
) -> Decimal:
    """``value`` as a Decimal with two places, or a ValidationError naming ``what``.

    Accepts Decimals, ints and strings such as ``"1234.50"`` or ``"1 234,50"`` (blanks and
    a decimal comma are allowed; thousands separators are not guessed). Floats are refused:
    money never passes through binary floating point.
    """
    if isinstance(value, float):
        raise ValidationError(f"The {what} must be given exactly, not as a float.")
    if isinstance(value, bool):
        raise ValidationError(f"The {what} must be a number.")
    text = str(value).strip().replace(" ", "").replace("\u00a0", "")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValidationError(f"The {what} {str(value)!r} is not a number.") from None
    if not amount.is_finite():
        raise ValidationError(f"The {what} {str(value)!r} is not a number.")
    if amount != amount.quantize(CENT):
        raise ValidationError(f"The {what} {str(value)!r} has more than two decimal places.")
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError(
            f"The {what} must be {'zero or more' if allow_zero else 'more than zero'}, "
            f"not {str(value)!r}."
        )
    if amount > MAX_AMOUNT:
        raise ValidationError(f"The {what} {str(value)!r} is too large.")
    return amount.quantize(CENT)
