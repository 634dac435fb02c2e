"""The customer's header lines and the bar that shows while a customer-visible action is open."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.widgets import Static

from cctui.domain.customer_detail import CustomerHeader
from cctui.domain.models import CreditAction, CreditEvent
from cctui.widgets.safe_text import plain, safe_text

ACTION_STYLES = {
    CreditAction.OK: "",
    CreditAction.REMIND: "bold",
    CreditAction.PASSWORD: "bold",
    CreditAction.HOLD: "bold reverse",
}
"""How the credit action stands out; the word itself always says which it is."""

EVENT_WORDS = {
    CreditEvent.LIMIT_EXCEEDED: "limit exceeded",
    CreditEvent.LIMIT_EXCEEDED_PERCENT: "limit exceeded by %",
    CreditEvent.AGED_ONCE: "debt aged once",
    CreditEvent.AGED_TWICE: "debt aged twice",
    CreditEvent.AGED_THRICE: "debt aged thrice",
    CreditEvent.MANUAL: "set by hand",
    CreditEvent.NONE: "",
}
"""Why the credit action is what it is, in words."""


def _line() -> Text:
    return Text(no_wrap=True, overflow="ellipsis")


def _field(line: Text, label: str, value: object) -> None:
    if line.plain:
        line.append("  ")
    line.append(f"{label} ", style="dim")
    line.append(safe_text(value if value not in (None, "") else "-"))


def header_lines(header: CustomerHeader) -> Group:
    """Three lines: account and name; contact, phone and e-mail; credit action and follow-up."""
    first = _line()
    first.append(safe_text(header.account, style="bold"))
    first.append("  ")
    first.append(safe_text(header.name, style="bold"))
    if header.name2:
        first.append(" / ")
        first.append(safe_text(header.name2))

    second = _line()
    _field(second, "Contact", header.contact_person)
    _field(second, "Phone", header.phone)
    _field(second, "E-mail", header.email)

    third = _line()
    third.append("Credit action ", style="dim")
    third.append(
        f" {header.credit_action.value.upper()} ", style=ACTION_STYLES[header.credit_action]
    )
    why = EVENT_WORDS.get(header.credit_action_event, "")
    if why:
        third.append(f" ({why})")
    third.append("  ")
    if header.follow_up_on is not None:
        third.append("Follow-up ", style="dim")
        third.append(header.follow_up_on.isoformat(), style="bold")
        if header.follow_up_reason:
            third.append(": ")
            third.append(safe_text(header.follow_up_reason))
    else:
        third.append("No follow-up date", style="dim")
    return Group(first, second, third)


def action_bar_text(header: CustomerHeader) -> Text:
    """``! Open action: <type>: <text>`` for the newest open action, and how many more."""
    text = _line()
    text.append("! Open action: ", style="bold")
    if header.open_actions:
        newest = header.open_actions[0]
        body = plain(newest.body)
        label = plain(newest.type_name)
        text.append(label if body == label else f"{label}: {body}")
    more = max(header.open_action_count, len(header.open_actions)) - 1
    if more > 0:
        text.append(f"  (+{more} more)", style="bold")
    return text


class CustomerHeaderView(Static):
    """Who the customer is, how to reach them, its credit action and follow-up date."""

    DEFAULT_CSS = """
    CustomerHeaderView {
        height: 3;
        padding: 0 1;
        background: $boost;
    }
    """

    def show(self, header: CustomerHeader) -> None:
        """Draw ``header``."""
        self.update(header_lines(header))


class ActionBar(Static):
    """A one-line red bar, shown only while the customer has an open customer-visible action.

    It reads "Open action: ..." so it means the same without colour.
    """

    DEFAULT_CSS = """
    ActionBar {
        height: 1;
        padding: 0 1;
        background: $error;
        color: $text;
        text-style: bold;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        display: none;
    }
    ActionBar.-open {
        display: block;
    }
    """

    def show(self, header: CustomerHeader) -> None:
        """Show the bar with the newest open action, or hide it when none is open."""
        is_open = header.has_open_action
        self.set_class(is_open, "-open")
        self.update(action_bar_text(header) if is_open else Text(""))

    @property
    def is_shown(self) -> bool:
        """True while the bar shows."""
        return self.has_class("-open")
