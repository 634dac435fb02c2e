"""``cctui serve``: the same app in a web browser, through textual-serve.

Every browser session starts its own ``cctui app`` process as the OS user running
``cctui serve``, with the same database settings. It listens on localhost unless told
otherwise, and has no authentication of its own: put it behind a reverse proxy that
authenticates people (README, "In a browser"). With ``--user-header`` each session acts as
the staff login the proxy names in that request header; without it, every session acts as
the one staff login ``cctui serve`` was started as.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shlex
import sys
from contextvars import ContextVar
from typing import Any

import click

from cctui.cli.common import CliState, pass_state

LOGIN_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$")
"""What a login from a proxy header may look like before it goes on a command line."""

_session_login: ContextVar[str | None] = ContextVar("cctui_serve_login", default=None)


def app_command_line(login: str | None) -> str:
    """The shell command one browser session runs: this Python's ``cctui app``."""
    words = [sys.executable, "-m", "cctui"]
    if login is not None:
        words += ["--user", login]
    words.append("app")
    return shlex.join(words)


def is_loopback(host: str) -> bool:
    """True when ``host`` only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def make_server(host: str, port: int, public_url: str | None, user_header: str | None) -> Any:
    """A textual-serve server whose sessions run ``cctui app`` (as the header's login, if set)."""
    from aiohttp import web
    from textual_serve.server import Server

    class CctuiServer(Server):
        """textual-serve's server, with the command chosen per browser session."""

        @property
        def command(self) -> str:
            """The command of the session being handled (textual-serve reads it per socket)."""
            return app_command_line(_session_login.get())

        @command.setter
        def command(self, value: str) -> None:
            """textual-serve sets the command once; the property above decides per session."""

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            """Start a session, as the login the proxy names when ``--user-header`` is set."""
            if user_header is not None:
                login = request.headers.get(user_header, "").strip()
                if not LOGIN_PATTERN.match(login):
                    raise web.HTTPForbidden(text=f"No usable login in the {user_header} header.\n")
                _session_login.set(login)
            return await super().handle_websocket(request)

    return CctuiServer(
        app_command_line(None), host=host, port=port, title="cctui", public_url=public_url
    )


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--public-url",
    metavar="URL",
    help="The address browsers use, when a proxy stands in front (e.g. https://cctui.example.com).",
)
@click.option(
    "--user-header",
    metavar="HEADER",
    help="Act in each browser session as the staff login in this request header, which an "
    "authenticating proxy sets (e.g. X-Forwarded-User); sessions without it are refused.",
)
@pass_state
def serve_command(
    state: CliState, host: str, port: int, public_url: str | None, user_header: str | None
) -> None:
    """Serve the app to web browsers (one `cctui app` process per browser session)."""
    from cctui.db.migrate import ensure_schema
    from cctui.domain.identity import identify

    settings = state.settings()
    db = state.open_database()
    try:
        ensure_schema(db)
        if user_header is None:
            with db.session() as session:
                identify(session, settings.user)
    finally:
        db.dispose()
    # The sessions are child processes: hand them the settings this process resolved.
    if state.database_url:
        os.environ["CCTUI_DATABASE_URL"] = state.database_url
    if state.user:
        os.environ["CCTUI_USER"] = state.user
    url = public_url or f"http://{'[' + host + ']' if ':' in host else host}:{port}"
    who = f"the login in the {user_header} header" if user_header else repr(settings.user)
    click.echo(f"cctui in a browser at {url} (sessions act as {who}); Ctrl+C stops it.")
    if not is_loopback(host):
        click.echo(
            f"Warning: listening on {host}, not only on this machine, and without any "
            "authentication: put it behind a proxy that authenticates people, or use "
            "--host 127.0.0.1.",
            err=True,
        )
    make_server(host, port, public_url, user_header).serve()
