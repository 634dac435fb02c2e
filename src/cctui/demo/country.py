# ruff: noqa: RUF001 - names in their own scripts and typography are the point here
"""The shape of a country's vocabulary for the demo book, and the helpers that read it.

Words are ``(native, roman)`` pairs: the native spelling goes into names and addresses, the
roman one only into e-mail domains. In the source tables a word is written ``"native|roman"``
or, for Latin scripts, just ``"native"`` (its roman form is the ASCII folding).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

Word = tuple[str, str]
"""A word as ``(native spelling, ASCII romanisation)``."""

_FOLD_EXTRA = str.maketrans(
    {
        "ß": "ss",
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "æ": "ae",
        "Æ": "AE",
        "đ": "d",
        "Đ": "D",
        "ı": "i",
        "œ": "oe",
        "Œ": "OE",
    }
)
_GERMAN_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def fold(text: str, *, german: bool = False) -> str:
    """ASCII transliteration of a Latin-script ``text`` (``Łukasz Wójcik`` -> ``Lukasz Wojcik``).

    With ``german`` the umlauts become ``ae``/``oe``/``ue`` as Germans write them in addresses.
    """
    if german:
        text = text.translate(_GERMAN_FOLD)
    text = text.translate(_FOLD_EXTRA)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ord(ch) < 128)


def slug(text: str) -> str:
    """Lower-case ASCII words joined by hyphens, for e-mail domains and logins."""
    return _NOT_SLUG.sub("-", text.lower()).strip("-")


def words(*entries: str, german: bool = False) -> tuple[Word, ...]:
    """Parse ``"native|roman"`` (or plain Latin ``"native"``) entries into :data:`Word` pairs."""
    parsed: list[Word] = []
    for entry in entries:
        native, sep, roman = entry.partition("|")
        parsed.append((native, roman if sep else fold(native, german=german)))
    return tuple(parsed)


@dataclass(frozen=True)
class City:
    """A city with the postal-code and telephone patterns used there.

    Patterns: ``#`` is a random digit, ``@`` a random letter of the country's postal
    alphabet, ``%`` a random letter or digit; everything else is copied.
    """

    name: str
    roman: str
    postal: tuple[str, ...]
    phone: str


@dataclass(frozen=True)
class Country:
    """Everything the generators need to make plausible customers in one country."""

    code: str
    name: str
    currency: str
    locale: str
    weight: float
    fx: float
    """Units of the currency per euro, to scale amounts."""
    decimals: int
    """Minor-unit digits used in practice (0 for yen)."""
    cities: tuple[City, ...]
    streets: tuple[str, ...]
    line1: tuple[str, ...]
    """Templates with ``{s}`` street, ``{n}`` small number, ``{m}`` flat, ``{big}``."""
    line2: tuple[str, ...]
    """Templates for an optional second address line (``{n}`` a small number)."""
    mobile: str
    first_m: tuple[Word, ...]
    first_f: tuple[Word, ...]
    last: tuple[Word, ...]
    industries: tuple[Word, ...]
    places: tuple[Word, ...]
    companies: tuple[tuple[str, str], ...]
    """``(name template, e-mail domain template)``; fields ``{last}``, ``{last2}``, ``{first}``,
    ``{industry}``, ``{place}``, ``{city}`` (the domain template gets the roman forms)."""
    traders: tuple[tuple[str, str], ...]
    """Sole-trader templates, same fields as :attr:`companies`."""
    name2: tuple[str, ...]
    """Templates for the second name line (``{city}``)."""
    mail_users: tuple[str, ...]
    postal_letters: str = "ABCDEFGHJKLMNPRSTUVWXYZ"
    person: str = "{first} {last}"
    feminine: Callable[[str], str] | None = None
    fixed_postal: bool = False
    """True where the country has no postal codes (the P.O. box goes into line 2)."""


def feminine_polish(surname: str) -> str:
    """Polish feminine surname: Kowalski -> Kowalska; others unchanged."""
    return surname[:-1] + "a" if surname.endswith("ki") else surname


def feminine_czech(surname: str) -> str:
    """Czech feminine surname: Novák -> Nováková, Černý -> Černá, Svoboda -> Svobodová."""
    if surname.endswith("ý"):
        return surname[:-1] + "á"
    if surname.endswith("a"):
        return surname[:-1] + "ová"
    if surname.endswith("ek"):
        return surname[:-2] + "ková"
    if surname.endswith("ec"):
        return surname[:-2] + "cová"
    return surname + "ová"


def feminine_greek(surname: str) -> str:
    """Greek feminine surname (genitive): Παπαδόπουλος -> Παπαδοπούλου, Μακρής -> Μακρή."""
    if surname.endswith("όπουλος"):
        return surname[:-7] + "οπούλου"
    if surname.endswith("ίδης"):
        return surname[:-4] + "ίδου"
    if surname.endswith("ος"):
        return surname[:-2] + "ου"
    if surname.endswith("ης") or surname.endswith("ής"):
        return surname[:-1]
    if surname.endswith("άς"):
        return surname[:-1]
    return surname
