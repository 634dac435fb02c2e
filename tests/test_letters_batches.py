"""Letter batches: one PDF per kind, preview, issue (atomic), reprint, concurrency, the CLI."""

from __future__ import annotations

import hashlib
import io
import re
import threading
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from cctui.cli import main
from cctui.db.engine import Database
from cctui.domain.errors import PermissionDenied
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import (
    AuditLog,
    Letter,
    LetterBatch,
    LetterInvoice,
    LetterKind,
    LetterStatus,
    Role,
)
from cctui.letters import batches
from cctui.letters.batches import BatchCancelled, issue_batch, preview_batch, reprint_batch
from cctui.letters.templates import substitute
from tests.factories import make_customer, make_letter, make_staff

HOSTILE = ["[b]x[/b] Bold Ltd", "\x1b[31mRed Ltd", "شركة الاختبار", "Ünïcødé Straße GmbH"]


def _book(session, names=HOSTILE, lines=3) -> tuple[StaffIdentity, list[Letter]]:
    actor = make_staff(session, "carol", Role.CONTROLLER)
    letters = []
    for n, name in enumerate(names):
        customer = make_customer(
            session, name=name, address_line1=f"{n} Main Street", city="Leeds", currency="GBP"
        )
        letters.append(make_letter(session, customer, [f"{100 + n}.50"] * lines))
    return actor, letters


def _text(path: Path) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def _statuses(session) -> list[LetterStatus]:
    session.expire_all()
    return [letter.status for letter in session.scalars(select(Letter).order_by(Letter.id))]


def test_substitution_is_safe() -> None:
    values = {"name": "{account}", "account": "A1"}
    assert substitute("$name ${name} {name} $$ {unknown} $nope {0.__class__}", values) == (
        "{account} {account} {account} $ {unknown} $nope {0.__class__}"
    )


def test_issue_prints_every_letter_once_with_hostile_names(session, tmp_path: Path) -> None:
    actor, letters = _book(session)
    outcome = issue_batch(session, actor, LetterKind.REMINDER, out_dir=tmp_path)
    session.commit()
    assert outcome.batch_id is not None and outcome.path is not None
    assert outcome.letters == len(HOSTILE)
    pages, text = _text(outcome.path)
    assert pages == outcome.pages >= len(HOSTILE)
    assert "[b]x[/b] Bold Ltd" in text
    assert "[31mRed Ltd" in text and "\x1b" not in text
    assert "Ünïcødé Straße GmbH" in text
    assert "£301.50" in text  # 3 x 100.50
    for letter in letters:
        assert "Page 1 / 1" in text
        assert str(letter.id) in text
    assert hashlib.sha256(outcome.path.read_bytes()).hexdigest() == outcome.sha256
    assert set(_statuses(session)) == {LetterStatus.PRINTED}
    batch = session.get(LetterBatch, outcome.batch_id)
    assert batch is not None
    assert (batch.letter_count, batch.page_count, batch.sha256, batch.file_path) == (
        outcome.letters,
        outcome.pages,
        outcome.sha256,
        str(outcome.path),
    )
    assert session.scalar(select(func.count()).where(AuditLog.action == "print_letter_batch")) == 1
    again = issue_batch(session, actor, LetterKind.REMINDER, out_dir=tmp_path)
    assert again.path is None and "No reminder letters are queued" in again.message


def test_long_table_breaks_with_header_and_page_numbers(session, tmp_path: Path) -> None:
    actor, _ = _book(session, names=["Many Invoices plc"], lines=90)
    outcome = issue_batch(session, actor, LetterKind.REMINDER, out_dir=tmp_path)
    assert outcome.path is not None
    pages, text = _text(outcome.path)
    assert pages >= 3
    assert text.count("Open amount") == pages or text.count("Open amount") >= 3
    assert f"Page {pages} / {pages}" in text


def test_preview_marks_nothing(session, tmp_path: Path) -> None:
    actor, _ = _book(session)
    outcome = preview_batch(session, actor, LetterKind.REMINDER, out_dir=tmp_path)
    assert outcome.batch_id is None and outcome.path is not None and outcome.path.exists()
    assert set(_statuses(session)) == {LetterStatus.QUEUED}
    assert session.scalar(select(func.count()).select_from(LetterBatch)) == 0


def test_empty_queue_makes_no_file(session, tmp_path: Path) -> None:
    actor = make_staff(session, "carol", Role.CONTROLLER)
    outcome = issue_batch(session, actor, LetterKind.AGENCY, out_dir=tmp_path)
    assert outcome.path is None and outcome.letters == 0
    assert outcome.message == "No agency letters are queued for printing; no file was written."
    assert list(tmp_path.iterdir()) == []


def test_agent_may_not_print(session, tmp_path: Path) -> None:
    agent = make_staff(session, "ann", Role.AGENT)
    with pytest.raises(PermissionDenied):
        issue_batch(session, agent, LetterKind.REMINDER, out_dir=tmp_path)


