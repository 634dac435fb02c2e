"""``cctui letters``: list the letters waiting to be printed, print a batch, print one again."""

from __future__ import annotations

from pathlib import Path

import click

from cctui.cli.common import CliState, ProgressBars, pass_state
from cctui.letters.output import default_out_dir

KINDS = ("reminder", "agency", "invoice", "statement")


def _out_dir(state: CliState, out: Path | None) -> Path:
    return out if out is not None else default_out_dir(state.settings())


@click.group("letters")
def letters_group() -> None:
    """Letters waiting to be printed, and the PDF batches that print them."""


@letters_group.command("list")
@pass_state
def list_command(state: CliState) -> None:
    """Show how many letters of each kind are queued, and the latest printed batches."""
    from cctui.db.migrate import ensure_schema
    from cctui.domain.letter_batches import printed_batches
    from cctui.domain.models import Delivery
    from cctui.letters.batches import queued_by_delivery

    db = state.open_database()
    try:
        ensure_schema(db)
        with db.session() as session:
            counts = queued_by_delivery(session)
            batches = printed_batches(session, limit=20)
    finally:
        db.dispose()
    click.echo("Queued letters (printed: by mail; by email: not printed here):")
    for kind, by_delivery in counts.items():
        click.echo(
            f"  {kind.value:<10} {by_delivery[Delivery.MAIL]:>7} by mail"
            f" {by_delivery[Delivery.EMAIL]:>7} by email"
        )
    if not batches:
        click.echo("No batch has been printed yet.")
        return
    click.echo("Latest batches:")
    for batch in batches:
        click.echo(
            f"  {batch.id:>6}  {batch.kind.value:<10} {batch.created_at:%Y-%m-%d %H:%M}  "
            f"{batch.letter_count:>5} letters {batch.page_count:>6} pages  "
            f"{batch.created_by or '-'}  {batch.file_path}"
        )


@letters_group.command("print")
@click.option(
    "--kind",
    type=click.Choice(KINDS),
    required=True,
    help="Which letters to print: reminder, agency, invoice or statement.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder the PDF is written to (default: the data directory's letters folder).",
)
@click.option("--preview", is_flag=True, help="Write a preview PDF and mark nothing printed.")
@pass_state
def print_command(state: CliState, kind: str, out: Path | None, preview: bool) -> None:
    """Print every queued letter of one kind into one PDF and record the batch.

    The letters are marked printed only once the PDF is safely on disk; a batch that fails
    leaves them queued. An empty queue writes no file.
    """
    from cctui.db.migrate import ensure_schema
    from cctui.domain.identity import identify
    from cctui.domain.models import LetterKind
    from cctui.letters.batches import issue_batch, preview_batch

    settings = state.settings()
    out_dir = _out_dir(state, out)
    run = preview_batch if preview else issue_batch
    db = state.open_database()
    try:
        ensure_schema(db)
        with db.session() as session:
            actor = identify(session, settings.user)
        with ProgressBars() as bars, db.session() as session:
            outcome = run(
                session,
                actor,
                LetterKind(kind),
                out_dir=out_dir,
                progress=lambda done, total: bars("letters", done, total),
            )
    finally:
        db.dispose()
    click.echo(outcome.message)


@letters_group.command("reprint")
@click.argument("batch", type=int)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder the PDF is written to (default: the data directory's letters folder).",
)
@pass_state
def reprint_command(state: CliState, batch: int, out: Path | None) -> None:
    """Print the batch BATCH again from its record (same letters, same content)."""
    from cctui.db.migrate import ensure_schema
    from cctui.domain.identity import identify
    from cctui.letters.batches import reprint_batch

    settings = state.settings()
    out_dir = _out_dir(state, out)
    db = state.open_database()
    try:
        ensure_schema(db)
        with db.session() as session:
            actor = identify(session, settings.user)
            outcome = reprint_batch(session, actor, batch, out_dir=out_dir)
    finally:
        db.dispose()
    click.echo(outcome.message)
