"""The credit team (staff in every role), who works which pool, and the credit groups."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from cctui.demo.copy_rows import TableRows
from cctui.demo.country import Word
from cctui.demo.people import staff_people
from cctui.demo.reference import POOL_OF_COUNTRY, POOLS
from cctui.demo.textfmt import line
from cctui.demo.vocabulary import COUNTRIES
from cctui.domain.secrets import hash_secret

DEMO_PASSWORD = "demo"
"""The approval secret of every demo supervisor and admin."""

STAFF_COLUMNS = (
    "id",
    "login",
    "name",
    "email",
    "role",
    "approval_secret",
    "approval_limit",
    "active",
    "created_at",
)
STAFF_POOL_COLUMNS = ("staff_id", "pool_id")
GROUP_COLUMNS = ("id", "name", "credit_limit", "currency", "created_at")

_APPROVAL_LIMITS = {
    "agent": "0.00",
    "controller": "50000.00",
    "supervisor": "500000.00",
    "admin": "10000000.00",
}
_STAFF_DOMAIN = "meridian-supplies.example"


@dataclass
class Team:
    """The staff ids by role and by pool, as the customer generator needs them."""

    admins: list[int] = field(default_factory=list)
    supervisors: list[int] = field(default_factory=list)
    controllers: list[int] = field(default_factory=list)
    agents: list[int] = field(default_factory=list)
    pool_agents: dict[int, list[int]] = field(default_factory=dict)
    pool_controllers: dict[int, list[int]] = field(default_factory=dict)
    you_id: int | None = None


def role_counts(customers: int) -> dict[str, int]:
    """How many staff of each role a book of ``customers`` gets."""
    return {
        "admin": 2,
        "supervisor": max(2, min(6, customers // 20_000 + 2)),
        "controller": max(3, round(customers / 2_000)),
        "agent": max(4, round(customers / 1_000)),
    }


def normalise_login(login: str | None) -> str | None:
    """``login`` as stored (lower case, no surrounding blanks), or None when empty."""
    if login is None:
        return None
    cleaned = "".join(ch for ch in login.strip().lower() if ch.isprintable())
    return cleaned[:64] or None


def name_from_login(login: str) -> str:
    """A display name made from a login: ``jane.doe`` -> ``Jane Doe``."""
    parts = [part for part in re.split(r"[._\-\s]+", login) if part]
    return " ".join(part[:1].upper() + part[1:] for part in parts) or login


def make_team(
    rng: random.Random, customers: int, you: str | None, stamp: str
) -> tuple[Team, TableRows, TableRows]:
    """The staff rows, the staff-to-pool rows and the :class:`Team` index.

    ``you`` (already normalised) becomes an admin: the generated member with that login is
    promoted, or a new admin named after the login is added last.
    """
    counts = role_counts(customers)
    people = staff_people(rng, sum(counts.values()))
    roles = [role for role, count in counts.items() for _ in range(count)]
    team = Team()
    staff = TableRows("staff", STAFF_COLUMNS)
    by_role = {
        "admin": team.admins,
        "supervisor": team.supervisors,
        "controller": team.controllers,
        "agent": team.agents,
    }
    rows: list[tuple[int, str, str, str]] = []
    for number, ((login, name), role) in enumerate(zip(people, roles, strict=True), start=1):
        if login == you:
            role = "admin"
            team.you_id = number
        rows.append((number, login, name, role))
    if you is not None and team.you_id is None:
        team.you_id = len(rows) + 1
        rows.append((team.you_id, you, name_from_login(you), "admin"))
    last_agent = max((row[0] for row in rows if row[3] == "agent"), default=None)
    for number, login, name, role in rows:
        by_role[role].append(number)
        secret = (
            hash_secret(DEMO_PASSWORD, salt=rng.randbytes(16))
            if role in ("admin", "supervisor")
            else None
        )
        mail = f"{login}@{_STAFF_DOMAIN}" if "@" not in login else login
        active = not (number == last_agent and counts["agent"] >= 6)
        staff.lines.append(
            line(
                number,
                login,
                name,
                mail,
                role,
                secret,
                _APPROVAL_LIMITS[role],
                active,
                stamp,
            )
        )
    staff_pool = TableRows("staff_pool", STAFF_POOL_COLUMNS)
    _spread(team.agents, team.pool_agents, staff_pool)
    _spread(team.controllers, team.pool_controllers, staff_pool)
    return team, staff, staff_pool


def _pool_weights() -> dict[int, float]:
    weights = {pool.id: 0.0 for pool in POOLS}
    for country in COUNTRIES:
        weights[POOL_OF_COUNTRY[country.code].id] += country.weight
    total = sum(weights.values())
    return {pool_id: weight / total for pool_id, weight in weights.items()}


def _spread(members: list[int], by_pool: dict[int, list[int]], rows: TableRows) -> None:
    """Give every pool at least one of ``members``, more to the bigger pools, cyclically."""
    weights = _pool_weights()
    cursor = 0
    for pool_id, weight in sorted(weights.items(), key=lambda item: (-item[1], item[0])):
        wanted = min(len(members), max(1, round(len(members) * weight)))
        chosen: list[int] = []
        for _ in range(wanted):
            staff_id = members[cursor % len(members)]
            cursor += 1
            if staff_id not in chosen:
                chosen.append(staff_id)
        by_pool[pool_id] = chosen
        rows.lines.extend(line(staff_id, pool_id) for staff_id in chosen)


_GROUP_FORMATS = {
    "GB": "{} Group",
    "IE": "{} Group",
    "US": "{} Holdings",
    "DE": "{}-Gruppe",
    "AT": "{}-Gruppe",
    "CH": "{} Holding",
    "FR": "Groupe {}",
    "NL": "{} Groep",
    "ES": "Grupo {}",
    "PL": "Grupa {}",
    "CZ": "Skupina {}",
    "SI": "Skupina {}",
    "SE": "{}koncernen",
    "GR": "Όμιλος {}",
    "JP": "{}グループ",
    "CN": "{}集团",
    "AE": "مجموعة {}",
    "IL": "קבוצת {}",
}


@dataclass(frozen=True)
class GroupMember:
    """A customer's credit group and the family name its members share."""

    group_id: int
    stem: Word


