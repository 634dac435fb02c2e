"""A big batch of letters rendered on every core, then joined into one PDF.

fpdf2 lays out a page in pure Python: a thousand one-page letters take seconds of one core,
nearly all of it inside fpdf2. A batch of at least :data:`PARALLEL_FROM` letters is therefore
cut into parts of :data:`PART_LETTERS` whole letters, each part rendered to a PDF of its own
by :func:`cctui.letters.render.render_batch` in a worker process, and the parts joined in
order with pypdf. Every letter stays whole in one part, so its "Page n / m" is unchanged; the
joined document carries the first part's metadata (title, author, creator, creation date).
The same batch and ``created_at`` give the same bytes, as a batch rendered in one piece does.

The workers are forked from this process (where the operating system can fork), so they
start at once with everything already imported; they only compute, on data sent to them,
and never touch the database connections they inherit (a worker freezes what it inherited
out of the collector's reach, so no inherited object is finalized in it, and exits without
running exit handlers). Where forking is not available, or there is one core, the same parts
are rendered here one after the other and joined the same way.
"""

from __future__ import annotations

import gc
import io
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import datetime
from functools import partial

from pypdf import DocumentInformation, PdfReader, PdfWriter

from cctui.letters.data import BatchData
from cctui.letters.render import render_batch

PARALLEL_FROM = 200
"""Letters from which a batch is rendered in parts on every core (below, starting the
workers costs more than it saves)."""

PART_LETTERS = 250
"""Letters per part: small enough to spread over the cores and report progress often, big
enough that each part's copy of the fonts keeps the file small."""

MAX_WORKERS = 8


def render_letters(
    batch: BatchData,
    *,
    created_at: datetime,
    progress: Callable[[int, int], None] | None = None,
    between_letters: Callable[[], None] | None = None,
    missing: set[str] | None = None,
) -> tuple[bytes, int]:
    """The batch as PDF bytes and its page count, rendered on every core when it is big.

    Takes the arguments of :func:`~cctui.letters.render.render_batch`, with the same
    meaning; in parts, ``between_letters`` runs before each part is waited for (raising there
    cancels the parts not started) and ``progress`` after each part is done. A big batch is
    cut into the same parts however many cores there are (with one, they are rendered here
    one after the other), so a reprint elsewhere gives the same bytes.
    """
    if len(batch.letters) < PARALLEL_FROM:
        return render_batch(
            batch,
            created_at=created_at,
            progress=progress,
            between_letters=between_letters,
            missing=missing,
        )
    parts = [
        replace(batch, letters=batch.letters[start : start + PART_LETTERS])
        for start in range(0, len(batch.letters), PART_LETTERS)
    ]
    workers = _workers()
    if workers < 2:
        return _join_parts(
            parts,
            (partial(_render_part, part, created_at) for part in parts),
            progress,
            between_letters,
            missing,
        )
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker) as pool:
        futures = [pool.submit(_render_part, part, created_at) for part in parts]
        try:
            return _join_parts(
                parts, (future.result for future in futures), progress, between_letters, missing
            )
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def _join_parts(
    parts: list[BatchData],
    results: Iterable[Callable[[], tuple[bytes, int, set[str]]]],
    progress: Callable[[int, int], None] | None,
    between_letters: Callable[[], None] | None,
    missing: set[str] | None,
) -> tuple[bytes, int]:
    """Wait for each part's result in order, report it and add its pages to one PDF (while
    the workers render the parts after it)."""
    total = sum(len(part.letters) for part in parts)
    done = pages = 0
    joined = _JoinedPdf()
    for part, result in zip(parts, results, strict=True):
        if between_letters is not None:
            between_letters()
        content, part_pages, part_missing = result()
        joined.add(content)
        pages += part_pages
        if missing is not None:
            missing |= part_missing
        done += len(part.letters)
        if progress is not None:
            progress(done, total)
    return joined.output(), pages


def _workers() -> int:
    """Worker processes to use: one per core this process may run on, none without fork."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return min(cores, MAX_WORKERS)


def _start_worker() -> None:
    """In a new worker: leave what was inherited alone, and leave the parent's signals to it.

    What the fork copied (the parent's objects, its database connections among them) is
    frozen out of the collector, so nothing of it is finalized here. Ctrl+C and a terminal
    resize are the parent's business: the parent cancels the parts, and a signal must not
    write to the parent's event-loop wake-up pipe, which the fork shares.
    """
    gc.freeze()
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGWINCH"):
        signal.signal(signal.SIGWINCH, signal.SIG_DFL)


def _render_part(batch: BatchData, created_at: datetime) -> tuple[bytes, int, set[str]]:
    """In a worker: one part's PDF bytes, pages and characters no font has."""
    missing: set[str] = set()
    content, pages = render_batch(batch, created_at=created_at, missing=missing)
    return content, pages, missing


class _JoinedPdf:
    """PDFs added one by one, written out as one with the first one's metadata."""

    def __init__(self) -> None:
        self._writer = PdfWriter()
        self._metadata: DocumentInformation | None = None

    def add(self, content: bytes) -> None:
        """Append the pages of the PDF ``content``."""
        reader = PdfReader(io.BytesIO(content))
        if not self._writer.pages:
            self._metadata = reader.metadata
        self._writer.append(reader)

    def output(self) -> bytes:
        """The joined document's bytes."""
        if self._metadata is not None:
            self._writer.add_metadata(self._metadata)
        out = io.BytesIO()
        self._writer.write(out)
        return out.getvalue()
