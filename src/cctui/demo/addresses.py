"""Plausible addresses, postal codes and telephone numbers for a country."""

from __future__ import annotations

from collections.abc import Callable

from cctui.demo.country import City, Country

Random01 = Callable[[], float]
"""A ``random.Random().random`` bound method."""

_DIGITS = "0123456789"
_ALNUM_EXTRA = "0123456789"


def fill(pattern: str, r: Random01, letters: str) -> str:
    """Replace ``#`` by a random digit, ``@`` by one of ``letters`` and ``%`` by either."""
    out: list[str] = []
    mixed = letters + _ALNUM_EXTRA
    for ch in pattern:
        if ch == "#":
            out.append(_DIGITS[int(r() * 10)])
        elif ch == "@":
            out.append(letters[int(r() * len(letters))])
        elif ch == "%":
            out.append(mixed[int(r() * len(mixed))])
        else:
            out.append(ch)
    return "".join(out)


def pick(r: Random01, items: tuple[str, ...]) -> str:
    """A random element of ``items``."""
    return items[int(r() * len(items))]


def postal_code(r: Random01, country: Country, city: City) -> str | None:
    """A postal code of ``city``; None where the country has none."""
    if country.fixed_postal:
        return None
    return fill(pick(r, city.postal), r, country.postal_letters)


def phone(r: Random01, country: Country, city: City, *, mobile: bool = False) -> str:
    """A telephone number in the country's international format."""
    return fill(country.mobile if mobile else city.phone, r, country.postal_letters)


def _numbers(r: Random01) -> dict[str, int]:
    small = 1 + int(r() * r() * 120)
    return {
        "n": small,
        "m": 1 + int(r() * 30),
        "c": 1 + int(r() * 5),
        "big": 100 + int(r() * 2900),
    }


def address_lines(r: Random01, country: Country) -> tuple[str, str | None]:
    """First address line, and a second one for about one customer in six.

    Countries without postal codes (United Arab Emirates) usually get a P.O. box instead.
    """
    numbers = _numbers(r)
    first = pick(r, country.line1).format(s=pick(r, country.streets), **numbers)
    share = 0.7 if country.fixed_postal else 0.16
    second = pick(r, country.line2).format(**numbers) if r() < share else None
    return first, second