def test_failing_write_leaves_every_letter_queued(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with db.session() as session:
        actor, _ = _book(session)

    def broken(path: Path, content: bytes) -> None:
        path.with_name(path.name + ".partial").write_bytes(content[:100])
        raise OSError("disk full")

    monkeypatch.setattr(batches, "write_atomically", broken)
    with pytest.raises(OSError, match="disk full"), db.session() as session:
        issue_batch(session, actor, LetterKind.REMINDER, out_dir=tmp_path)
    with db.session() as session:
        assert set(_statuses(session)) == {LetterStatus.QUEUED}
        assert session.scalar(select(func.count()).select_from(LetterBatch)) == 0
    assert not list(tmp_path.glob("*.pdf"))


def test_cancel_between_letters(db: Database, tmp_path: Path) -> None:
    with db.session() as session:
        actor, _ = _book(session)
    cancel = threading.Event()

    def progress(done: int, total: int) -> None:
        cancel.set()

    with pytest.raises(BatchCancelled), db.session() as session:
        issue_batch(
            session,
            actor,
            LetterKind.REMINDER,
            out_dir=tmp_path,
            progress=progress,
            cancel=cancel,
        )
    with db.session() as session:
        assert set(_statuses(session)) == {LetterStatus.QUEUED}
    assert list(tmp_path.iterdir()) == []


def test_reprint_gives_the_same_bytes(session, tmp_path: Path) -> None:
    actor, _ = _book(session)
    original = issue_batch(session, actor, LetterKind.REMINDER, out_dir=tmp_path)
    session.commit()
    assert original.batch_id is not None
    copy = reprint_batch(session, actor, original.batch_id, out_dir=tmp_path / "again")
    assert copy.sha256 == original.sha256
    assert "identical to the original" in copy.message
    assert copy.path is not None and copy.path.read_bytes() == original.path.read_bytes()  # type: ignore[union-attr]


def test_two_printers_print_each_letter_once(db: Database, tmp_path: Path) -> None:
    with db.session() as session:
        actor, letters = _book(session, names=[f"Customer {n}" for n in range(12)])
    outcomes = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def printer(n: int) -> None:
        try:
            with db.session() as session:
                barrier.wait()
                outcomes.append(
                    issue_batch(session, actor, LetterKind.REMINDER, out_dir=tmp_path / str(n))
                )
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=printer, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sum(outcome.letters for outcome in outcomes) == len(letters)
    with db.session() as session:
        assert set(_statuses(session)) == {LetterStatus.PRINTED}
        per_batch = session.execute(
            select(Letter.batch_id, func.count()).group_by(Letter.batch_id)
        ).all()
        assert sum(count for _, count in per_batch) == len(letters)


def test_cli_print_list_reprint(db: Database, cli_env, tmp_path: Path) -> None:
    with db.session() as session:
        make_staff(session, "carol", Role.CONTROLLER)
        customer = make_customer(session, name="Cli Customer Ltd", currency="EUR", locale="de_DE")
        make_letter(session, customer, ["1234.56"])
    env = {**cli_env, "CCTUI_USER": "carol"}
    runner = CliRunner()
    out = tmp_path / "out"
    listed = runner.invoke(main, ["letters", "list"], env=env, catch_exceptions=False)
    assert listed.exit_code == 0, listed.output
    assert "reminder" in listed.stdout and "No batch has been printed yet." in listed.stdout
    preview = runner.invoke(
        main,
        ["letters", "print", "--kind", "reminder", "--out", str(out), "--preview"],
        env=env,
        catch_exceptions=False,
    )
    assert preview.exit_code == 0, preview.output
    assert "nothing was marked printed" in preview.stdout
    printed = runner.invoke(
        main,
        ["letters", "print", "--kind", "reminder", "--out", str(out)],
        env=env,
        catch_exceptions=False,
    )
    assert printed.exit_code == 0, printed.output
    assert "Batch " in printed.stdout
    batch_pdf = next(out.glob("reminder-batch-*.pdf"))
    _, text = _text(batch_pdf)
    assert "Cli Customer Ltd" in text and "1.234,56 €" in text.replace("\xa0", " ")
    batch_id = int(batch_pdf.stem.split("-")[-1])
    empty = runner.invoke(
        main,
        ["letters", "print", "--kind", "reminder", "--out", str(out)],
        env=env,
        catch_exceptions=False,
    )
    assert "no file was written" in empty.stdout
    again = runner.invoke(
        main,
        ["letters", "reprint", str(batch_id), "--out", str(out)],
        env=env,
        catch_exceptions=False,
    )
    assert again.exit_code == 0, again.output
    assert "identical to the original" in again.stdout
    missing = runner.invoke(main, ["letters", "reprint", "999999"], env=env)
    assert missing.exit_code == 1 and "no letter batch 999999" in missing.output


def test_wrap_breaks_at_spaces_and_cuts_long_words() -> None:
    from cctui.letters.render import wrap

    assert wrap("aa bb cc", 5, len) == ["aa bb", "cc"]
    assert wrap("x" * 12, 5, len) == ["xxxxx", "xxxxx", "xx"]
    assert wrap("", 5, len) == [""]


def test_cjk_name_printed_or_named_as_missing(session, tmp_path: Path) -> None:
    from cctui.letters.render import fallback_coverage

    actor, _ = _book(session, names=["株式会社テスト"])
    outcome = issue_batch(session, actor, LetterKind.REMINDER, out_dir=tmp_path)
    assert outcome.path is not None
    if any("株" in chars for _family, _path, chars in fallback_coverage()):
        assert "株式会社テスト" in _text(outcome.path)[1]
        assert "print blank" not in outcome.message
    else:
        # No CJK font here (none comes from the package index): the batch is still written
        # and the user is told which characters print blank and what to install.
        assert "print blank" in outcome.message and "株" in outcome.message
        assert "fonts-noto-cjk" in outcome.message


def test_failure_after_the_file_removes_it_and_keeps_letters_queued(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with db.session() as session:
        actor, _ = _book(session)

    def broken_audit(*args: object, **kwargs: object) -> None:
        raise RuntimeError("audit failed")

    monkeypatch.setattr(batches, "audit", broken_audit)
    with pytest.raises(RuntimeError, match="audit failed"), db.session() as session:
        issue_batch(session, actor, LetterKind.REMINDER, out_dir=tmp_path)
    with db.session() as session:
        assert set(_statuses(session)) == {LetterStatus.QUEUED}
        assert session.scalar(select(func.count()).select_from(LetterBatch)) == 0
    assert list(tmp_path.iterdir()) == []


def test_invoice_batch_marks_its_invoices_printed_on_letter_paper(session, tmp_path: Path) -> None:
    from cctui.domain.book_settings import write_setting
    from cctui.domain.models import Invoice

    admin = make_staff(session, "root", Role.ADMIN)
    write_setting(session, admin, "letter_paper", "Letter")
    customer = make_customer(session, name="Paper Invoices Inc", currency="USD", locale="en_US")
    letter = make_letter(session, customer, ["99.99"], kind=LetterKind.INVOICE)
    outcome = issue_batch(session, admin, LetterKind.INVOICE, out_dir=tmp_path)
    assert outcome.path is not None and outcome.letters == 1
    reader = pypdf.PdfReader(io.BytesIO(outcome.path.read_bytes()))
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width)), round(float(height))) == (612, 792)
    assert "$99.99" in reader.pages[0].extract_text()
    session.expire_all()
    invoice_ids = session.scalars(
        select(LetterInvoice.invoice_id).where(LetterInvoice.letter_id == letter.id)
    ).all()
    assert all(session.get(Invoice, i).printed_at is not None for i in invoice_ids)


