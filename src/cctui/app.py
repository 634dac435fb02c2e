"""The cctui Textual application: its context, keys, palette, help and error handling.

Importing this module imports neither SQLAlchemy nor psycopg nor any model: started with an
opener (``cctui app``), the app draws its :class:`~cctui.screens.start.StartScreen` first,
then opens the database in a worker, so its first frame costs little more than Textual's.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from cctui.domain.errors import CctuiError
from cctui.live import ListenerFactory, ListenerReport, LiveUpdates, listen_to_database
from cctui.messages import DailyCheckFinished
from cctui.screens import SCREENS, START_SCREEN, ScreenEntry
from cctui.screens.first_admin import FirstAdminScreen
from cctui.screens.go_to import GoToScreen
from cctui.screens.help import HelpScreen
from cctui.screens.start import StartScreen
from cctui.widgets.command_provider import ScreenCommands
from cctui.widgets.daily_check_progress import CheckProgress, DailyCheckProgress
from cctui.widgets.database_banner import DatabaseTrouble
from cctui.widgets.safe_text import plain
from cctui.widgets.status_header import HeaderInfo

if TYPE_CHECKING:
    from cctui.db.engine import Database
    from cctui.domain.daily_check import DailyCheckResult
    from cctui.domain.identity import StaffIdentity

TERMINAL_THEMES = {True: "ansi-dark", False: "ansi-light"}
"""Textual's themes that use the terminal's own palette (``textual-ansi`` in older Textual)."""

EXIT_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGHUP", "SIGTERM") if hasattr(signal, name)
)
"""Signals that end the app the way `q` does (a dropped SSH link sends SIGHUP)."""

SETTLED_SECONDS = 1.0
"""After a screen's first opening, its imports and first reads are done within this time."""

WORK_MODE = "work"
"""The app's mode once its database is open (the start screen stays in the default mode)."""

MAX_ERROR_LENGTH = 300
"""Longest error text shown in a notification; the full error goes to the log."""


@dataclass
class AppContext:
    """Everything the app needs to run: the database, who is using it, where to start.

    ``today`` is the clock the app reads the date from (tests fix it).
    """

    db: Database
    user: StaffIdentity
    start_screen: str | None = None
    customer: str | None = None
    today: Callable[[], date] = field(default=date.today)
    daily_check_at_start: bool = True
    """Run the day's aged-balance check at start when nobody has yet (seed 003)."""
    listen: ListenerFactory | None = listen_to_database
    """Builds the listener for live updates (see :mod:`cctui.live`); None: no live updates."""
    notices: tuple[str, ...] = ()
    """What opening the database came to that the user should read (demo data loaded)."""


class Opening:
    """What the opener, in its worker thread, may tell the user or ask them.

    Every method may be called from the opener's thread: each hands its work to the app's.
    """

    def __init__(self, app: CctuiApp) -> None:
        self._app = app

    def step(self, text: str) -> None:
        """Show what the app is doing now (``"Checking the database's schema…"``)."""
        self._app.call_from_thread(self._app.show_opening_step, text)

    def progress(self, stage: str, done: int, total: int) -> None:
        """Show how far a long step (loading demo data) is."""
        self.step(f"Loading demo data: {stage} {done:,} of {total:,}…")

    def ask_first_admin(self, question: str, login: str) -> str | None:
        """Ask ``question``; the name the user gives to be made an admin, or None for no.

        Blocks the opener's thread until the user answers.
        """
        answer: Future[str | None] = Future()
        self._app.call_from_thread(
            self._app.push_screen, FirstAdminScreen(question, login), answer.set_result
        )
        return answer.result()


ContextOpener = Callable[[Opening], AppContext]
"""Opens the database and finds the user (in a worker thread); see ``cctui app``."""


def describe_worker_error(worker: Worker[object], database_label: str) -> str:
    """One or two sentences telling the user what a failed worker could not do, and why."""
    error = worker.error
    task = worker.name or "finish a background task"
    from sqlalchemy.exc import DBAPIError  # a failed worker may pay for it; a start may not

    from cctui.db.engine import connection_failure_reason

    if isinstance(error, CctuiError):
        text = str(error)
    elif isinstance(error, DBAPIError):
        text = f"The database at {database_label} could not {task}: " + (
            connection_failure_reason(error)
        )
    else:
        detail = (str(error).strip().splitlines() or [""])[0] if error else ""
        name = type(error).__name__ if error else "unknown error"
        text = f"Could not {task}: {name}" + (f": {detail}" if detail else "")
    text = plain(text)
    if len(text) > MAX_ERROR_LENGTH:
        text = text[: MAX_ERROR_LENGTH - 1] + "…"
    return text


