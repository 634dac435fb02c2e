"""Render a batch of letters into one PDF with fpdf2 (no database, no Textual).

Layout (DIN 5008 form B, which also suits a C5/DL window envelope): the letterhead at the top
right, the return line and the recipient's address 20-25 mm from the left edge and 45-90 mm
from the top, an information block (date, account, contact) on the right, the subject, the
body with the invoices table (its header repeated on every page it runs onto), the total, and
on every page a footer with the company details and "Page n / N" of that letter. Fold marks
are drawn at 105 mm and 210 mm (A4).

Amounts and dates are formatted with Babel in the customer's locale and currency. Text is
set in Noto Sans (the ``fontpkg-noto-sans`` dependency); Noto Sans Arabic, Devanagari and Thai
(also dependencies), DejaVu Sans (Debian's ``fonts-dejavu-core``) and any installed CJK font
are fallbacks for what it lacks. Text in right-to-left and Indic scripts is shaped with
HarfBuzz (``uharfbuzz``, a dependency). No package on the index carries a CJK font: CJK text
needs a system font (Debian's ``fonts-noto-cjk``), else its characters are left out.

Fallback fonts and shaping make fpdf2 look at every character of every cell, three times
the cost of a plain cell, so :class:`LetterPDF` turns them on only for the cells that need
them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency
from fpdf import FPDF
from fpdf.fonts import TTFFont

from cctui.letters.data import PAYMENT_DAYS, BatchData, LetterData
from cctui.letters.templates import INVOICE_TABLE, is_table_line, substitute

# fpdf2 logs a warning per font for glyphs it lacks; batches report them in one sentence.
logging.getLogger("fpdf.output").setLevel(logging.ERROR)

FONT = "NotoSans"
FALLBACK_FONT_FILES = (
    ("DejaVuSans", Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")),
    ("NotoSansCJK", Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")),
    ("DroidSansFallback", Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")),
    ("WenQuanYiZenHei", Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")),
)
"""Fonts used for characters Noto Sans lacks, when the machine has them."""

DEFAULT_LOCALE = "en_GB"
LEFT = 25.0
RIGHT = 20.0
ADDRESS_TOP = 45.0
INFO_LEFT = 125.0
BODY_TOP = 100.0
FOOTER_HEIGHT = 22.0
LINE = 5.0
FOOTER_LINES = 5
"""Most lines of company details at the foot of a page (more are cut)."""
ROW = 6.0
COLUMNS = (("Invoice", 50.0, "L"), ("Date", 35.0, "L"), ("Due", 35.0, "L"))
"""The invoices table's first columns (label, width mm, alignment); the amount takes the rest."""

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_COMPLEX_SCRIPT = re.compile(
    r"[\u0590-\u08ff\u0900-\u0dff\u0e00-\u0eff\u1000-\u109f\u200e\u200f\u202a-\u202e"
    r"\u2066-\u2069\ufb1d-\ufdff\ufe70-\ufeff]"
)
"""Right-to-left and Indic/South-East Asian scripts, and bidi marks: text that needs shaping."""


def clean(text: str) -> str:
    """``text`` without C0/C1 control characters (newlines and tabs kept as spaces/lines)."""
    return _CONTROL.sub("", text.replace("\t", " ").replace("\r\n", "\n"))


def noto_sans_path() -> Path:
    """The Noto Sans TTF shipped by the ``fontpkg-noto-sans`` package."""
    import fontpkg_noto_sans

    root: Path = fontpkg_noto_sans.ROOT
    files = sorted((root / "files").glob("NotoSans*.ttf"))
    upright = [path for path in files if "Italic" not in path.name]
    if not upright:
        raise FileNotFoundError("The fontpkg-noto-sans package has no Noto Sans TTF file.")
    return upright[0]


