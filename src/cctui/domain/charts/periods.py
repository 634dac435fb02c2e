"""Calendar periods the charts group by: weeks starting on Monday, months starting on the 1st."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, Integer, cast, func, literal, type_coerce
from sqlalchemy.orm import InstrumentedAttribute


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def last_weeks(as_of: date, count: int) -> tuple[date, ...]:
    """The Mondays of the ``count`` weeks ending with the week of ``as_of``, oldest first."""
    last = week_start(as_of)
    return tuple(last - timedelta(weeks=n) for n in range(count - 1, -1, -1))


def last_months(as_of: date, count: int) -> tuple[date, ...]:
    """The first days of the ``count`` months ending with the month of ``as_of``, oldest first."""
    months: list[date] = []
    year, month = as_of.year, as_of.month
    for _ in range(count):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return tuple(reversed(months))


def sql_week(column: InstrumentedAttribute[Any]) -> ColumnElement[date]:
    """The Monday of the week of a date column, in SQL."""
    return cast(func.date_trunc("week", column), Date)


def sql_month(column: InstrumentedAttribute[Any]) -> ColumnElement[date]:
    """The first day of the month of a date column, in SQL."""
    return cast(func.date_trunc("month", column), Date)


def sql_week_from(column: InstrumentedAttribute[Any], first: date) -> ColumnElement[date]:
    """The Monday of the week of a date column, counted in whole weeks from the Monday
    ``first`` (integer arithmetic: cheaper per row than ``date_trunc``)."""
    start = literal(first, Date)
    days = type_coerce(column - start, Integer)
    return cast(start + days // 7 * 7, Date)