def _fonts(path: Path) -> set[str]:
    reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return names


def test_latin_letters_embed_only_noto_sans(session, tmp_path: Path) -> None:
    actor, _ = _book(session, names=["Plain Latin Ltd", "Ünïcødé Straße GmbH"])
    outcome = issue_batch(session, actor, LetterKind.REMINDER, out_dir=tmp_path)
    assert outcome.path is not None
    assert all(name.startswith("NotoSans") for name in _fonts(outcome.path))
    assert not any("Arabic" in name or "DejaVu" in name for name in _fonts(outcome.path))


def test_arabic_and_devanagari_names_are_shaped_in_their_fonts(session, tmp_path: Path) -> None:
    actor, _ = _book(session, names=["شركة الاختبار", "भारत व्यापार लिमिटेड", "Latin After Ltd"])
    outcome = issue_batch(session, actor, LetterKind.REMINDER, out_dir=tmp_path)
    assert outcome.path is not None
    fonts = _fonts(outcome.path)
    assert any("Arabic" in name for name in fonts), fonts
    _, text = _text(outcome.path)
    # Shaped glyphs map back to their characters in visual order (the PDF's ToUnicode map
    # cannot say where a ligature's parts go, so readers may add stray marks between them).
    readable = re.sub(r"[\x00-\x1f]", "", text)
    assert "الاختبار" in readable and "شركة" in readable
    assert "भारत" in readable and "व्यापार" in readable
    assert "Latin After Ltd" in text


def test_country_code_becomes_the_country_name_in_capitals() -> None:
    from cctui.letters.data import country_line

    assert country_line("GB") == "UNITED KINGDOM"
    assert country_line(" de ") == "GERMANY"
    assert country_line("Deutschland") == "Deutschland"
    assert country_line("") is None


def test_a_reminder_for_a_customer_who_takes_email_is_printed(session, tmp_path: Path) -> None:
    from cctui.domain.models import Delivery
    from cctui.letters.batches import queued_by_delivery

    actor, letters = _book(session, names=["Mail Ltd", "Email Ltd"])
    letters[1].delivery = Delivery.EMAIL  # only statements are e-mailed: this one is printed
    session.flush()
    counts = queued_by_delivery(session)[LetterKind.REMINDER]
    assert counts == {Delivery.MAIL: 2, Delivery.EMAIL: 0}
    outcome = issue_batch(session, actor, LetterKind.REMINDER, out_dir=tmp_path)
    assert outcome.letters == 2
    assert set(_statuses(session)) == {LetterStatus.PRINTED}
