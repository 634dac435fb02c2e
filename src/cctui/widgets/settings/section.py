"""What a section of the settings screen is: its table's rows, and its forms and toggles.

A section is a plain object (not a widget). The screen calls :meth:`Section.load` in a
thread worker, shows the rows in a table, and asks the section for the form to open on
``a`` (add) or ``e`` (edit), or for the change ``d`` makes (deactivate / reactivate).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from cctui.domain.identity import StaffIdentity
from cctui.widgets.settings.form import FormSpec


@dataclass(frozen=True)
class Row:
    """One row of a section's table: its cells as plain strings (from the database: shown
    through safe_text) and the read model behind it."""

    key: str
    cells: tuple[str, ...]
    item: Any
    active: bool = True


def yes_no(flag: bool) -> str:
    """A flag as a word, so it reads the same without colour."""
    return "yes" if flag else "no"


class Section:
    """A settings section; subclasses set the class variables and override what they offer."""

    name: ClassVar[str] = ""
    """Identifies the section (its tab and table ids)."""
    title: ClassVar[str] = ""
    """The tab's label."""
    columns: ClassVar[tuple[str, ...]] = ()
    note: ClassVar[str] = ""
    """One line above the table: what this section holds and which keys apply."""
    can_add: ClassVar[bool] = False
    can_toggle: ClassVar[bool] = False
    has_password: ClassVar[bool] = False
    empty: ClassVar[str] = "Nothing here yet: press a to add one."

    def __init__(self, actor: StaffIdentity) -> None:
        self.actor = actor

    def load(self, session: Any) -> list[Row]:
        """The rows to show (runs in a worker; may keep what the forms need, too)."""
        raise NotImplementedError

    def add_form(self) -> FormSpec | None:
        """The form ``a`` opens, or None when the section adds nothing."""
        return None

    def edit_form(self, row: Row) -> FormSpec | None:
        """The form ``e`` (or Enter) opens for ``row``, or None when rows are not edited."""
        return None

    def toggle(self, session: Any, row: Row) -> str:
        """Deactivate ``row`` (or reactivate it when inactive); the sentence of what it did."""
        raise NotImplementedError

    def password_form(self, row: Row) -> FormSpec | None:
        """The form ``p`` opens for ``row``, or None."""
        return None
