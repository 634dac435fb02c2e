"""A form in a dialog that saves through a domain service in a worker and shows refusals inline.

Each settings section describes its forms as a :class:`FormSpec`: the fields and the
function that saves them. :class:`FormModal` shows the fields, runs that function in a
thread worker when the user saves (Enter in a one-line field, or Ctrl+S / F9 anywhere, even in
a multi-line text where Enter starts a new line), and either closes with
the service's sentence of what it did or keeps every typed value and shows the domain's
refusal (a :class:`~cctui.domain.errors.CctuiError` sentence) under the fields.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, Static, TextArea
from textual.worker import Worker, WorkerState

from cctui.domain.errors import CctuiError, ValidationError
from cctui.widgets.safe_text import plain, safe_text

if TYPE_CHECKING:
    from cctui.app import CctuiApp

FieldKind = Literal["text", "password", "select", "check", "fixed", "multiline"]

FORM_GROUP = "settings-form"
"""The worker group of a form's save (one at a time)."""


@dataclass(frozen=True)
class Field:
    """One field of a form.

    ``value`` is the starting text (``"text"``, ``"password"``, ``"fixed"``, ``"multiline"``
    for a text of several lines edited in a text area), the chosen
    option's value (``"select"``; ``""`` for none) or ``"1"``/``""`` (``"check"``).
    """

    name: str
    label: str
    kind: FieldKind = "text"
    value: str = ""
    options: tuple[tuple[str, str], ...] = ()
    """(shown text, value) pairs of a ``"select"``."""
    placeholder: str = ""
    allow_blank: bool = True
    """A ``"select"`` may be left on "none"."""


FormValues = dict[str, Any]
"""What the user typed, by field name: ``str`` for every field but checks, which give bool."""

Saver = Callable[[Any, FormValues], str]
"""Saves the values in the session given (runs in a worker) and returns what it did, in a
sentence; raises a CctuiError to refuse."""


@dataclass(frozen=True)
class FormSpec:
    """A form: its title, its fields and how it saves."""

    title: str
    fields: tuple[Field, ...]
    save: Saver
    note: str = ""
    """A line under the title (what saving does, for instance)."""
    submit_label: str = "Save"


@dataclass(frozen=True)
class Refusal:
    """The domain refused the values: its sentence."""

    sentence: str


def whole_number(typed: str, what: str) -> int:
    """``typed`` as a whole number, or a ValidationError naming ``what`` (for int services)."""
    cleaned = typed.strip()
    if not cleaned.lstrip("-").isdigit() or len(cleaned) > 9:
        raise ValidationError(f"The {what} {plain(cleaned)[:40]!r} is not a whole number.")
    return int(cleaned)


def _field_id(name: str) -> str:
    return f"field-{name}"


