"""Choosing one invoice in a money form: a drop-down of the candidates, shown literally."""

from __future__ import annotations

from collections.abc import Iterable

from textual.widgets import Select

from cctui.domain.errors import ValidationError
from cctui.domain.invoice_choices import InvoiceChoice
from cctui.widgets.forms.invoice_labels import invoice_label


def fill_invoice_select(
    select: Select[int], candidates: Iterable[InvoiceChoice], preferred: tuple[int, ...]
) -> int:
    """Offer ``candidates`` in ``select``; choose the first of ``preferred`` among them, or
    the first candidate. Returns how many are offered."""
    listed = list(candidates)
    select.set_options([(invoice_label(choice), choice.id) for choice in listed])
    ids = [choice.id for choice in listed]
    wanted = next((invoice_id for invoice_id in preferred if invoice_id in ids), None)
    if wanted is None and ids:
        wanted = ids[0]
    if wanted is not None:
        select.value = wanted
    return len(listed)


def chosen_invoice(select: Select[int]) -> int:
    """The invoice chosen in ``select``; a ValidationError when none is."""
    value = select.value
    if not isinstance(value, int):
        raise ValidationError("Choose an invoice first.")
    return value