class CctuiApp(App[None], inherit_bindings=False):
    """Credit control in the terminal.

    Starts on the dashboard; ``context.start_screen`` opens another registered
    screen on top of it. Every binding has an id, so ``set_keymap`` can rebind it
    (Textual's own app bindings are replaced, not inherited, for that reason).
    """

    TITLE = "cctui"
    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses live elsewhere
    COMMANDS: ClassVar = {ScreenCommands}
    COMMAND_PALETTE_DISPLAY = "^p"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "q,f10",
            "quit",
            "Quit",
            tooltip="Leave cctui and return to the command prompt.",
            id="quit",
        ),
        Binding(
            "ctrl+q",
            "quit",
            "Quit",
            show=False,
            priority=True,
            tooltip="Leave cctui from anywhere, even while typing in a field.",
            id="quit-anywhere",
        ),
        Binding(
            "question_mark,f1",
            "help",
            "Help",
            tooltip="List every key of this screen and what it does.",
            id="help",
        ),
        Binding(
            "ctrl+p,f2",
            "command_palette",
            "Commands",
            show=False,
            priority=True,
            tooltip="Search every command of this screen by name.",
            id="command-palette",
        ),
        Binding(
            "g,f3",
            "go_to",
            "Go to",
            tooltip="Open another screen: the menu lists every screen, each one key away.",
            id="go-to",
        ),
        Binding(
            "escape",
            "back",
            "Back",
            tooltip="Close this screen and go back to the one before.",
            id="back",
        ),
        Binding(
            "ctrl+t",
            "toggle_terminal_colours",
            "Use the terminal's own colours",
            show=False,
            tooltip="Switch to the terminal's own palette, or back to cctui's colours.",
            id="terminal-colours",
        ),
        Binding(
            "ctrl+r",
            "retry_database",
            "Retry database",
            priority=True,
            tooltip="Try to reach the database again now, instead of waiting.",
            id="retry-database",
        ),
        Binding("ctrl+c", "help_quit", show=False, system=True, id="quit-hint"),
    ]

    def __init__(
        self, context: AppContext | None = None, *, opener: ContextOpener | None = None
    ) -> None:
        """Run on ``context`` (an open database and a known user), or on what ``opener``
        returns: it runs in a worker while the start screen shows (one of the two)."""
        if (context is None) == (opener is None):
            raise ValueError("CctuiApp needs either a context or an opener.")
        super().__init__()
        self._app_context = context
        self._opener = opener
        self._theme_before_terminal: str | None = None
        self._signals_handled: list[int] = []
        self._screens_opened: set[str] = set()
        self.live = LiveUpdates(self, context.listen if context else None)
        """Changes heard from the database, and the banner while it is away."""
        self.daily_check_progress: CheckProgress | None = None
        """Where the daily check started at login is, while it runs."""

    @property
    def opened(self) -> bool:
        """True once the app has its database and its user."""
        return self._app_context is not None

    @property
    def context(self) -> AppContext:
        """The database, the user and where to start (only once :attr:`opened`)."""
        if self._app_context is None:
            raise RuntimeError("The app has not opened its database yet.")
        return self._app_context

    @property
    def db(self) -> Database:
        """The database every screen reads and writes through (``db.session()``)."""
        return self.context.db

    @property
    def user(self) -> StaffIdentity:
        """The staff member using the app."""
        return self.context.user

    def today(self) -> date:
        """Today's date, from the context's clock."""
        return self.context.today()

    @property
    def header_info(self) -> HeaderInfo:
        """What every screen's header shows."""
        return HeaderInfo(
            name=self.user.name,
            login=self.user.login,
            role=str(self.user.role),
            database=self.db.label,
        )

    @property
    def database_trouble(self) -> DatabaseTrouble | None:
        """Why the database cannot be reached now (the banner shows it), or None."""
        return self.live.trouble

    def get_default_screen(self) -> Screen[None]:
        """The dashboard at the bottom of the screen stack; the start screen until then."""
        if self._app_context is None:
            return StartScreen()
        return SCREENS[START_SCREEN].factory(self._app_context)

    def on_mount(self) -> None:
        """Open the database (with an opener), or go straight to work on the context."""
        self._exit_on_hangup()
        if self._app_context is None:
            self.open_database()
        else:
            self._begin()

    def open_database(self) -> None:
        """Run the opener in a worker; the start screen shows its steps, or why it failed."""
        assert self._opener is not None
        opener = self._opener
        opening = Opening(self)
        self.run_worker(
            partial(opener, opening),
            thread=True,
            name="open the database",
            group="open",
            exclusive=True,
            exit_on_error=False,
        )

    def show_opening_step(self, text: str) -> None:
        """Show ``text`` on the start screen (when it is still up)."""
        for screen in self._start_screens():
            screen.show_step(text)

    def _start_screens(self) -> Iterable[StartScreen]:
        """The start screen, while it is on the stack (none once the dashboard shows)."""
        return (screen for screen in self.screen_stack if isinstance(screen, StartScreen))

    def _opened(self, context: AppContext) -> None:
        """The opener is done: switch from the start screen to the dashboard, and begin."""
        self._app_context = context  # kept even when closing, so that run_app closes its database
        if not self.is_running:
            return
        self.live = LiveUpdates(self, context.listen)
        # The dashboard starts a mode of its own: the start screen, the default mode's only
        # screen, cannot be switched away from (it has no result callback) nor popped.
        self.add_mode(WORK_MODE, partial(SCREENS[START_SCREEN].factory, context))
        self.switch_mode(WORK_MODE)
        self._begin()

    def _freeze_what_lasts(self) -> None:
        """Keep what exists now out of the garbage collector's generations.

        What start-up made (modules, mapped models, the first screen) and what a screen's
        first opening imports live as long as the app. Left in the generations, every full
        collection walks them, and one that falls in a key press costs that key 40 to 100 ms
        on a loaded book. Frozen once at start, then once after each screen's first opening
        (a bounded number of times: cyclic garbage frozen with them is never collected).
        """
        gc.freeze()

    def _open_failed(self, worker: Worker[object]) -> None:
        """Say on the start screen why the database could not be opened."""
        message = describe_worker_error(worker, "the database")
        for screen in self._start_screens():
            screen.show_failure(message)

    def _begin(self) -> None:
        """Listen for changes, run the day's check when due, open the screen asked for.

        The first login of the day starts the daily check, in a worker.
        """
        context = self.context
        self._freeze_what_lasts()
        self.set_timer(SETTLED_SECONDS, self._freeze_what_lasts)  # and the first screen's
        for notice in context.notices:
            self.notify(notice, title="Starting", timeout=10, markup=False)
        self.live.start(self.db)
        if context.daily_check_at_start:
            self.run_worker(
                self._daily_check_at_start,
                thread=True,
                name="run today's daily check",
                group="daily-check",
                exit_on_error=False,
            )
        wanted = context.start_screen
        if wanted is None and context.customer is not None:
            wanted = "customer"
        if wanted is not None and wanted != START_SCREEN:
            self.open_screen(wanted)

    def offered_screens(self) -> list[ScreenEntry]:
        """The screens the go-to menu offers the user, in menu order (none before opening)."""
        if not self.opened:
            return []
        return [
            entry
            for entry in SCREENS.values()
            if entry.in_menu and entry.offered_to(self.user.role)
        ]

    def open_screen(self, name: str) -> None:
        """Open the screen called ``name`` on top of the start screen, or say why not.

        Opening a screen already on the stack goes back to it rather than opening a copy.
        """
        entry = SCREENS.get(name)
        if entry is None:
            self.notify(
                f"The {plain(name)} screen is not available in this version.",
                title="Staying on this screen",
                severity="warning",
                timeout=10,
                markup=False,
            )
            return
        if not entry.offered_to(self.user.role):
            self.notify(
                f"The {entry.title} screen is for the {entry.min_role} role and above.",
                title="Not for your role",
                severity="warning",
                timeout=10,
                markup=False,
            )
            return
        for screen in self.screen_stack:
            if getattr(screen, "SCREEN_NAME", None) == name:
                while self.screen is not screen:
                    self.pop_screen()
                return
        self.push_screen(entry.factory(self.context))
        if name not in self._screens_opened:
            self._screens_opened.add(name)
            self.set_timer(SETTLED_SECONDS, self._freeze_what_lasts)

    def action_go_to(self) -> None:
        """Open the go-to menu, then the screen chosen there."""
        if isinstance(self.screen, GoToScreen):
            return
        current = getattr(self.screen, "SCREEN_NAME", None)

        def chosen(name: str | None) -> None:
            if name is not None:
                self.open_screen(name)

        self.push_screen(GoToScreen(self.offered_screens(), current), chosen)

    def _daily_check_at_start(self) -> DailyCheckResult | None:
        """Run today's daily check unless it is done (runs in a thread worker).

        When another login is running it at this moment, this waits for that run to finish
        and reports it, rather than running the day twice.
        """
        from cctui.domain.daily_check import daily_check_done, run_daily_check
        from cctui.domain.database_roles import may_run_daily_check

        today = self.today()
        with self.db.session() as session:
            # An agent's own database login may not write the day's check: cron or a
            # controller's first login runs it (see ``cctui db roles``).
            if daily_check_done(session, today) is not None or not may_run_daily_check(session):
                return None
        self.call_from_thread(
            self.notify,
            "Running today's daily check: credit actions, limits and aged balances.",
            title="Daily check",
            timeout=5,
            markup=False,
        )

        def progress(stage: str, done: int, total: int) -> None:
            shown = CheckProgress(stage, done, total) if done < total else None
            self.call_from_thread(self._show_check_progress, shown)

        try:
            with self.db.session() as session:
                result = run_daily_check(session, self.user, run_on=today, progress=progress)
        finally:
            with contextlib.suppress(RuntimeError):  # the app may be closing
                self.call_from_thread(self._show_check_progress, None)
        self.call_from_thread(self._daily_check_finished, result)
        return result

    def _show_check_progress(self, progress: CheckProgress | None) -> None:
        """Show where the daily check is on every open screen (None: it is not running)."""
        self.daily_check_progress = progress
        for screen in self.screen_stack:
            for line in screen.query(DailyCheckProgress):
                line.show(progress)

    def _daily_check_finished(self, result: DailyCheckResult) -> None:
        """Say what the daily check did and let every open screen refresh."""
        self.notify(result.describe(), title="Daily check", timeout=8, markup=False)
        for screen in self.screen_stack:
            screen.post_message(DailyCheckFinished(result))

    def _exit_on_hangup(self) -> None:
        """Leave cleanly when the SSH session hangs up or the process is asked to stop.

        Without this, SIGHUP and SIGTERM end the process before its exit handlers run, and the
        embedded database this session started would stay up with nobody using it.
        """
        loop = asyncio.get_running_loop()
        for signal_number in EXIT_SIGNALS:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(signal_number, self.exit)
                self._signals_handled.append(signal_number)

    def on_unmount(self) -> None:
        """Stop listening for changes; give the signals back to their default handling."""
        self.live.stop()
        loop = asyncio.get_running_loop()
        for signal_number in self._signals_handled:
            loop.remove_signal_handler(signal_number)
        self._signals_handled.clear()

    def get_key_display(self, binding: Binding) -> str:
        """Keys as the footer and help show them: function keys in capitals (``F10``)."""
        display = super().get_key_display(binding)
        if len(display) in (2, 3) and display[0] == "f" and display[1:].isdigit():
            return display.upper()
        return display

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide "Back" when there is no screen to go back to (dialogs do not count)."""
        if action == "go_to":
            return self.opened
        if action == "back":
            return sum(1 for screen in self.screen_stack if not screen.is_modal) > 1
        if action == "retry_database":
            return self.live.trouble is not None
        return True

    @on(ListenerReport)
    def _listener_report(self, report: ListenerReport) -> None:
        """What the change listener reported, handled here on the app's thread."""
        report.handle()

    def action_retry_database(self) -> None:
        """Try to reach the database now (only while the banner says it is away)."""
        self.live.retry_now()

    def action_help(self) -> None:
        """Open the help screen for the current screen (or close it when it is open)."""
        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
            return
        self.push_screen(HelpScreen(self.screen))

    def action_toggle_terminal_colours(self) -> None:
        """Switch to the terminal's own colours (the ANSI theme), or back again."""
        if self.theme in TERMINAL_THEMES.values():
            self.theme = self._theme_before_terminal or "textual-dark"
            self.notify("Using cctui's colours.", timeout=3)
        else:
            self._theme_before_terminal = self.theme
            self.theme = TERMINAL_THEMES[self.current_theme.dark]
            self.notify("Using the terminal's own colours.", timeout=3)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """App commands for the palette, beside the keys of the screen."""
        yield SystemCommand("Change theme", "Pick another colour theme.", self.action_change_theme)
        for entry in self.offered_screens():
            yield SystemCommand(
                f"Go to {entry.title}",
                f"Open the {entry.title} screen (g then {entry.key}).",
                partial(self.open_screen, entry.name),
            )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a failed worker is reported: a clear error notification.

        Screens forward their workers' failures here (see ``CctuiScreen``). A failure to
        reach the database also shows the banner, and is told once per outage.
        """
        worker = event.worker
        if worker.group == "open" and worker.state is WorkerState.SUCCESS:
            self._opened(cast(AppContext, worker.result))
            return
        if event.state is not WorkerState.ERROR or not self.is_running:
            return
        self.log.error("worker failed", worker.name, repr(worker.error))
        if worker.group == "open":
            self._open_failed(worker)
            return
        message = describe_worker_error(worker, self.db.label)
        if self.live.worker_failed(worker.error, message):
            return
        self.notify(
            message,
            title="Something went wrong",
            severity="error",
            timeout=15,
            markup=False,
        )


def run_app(opener: ContextOpener) -> None:
    """Run cctui in the terminal until the user quits: the start screen at once, then what
    ``opener`` opens; the database it opened is closed at the end."""
    app = CctuiApp(opener=opener)
    try:
        app.run()
    finally:
        if app.opened:
            app.db.dispose()
