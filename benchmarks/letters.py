"""A batch of reminder letters into one PDF, against raw fpdf2 writing the same cells.

Measured on a copy of the loaded demo book after the daily check of the day after the demo's
has dunned it (so reminder letters are queued, each with its invoices), topped up with manual
reminders when the dunning queued fewer than :data:`LETTERS`. The first :data:`LETTERS`
queued reminders are kept in the batch; the others are cancelled (batches print every
queued reminder, by post or not).

- *preview*: :func:`cctui.letters.batches.preview_batch` — read the letters from the
  database, fill the templates, lay out and render every page with fpdf2 (a batch this big
  in parts of 250 letters on both cores, joined into one PDF), write the file
  (temporary file, fsync, rename) — against the *raw fpdf2* baseline: a bare ``FPDF`` with the
  same fonts writing the same cells (same page, position, size, font, colour and text, as the
  product drew them in an untimed recording run) and the same lines, then writing the bytes
  to a file. The baseline has no database, no templates, no Babel, no line breaking and no
  page-break decisions: it is what fpdf2 itself costs for these pages, on one core.
- *issue*: :func:`cctui.letters.batches.issue_batch` — the same plus recording the batch and
  marking its letters printed, committed; the letters are put back in the queue (untimed)
  before the next run.

Both sides alternate in the same run; the product must produce as many pages as the
baseline, or the benchmark stops.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fpdf import FPDF
from sqlalchemy import delete, func, select, update

from benchmarks.daily_check import RUN_ON, _admin
from benchmarks.harness import Result, ScratchServer
from cctui.db.engine import Database
from cctui.domain.daily_check import run_daily_check
from cctui.domain.dunning.manual import MAX_INVOICES, queue_manual_reminder
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import (
    Dispute,
    DisputeStatus,
    Invoice,
    InvoiceKind,
    Letter,
    LetterBatch,
    LetterInvoice,
    LetterKind,
    LetterStatus,
)
from cctui.letters import parallel, render
from cctui.letters.batches import BatchOutcome, issue_batch, preview_batch

LETTERS = 1_000
"""Letters in the measured batch (fewer when a small book queues fewer reminders)."""
MIN_RUNS = 3
BUDGET = "≤ 1.3x, ≤ 5 s"


class LetterBenchmarkError(RuntimeError):
    """The product and the baseline did not make the same document."""


@dataclass
class _Drawing:
    """What the product drew, page by page: cells and lines with the state they used."""

    pages: dict[int, list[tuple[Any, ...]]] = field(default_factory=lambda: defaultdict(list))
    paper: str = "A4"
    fallbacks: list[str] = field(default_factory=list)


@contextmanager
def _recording(drawing: _Drawing) -> Iterator[None]:
    """Record every cell and line :class:`cctui.letters.render.LetterPDF` draws.

    The batch is rendered in one piece in this process meanwhile: worker processes would
    draw in copies of ``drawing`` this process never sees.
    """
    original = render.LetterPDF
    parallel_from = parallel.PARALLEL_FROM
    parallel.PARALLEL_FROM = sys.maxsize

    class Recording(original):  # type: ignore[misc,valid-type]
        def __init__(self, batch: Any) -> None:
            self._text_rgb: tuple[int, ...] = (0,)
            self._fill_rgb: tuple[int, ...] = (255,)
            self._draw_rgb: tuple[int, ...] = (0,)
            super().__init__(batch)
            drawing.paper = batch.paper
            drawing.fallbacks = self.fallbacks  # the families this document adds, in order

        def set_text_color(self, *args: Any, **kwargs: Any) -> None:
            self._text_rgb = args
            super().set_text_color(*args, **kwargs)

        def set_fill_color(self, *args: Any, **kwargs: Any) -> None:
            self._fill_rgb = args
            super().set_fill_color(*args, **kwargs)

        def set_draw_color(self, *args: Any, **kwargs: Any) -> None:
            self._draw_rgb = args
            super().set_draw_color(*args, **kwargs)

        def cell(
            self, w: float | None = None, h: float | None = None, text: str = "", **kwargs: Any
        ) -> bool:
            drawing.pages[self.page].append(
                (
                    "cell",
                    self.x,
                    self.y,
                    w,
                    h,
                    text,
                    kwargs.get("border", 0),
                    kwargs.get("align", "L"),
                    kwargs.get("fill", False),
                    self.font_style,
                    self.font_size_pt,
                    self._text_rgb,
                    self._fill_rgb,
                    self.active_fallbacks,
                    self.shaping_active,
                )
            )
            return bool(super().cell(w, h, text, **kwargs))

        def line(self, x1: float, y1: float, x2: float, y2: float) -> None:
            drawing.pages[self.page].append(
                ("line", x1, y1, x2, y2, self._draw_rgb, self.line_width)
            )
            super().line(x1, y1, x2, y2)

    render.LetterPDF = Recording  # type: ignore[misc]
    try:
        yield
    finally:
        render.LetterPDF = original  # type: ignore[misc]
        parallel.PARALLEL_FROM = parallel_from


def _raw_fpdf2(drawing: _Drawing, path: Path) -> int:
    """Write the recorded cells and lines with a bare FPDF; returns the page count.

    It loads the fonts the product's document used and, for the cells the product set with
    fallback fonts or shaping on, turns the same on: what raw fpdf2 needs for those cells.
    """
    regular = render.noto_sans_path()
    bold = render.bold_font_path(regular) or regular
    files = dict(render.fallback_fonts())
    pdf = FPDF(orientation="P", unit="mm", format=drawing.paper)
    pdf.set_margins(render.LEFT, 20.0, render.RIGHT)
    pdf.set_auto_page_break(False)
    pdf.add_font(render.FONT, "", str(regular))
    pdf.add_font(render.FONT, "B", str(bold))
    for family in drawing.fallbacks:
        pdf.add_font(family, "", str(files[family]))
        pdf.add_font(family, "B", str(files[family]))
    # Like a hand-written program, change the state only when the next cell needs another.
    fallbacks: tuple[str, ...] = ()
    shaping = False
    font: tuple[str, float] = ("", 0.0)
    text_colour: tuple[int, ...] = (0,)
    fill_colour: tuple[int, ...] = (255,)
    for page in sorted(drawing.pages):
        pdf.add_page()
        for op in drawing.pages[page]:
            if op[0] == "line":
                _, x1, y1, x2, y2, draw_rgb, width = op
                pdf.set_draw_color(*draw_rgb)
                pdf.set_line_width(width)
                pdf.line(x1, y1, x2, y2)
                continue
            _, x, y, w, h, text, border, align, fill, style, size, text_rgb, fill_rgb, *rest = op
            if rest[0] != fallbacks:
                fallbacks = rest[0]
                pdf.set_fallback_fonts(list(fallbacks), exact_match=False)
            if rest[1] != shaping:
                shaping = rest[1]
                pdf.set_text_shaping(shaping)
            if (style, size) != font:
                font = (style, size)
                pdf.set_font(render.FONT, style, size)
            if text_rgb != text_colour:
                text_colour = text_rgb
                pdf.set_text_color(*text_rgb)
            if fill and fill_rgb != fill_colour:
                fill_colour = fill_rgb
                pdf.set_fill_color(*fill_rgb)
            pdf.set_xy(x, y)
            pdf.cell(w, h, text, border=border, align=align, fill=fill)
    path.write_bytes(bytes(pdf.output()))
    return pdf.page_no()


def _top_up(database: Database, actor: StaffIdentity) -> None:
    """Queue manual reminders (one overdue invoice each) for customers without a queued
    reminder until :data:`LETTERS` are queued, as far as the book's debtors reach."""
    with database.session() as session:
        queued = session.scalar(
            select(func.count())
            .select_from(Letter)
            .where(Letter.kind == LetterKind.REMINDER, Letter.status == LetterStatus.QUEUED)
        )
        wanted = LETTERS - int(queued or 0)
        if wanted <= 0:
            return
        reminded = select(Letter.customer_id).where(
            Letter.kind == LetterKind.REMINDER, Letter.status == LetterStatus.QUEUED
        )
        invoice_ids = list(
            session.scalars(
                select(func.min(Invoice.id))
                .where(
                    Invoice.kind == InvoiceKind.INVOICE,
                    Invoice.open_amount > 0,
                    Invoice.due_on < RUN_ON,
                    Invoice.customer_id.not_in(reminded),
                    Invoice.id.not_in(select(LetterInvoice.invoice_id)),
                    Invoice.id.not_in(
                        select(Dispute.invoice_id).where(Dispute.status == DisputeStatus.OPEN)
                    ),
                )
                .group_by(Invoice.customer_id)
                .order_by(Invoice.customer_id)
                .limit(min(wanted, MAX_INVOICES))
            )
        )
        if invoice_ids:
            queue_manual_reminder(session, actor, invoice_ids, as_of=RUN_ON)


