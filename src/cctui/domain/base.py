"""Declarative base with a constraint naming convention and shared column types."""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Annotated

from sqlalchemy import Enum, MetaData, Numeric
from sqlalchemy.orm import DeclarativeBase, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MONEY = Numeric(14, 2)
"""Amounts of money: exact decimals with two places, never floats."""

PERCENT = Numeric(6, 3)
"""Percentages such as discounts, interest and commission."""

Money = Annotated[Decimal, mapped_column(MONEY)]
"""A non-null amount of money."""


class Base(DeclarativeBase):
    """Base class of every cctui table; constraint names follow ``NAMING_CONVENTION``."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def str_enum(enum_class: type[enum.StrEnum], name: str) -> Enum:
    """A VARCHAR column type holding the values of ``enum_class``, checked by the database."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(member.value) for member in enum_class),
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )
