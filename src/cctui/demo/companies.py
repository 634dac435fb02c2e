"""Customer names (companies and sole traders), second name lines and e-mail addresses."""

from __future__ import annotations

from cctui.demo.addresses import Random01, pick
from cctui.demo.country import City, Country, Word, slug
from cctui.demo.people import full_name, person

EMAIL_DOMAIN_SUFFIX = ".example"
"""Every demo e-mail domain ends in the reserved ``.example`` TLD, so no mail can go out."""


def _word(r: Random01, items: tuple[Word, ...]) -> Word:
    return items[int(r() * len(items))]


def _other(r: Random01, items: tuple[Word, ...], taken: Word) -> Word:
    word = _word(r, items)
    return word if word != taken else items[(items.index(word) + 1) % len(items)]


_FAMILY_TEMPLATES: dict[str, tuple[tuple[str, str], ...]] = {}


def _family_templates(country: Country) -> tuple[tuple[str, str], ...]:
    """The company templates that carry a family name (for members of a credit group)."""
    found = _FAMILY_TEMPLATES.get(country.code)
    if found is None:
        found = tuple(t for t in country.companies if "{last}" in t[0]) or country.companies
        _FAMILY_TEMPLATES[country.code] = found
    return found


def _fill(template: tuple[str, str], words: dict[str, Word], city: City) -> tuple[str, str]:
    name = template[0].format(city=city.name, **{k: w[0] for k, w in words.items()})
    domain = template[1].format(city=city.roman, **{k: w[1] for k, w in words.items()})
    return name[0].upper() + name[1:], slug(domain)


def company_name(
    r: Random01, country: Country, city: City, stem: Word | None = None
) -> tuple[str, str]:
    """A company's name and the slug of its e-mail domain.

    ``stem`` (a family name) makes the members of a credit group look related: they all
    get a name built on it.
    """
    templates = country.companies if stem is None else _family_templates(country)
    template = templates[int(r() * len(templates))]
    last = stem or _word(r, country.last)
    words = {
        "last": last,
        "last2": _other(r, country.last, last),
        "first": _word(r, country.first_m),
        "industry": _word(r, country.industries),
        "place": _word(r, country.places),
    }
    return _fill(template, words, city)


def trader_name(r: Random01, country: Country, city: City) -> tuple[str, str, str]:
    """A sole trader's business name, its e-mail slug, and the trader's own name."""
    template = country.traders[int(r() * len(country.traders))]
    first, last, _female = person(r, country)
    words = {
        "last": last,
        "last2": _other(r, country.last, last),
        "first": first,
        "industry": _word(r, country.industries),
        "place": ("", ""),
    }
    name, domain = _fill(template, words, city)
    return name, domain, full_name(country, first, last)


def second_name(r: Random01, country: Country, city: City) -> str:
    """A second name line: a department, a branch or an attention line."""
    return pick(r, country.name2).format(city=city.name)


def email(r: Random01, country: Country, domain_slug: str) -> str:
    """An accounts-payable style address at the customer's (reserved ``.example``) domain."""
    return f"{pick(r, country.mail_users)}@{domain_slug}{EMAIL_DOMAIN_SUFFIX}"