class FormModal(ModalScreen[str | None]):
    """A settings form. Dismisses with the service's sentence once saved, None on Esc."""

    DEFAULT_CSS = """
    FormModal {
        align: center middle;
    }
    FormModal #form-dialog {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    FormModal #form-fields {
        height: auto;
        max-height: 15;
    }
    FormModal .form-row {
        height: auto;
    }
    FormModal .form-label {
        width: 24;
        padding: 1 1 0 0;
    }
    FormModal .form-row Input, FormModal .form-row Select {
        width: 1fr;
    }
    FormModal .form-row TextArea {
        width: 1fr;
        height: 8;
    }
    /* Room under a tall field for a refusal of several lines, all within 24 rows. */
    FormModal #form-dialog.has-multiline #form-fields {
        max-height: 12;
    }
    FormModal .form-row Checkbox {
        width: 1fr;
    }
    FormModal .form-fixed {
        width: 1fr;
        padding: 1 0 0 1;
    }
    FormModal #form-note {
        color: $text-muted;
    }
    FormModal #form-error {
        color: $error;
        text-style: bold;
        height: auto;
    }
    FormModal #form-hint {
        color: $text-muted;
    }
    """

    BINDINGS = [
        Binding(
            "ctrl+s,f9",
            "save",
            "Save",
            priority=True,
            tooltip="Save the form through the book's rules; a refusal is shown here.",
            id="settings-form.save",
        ),
        Binding(
            "escape",
            "cancel",
            "Cancel",
            tooltip="Close the form without saving anything.",
            id="settings-form.cancel",
        ),
    ]

    AUTO_FOCUS = "Input, Select, Checkbox, TextArea"

    def __init__(self, spec: FormSpec) -> None:
        super().__init__()
        self.spec = spec
        self.saving = False
        self.error = ""
        """The refusal shown under the fields, as plain text ("" when none)."""

    @property
    def cctui(self) -> CctuiApp:
        """The running app, typed."""
        return cast("CctuiApp", self.app)

    def compose(self) -> ComposeResult:
        """The fields, one labelled row each, then the error line and the keys."""
        tall = any(spec.kind == "multiline" for spec in self.spec.fields)
        with Vertical(id="form-dialog", classes="has-multiline" if tall else "") as dialog:
            dialog.border_title = plain(self.spec.title)
            if self.spec.note:
                yield Static(safe_text(self.spec.note), id="form-note")
            with VerticalScroll(id="form-fields", can_focus=False):
                for spec in self.spec.fields:
                    with Horizontal(classes="form-row"):
                        yield Label(safe_text(spec.label), classes="form-label")
                        yield self._widget(spec)
            yield Static("", id="form-error")
            yield Static(self._hint(), id="form-hint")

    def _widget(self, spec: Field) -> Widget:
        widget_id = _field_id(spec.name)
        if spec.kind == "select":
            options = [(safe_text(shown), value) for shown, value in spec.options]
            select: Select[str] = Select(
                options,
                value=spec.value if spec.value else Select.NULL,
                allow_blank=spec.allow_blank,
                prompt="(none)",
                id=widget_id,
            )
            return select
        if spec.kind == "check":
            return Checkbox(spec.placeholder or "yes", value=spec.value == "1", id=widget_id)
        if spec.kind == "fixed":
            return Static(safe_text(spec.value), id=widget_id, classes="form-fixed")
        if spec.kind == "multiline":
            # Plain text, no highlighting; Tab moves on to the next field.
            return TextArea(spec.value, soft_wrap=True, tab_behavior="focus", id=widget_id)
        return Input(
            value=spec.value,
            placeholder=spec.placeholder,
            password=spec.kind == "password",
            id=widget_id,
        )

    def values(self) -> FormValues:
        """What the fields hold now, by name."""
        result: FormValues = {}
        for spec in self.spec.fields:
            widget = self.query_one(f"#{_field_id(spec.name)}")
            if isinstance(widget, Input | Checkbox):
                result[spec.name] = widget.value
            elif isinstance(widget, TextArea):
                result[spec.name] = widget.text
            elif isinstance(widget, Select):
                chosen = widget.value
                result[spec.name] = chosen if isinstance(chosen, str) else ""
            else:
                result[spec.name] = spec.value
        return result

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        """Save the values in a worker (again while one runs does nothing)."""
        if self.saving:
            return
        self.saving = True
        self._show_error("")
        self.query_one("#form-hint", Static).update(Text("Saving…"))
        self._save(self.values())

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)

    @work(
        thread=True,
        exclusive=True,
        group=FORM_GROUP,
        name="save the form",
        exit_on_error=False,
    )
    def _save(self, values: FormValues) -> str | Refusal:
        """Run the form's save in one unit of work; a domain refusal comes back as a value."""
        try:
            with self.cctui.db.session() as session:
                return self.spec.save(session, values)
        except CctuiError as error:
            return Refusal(str(error))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Close on success; keep the form and show the refusal; report other failures."""
        if event.worker.group != FORM_GROUP:
            return
        if event.state is WorkerState.SUCCESS:
            self._saved(event.worker.result)
        elif event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self._idle()
            if event.state is WorkerState.ERROR:
                self._show_error("Not saved: something went wrong; nothing was changed.")
                self.app.post_message(Worker.StateChanged(event.worker, event.state))

    def _saved(self, result: object) -> None:
        self._idle()
        if isinstance(result, Refusal):
            self._show_error(f"Not saved: {result.sentence}")
        else:
            self.dismiss(str(result))

    def _idle(self) -> None:
        self.saving = False
        self.query_one("#form-hint", Static).update(self._hint())

    def _hint(self) -> Text:
        """The keys of the form (in a multi-line text Enter starts a new line)."""
        doing = self.spec.submit_label.lower()
        if any(spec.kind == "multiline" for spec in self.spec.fields):
            return Text(f"Ctrl+S/F9: {doing} · Enter in a text: new line · Esc: cancel")
        return Text(f"Enter or Ctrl+S/F9: {doing} · Esc: cancel")

    def _show_error(self, sentence: str) -> None:
        self.error = plain(sentence)
        self.query_one("#form-error", Static).update(safe_text(self.error))
