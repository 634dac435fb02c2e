"""Messages the app posts to its screens when something in the book changed."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TYPE_CHECKING

from textual.message import Message

from cctui.domain.changes import WHOLE_BOOK, BookChange

if TYPE_CHECKING:
    from cctui.domain.daily_check import DailyCheckResult

__all__ = ["WHOLE_BOOK", "BookChange", "BookChanged", "DailyCheckFinished"]

SEVERAL = "several"
"""The ``action`` of a burst of changes of different kinds."""


class DailyCheckFinished(Message):
    """The daily check the app started at login has finished (or found the day done)."""

    def __init__(self, result: DailyCheckResult) -> None:
        super().__init__()
        self.result = result


class BookChanged(Message, bubble=False):
    """Someone (this app or another session) committed changes to the book.

    ``customer_id``, ``entity`` and ``action`` describe the change: the customer it concerns
    (None: none in particular, or several), what changed (``"customer"``, ``"invoice"``,
    ``"note"``, ``"promise"``, ``"book"``…) and the audit action (``"add_note"``). A burst of
    changes arrives as one message: ``changes`` lists them all, and the three fields then
    say what they share (``customer_id`` None when they concern several customers,
    ``entity`` ``"book"`` and ``action`` ``"several"`` when they differ).

    ``everything`` is True when anything may have changed unheard: the app reconnected to
    the database after losing it. Every screen then re-reads, whatever it cares about, as
    it does for a change of the entity ``"book"`` (:data:`WHOLE_BOOK`: a daily check run
    by anyone, which moves figures, credit actions, letters and dunning at once).
    """

    def __init__(
        self,
        customer_id: int | None,
        entity: str,
        action: str,
        *,
        changes: Collection[BookChange] = (),
        everything: bool = False,
    ) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.entity = entity
        self.action = action
        self.changes: tuple[BookChange, ...] = tuple(changes) or (
            BookChange(customer_id, entity, action),
        )
        self.everything = everything

    @classmethod
    def burst(cls, changes: Collection[BookChange]) -> BookChanged:
        """One message for a burst of changes (at least one)."""
        customers = {change.customer_id for change in changes}
        entities = {change.entity for change in changes}
        actions = {change.action for change in changes}
        return cls(
            customers.pop() if len(customers) == 1 else None,
            entities.pop() if len(entities) == 1 else WHOLE_BOOK,
            actions.pop() if len(actions) == 1 else SEVERAL,
            changes=changes,
        )

    @classmethod
    def reconnected(cls) -> BookChanged:
        """The database is back: anything may have changed while it was away."""
        return cls(None, WHOLE_BOOK, "reconnected", everything=True)

    def concerns(self, cares_about: Callable[[int | None, str], bool]) -> bool:
        """True when any of the changes is one ``cares_about(customer_id, entity)`` wants
        (changes to the whole book concern everyone)."""
        return self.everything or any(
            change.entity == WHOLE_BOOK or cares_about(change.customer_id, change.entity)
            for change in self.changes
        )