def bold_font_path(regular: Path) -> Path | None:
    """Noto Sans Bold instanced from the variable font once and kept in the user cache.

    Instancing takes seconds, so it is done once per machine (written to a temporary file and
    renamed into place); None when the cache cannot be written (then bold is instanced in
    memory for each document).
    """
    import os
    import threading

    import platformdirs
    from fontTools.ttLib import TTFont
    from fontTools.varLib.instancer import instantiateVariableFont

    stat = regular.stat()
    name = f"NotoSans-Bold-{stat.st_size}-{int(stat.st_mtime)}.ttf"
    target = platformdirs.user_cache_path("cctui") / "fonts" / name
    if target.is_file():
        return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        font = instantiateVariableFont(TTFont(str(regular)), {"wght": 700, "wdth": 100})
        temporary = target.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        font.save(str(temporary))
        os.replace(temporary, target)
    except OSError:
        return None
    return target


OPTIONAL_FONT_PACKAGES = (
    "fontpkg_noto_sans_arabic",
    "fontpkg_noto_sans_devanagari",
    "fontpkg_noto_sans_thai",
)
"""fontpkg packages used as fallbacks (dependencies of cctui; skipped if missing)."""


@lru_cache(maxsize=1)
def fallback_fonts() -> tuple[tuple[str, Path], ...]:
    """The fallback fonts this machine has (family name, file): optional fontpkg packages
    first, then system fonts."""
    import importlib

    found: list[tuple[str, Path]] = []
    for module_name in OPTIONAL_FONT_PACKAGES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        files = sorted(
            path
            for path in (Path(module.ROOT) / "files").glob("*.ttf")
            if "Italic" not in path.name
        )
        if files:
            found.append((module_name.removeprefix("fontpkg_").replace("_", "-"), files[0]))
    found.extend((family, path) for family, path in FALLBACK_FONT_FILES if path.is_file())
    return tuple(found)


@lru_cache(maxsize=1)
def fallback_coverage() -> tuple[tuple[str, Path, frozenset[str]], ...]:
    """Each fallback font (family, file) with the characters it has, read once per process."""
    from fontTools.ttLib import TTFont

    coverage = []
    for family, path in fallback_fonts():
        font = TTFont(str(path), fontNumber=0, lazy=True)
        try:
            cmap = font.getBestCmap() or {}
        finally:
            font.close()
        coverage.append((family, path, frozenset(chr(code) for code in cmap)))
    return tuple(coverage)


@lru_cache(maxsize=256)
def _locale(name: str) -> Locale:
    try:
        return Locale.parse(name or DEFAULT_LOCALE)
    except (UnknownLocaleError, ValueError, TypeError):
        return Locale.parse(DEFAULT_LOCALE)


@lru_cache(maxsize=8192)
def money(amount: Decimal, currency: str, locale: str) -> str:
    """``amount`` in ``currency`` as the customer's locale writes it."""
    return str(format_currency(amount, currency, locale=_locale(locale)))


@lru_cache(maxsize=8192)
def day(value: date, locale: str) -> str:
    """A date as the customer's locale writes it (medium length, e.g. 1 Dec 2026)."""
    return str(format_date(value, format="medium", locale=_locale(locale)))


@dataclass
class _Span:
    """The pages one letter took (1-based, inclusive)."""

    first: int
    last: int