def make_groups(
    rng: random.Random, country_of: list[int], stamp: str
) -> tuple[dict[int, GroupMember], TableRows]:
    """Credit groups of two to six customers of one country; keyed by customer id."""
    r = rng.random
    customers = len(country_of)
    by_country: dict[int, list[int]] = {}
    for index, country_index in enumerate(country_of):
        by_country.setdefault(country_index, []).append(index + 1)
    members: dict[int, GroupMember] = {}
    rows = TableRows("credit_group", GROUP_COLUMNS)
    names: set[str] = set()
    group_id = 0
    for _ in range(max(3, customers // 1_000)):
        first = 1 + int(r() * customers)
        if first in members:
            continue
        country_index = country_of[first - 1]
        country = COUNTRIES[country_index]
        candidates = by_country[country_index]
        wanted = 2 + int(r() * 5)
        chosen = [first]
        for _attempt in range(wanted * 3):
            if len(chosen) >= wanted:
                break
            other = candidates[int(r() * len(candidates))]
            if other not in members and other not in chosen:
                chosen.append(other)
        if len(chosen) < 2:
            continue
        group_id += 1
        stem = country.last[int(r() * len(country.last))]
        name = _GROUP_FORMATS[country.code].format(stem[0])
        name = name[0].upper() + name[1:]
        suffix = 2
        while name in names:
            name = f"{_GROUP_FORMATS[country.code].format(stem[0])} {suffix}"
            suffix += 1
        names.add(name)
        limit = int(250_000 * country.fx * (0.5 + 1.5 * r()))
        scale = 10 ** max(0, len(str(limit)) - 2)
        limit = limit // scale * scale
        rows.lines.append(line(group_id, name, f"{limit}.00", country.currency, stamp))
        for customer_id in chosen:
            members[customer_id] = GroupMember(group_id, stem)
    return members, rows
