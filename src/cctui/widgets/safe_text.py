"""Show text from the database literally, at the display boundary.

Names, notes and addresses come from other people. Handed to Textual as a
``str``, ``[bold]ACME[/]`` would be parsed as markup (and ``[/]`` alone raises
``MarkupError``), ``[@click=app.quit]`` would become a live action, and an
escape sequence such as ``"\\x1b[31m"`` would reach the terminal. Everything
shown from the database therefore goes through :func:`safe_text` (a
``rich.text.Text``, never parsed as markup) or :func:`safe_content` (a Textual
``Content``), both of which first remove every C0 and C1 control character
with :func:`plain`.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.content import Content

_WHITESPACE_CONTROLS = "\t\n\v\f\r\x85"
"""Controls that separate words: replaced by a space so the words stay apart."""

_CONTROL_TABLE: dict[int, str | None] = {
    code: (" " if chr(code) in _WHITESPACE_CONTROLS else None)
    for code in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0))
}
"""C0 (U+0000-U+001F), DEL and C1 (U+0080-U+009F): removed, or a space for line breaks and tabs."""


def plain(value: object) -> str:
    """Return ``value`` as a string without any C0 or C1 control character.

    ``None`` becomes the empty string. Tabs and line breaks become a single
    space each (so ``"a\\nb"`` reads ``"a b"``); every other control character,
    ESC included, is removed, so ``"\\x1b[31mred"`` becomes ``"[31mred"``.
    Square brackets and everything else printable are kept as they are.
    """
    if value is None:
        return ""
    return str(value).translate(_CONTROL_TABLE)


def safe_text(value: object, style: str | Style = "") -> Text:
    """A Rich ``Text`` that shows ``value`` literally, controls removed (see :func:`plain`).

    The result is never parsed as markup: ``[bold]x[/]`` shows the brackets.
    """
    return Text(plain(value), style=style, end="")


def safe_content(value: object) -> Content:
    """A Textual ``Content`` showing ``value`` literally, controls removed (see :func:`plain`)."""
    return Content(plain(value))
