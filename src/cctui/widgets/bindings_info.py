"""The key bindings a screen offers, grouped per action, for the help screen and the palette."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen

HIDDEN_ACTIONS = frozenset({"command_palette", "app.command_palette"})
"""Actions the palette does not offer as commands (it is already open)."""


@dataclass(frozen=True)
class BindingEntry:
    """One action a screen offers, with every key bound to it."""

    keys: tuple[str, ...]
    """The keys as shown to the user (``q``, ``F10``, ``^p``), in declaration order."""
    description: str
    """Short description (the footer text), never empty."""
    tooltip: str
    """Longer explanation, or the empty string."""
    action: str
    """The action string run by the keys."""
    node: DOMNode
    """The node whose ``BINDINGS`` hold the binding: the namespace the action runs in."""
    binding_id: str | None
    """The binding's id (for the keymap), if it has one."""
    enabled: bool
    """False when the action is currently disabled (shown dimmed)."""
    rank: int
    """0: a key the footer shows; 1: another key of the screen or the app;
    2: moving around (keys of the focused widget and Textual's generic ones)."""

    @property
    def keys_display(self) -> str:
        """The keys joined for display, e.g. ``q, F10``."""
        return ", ".join(self.keys)


def describe_action(binding: Binding) -> str:
    """A description for ``binding``: its own, its tooltip, or its action name made readable."""
    if binding.description:
        return binding.description
    if binding.tooltip:
        return binding.tooltip
    name = binding.action.rpartition(".")[2].partition("(")[0]
    return name.replace("_", " ").capitalize()


def _rank(binding: Binding, node: DOMNode, screen: Screen[object]) -> int:
    """Where ``binding`` goes in help: footer keys, other own keys, then moving around."""
    own = (node is screen or node is screen.app) and binding.id is not None
    if own and binding.show:
        return 0
    if own:
        return 1
    return 2


def screen_bindings(screen: Screen[object]) -> list[BindingEntry]:
    """Every binding active on ``screen`` (its focused widget, the screen and the app).

    Keys bound to the same action in the same namespace are merged into one entry;
    system bindings (such as Textual's ctrl+c hint) are left out. Entries are sorted
    by ``rank`` (cctui's own keys, those in the footer first; generic keys for moving
    around last), and within a rank the screen's keys come before the app's.
    """
    app = screen.app
    grouped: dict[tuple[int, str], tuple[list[str], Binding, DOMNode, bool]] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if binding.system:
            continue
        group_key = (id(active.node), binding.action)
        key_display = app.get_key_display(binding)
        if group_key in grouped:
            keys = grouped[group_key][0]
            if key_display not in keys:
                keys.append(key_display)
        else:
            grouped[group_key] = ([key_display], binding, active.node, active.enabled)
    entries = [
        BindingEntry(
            keys=tuple(keys),
            description=describe_action(binding),
            tooltip=binding.tooltip,
            action=binding.action,
            node=node,
            binding_id=binding.id,
            enabled=enabled,
            rank=_rank(binding, node, screen),
        )
        for keys, binding, node, enabled in grouped.values()
    ]
    entries.sort(key=lambda entry: entry.rank)  # stable: declaration order within a rank
    return entries