class LetterPDF(FPDF):
    """An FPDF whose footer shows the company details and whose continuation pages a header."""

    def __init__(self, batch: BatchData) -> None:
        super().__init__(orientation="P", unit="mm", format=batch.paper)
        self.batch = batch
        self.current: LetterData | None = None
        self.letter_first_page = 1
        self.footer_lines: list[str] | None = None
        self.set_margins(LEFT, 20.0, RIGHT)
        self.set_auto_page_break(True, margin=FOOTER_HEIGHT + 8)
        self.alias_nb_pages("\x00cctui-nb\x00")
        path = noto_sans_path()
        self.add_font(FONT, "", str(path))
        bold = bold_font_path(path)
        if bold is None:
            self.add_font(FONT, "B", str(path), variations={"wght": 700.0})
        else:
            self.add_font(FONT, "B", str(bold))
        main = self.fonts[FONT.lower()]
        assert isinstance(main, TTFFont)
        self.main_chars = frozenset(chr(code) for code in main.cmap)
        self.fallbacks: list[str] = []
        """Fallback font families added to this document so far (only those it needed)."""
        self.active_fallbacks: tuple[str, ...] = ()
        self.font_stale = False
        """A cell was set with fallback fonts on: fpdf2 may have left its font switched."""
        self.shaping_active = False
        self.missing: set[str] = set()
        """Characters of the text that no font on this machine has (they print blank)."""
        self.widths: dict[tuple[str, str, float, str], float] = {}
        self.wrapped: dict[tuple[str, str, float, float, str], list[str]] = {}
        self.set_font(FONT, size=10)

    def _fallbacks_for(self, text: str) -> None:
        """Turn fpdf2's fallback fonts (and its shaping engine) on only for text that needs them.

        With fallbacks set, fpdf2 looks up every character of every cell in every font, and
        shaping costs more again; most letters need neither. So a fallback font is added to
        the document only when a text needs a character it has, and fallbacks and shaping are
        switched off again for the next text Noto Sans covers (same output, a third of the
        time).
        """
        if text.isascii() and not self.active_fallbacks and not self.shaping_active:
            return  # Noto Sans has every ASCII character: nothing to switch
        shape = _COMPLEX_SCRIPT.search(text) is not None
        if shape != self.shaping_active:
            self.set_text_shaping(shape)
            self.shaping_active = shape
        wanted: tuple[str, ...] = ()
        if not self.main_chars.issuperset(text):
            lacking = set(text) - self.main_chars
            covered: set[str] = set()
            for family, file, chars in fallback_coverage():
                if chars.isdisjoint(lacking - covered):
                    continue  # nothing left that this font would add
                if family not in self.fallbacks:
                    self.add_font(family, "", str(file))
                    self.add_font(family, "B", str(file))
                    self.fallbacks.append(family)
                covered |= lacking & chars
            self.missing |= lacking - covered
            if covered:
                wanted = tuple(self.fallbacks)
        if wanted != self.active_fallbacks:
            self.set_fallback_fonts(list(wanted), exact_match=False)
            self.active_fallbacks = wanted

    def cell(
        self,
        w: float | None = None,
        h: float | None = None,
        text: str = "",
        *args: Any,
        **kwargs: Any,
    ) -> bool:
        """fpdf2's ``cell``, with the fallback fonts on only when ``text`` needs them."""
        self._fallbacks_for(text)
        if self.active_fallbacks:
            self.font_stale = True
        return bool(super().cell(w, h, text, *args, **kwargs))

    def text_width(self, text: str) -> float:
        """The width of ``text`` in the current font, remembered for the whole batch (the
        same words recur in every letter)."""
        key = (self.font_family, self.font_style, self.font_size_pt, text)
        width = self.widths.get(key)
        if width is None:
            self._fallbacks_for(text)
            width = self.widths[key] = self.get_string_width(text)
        return width

    def header(self) -> None:
        """On a letter's second and later pages: who it is for, above the text."""
        if self.current is None or self.page_no() == self.letter_first_page:
            return
        self.set_font(FONT, size=8)
        self.set_text_color(90)
        self.set_xy(LEFT, 10)
        head = (
            f"{self.batch.letterhead.company_name} · {self.current.name} · {self.current.account}"
        )
        self.cell(0, 4, clean(head).strip(" ·"), new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0)
        self.set_y(20)
        self.set_font(FONT, size=10)

    def footer(self) -> None:
        """Company details at the foot of every page; fold and punch marks on the edge."""
        head = self.batch.letterhead
        self.set_draw_color(150)
        self.set_line_width(0.2)
        if self.batch.paper == "A4":
            for y in (105.0, 210.0):
                self.line(3, y, 8, y)
            self.line(3, 148.5, 6, 148.5)
        top = self.h - FOOTER_HEIGHT
        self.line(LEFT, top, self.w - RIGHT, top)
        self.set_font(FONT, size=7)
        self.set_text_color(90)
        parts = [
            " · ".join(
                part
                for part in (
                    head.company_name,
                    ", ".join(head.address_lines),
                    head.phone,
                    head.email,
                )
                if part
            ),
            " · ".join(
                part
                for part in (
                    f"Reg./VAT {head.registration_number}" if head.registration_number else "",
                    head.footer,
                )
                if part
            ),
        ]
        self.set_xy(LEFT, top + 2)
        if self.footer_lines is None:
            width = self.w - LEFT - RIGHT - 25
            self.footer_lines = [
                line for part in parts if part for line in wrap(clean(part), width, self.text_width)
            ][:FOOTER_LINES]
        for line in self.footer_lines:
            self.cell(self.w - LEFT - RIGHT - 25, 3.5, line, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0)