def _keep_letters(database: Database) -> int:
    """Leave at most :data:`LETTERS` reminders queued; returns how many.

    Batches print every queued reminder, whichever way its customer takes post, so the
    others (the latest queued) are cancelled on this copy of the book.
    """
    with database.session() as session:
        ids = list(
            session.scalars(
                select(Letter.id)
                .where(Letter.kind == LetterKind.REMINDER, Letter.status == LetterStatus.QUEUED)
                .order_by(Letter.id)
            )
        )
        if len(ids) > LETTERS:
            session.execute(
                update(Letter)
                .where(Letter.id.in_(ids[LETTERS:]))
                .values(status=LetterStatus.CANCELLED)
            )
    return min(len(ids), LETTERS)


def _requeue(database: Database, batch_id: int) -> None:
    """Put the letters of ``batch_id`` back in the queue and forget the batch."""
    with database.session() as session:
        session.execute(
            update(Letter)
            .where(Letter.batch_id == batch_id)
            .values(status=LetterStatus.QUEUED, batch_id=None, printed_at=None)
        )
        session.execute(delete(LetterBatch).where(LetterBatch.id == batch_id))


def _preview(database: Database, actor: StaffIdentity, out: Path) -> BatchOutcome:
    with database.session() as session:
        return preview_batch(session, actor, LetterKind.REMINDER, out_dir=out)


