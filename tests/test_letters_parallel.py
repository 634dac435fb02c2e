"""Big letter batches, rendered in parts by worker processes and joined into one PDF.

The parts are made small here (:data:`PARALLEL_FROM` and :data:`PART_LETTERS` lowered) so a
few letters take the path a thousand take in use, with real forked workers.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pypdf
import pytest

from cctui.domain.models import LetterKind, Role
from cctui.letters import parallel
from cctui.letters.data import BatchData, read_batch
from cctui.letters.parallel import render_letters
from cctui.letters.render import render_batch
from tests.factories import make_customer, make_letter, make_staff

CREATED = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
NAMES = ["Alpha Ltd", "[b]Bravo[/b] GmbH", "Charlie \ue000 S.A.", "Delta BV", "Echo plc"]
"""Five customers; Charlie's name holds a private-use character no font has."""


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Render batches of three letters or more in parts of two."""
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 3)
    monkeypatch.setattr(parallel, "PART_LETTERS", 2)


@pytest.fixture
def batch(session) -> BatchData:
    make_staff(session, "carol", Role.CONTROLLER)
    ids = []
    for n, name in enumerate(NAMES):
        customer = make_customer(session, name=name, city="Leeds", currency="GBP")
        ids.append(make_letter(session, customer, [f"{100 + n}.25"] * (1 + n * 9)).id)
    return read_batch(
        session, LetterKind.REMINDER, ids, letter_date=date(2026, 11, 24), sender="Carol"
    )


def _pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages]


def test_parts_print_the_letters_of_one_piece(small_parts: None, batch: BatchData) -> None:
    whole, whole_pages = render_batch(batch, created_at=CREATED)
    joined, joined_pages = render_letters(batch, created_at=CREATED)
    assert joined_pages == whole_pages > len(NAMES)  # the long letters run over a page
    assert _pages(joined) == _pages(whole)
    reader = pypdf.PdfReader(io.BytesIO(joined))
    assert reader.metadata is not None
    assert reader.metadata.title == "reminder letters"
    assert reader.metadata["/Creator"] == "cctui"


def test_same_bytes_whatever_the_cores(
    small_parts: None, batch: BatchData, monkeypatch: pytest.MonkeyPatch
) -> None:
    forked = render_letters(batch, created_at=CREATED)
    assert render_letters(batch, created_at=CREATED) == forked
    monkeypatch.setattr(parallel, "_workers", lambda: 1)
    assert render_letters(batch, created_at=CREATED) == forked


def test_progress_after_each_part_and_missing_glyphs_from_workers(
    small_parts: None, batch: BatchData
) -> None:
    seen: list[tuple[int, int]] = []
    missing: set[str] = set()
    render_letters(
        batch, created_at=CREATED, progress=lambda *done: seen.append(done), missing=missing
    )
    assert seen == [(2, 5), (4, 5), (5, 5)]
    assert "\ue000" in missing


def test_cancel_between_parts(small_parts: None, batch: BatchData) -> None:
    calls = []

    def between() -> None:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("cancelled")

    with pytest.raises(RuntimeError, match="cancelled"):
        render_letters(batch, created_at=CREATED, between_letters=between)
    assert len(calls) == 2


def test_small_batch_is_one_piece(batch: BatchData) -> None:
    assert render_letters(batch, created_at=CREATED) == render_batch(batch, created_at=CREATED)
