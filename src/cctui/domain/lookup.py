"""Finding records by the names people type: a login, an account number, a pool or agency name.

Every function raises :class:`~cctui.domain.errors.NotFound` with one sentence naming what
was typed when nothing matches, so a CLI verb or a screen can show it as it is.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cctui.domain.errors import NotFound
from cctui.domain.models import CollectionAgency, Customer, Pool, Staff


def staff_id_by_login(session: Session, login: str) -> int:
    """The id of the staff member with ``login`` (inactive ones too: their customers stay)."""
    found = session.scalar(select(Staff.id).where(Staff.login == login.strip()))
    if found is None:
        raise NotFound(f"There is no staff member with the login {login.strip()!r}.")
    return found


def customer_id_by_account(session: Session, account: str) -> int:
    """The id of the customer with account number ``account``."""
    found = session.scalar(select(Customer.id).where(Customer.account == account.strip()))
    if found is None:
        raise NotFound(f"There is no customer with the account {account.strip()!r}.")
    return found


def pool_id_by_name(session: Session, name: str) -> int:
    """The id of the pool called ``name`` (case ignored)."""
    found = session.scalar(
        select(Pool.id).where(func.lower(Pool.name) == name.strip().lower()).order_by(Pool.id)
    )
    if found is None:
        raise NotFound(f"There is no pool called {name.strip()!r}.")
    return found


def agency_id_by_name(session: Session, name: str) -> int:
    """The id of the collection agency called ``name`` (case ignored)."""
    found = session.scalar(
        select(CollectionAgency.id)
        .where(func.lower(CollectionAgency.name) == name.strip().lower())
        .order_by(CollectionAgency.id)
    )
    if found is None:
        raise NotFound(f"There is no collection agency called {name.strip()!r}.")
    return found
