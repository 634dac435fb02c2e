"""The footer of keys: Textual's Footer, recomposed only when the keys it shows change."""

from __future__ import annotations

from collections.abc import Hashable

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    """Textual's :class:`~textual.widgets.Footer`, with its recomposing coalesced.

    The stock footer recomposes (removes and mounts every key) on each bindings signal: a
    focus change, a screen pushed, any reactive declared with ``bindings=True``. Opening a
    screen sends a dozen of those within one refresh, each a full recompose. This one
    answers a burst with one check after the refresh and recomposes only when the keys it
    would show differ from the keys it shows; it checks again after each recompose, so a
    focus change that lands while it recomposes is never left showing the old keys.
    """

    _shown: Hashable | None = None
    """What :meth:`compose` last laid out (see :meth:`_keys_now`)."""
    _check_pending: bool = False

    def _keys_now(self) -> Hashable:
        """The keys the footer should show now: key, action, text, enabled, tooltip."""
        return (
            self.compact,
            self.show_command_palette,
            tuple(
                (key, binding.action, binding.description, enabled, tooltip)
                for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items()
                if binding.show
            ),
        )

    def compose(self) -> ComposeResult:
        """The stock footer's keys, remembering which they were."""
        if self._bindings_ready:
            self._shown = self._keys_now()
        yield from super().compose()

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Check the keys once the current burst of changes has been refreshed."""
        self._bindings_ready = True
        if not screen.app.app_focus or screen is not self.screen or not self.is_attached:
            return
        if not self._check_pending:
            self._check_pending = True
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        """Recompose while the keys shown are not the keys that apply."""
        self._check_pending = False
        for _ in range(3):  # a focus that keeps moving must not hold the footer forever
            if not self.is_attached or self._keys_now() == self._shown:
                return
            await self.recompose()
