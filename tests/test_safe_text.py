"""safe_text / plain: database text is shown literally, without control characters."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.text import Text
from textual.content import Content

from cctui.widgets.safe_text import plain, safe_content, safe_text

CONTROLS = [chr(c) for c in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0))]


def test_markup_stays_literal() -> None:
    text = safe_text("[bold]ACME[/]")
    assert isinstance(text, Text)
    assert text.plain == "[bold]ACME[/]"
    assert text.spans == []


def test_click_action_stays_literal() -> None:
    text = safe_text("[@click=app.quit]x")
    assert text.plain == "[@click=app.quit]x"
    assert text.spans == []


def test_escape_sequence_loses_esc() -> None:
    assert plain("\x1b[31mred") == "[31mred"
    assert safe_text("\x1b[31mred\x1b[0m").plain == "[31mred[0m"


def test_c1_controls_are_removed() -> None:
    # CSI (U+009B) is the one-byte form of ESC [ on some terminals.
    assert plain("a\x9b31mb\x85c") == "a31mb c"


def test_line_breaks_and_tabs_become_spaces() -> None:
    assert plain("line 1\nline 2\r\n\tend") == "line 1 line 2   end"


@pytest.mark.parametrize("control", CONTROLS)
def test_every_control_is_gone(control: str) -> None:
    assert control not in plain(f"a{control}b")


def test_none_and_non_strings() -> None:
    assert plain(None) == ""
    assert plain(42) == "42"
    assert safe_text(None).plain == ""


def test_unicode_is_kept() -> None:
    assert plain("Müller & Söhne — 東京 €") == "Müller & Söhne — 東京 €"


def test_style_is_applied_to_the_whole_text() -> None:
    text = safe_text("[b]x", style="bold")
    assert text.plain == "[b]x"
    assert str(text.style) == "bold"


def test_content_is_literal() -> None:
    content = safe_content("[bold]x[/] \x1b[2J")
    assert isinstance(content, Content)
    assert content.plain == "[bold]x[/] [2J"


@given(st.text())
def test_plain_never_leaves_a_control(value: str) -> None:
    cleaned = plain(value)
    assert not any(char in CONTROLS for char in cleaned)
    # Only control characters are touched: line breaks and tabs become spaces.
    expected = "".join(" " if c in "\t\n\v\f\r\x85" else "" if c in CONTROLS else c for c in value)
    assert cleaned == expected


@given(st.text())
def test_safe_text_round_trips_printable_text(value: str) -> None:
    printable = "".join(c for c in value if c not in CONTROLS)
    assert safe_text(printable).plain == printable
