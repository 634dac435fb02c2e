"""A command-palette provider that offers every action of the active screen and the app."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape
from textual.types import IgnoreReturnCallbackType

from cctui.widgets.bindings_info import HIDDEN_ACTIONS, screen_bindings


@dataclass(frozen=True)
class PaletteCommand:
    """One entry of the palette: what it is called, what it does, and how to run it.

    ``title`` and ``help`` are plain text; they are escaped before the palette sees them
    (the palette parses both as markup).
    """

    title: str
    help: str
    callback: IgnoreReturnCallbackType
    discover: bool = True
    """Listed when the palette opens with an empty search (generic movement keys are not)."""


class ScreenCommands(Provider):
    """Finds every action bound to a key on the screen the palette was opened from.

    It also offers the app's own commands from ``App.get_system_commands`` (theme,
    the terminal's own colours, ...). Actions come from the bindings, so a key
    added to a screen is in the palette with no further work.
    """

    def _commands(self) -> Iterator[PaletteCommand]:
        """The commands available now, without duplicate titles."""
        seen: set[str] = set()
        app = self.app
        for entry in screen_bindings(self.screen):
            if entry.action in HIDDEN_ACTIONS or not entry.enabled:
                continue
            if entry.description in seen:
                continue
            seen.add(entry.description)
            keys = f"keys: {entry.keys_display}"
            yield PaletteCommand(
                entry.description,
                f"{entry.tooltip} ({keys})" if entry.tooltip else keys,
                partial(app.run_action, entry.action, entry.node),
                discover=entry.rank < 2,
            )
        for system_command in app.get_system_commands(self.screen):
            if system_command.title in seen:
                continue
            seen.add(system_command.title)
            yield PaletteCommand(
                system_command.title,
                system_command.help,
                system_command.callback,
                discover=system_command.discover,
            )

    async def discover(self) -> Hits:
        """Everything on offer, shown when the palette opens with an empty search."""
        for command in self._commands():
            if not command.discover:
                continue
            yield DiscoveryHit(escape(command.title), command.callback, help=escape(command.help))

    async def search(self, query: str) -> Hits:
        """The commands whose title matches ``query``, best first."""
        matcher = self.matcher(query)
        for command in self._commands():
            score = matcher.match(command.title)
            if not command.discover:
                score /= 2  # movement keys rank below the screen's own actions
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(escape(command.title)),
                    command.callback,
                    help=escape(command.help),
                )