def _values(batch: BatchData, letter: LetterData) -> dict[str, str]:
    head = batch.letterhead
    total = money(letter.total, letter.currency, letter.locale)
    return {
        "customer_name": letter.name,
        "customer_address": "\n".join(letter.address),
        "account": letter.account,
        "contact_person": letter.contact_person,
        "letter_date": day(batch.letter_date, letter.locale),
        "payment_deadline": day(batch.letter_date + timedelta(days=PAYMENT_DAYS), letter.locale),
        "total_due": total,
        "fee": money(letter.fee, letter.currency, letter.locale),
        "step_name": letter.step_name,
        "controller": letter.controller,
        "sender_name": letter.controller,
        "company_name": head.company_name,
        "company_address": "\n".join(head.address_lines),
        "company_phone": head.phone,
        "company_email": head.email,
        "company_vat": head.registration_number,
        "company_bank": "the account shown at the foot of this letter",
        "agency_name": letter.agency_name,
        "agency_address": "\n".join(letter.agency_address),
    }


def wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """``text`` broken into lines no wider than ``width`` (greedy, at spaces; a word wider
    than a line is cut). fpdf2's ``multi_cell`` does the same in quadratic time, which is
    most of a batch's time; measuring each word once is linear."""
    lines: list[str] = []
    current = ""
    current_width = 0.0
    space = measure(" ")
    for word in text.split(" "):
        word_width = measure(word)
        while word_width > width and len(word) > 1:
            if current:
                lines.append(current)
                current, current_width = "", 0.0
            cut = len(word) - 1
            while cut > 1 and measure(word[:cut]) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
            word_width = measure(word)
        if not current:
            current, current_width = word, word_width
        elif current_width + space + word_width <= width:
            current += " " + word
            current_width += space + word_width
        else:
            lines.append(current)
            current, current_width = word, word_width
    lines.append(current)
    return lines


def _paragraph(pdf: LetterPDF, text: str, width: float, height: float) -> None:
    # Most paragraphs of a batch are the same in every letter: break each one once.
    key = (pdf.font_family, pdf.font_style, pdf.font_size_pt, width, text)
    lines = pdf.wrapped.get(key)
    if lines is None:
        lines = pdf.wrapped[key] = wrap(text, width, pdf.text_width)
    for line in lines:
        pdf.cell(width, height, line, new_x="LMARGIN", new_y="NEXT")


def _write_font(pdf: LetterPDF, style: str, size: float) -> None:
    """Set the font and write it into the page even when fpdf2 believes it is already set
    there (it is not after a cell in a fallback font, nor back on an earlier page)."""
    pdf.set_font(FONT, style, size + 0.5)
    pdf.set_font(FONT, style, size)


def _force_font(pdf: LetterPDF, style: str, size: float) -> None:
    """Set the font, writing it again if the last cell was set in a fallback font."""
    if pdf.font_stale:
        pdf.font_stale = False
        _write_font(pdf, style, size)
    else:
        pdf.set_font(FONT, style, size)


