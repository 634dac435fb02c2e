"""Dialogs deciding a held document: release (on a supervisor's password) or reject.

Each dialog calls the domain itself, in a thread worker, so that a refusal (a wrong
password, a rejection without a reason, a document someone else decided meanwhile) is
said in one sentence inside the dialog, which stays open with what was typed. It
dismisses with the sentence saying what was done, or None when closed without deciding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static
from textual.worker import Worker, WorkerState

from cctui.domain.credit.held import (
    HeldDecision,
    HeldDocumentView,
    reject_held_document,
    release_held_document,
)
from cctui.domain.credit.held_password import release_with_supervisor_password
from cctui.domain.errors import CctuiError
from cctui.domain.models import Role
from cctui.widgets.money import format_money
from cctui.widgets.safe_text import plain, safe_text

if TYPE_CHECKING:
    from cctui.app import CctuiApp

WORKER_GROUP = "held-decision"
"""The group of the worker that carries a decision out (one at a time)."""


@dataclass(frozen=True)
class _Refused:
    """A decision the domain refused, with its sentence."""

    sentence: str


def document_line(held: HeldDocumentView) -> Text:
    """``order SO-1 of 100.00 EUR for C001 ACME Ltd``, database text shown literally."""
    line = Text(f"{held.kind.value} ")
    line.append(safe_text(held.reference))
    line.append(f" of {format_money(held.amount, held.currency)} ")
    line.append(safe_text(held.currency))
    line.append(" for ")
    line.append(safe_text(held.customer_account))
    line.append(" ")
    line.append(safe_text(held.customer_name))
    return line


class HeldDecisionDialog(ModalScreen[str | None]):
    """Release or reject one held document; the base of both dialogs.

    Subclasses compose their fields and implement :meth:`_carry_out` (run in a thread).
    """

    DEFAULT_CSS = """
    HeldDecisionDialog {
        align: center middle;
    }
    HeldDecisionDialog > Vertical {
        width: 72;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    HeldDecisionDialog Label {
        margin-top: 1;
    }
    HeldDecisionDialog Input {
        margin: 0 0 0 2;
        width: 1fr;
    }
    HeldDecisionDialog .held-dialog-what {
        height: auto;
        max-height: 4;
    }
    HeldDecisionDialog .held-dialog-error {
        color: $error;
        text-style: bold;
        height: auto;
        margin-top: 1;
    }
    HeldDecisionDialog .held-dialog-error.-empty {
        display: none;
    }
    HeldDecisionDialog .held-dialog-hint {
        color: $text-muted;
    }
    HeldDecisionDialog Horizontal {
        height: auto;
        margin-top: 1;
    }
    HeldDecisionDialog Button {
        margin-right: 1;
    }
    """

    BINDINGS = [
        Binding(
            "escape",
            "cancel",
            "Cancel",
            tooltip="Close the dialog without deciding anything.",
            id="held-dialog.cancel",
        ),
    ]

    TITLE_WORDS = ""
    """The dialog's border title."""

    def __init__(self, held: HeldDocumentView) -> None:
        super().__init__()
        self.held = held

    @property
    def cctui(self) -> CctuiApp:
        """The running app, typed."""
        return cast("CctuiApp", self.app)

    def compose(self) -> ComposeResult:
        """The document, the dialog's own fields, the error line and the buttons."""
        with Vertical() as box:
            box.border_title = self.TITLE_WORDS
            yield Static(document_line(self.held), classes="held-dialog-what")
            yield from self.compose_fields()
            yield Static(Text(""), classes="held-dialog-error -empty", id="held-dialog-error")
            with Horizontal():
                yield from self.compose_buttons()
                yield Button("Cancel", compact=True, id="held-dialog-cancel")

    def compose_fields(self) -> ComposeResult:
        """The inputs of the dialog."""
        yield from ()

    def compose_buttons(self) -> ComposeResult:
        """The buttons that decide."""
        yield from ()

    def say(self, sentence: str) -> None:
        """Show why nothing was done, in one sentence (database text shown literally)."""
        error = self.query_one("#held-dialog-error", Static)
        error.update(safe_text(sentence))
        error.set_class(not sentence, "-empty")

    def field(self, field_id: str) -> str:
        """What is typed in the input ``field_id``."""
        return self.query_one(f"#{field_id}", Input).value

    def submit(self, how: str) -> None:
        """Carry the decision out in a worker (the dialog stays until it is done)."""
        self.say("")
        for button in self.query(Button):
            button.disabled = True
        typed = {field.id or "": field.value for field in self.query(Input)}
        self._decide(how, typed)

    @work(
        thread=True,
        exclusive=True,
        group=WORKER_GROUP,
        name="decide the held document",
        exit_on_error=False,
    )
    def _decide(self, how: str, typed: dict[str, str]) -> HeldDecision | _Refused:
        """Call the domain (runs in a thread); a refusal comes back as its sentence."""
        try:
            with self.cctui.db.session() as session:
                return self._carry_out(session, how, typed)
        except CctuiError as error:
            return _Refused(plain(str(error)))

    def _carry_out(self, session: Any, how: str, typed: dict[str, str]) -> HeldDecision:
        """The domain call of this dialog (``session`` is the domain's database session,
        ``typed`` what each input holds, by id)."""
        raise NotImplementedError

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Close on success; otherwise say why and keep the dialog open."""
        if event.worker.group != WORKER_GROUP:
            return
        if event.state in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            for button in self.query(Button):
                button.disabled = False
        if event.state is WorkerState.ERROR:
            self.say("Nothing was changed: the decision could not be saved.")
            self.app.post_message(Worker.StateChanged(event.worker, event.state))
            return
        if event.state is not WorkerState.SUCCESS:
            return
        result = event.worker.result
        if isinstance(result, _Refused):
            self.say(result.sentence)
            for secret in self.query(Input).filter(".-password"):
                secret.value = ""
                secret.focus()
        elif isinstance(result, HeldDecision):
            self.dismiss(result.message)

    @on(Button.Pressed, "#held-dialog-cancel")
    def action_cancel(self) -> None:
        """Close without deciding."""
        self.dismiss(None)


class ReleaseDialog(HeldDecisionDialog):
    """Release a held document, with an optional note.

    When the document needs a supervisor and the user is not one, the dialog also asks for
    a supervisor's login and approval password (the supervisor releases on the spot), and
    offers to ask for a supervisor's approval instead.
    """

    TITLE_WORDS = "Release held document"

    def __init__(self, held: HeldDocumentView, role: Role) -> None:
        super().__init__(held)
        self.needs_password = held.needs_supervisor and not role.at_least(Role.SUPERVISOR)

    def compose_fields(self) -> ComposeResult:
        """Supervisor login and password when needed, and the note."""
        if self.needs_password:
            yield Static(
                Text(
                    "This document needs a supervisor: they type their login and approval "
                    "password here, or ask for their approval later."
                ),
                classes="held-dialog-hint",
            )
            yield Label("Supervisor login")
            yield Input(compact=True, id="held-dialog-login", placeholder="login")
            yield Label("Supervisor approval password")
            yield Input(
                compact=True,
                id="held-dialog-password",
                password=True,
                placeholder="password",
                classes="-password",
            )
        yield Label("Note (optional)")
        yield Input(compact=True, id="held-dialog-note", placeholder="why it may go on")

    def compose_buttons(self) -> ComposeResult:
        """Release now, and ask for approval when a supervisor is needed."""
        yield Button("Release", compact=True, id="held-dialog-release", variant="primary")
        if self.needs_password:
            yield Button("Ask for approval", compact=True, id="held-dialog-ask")

    @on(Input.Submitted)
    @on(Button.Pressed, "#held-dialog-release")
    def _release(self) -> None:
        if self.needs_password and not (
            self.field("held-dialog-login").strip() and self.field("held-dialog-password")
        ):
            self.say("Type the supervisor's login and password, or choose Ask for approval.")
            return
        self.submit("password" if self.needs_password else "release")

    @on(Button.Pressed, "#held-dialog-ask")
    def _ask(self) -> None:
        self.submit("ask")

    def _carry_out(self, session: Any, how: str, typed: dict[str, str]) -> HeldDecision:
        actor = self.cctui.user
        note = typed.get("held-dialog-note")
        if how == "password":
            return release_with_supervisor_password(
                session,
                actor,
                self.held.id,
                supervisor_login=typed.get("held-dialog-login", ""),
                supervisor_password=typed.get("held-dialog-password", ""),
                note=note,
            )
        return release_held_document(session, actor, self.held.id, note=note)


class RejectDialog(HeldDecisionDialog):
    """Reject a held document for good; the note saying why is required."""

    TITLE_WORDS = "Reject held document"

    def compose_fields(self) -> ComposeResult:
        """The reason."""
        yield Label("Why is it rejected? (required)")
        yield Input(compact=True, id="held-dialog-note", placeholder="reason")

    def compose_buttons(self) -> ComposeResult:
        """Reject."""
        yield Button("Reject", compact=True, id="held-dialog-reject", variant="error")

    @on(Input.Submitted)
    @on(Button.Pressed, "#held-dialog-reject")
    def _reject(self) -> None:
        self.submit("reject")

    def _carry_out(self, session: Any, how: str, typed: dict[str, str]) -> HeldDecision:
        return reject_held_document(
            session, self.cctui.user, self.held.id, note=typed.get("held-dialog-note", "")
        )
