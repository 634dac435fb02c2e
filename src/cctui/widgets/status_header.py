"""The one-line header: app name, who is working, on which database, and today's date."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from rich.cells import cell_len
from rich.text import Text
from textual.app import RenderResult
from textual.widget import Widget

from cctui.widgets.safe_text import plain

SEPARATOR = " | "
"""Between the parts of the header; plain ASCII so vt100-class terminals show it."""

ELLIPSIS = "…"

MIN_DATABASE = 10
"""The fewest cells the database label is shortened to before other parts give way."""


@dataclass(frozen=True)
class HeaderInfo:
    """What the header shows; text fields may come from the database."""

    name: str
    login: str
    role: str
    database: str
    title: str = "cctui"


def _truncate_end(value: str, width: int) -> str:
    """``value`` cut to ``width`` cells, ending with an ellipsis when cut."""
    if cell_len(value) <= width:
        return value
    if width <= 0:
        return ""
    text = Text(value)
    text.truncate(width - 1)
    return text.plain + ELLIPSIS


def _truncate_middle(value: str, width: int) -> str:
    """``value`` cut to ``width`` cells by replacing its middle with an ellipsis.

    Used for database labels, whose start (kind, host) and end (data directory,
    database name) are both worth keeping.
    """
    if cell_len(value) <= width:
        return value
    if width <= 1:
        return _truncate_end(value, width)
    keep = width - 1
    head = keep - keep // 2
    tail = keep // 2
    start = Text(value)
    start.truncate(head)
    end_chars: list[str] = []
    used = 0
    for char in reversed(value):
        if used + cell_len(char) > tail:
            break
        end_chars.append(char)
        used += cell_len(char)
    return start.plain + ELLIPSIS + "".join(reversed(end_chars))


def header_text(info: HeaderInfo, today: date, width: int) -> Text:
    """The header line for ``width`` cells (the header's content width).

    Order: title, ``name (login, role)``, database, ISO date. When it does not fit,
    the database label loses its middle first (down to a few cells), then the
    person's name is shortened, then the login, and last the database label is
    left out; the title, role and date stay.
    """
    title = info.title
    name = plain(info.name)
    login = plain(info.login)
    role = plain(info.role)
    database = plain(info.database)
    day = today.isoformat()
    available = max(width, 0)

    def line_width(name_: str, login_: str, database_: str) -> int:
        parts = [title, f"{name_} ({login_}, {role})", *([database_] if database_ else []), day]
        return cell_len(SEPARATOR.join(parts))

    if line_width(name, login, database) > available:
        room = available - line_width(name, login, "") - len(SEPARATOR)
        smallest = min(MIN_DATABASE, cell_len(database))
        if room >= smallest:
            database = _truncate_middle(database, room)
        else:
            database = _truncate_middle(database, smallest)
            over = line_width(name, login, database) - available
            if over > 0:
                name = _truncate_end(name, max(cell_len(name) - over, 4))
                over = line_width(name, login, database) - available
            if over > 0:
                login = _truncate_end(login, max(cell_len(login) - over, 4))
                over = line_width(name, login, database) - available
            if over > 0:
                database = ""

    text = Text(no_wrap=True, overflow="ellipsis", end="")
    text.append(title, style="bold")
    text.append(SEPARATOR, style="dim")
    text.append(name, style="bold")
    text.append(f" ({login}, ")
    text.append(role, style="italic")
    text.append(")")
    if database:
        text.append(SEPARATOR, style="dim")
        text.append(database)
    text.append(SEPARATOR, style="dim")
    text.append(day)
    text.truncate(available, overflow="ellipsis")
    return text


class StatusHeader(Widget):
    """The app's header line; fits any width by shortening the longest parts."""

    DEFAULT_CSS = """
    StatusHeader {
        dock: top;
        height: 1;
        width: 1fr;
        padding: 0 1;
        background: $panel;
        color: $foreground;
    }
    """

    def __init__(
        self,
        info: HeaderInfo,
        *,
        clock: Callable[[], date] = date.today,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._info = info
        self._clock = clock

    def on_mount(self) -> None:
        """Repaint once a minute, so the date turns over at midnight."""
        self.set_interval(60, self.refresh)

    @property
    def info(self) -> HeaderInfo:
        """What the header shows."""
        return self._info

    @property
    def plain_text(self) -> str:
        """The header as plain text at its current width (for tests and screen readers)."""
        return header_text(self._info, self._clock(), self.size.width or 78).plain

    def render(self) -> RenderResult:
        """The header line at the widget's width."""
        return header_text(self._info, self._clock(), self.size.width)
