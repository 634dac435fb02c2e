"""The closed vocabularies of the book, stored as checked strings."""

from __future__ import annotations

import enum

from cctui.domain.roles import Role as Role  # defined apart: the app's start needs no models


class CreditAction(enum.StrEnum):
    """What happens when a transaction is processed for a customer (seed 003)."""

    OK = "ok"
    REMIND = "remind"
    PASSWORD = "password"
    HOLD = "hold"

    @property
    def severity(self) -> int:
        """Precedence: Hold > Password > Remind > OK."""
        return list(CreditAction).index(self)


class CreditEvent(enum.StrEnum):
    """Why a customer's credit action is what it is."""

    LIMIT_EXCEEDED = "limit_exceeded"
    LIMIT_EXCEEDED_PERCENT = "limit_exceeded_percent"
    AGED_ONCE = "aged_once"
    AGED_TWICE = "aged_twice"
    AGED_THRICE = "aged_thrice"
    MANUAL = "manual"
    NONE = "none"


class Delivery(enum.StrEnum):
    """How a customer takes letters and invoices."""

    MAIL = "mail"
    EMAIL = "email"


class InvoiceKind(enum.StrEnum):
    """An invoice raises what the customer owes; a credit note lowers it."""

    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class CollectionState(enum.StrEnum):
    """Where an invoice stands with the collection agency."""

    NONE = "none"
    FLAGGED = "flagged"
    HANDED_OVER = "handed_over"


class LetterKind(enum.StrEnum):
    """The kinds of letter a batch holds."""

    REMINDER = "reminder"
    AGENCY = "agency"
    INVOICE = "invoice"
    STATEMENT = "statement"


class LetterStatus(enum.StrEnum):
    """A letter's life: queued until its batch is written, or cancelled."""

    QUEUED = "queued"
    PRINTED = "printed"
    SENT = "sent"
    CANCELLED = "cancelled"


class NoteKind(enum.StrEnum):
    """A private note for the controller, or an action the customer sees."""

    NOTE = "note"
    ACTION = "action"


class OpenDone(enum.StrEnum):
    """Open until someone marks it done."""

    OPEN = "open"
    DONE = "done"


class CallOutcome(enum.StrEnum):
    """How a call ended (seed 004)."""

    CONTACTED = "contacted"
    UNREACHABLE = "unreachable"
    DOCUMENT_CREATED = "document_created"


class PromiseStatus(enum.StrEnum):
    """A promise to pay is open until kept, broken or cancelled."""

    OPEN = "open"
    KEPT = "kept"
    BROKEN = "broken"
    CANCELLED = "cancelled"


class DisputeStatus(enum.StrEnum):
    """An invoice in an open dispute is not dunned."""

    OPEN = "open"
    RESOLVED = "resolved"


class DocumentKind(enum.StrEnum):
    """The transactions a credit action can stop."""

    ORDER = "order"
    INVOICE = "invoice"


class HeldStatus(enum.StrEnum):
    """A held document waits for a decision."""

    HELD = "held"
    RELEASED = "released"
    REJECTED = "rejected"


class ApprovalKind(enum.StrEnum):
    """What a supervisor is asked to approve."""

    CREDIT_LIMIT = "credit_limit"
    HELD_RELEASE = "held_release"


class ApprovalStatus(enum.StrEnum):
    """A request for approval and its outcome."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class RunStatus(enum.StrEnum):
    """A daily check run."""

    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
