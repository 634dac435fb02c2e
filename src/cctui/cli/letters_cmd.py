"""``cctui letters``: list the letters waiting to be printed, print a batch, print one again;
queue statements and e-mail those of customers who take e-mail."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
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
    from cctui.domain.statements import failed_email_statements
    from cctui.letters.batches import queued_by_delivery

    db = state.open_database()
    try:
        ensure_schema(db)
        with db.session() as session:
            counts = queued_by_delivery(session)
            failed = failed_email_statements(session)
            batches = printed_batches(session, limit=20)
    finally:
        db.dispose()
    click.echo("Queued letters (printed: by mail; by email: not printed here):")
    for kind, by_delivery in counts.items():
        click.echo(
            f"  {kind.value:<10} {by_delivery[Delivery.MAIL]:>7} by mail"
            f" {by_delivery[Delivery.EMAIL]:>7} by email"
        )
    if failed:
        click.echo(
            f"{failed} statement{'' if failed == 1 else 's'} by email failed at the last "
            "attempt (cctui letters email --dry-run shows why)."
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


def _min_balance(typed: str) -> Decimal:
    try:
        amount = Decimal(typed.strip())
    except InvalidOperation:
        raise click.BadParameter(f"{typed!r} is not an amount.") from None
    if not amount.is_finite() or amount <= 0:
        raise click.BadParameter(f"{typed!r} must be an amount above 0.")
    return amount


@letters_group.command("queue-statements")
@click.option("--customer", metavar="ACCOUNT", help="Queue a statement for this customer only.")
@click.option(
    "--controller",
    metavar="LOGIN",
    help="Only the customers of this controller.",
)
@click.option(
    "--min-balance",
    default="0.01",
    show_default=True,
    metavar="AMOUNT",
    help="Only customers owing at least this much.",
)
@pass_state
def queue_statements_command(
    state: CliState, customer: str | None, controller: str | None, min_balance: str
) -> None:
    """Queue a statement of account for every customer with an open balance.

    Customers who take e-mail and have an address get theirs by e-mail (cctui letters
    email), the others by mail (cctui letters print --kind statement). A customer who
    already has a statement waiting is skipped.
    """
    from cctui.db.migrate import ensure_schema
    from cctui.domain.identity import identify
    from cctui.domain.lookup import customer_id_by_account
    from cctui.domain.statements import queue_statement, queue_statements

    if customer is not None and controller is not None:
        raise click.UsageError("Give --customer or --controller, not both.")
    least = _min_balance(min_balance)
    settings = state.settings()
    db = state.open_database()
    try:
        ensure_schema(db)
        with db.session() as session:
            actor = identify(session, settings.user)
            if customer is not None:
                outcome = queue_statement(session, actor, customer_id_by_account(session, customer))
            else:
                outcome = queue_statements(session, actor, min_balance=least, controller=controller)
    finally:
        db.dispose()
    click.echo(outcome.message)


@letters_group.command("email")
@click.option(
    "--dry-run", is_flag=True, help="List the statements and their recipients; send nothing."
)
@click.option(
    "--show-settings",
    is_flag=True,
    help="Print the SMTP settings (the password only as set or not) and exit.",
)
@pass_state
def email_command(state: CliState, dry_run: bool, show_settings: bool) -> None:
    """E-mail the queued statements of customers who take e-mail, each as a PDF.

    The SMTP server is set by an admin in the settings screen; the password comes only
    from the environment variable CCTUI_SMTP_PASSWORD. A statement that fails stays
    queued with the reason; if the server itself fails the run stops (exit status 1).
    """
    from cctui.db.migrate import ensure_schema
    from cctui.domain.identity import identify
    from cctui.domain.smtp_settings import PASSWORD_ENV, password_is_set, smtp_settings
    from cctui.domain.statements import MAX_LISTED, queued_email_statements
    from cctui.letters.email import send_statements

    settings = state.settings()
    db = state.open_database()
    try:
        ensure_schema(db)
        with db.session() as session:
            actor = identify(session, settings.user)
            smtp = smtp_settings(session)
            waiting = queued_email_statements(session, limit=MAX_LISTED) if dry_run else []
        if show_settings:
            password = "set" if password_is_set() else "not set"
            click.echo(f"host      {smtp.host or '(not set)'}")
            click.echo(f"port      {smtp.port}")
            click.echo(f"security  {smtp.security}")
            click.echo(f"user      {smtp.user or '(none: no login)'}")
            click.echo(f"from      {smtp.from_address or '(not set)'}")
            click.echo(f"password  {PASSWORD_ENV} is {password}")
            return
        if dry_run:
            for statement in waiting:
                line = f"{statement.letter_id:>8}  {statement.account:<12} {statement.email}"
                if statement.last_error:
                    line += f"  (attempt {statement.send_attempts} failed: {statement.last_error})"
                click.echo(line)
            count = len(waiting)
            more = "" if count < MAX_LISTED else f" (the first {MAX_LISTED} shown)"
            click.echo(
                f"{count} statement{'' if count == 1 else 's'} would be e-mailed{more} "
                f"through {smtp.host or '(no SMTP server set)'}; nothing was sent."
            )
            return
        with ProgressBars() as bars:
            outcome = send_statements(
                db, actor, progress=lambda done, total: bars("statements", done, total)
            )
    finally:
        db.dispose()
    if outcome.stopped:
        raise click.ClickException(outcome.message)
    click.echo(outcome.message)
