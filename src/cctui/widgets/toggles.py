"""Radio buttons, checkboxes and ticked lists whose state shows without colour.

Textual draws the same glyph (``●`` or ``X``) for "on" and "off" and tells them apart by
colour alone, so with ``NO_COLOR=1`` every option looks chosen. These variants draw the
glyph only when the option is on and a blank when it is off.
"""

from __future__ import annotations

from typing import TypeVar

from rich.segment import Segment
from textual.content import Content
from textual.strip import Strip
from textual.widgets import Checkbox, RadioButton, SelectionList
from textual.widgets.option_list import OptionDoesNotExist

SelectionT = TypeVar("SelectionT")

OFF = " "
"""What an option that is off shows inside its button."""


class MarkedRadioButton(RadioButton):
    """A radio button showing ``●`` when chosen and a blank when not."""

    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = RadioButton.BUTTON_INNER if self.value else OFF
        return super()._button


class MarkedCheckbox(Checkbox):
    """A checkbox showing ``X`` when ticked and a blank when not."""

    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = Checkbox.BUTTON_INNER if self.value else OFF
        return super()._button


class MarkedSelectionList(SelectionList[SelectionT]):
    """A selection list whose boxes show ``X`` when ticked and a blank when not."""

    def render_line(self, y: int) -> Strip:
        """The line as Textual draws it, with the box emptied when its option is not ticked."""
        strip = super().render_line(y)
        try:
            selection = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return strip
        if selection.value in self.selected:
            return strip
        segments = list(strip)
        if len(segments) < 2:
            return strip
        inner = segments[1]
        segments[1] = Segment(OFF, inner.style, inner.control)
        return Strip(segments, strip.cell_length)