def _issue(database: Database, actor: StaffIdentity, out: Path) -> BatchOutcome:
    with database.session() as session:
        return issue_batch(session, actor, LetterKind.REMINDER, out_dir=out)


def _timed(action: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    outcome = action()
    return (time.perf_counter() - started) * 1000, outcome


def measure_letters(server: ScratchServer, source: str, runs: int) -> list[Result]:
    """Measure a batch of reminder letters against raw fpdf2 on a dunned copy of ``source``."""
    book = server.copy_database(source, "bench_letters")
    try:
        actor = _admin(book)
        with book.session() as session:
            run_daily_check(session, actor, run_on=RUN_ON)
        _top_up(book, actor)
        letters = _keep_letters(book)
        if letters == 0:
            raise LetterBenchmarkError("The dunned demo book queued no reminder letters.")
        with tempfile.TemporaryDirectory(prefix="cctui-bench-letters-") as folder:
            out = Path(folder)
            drawing = _Drawing()
            with _recording(drawing):
                recorded = _preview(book, actor, out)  # also warms the font cache
            if recorded.letters != letters:
                raise LetterBenchmarkError(
                    f"The batch printed {recorded.letters} letters where {letters} are queued."
                )
            repeats = max(runs, MIN_RUNS)
            preview_ms: list[float] = []
            issue_ms: list[float] = []
            raw_ms: list[float] = []
            for _attempt in range(repeats):
                raw_time, raw_pages = _timed(lambda: _raw_fpdf2(drawing, out / "raw.pdf"))
                preview_time, preview = _timed(lambda: _preview(book, actor, out))
                issue_time, issued = _timed(lambda: _issue(book, actor, out / "issued"))
                if not preview.pages == issued.pages == raw_pages == recorded.pages:
                    raise LetterBenchmarkError(
                        f"Pages differ: preview {preview.pages}, issue {issued.pages}, "
                        f"raw fpdf2 {raw_pages}."
                    )
                _requeue(book, issued.batch_id or 0)
                raw_ms.append(raw_time)
                preview_ms.append(preview_time)
                issue_ms.append(issue_time)
    finally:
        book.dispose()
        server.drop_database("bench_letters")
    raw = statistics.median(raw_ms)
    pages = recorded.pages
    return [
        Result(
            f"{letters:,} reminder letters ({pages:,} pages) into one PDF: preview",
            statistics.median(preview_ms),
            "raw fpdf2, same cells",
            raw,
            BUDGET,
            repeats,
        ),
        Result(
            f"{letters:,} reminder letters ({pages:,} pages) into one PDF: issue",
            statistics.median(issue_ms),
            "raw fpdf2, same cells",
            raw,
            BUDGET,
            repeats,
        ),
    ]
