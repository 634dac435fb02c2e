"""The ``cctui`` command: run the app, manage the database, load demo data, print reports.

Every verb prints errors meant for the user as one sentence on stderr (``Error: ...``) and
exits with status 1, without a traceback. ``cctui db ...`` never imports Textual.
"""

from __future__ import annotations

import pkgutil
import sys
from typing import Any

import click

from cctui import __version__
from cctui.cli.common import CliState
from cctui.domain.errors import CctuiError

__all__ = ["COMMANDS", "CctuiGroup", "main"]

COMMANDS: dict[str, str] = {
    "app": "cctui.cli.app_cmd:app_command",
    "daily-check": "cctui.cli.daily_check_cmd:daily_check_command",
    "db": "cctui.cli.db_cmd:db_group",
    "demo": "cctui.cli.demo_cmd:demo_command",
    "export": "cctui.cli.export_cmd:export_command",
    "import": "cctui.cli.import_cmd:import_command",
    "letters": "cctui.cli.letters_cmd:letters_group",
    "recalc": "cctui.cli.recalc_cmd:recalc_command",
    "report": "cctui.cli.reports:report_group",
    "serve": "cctui.cli.serve_cmd:serve_command",
    "staff": "cctui.cli.staff_cmd:staff_group",
}
"""Each verb and where it lives: a verb's module (and what it imports) loads only when the
verb runs or help lists it, so ``cctui app`` does not pay for the exporters and reports."""


def load_command(name: str) -> click.Command:
    """The click command of verb ``name`` (see :data:`COMMANDS`)."""
    command = pkgutil.resolve_name(COMMANDS[name])
    assert isinstance(command, click.Command)
    return command


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
    """A click group that turns errors meant for the user into ``Error: ...`` and exit 1,
    and loads its verbs (:data:`COMMANDS`) when they are asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every verb, in name order."""
        return sorted({*COMMANDS, *super().list_commands(ctx)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The verb ``cmd_name``, imported now if it was not yet."""
        if cmd_name in COMMANDS:
            return load_command(cmd_name)
        return super().get_command(ctx, cmd_name)

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
        ctx.invoke(load_command("app"))
