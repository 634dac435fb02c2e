"""The ``cctui`` command: run the app, manage the database, load demo data, print reports.

Every verb prints errors meant for the user as one sentence on stderr (``Error: ...``) and
exits with status 1, without a traceback. ``cctui db ...`` never imports Textual.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from cctui import __version__
from cctui.cli.app_cmd import app_command
from cctui.cli.common import CliState
from cctui.cli.daily_check_cmd import daily_check_command
from cctui.cli.db_cmd import db_group
from cctui.cli.demo_cmd import demo_command
from cctui.cli.export_cmd import export_command
from cctui.cli.import_cmd import import_command
from cctui.cli.letters_cmd import letters_group
from cctui.cli.recalc_cmd import recalc_command
from cctui.cli.reports import report_group
from cctui.cli.serve_cmd import serve_command
from cctui.cli.staff_cmd import staff_group
from cctui.domain.errors import CctuiError

__all__ = ["CctuiGroup", "main"]


def user_message(err: BaseException) -> str | None:
    """The one-sentence message for an error the user should see plainly, else None."""
    if isinstance(err, CctuiError):
        return str(err)
    sqlalchemy_exc = sys.modules.get("sqlalchemy.exc")
    if sqlalchemy_exc is not None and isinstance(err, sqlalchemy_exc.OperationalError):
        from cctui.db.engine import connection_failure_reason

        return f"The database connection failed: {connection_failure_reason(err)}."
    if sqlalchemy_exc is not None and isinstance(err, sqlalchemy_exc.DBAPIError):
        original = err.orig
        if getattr(original, "sqlstate", None) == "42501":  # insufficient_privilege
            reason = str(original).splitlines()[0].strip().rstrip(".")
            return f"The database refused this to your database login: {reason}."
    return None


class CctuiGroup(click.Group):
    """A click group that turns errors meant for the user into ``Error: ...`` and exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the group (and its subcommand), translating user errors."""
        try:
            return super().invoke(ctx)
        except Exception as err:
            message = user_message(err)
            if message is None:
                raise
            raise click.ClickException(message) from None


@click.group(
    cls=CctuiGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--database-url",
    metavar="URL",
    help="The shared PostgreSQL server, e.g. postgresql://user@host/db "
    "(default: $CCTUI_DATABASE_URL, then the libpq PG* variables, "
    "then a private embedded database).",
)
@click.option(
    "--user",
    metavar="LOGIN",
    help="Act as this staff login (default: $CCTUI_USER, then your OS login).",
)
@click.version_option(__version__, "--version", prog_name="cctui")
@click.pass_context
def main(ctx: click.Context, database_url: str | None, user: str | None) -> None:
    """Credit control in the terminal.

    Without a command, runs the app (same as `cctui app`).
    """
    ctx.obj = CliState(database_url=database_url, user=user)
    if ctx.invoked_subcommand is None:
        ctx.invoke(app_command)


main.add_command(app_command)
main.add_command(daily_check_command)
main.add_command(db_group)
main.add_command(demo_command)
main.add_command(export_command)
main.add_command(import_command)
main.add_command(letters_group)
main.add_command(recalc_command)
main.add_command(report_group)
main.add_command(serve_command)
main.add_command(staff_group)
