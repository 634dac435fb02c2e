"""``cctui db ...``: migrations and the embedded server. Never imports Textual."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from cctui.cli.common import CliState, pass_state

if TYPE_CHECKING:
    from cctui.db.engine import Database


@click.group("db")
def db_group() -> None:
    """Manage the database: schema migrations and the embedded server."""


def _shared_server_note(state: CliState, verb: str) -> str:
    """The sentence for start/stop on a shared server."""
    label = state.settings().target.label
    return f"cctui uses the shared server at {label}; there is nothing to {verb}."


def _embedded_pgdata(state: CliState) -> Path | None:
    """The embedded server's data directory, or None when a shared server is configured."""
    target = state.settings().target
    return target.pgdata if target.is_embedded else None


@db_group.command("upgrade")
@click.option(
    "--revision",
    default="head",
    show_default=True,
    metavar="REV",
    help="Migrate up to this revision.",
)
@pass_state
def upgrade_command(state: CliState, revision: str) -> None:
    """Migrate the database schema to the newest revision."""
    from cctui.db.migrate import current_revision, upgrade

    db = state.open_database()
    try:
        before = current_revision(db)
        upgrade(db, revision)
        after = current_revision(db)
        regranted = _regrant_after_upgrade(db) if before != after else False
    finally:
        db.dispose()
    if before == after:
        click.echo(f"The database at {db.label} is already at revision {after}.")
    else:
        click.echo(f"Upgraded the database at {db.label} from {before or 'empty'} to {after}.")
    if regranted:
        click.echo("Granted the cctui group roles their privileges on the new schema.")


def _regrant_after_upgrade(db: Database) -> bool:
    """Re-apply `cctui db roles` after a migration when the group roles are set up."""
    from cctui.domain.database_roles import apply_grants, grants_in_place

    with db.session() as session:
        if not grants_in_place(session):
            return False
        apply_grants(session)
    return True


@db_group.command("current")
@pass_state
def current_command(state: CliState) -> None:
    """Show the schema revision the database is at, and whether it is the newest."""
    from cctui.db.migrate import current_revision, head_revision, is_known_revision

    db = state.open_database()
    try:
        current = current_revision(db)
    finally:
        db.dispose()
    head = head_revision()
    if current == head:
        click.echo(f"{current} (head)")
    elif current is None:
        click.echo(f"none (empty database; head is {head}; run `cctui db upgrade`)")
    elif not is_known_revision(current):
        click.echo(f"{current} (newer than this cctui, which knows up to {head})")
    else:
        click.echo(f"{current} (behind head {head}; run `cctui db upgrade`)")


@db_group.command("url")
@pass_state
def url_command(state: CliState) -> None:
    """Print the database URL (password masked); for the embedded server, its socket URL."""
    from cctui.db.url import mask_password

    target = state.settings().target
    if target.pgdata is None or not target.is_embedded:
        click.echo(mask_password(target.url or ""))
        return
    from cctui.db.embedded import running_info, socket_url

    info = running_info(target.pgdata)
    if info is None:
        raise click.ClickException(
            f"The embedded database in {target.pgdata} is not running; "
            "start it with `cctui db start` (it then keeps running) and ask again."
        )
    click.echo(socket_url(info))


@db_group.command("start")
@pass_state
def start_command(state: CliState) -> None:
    """Start the embedded server and keep it running (until `cctui db stop`)."""
    pgdata = _embedded_pgdata(state)
    if pgdata is None:
        click.echo(_shared_server_note(state, "start"))
        return
    from cctui.db.embedded import embedded_status, running_info, start_embedded

    was_running = running_info(pgdata) is not None
    start_embedded(pgdata, keep_running=True)
    if was_running:
        click.echo(embedded_status(pgdata))
    else:
        click.echo(
            f"Started the embedded database in {pgdata}; it keeps running until `cctui db stop`."
        )


@db_group.command("stop")
@click.option("--force", is_flag=True, help="Stop it even while cctui sessions are using it.")
@pass_state
def stop_command(state: CliState, force: bool) -> None:
    """Stop the embedded server."""
    pgdata = _embedded_pgdata(state)
    if pgdata is None:
        click.echo(_shared_server_note(state, "stop"))
        return
    from cctui.db.embedded import session_pids, stop_embedded

    sessions = session_pids(pgdata)
    if sessions and not force:
        pids = ", ".join(str(pid) for pid in sessions)
        raise click.ClickException(
            f"The embedded database in {pgdata} is in use by cctui (pid {pids}); "
            "close those sessions first, or pass --force to disconnect them."
        )
    if stop_embedded(pgdata):
        click.echo(f"Stopped the embedded database in {pgdata}.")
    else:
        click.echo(f"The embedded database in {pgdata} is not running.")


@db_group.command("status")
@pass_state
def status_command(state: CliState) -> None:
    """Say whether the database server is running and answers (exit 1 when it does not)."""
    pgdata = _embedded_pgdata(state)
    if pgdata is not None:
        from cctui.db.embedded import embedded_status

        click.echo(embedded_status(pgdata))
        return
    from sqlalchemy import text

    db = state.open_database()
    try:
        with db.engine.connect() as connection:
            version = connection.execute(text("SHOW server_version")).scalar_one()
    finally:
        db.dispose()
    click.echo(f"The shared server at {db.label} answers (PostgreSQL {version}).")


@db_group.command("roles")
@click.option(
    "--show",
    "--dry-run",
    "show",
    is_flag=True,
    help="Print the SQL it would run on this database, and change nothing.",
)
@pass_state
def roles_command(state: CliState, show: bool) -> None:
    """Create the group roles cctui_agent < cctui_controller < cctui_supervisor < cctui_admin
    and grant each what its staff may do; run it again after every `cctui db upgrade`."""
    from cctui.domain.database_roles import apply_grants, roles_script

    db = state.open_database()
    try:
        with db.session() as session:
            if show:
                for statement in roles_script(session):
                    click.echo(f"{statement};")
                return
            report = apply_grants(session)
    finally:
        db.dispose()
    click.echo(f"Database roles set up on {db.label}.")
    click.echo(report.describe())
