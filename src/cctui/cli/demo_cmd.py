"""``cctui demo``: fill the database with generated demo data."""

from __future__ import annotations

import click

from cctui.cli.common import CliState, ProgressBars, pass_state


@click.command("demo")
@click.option(
    "--customers",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    help="How many customers to generate (invoices, payments, calls and notes follow).",
)
@click.option(
    "--seed",
    type=int,
    default=42,
    show_default=True,
    help="Random seed: the same seed gives the same data.",
)
@click.option(
    "--reset",
    is_flag=True,
    help="Delete all existing data first (required when the database already holds data).",
)
@pass_state
def demo_command(state: CliState, customers: int, seed: int, reset: bool) -> None:
    """Generate demo data: customers, invoices, payments, calls and notes.

    You (the --user login) are added as an admin so you can log in to it.
    """
    from cctui.db.migrate import ensure_schema

    settings = state.settings()
    db = state.open_database()
    try:
        ensure_schema(db)
        from cctui.demo import generate_demo

        with ProgressBars() as progress:
            summary = generate_demo(
                db,
                customers=customers,
                seed=seed,
                reset=reset,
                progress=progress,
                you=settings.user,
            )
    finally:
        db.dispose()
    click.echo(summary.describe())
