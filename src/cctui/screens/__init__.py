"""cctui's screens, and the registry of screens that ``--screen NAME`` and the go-to menu open.

Each screen registers one :class:`ScreenEntry` in :data:`SCREENS`: the name typed after
``--screen``, its title, the key that opens it from the go-to menu (``g``) and the least
role it is offered to. A name without an entry makes the app open the start screen and say
that screen is not available in this version.
"""

from __future__ import annotations

import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.screen import Screen

from cctui.domain.roles import Role

if TYPE_CHECKING:
    from cctui.app import AppContext

ScreenFactory = Callable[["AppContext"], Screen[None]]
"""Builds a screen for the app's context (the customer to open, for instance)."""

START_SCREEN = "dashboard"
"""The screen the app always starts on; others open on top of it."""


@dataclass(frozen=True)
class ScreenEntry:
    """A screen the app can open by name."""

    name: str
    """As given to ``cctui app --screen NAME``."""
    title: str
    """As the go-to menu and the palette show it."""
    key: str
    """The key that opens it from the go-to menu."""
    factory: ScreenFactory
    min_role: Role = Role.AGENT
    """The least role it is offered to (the domain still checks every action)."""
    in_menu: bool = True
    """False for screens that need more than a name to open (a customer, say)."""

    def offered_to(self, role: Role) -> bool:
        """True when a staff member of ``role`` is offered this screen."""
        return role.at_least(self.min_role)


def _dashboard(context: AppContext) -> Screen[None]:
    """The dashboard (needs nothing from the context)."""
    from cctui.screens.overview import OverviewScreen

    return OverviewScreen()


SCREENS: dict[str, ScreenEntry] = {
    START_SCREEN: ScreenEntry(START_SCREEN, "Dashboard", "d", _dashboard),
}
"""Screen name (as given to ``--screen``) -> its entry, in go-to menu order."""


def imported(path: str) -> ScreenFactory:
    """A factory that imports ``"module:attribute.path"`` when first called, then calls it.

    Keeps a screen's module out of the app's start until the screen is opened.
    """

    def factory(context: AppContext) -> Screen[None]:
        screen: Screen[None] = pkgutil.resolve_name(path)(context)
        return screen

    factory.__qualname__ = f"imported({path!r})"
    return factory


def register(entry: ScreenEntry) -> None:
    """Add ``entry`` to :data:`SCREENS` (each screen module's registration calls this)."""
    if entry.name in SCREENS:
        raise ValueError(f"A screen called {entry.name!r} is registered already.")
    taken = {other.key for other in SCREENS.values() if other.in_menu}
    if entry.in_menu and entry.key in taken:
        raise ValueError(f"The go-to key {entry.key!r} of {entry.name!r} is taken.")
    SCREENS[entry.name] = entry


# The screens register themselves in cctui.screens.registry, which needs the names above.
from cctui.screens import registry  # noqa: E402

__all__ = [
    "SCREENS",
    "START_SCREEN",
    "ScreenEntry",
    "ScreenFactory",
    "imported",
    "register",
    "registry",
]
