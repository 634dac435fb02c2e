"""What every cctui verb shares: the global options, opening the database, progress bars."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from cctui.config import Settings
    from cctui.db.engine import Database


@dataclass
class CliState:
    """The global options (``--database-url``, ``--user``), resolved into settings on demand."""

    database_url: str | None = None
    user: str | None = None
    _settings: Settings | None = field(default=None, repr=False)

    def settings(self) -> Settings:
        """The resolved settings (options, then environment, then defaults)."""
        if self._settings is None:
            from cctui.config import resolve_settings

            self._settings = resolve_settings(database_url=self.database_url, user=self.user)
        return self._settings

    def open_database(self) -> Database:
        """Connect to the configured database (starting the embedded server when needed)."""
        from cctui.db.engine import Database

        return Database.open(self.settings().target)


pass_state = click.make_pass_decorator(CliState, ensure=True)
"""Decorator handing a verb the :class:`CliState` of the ``cctui`` group."""


class ProgressBars:
    """A ``progress(stage, done, total)`` callback drawing one click progress bar per stage."""

    def __init__(self, file: Any = None) -> None:
        self._file = file if file is not None else sys.stderr
        self._stage: str | None = None
        self._bar: Any = None
        self._done = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        """Report that ``done`` of ``total`` items of ``stage`` are finished.

        A stage's bar appears with its first progress, so work refused before anything was
        done (say, by ``DemoRefused``) prints nothing but its error.
        """
        if stage != self._stage:
            self.close()
            self._stage = stage
            self._done = 0
        if done <= self._done:
            return
        if self._bar is None:
            self._bar = click.progressbar(
                length=max(total, 1), label=f"{stage:<24}", file=self._file, show_pos=True
            )
            self._bar.__enter__()
        self._bar.update(done - self._done)
        self._done = done

    def close(self) -> None:
        """Finish the bar being drawn, if any."""
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None

    def __enter__(self) -> ProgressBars:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
