"""The fact box: the customer's statistics (balance, aging, limit, payment habits, to-dos)."""

from __future__ import annotations

from decimal import Decimal

from rich.console import Group
from rich.text import Text
from textual.widgets import Static

from cctui.domain.statistics import AccountStatus, CustomerStatistics
from cctui.widgets.money import format_money


def _line() -> Text:
    return Text(no_wrap=True, overflow="ellipsis")


def _pair(line: Text, label: str, value: str, style: str = "") -> None:
    if line.plain:
        line.append(" · ", style="dim")
    line.append(f"{label} ", style="dim")
    line.append(value, style=style)


def _days(value: Decimal | None) -> str:
    return "-" if value is None else str(value)


def fact_lines(stats: CustomerStatistics) -> Group:
    """Four compact lines of the statistics; the status is in words, never only a colour."""
    currency = stats.currency
    first = _line()
    _pair(first, "Balance", f"{format_money(stats.balance, currency)} {currency}", "bold")
    _pair(first, "Overdue", format_money(stats.overdue_balance, currency), "bold")
    first.append(" · ", style="dim")
    status_style = "" if stats.account_status is AccountStatus.OK else "bold"
    first.append(stats.account_status.words, style=status_style)

    second = _line()
    limit = format_money(stats.credit_limit, currency)
    if stats.temporary_limit:
        limit += " (temp.)"
    if stats.credit_group:
        limit += " (group)"
    _pair(second, "Limit", limit)
    used = "-" if stats.credit_use_percent is None else f"{stats.credit_use_percent}%"
    _pair(second, "Used", used, "bold" if stats.credit_available < 0 else "")
    _pair(second, "Free", format_money(stats.credit_available, currency))
    _pair(second, "Held", str(stats.held_document_count))

    third = _line()
    for label, amount in stats.aging:
        _pair(third, label, format_money(amount, currency))

    fourth = _line()
    _pair(fourth, "Days to pay", _days(stats.avg_days_to_pay))
    _pair(fourth, "Days late", _days(stats.avg_overdue_days))
    late = f" ({stats.overdue_todo_count} late)" if stats.overdue_todo_count else ""
    _pair(fourth, "Open to-dos", f"{stats.todo_count}{late}")
    return Group(first, second, third, fourth)


class FactBox(Static):
    """The statistics in four lines; ``s`` on the customer screen hides and shows it."""

    DEFAULT_CSS = """
    FactBox {
        height: 4;
        padding: 0 1;
        background: $panel;
    }
    FactBox.-hidden {
        display: none;
    }
    """

    def show(self, stats: CustomerStatistics) -> None:
        """Draw ``stats``."""
        self.update(fact_lines(stats))