def _letterhead(pdf: LetterPDF) -> None:
    head = pdf.batch.letterhead
    width = pdf.w - LEFT - RIGHT
    pdf.set_xy(LEFT, 15)
    pdf.set_font(FONT, "B", 15)
    pdf.cell(width, 7, clean(head.company_name), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=8)
    details = [*head.address_lines, head.phone, head.email]
    for line in (line for line in details if line):
        pdf.cell(width, 3.6, clean(line), align="R", new_x="LMARGIN", new_y="NEXT")


def _address_block(pdf: LetterPDF, letter: LetterData) -> None:
    head = pdf.batch.letterhead
    sender = ", ".join(part for part in (head.company_name, *head.address_lines) if part)
    pdf.set_xy(LEFT, ADDRESS_TOP + 5)
    pdf.set_font(FONT, size=6.5)
    pdf.cell(80, 3, clean(sender)[:120], new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(LEFT, ADDRESS_TOP + 12.7)
    pdf.set_font(FONT, size=10)
    for line in (letter.name, *letter.address)[:7]:
        # Set the font on every line: a line set in a fallback font (say Arabic) can leave
        # fpdf2 on the previous size for the next one.
        _force_font(pdf, "", 10)
        pdf.set_x(LEFT)
        pdf.cell(80, 4.5, clean(line)[:80], new_x="LMARGIN", new_y="NEXT")


def _info_block(pdf: LetterPDF, letter: LetterData) -> None:
    rows = [
        ("Date", day(pdf.batch.letter_date, letter.locale)),
        ("Account", letter.account),
        ("Letter", str(letter.letter_id)),
        ("Your contact", letter.controller),
    ]
    top = ADDRESS_TOP + 12.7
    # The labels first, then the values: two font and colour changes rather than eight.
    pdf.set_font(FONT, size=8)
    pdf.set_text_color(90)
    for row, (label, _value) in enumerate(rows):
        pdf.set_xy(INFO_LEFT, top + row * 4.5)
        pdf.cell(25, 4.5, label)
    pdf.set_text_color(0)
    pdf.set_font(FONT, size=9)
    for row, (_label, value) in enumerate(rows):
        pdf.set_xy(INFO_LEFT + 25, top + row * 4.5)
        pdf.cell(pdf.w - RIGHT - INFO_LEFT - 25, 4.5, clean(value)[:40])


def _table_header(pdf: LetterPDF, amount_width: float) -> None:
    pdf.set_font(FONT, "B", 9)
    pdf.set_fill_color(230)
    for label, width, align in COLUMNS:
        pdf.cell(width, ROW, label, border="B", align=align, fill=True)
    pdf.cell(amount_width, ROW, "Open amount", border="B", align="R", fill=True)
    pdf.ln(ROW)
    pdf.set_font(FONT, size=9)


def _table(pdf: LetterPDF, letter: LetterData) -> None:
    amount_width = pdf.w - LEFT - RIGHT - sum(width for _, width, _ in COLUMNS)
    if pdf.will_page_break(ROW * 3):
        pdf.add_page()
    _table_header(pdf, amount_width)
    for line in letter.lines:
        if pdf.will_page_break(ROW):
            pdf.add_page()
            _table_header(pdf, amount_width)
        pdf.cell(COLUMNS[0][1], ROW, clean(line.number))
        pdf.cell(COLUMNS[1][1], ROW, day(line.issued_on, letter.locale))
        pdf.cell(COLUMNS[2][1], ROW, day(line.due_on, letter.locale))
        pdf.cell(
            amount_width, ROW, money(line.open_amount, letter.currency, letter.locale), align="R"
        )
        pdf.ln(ROW)
    if pdf.will_page_break(ROW):
        pdf.add_page()
    pdf.set_font(FONT, "B", 9)
    label_width = sum(width for _, width, _ in COLUMNS)
    pdf.cell(label_width, ROW, "Total", border="T")
    pdf.cell(
        amount_width,
        ROW,
        money(letter.total, letter.currency, letter.locale),
        border="T",
        align="R",
    )
    pdf.ln(ROW + 2)
    pdf.set_font(FONT, size=10)


def _body(pdf: LetterPDF, letter: LetterData, values: dict[str, str]) -> None:
    width = pdf.w - LEFT - RIGHT
    pdf.set_xy(LEFT, BODY_TOP)
    pdf.set_font(FONT, "B", 11)
    _paragraph(pdf, clean(substitute(letter.subject, values)), width, 5.5)
    pdf.ln(4)
    pdf.set_font(FONT, size=10)
    drew_table = False
    for raw in letter.body.splitlines():
        if is_table_line(raw):
            _table(pdf, letter)
            drew_table = True
            continue
        text = clean(substitute(raw, values | {INVOICE_TABLE: ""}))
        _force_font(pdf, "", 10)
        if not text.strip():
            pdf.ln(LINE * 0.8)
            continue
        _paragraph(pdf, text, width, LINE)
    if not drew_table:
        pdf.ln(2)
        _table(pdf, letter)


def _page_numbers(pdf: LetterPDF, span: _Span) -> None:
    last_page = pdf.page
    pdf.set_auto_page_break(False)
    total = span.last - span.first + 1
    for number, page in enumerate(range(span.first, span.last + 1), start=1):
        pdf.page = page
        _write_font(pdf, "", 7)
        pdf.set_text_color(90)
        pdf.set_xy(pdf.w - RIGHT - 25, pdf.h - FOOTER_HEIGHT + 2)
        pdf.cell(25, 3.5, f"Page {number} / {total}", align="R")
        pdf.set_text_color(0)
    pdf.page = last_page
    pdf.set_auto_page_break(True, margin=FOOTER_HEIGHT + 8)


def render_batch(
    batch: BatchData,
    *,
    created_at: datetime,
    progress: Callable[[int, int], None] | None = None,
    between_letters: Callable[[], None] | None = None,
    missing: set[str] | None = None,
) -> tuple[bytes, int]:
    """The batch as PDF bytes and its page count. Same batch and ``created_at``: same bytes.

    ``between_letters`` runs before each letter (to cancel by raising); ``progress(done,
    total)`` after each. ``missing``, when given, receives the characters no font on this
    machine has (they print blank).
    """
    pdf = LetterPDF(batch)
    pdf.set_creation_date(created_at.astimezone(UTC).replace(microsecond=0))
    pdf.set_title(f"{batch.kind.value} letters")
    pdf.set_author(clean(batch.letterhead.company_name) or "cctui")
    pdf.set_creator("cctui")
    total = len(batch.letters)
    for done, letter in enumerate(batch.letters, start=1):
        if between_letters is not None:
            between_letters()
        pdf.current = letter
        pdf.letter_first_page = pdf.page_no() + 1
        pdf.add_page()
        first = pdf.page_no()
        values = _values(batch, letter)
        _letterhead(pdf)
        _address_block(pdf, letter)
        _info_block(pdf, letter)
        _body(pdf, letter, values)
        _page_numbers(pdf, _Span(first, pdf.page_no()))
        if progress is not None:
            progress(done, total)
    content = bytes(pdf.output())
    if missing is not None:
        missing |= pdf.missing
    return content, pdf.page_no()


def missing_glyphs_note(missing: set[str]) -> str:
    """A sentence for the user about characters that printed blank, or "" when none did."""
    if not missing:
        return ""
    shown = ", ".join(sorted(missing)[:8]) + (", …" if len(missing) > 8 else "")
    return (
        f" {len(missing)} character{'s' if len(missing) != 1 else ''} ({shown}) have no font "
        "on this machine and print blank: install a font for them (for Chinese, Japanese and "
        "Korean, Debian's fonts-noto-cjk)."
    )


def letter_texts(batch: BatchData) -> Iterable[tuple[int, dict[str, Any]]]:
    """Each letter's filled placeholders (for checks and debugging)."""
    for letter in batch.letters:
        yield letter.letter_id, _values(batch, letter)
