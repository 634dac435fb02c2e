"""Names of people: customers' contacts, sole traders and the credit team's staff."""

from __future__ import annotations

import random

from cctui.demo.addresses import Random01
from cctui.demo.country import Country, Word, fold, slug
from cctui.demo.vocabulary import COUNTRIES, STAFF_COUNTRIES


def person(r: Random01, country: Country) -> tuple[Word, Word, bool]:
    """A first and last name of the country (feminine surname forms applied) and whether
    the person is a woman."""
    female = r() < 0.45
    firsts = country.first_f if female else country.first_m
    first = firsts[int(r() * len(firsts))]
    last = country.last[int(r() * len(country.last))]
    if female and country.feminine is not None:
        last = (country.feminine(last[0]), last[1])
    return first, last, female


def full_name(country: Country, first: Word, last: Word) -> str:
    """The person's name written as the country writes it (family name first in Asia)."""
    text = country.person.format(first=first[0], last=last[0])
    return text[0].upper() + text[1:]


def contact_person(r: Random01, country: Country) -> str:
    """A random contact person's name."""
    first, last, _female = person(r, country)
    return full_name(country, first, last)


def _login(first: str, last: str) -> str:
    return slug(fold(first)[:1] + fold(last)).replace("-", "")


def staff_people(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """``count`` distinct ``(login, name)`` pairs for the credit team; logins are lower case
    ASCII (first initial and surname, with a number when taken)."""
    pool = [c for c in COUNTRIES if c.code in STAFF_COUNTRIES]
    taken: set[str] = set()
    people: list[tuple[str, str]] = []
    r = rng.random
    while len(people) < count:
        country = pool[int(r() * len(pool))]
        first, last, _female = person(r, country)
        name = full_name(country, first, last)
        base = _login(first[0], last[0]) or "staff"
        login = base
        suffix = 2
        while login in taken:
            login = f"{base}{suffix}"
            suffix += 1
        taken.add(login)
        people.append((login, name))
    return people
