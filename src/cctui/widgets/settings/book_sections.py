"""Settings sections for book-wide values: aging bands and contact days, and the letterhead."""

from __future__ import annotations

from typing import Any

from cctui.domain.book_settings import LETTERHEAD_LINES, Letterhead, letterhead
from cctui.domain.settings_admin import (
    BookSettingView,
    change_book_setting,
    list_book_settings,
    save_letterhead,
)
from cctui.widgets.settings.form import Field, FormSpec, FormValues
from cctui.widgets.settings.section import Row, Section


class BookSettingsSection(Section):
    """Aging bands, the contacted-within days of the queue's colours, and other book values."""

    name = "book"
    title = "Book"
    columns = ("Setting", "Value")
    note = "Book settings (aging bands, colour-status days). e edit."

    def load(self, session: Any) -> list[Row]:
        """Each setting with its value as an admin would type it."""
        return [
            Row(key=setting.key, cells=(setting.label, setting.value), item=setting)
            for setting in list_book_settings(session)
        ]

    def edit_form(self, row: Row) -> FormSpec:
        """The one value; it is checked before anything is written."""
        setting: BookSettingView = row.item

        def save(session: Any, values: FormValues) -> str:
            view = change_book_setting(session, self.actor, setting.key, values["value"])
            return f"{view.label} is now {view.value}."

        return FormSpec(
            setting.label,
            (Field("value", setting.label, value=setting.value),),
            save,
            note=setting.meaning,
        )


_ADDRESS = tuple(f"address_{number}" for number in range(1, LETTERHEAD_LINES + 1))


class LetterheadSection(Section):
    """The company details printed on every letter."""

    name = "letterhead"
    title = "Letterhead"
    columns = ("Field", "Value")
    note = "Printed at the head and foot of every letter. e edit."

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.current = Letterhead("", (), "", "", "", "")

    def load(self, session: Any) -> list[Row]:
        """One row per field of the letterhead (blank fields say so)."""
        self.current = current = letterhead(session)
        lines = [*current.address_lines, *[""] * LETTERHEAD_LINES][:LETTERHEAD_LINES]
        fields = [
            ("company", "Company name", current.company_name),
            *[
                (name, f"Address line {number}", line)
                for number, (name, line) in enumerate(zip(_ADDRESS, lines, strict=True), start=1)
            ],
            ("phone", "Phone", current.phone),
            ("email", "E-mail", current.email),
            ("registration", "VAT / registration", current.registration_number),
            ("footer", "Footer", current.footer),
        ]
        return [
            Row(key=key, cells=(label, value or "(blank)"), item=current)
            for key, label, value in fields
        ]

    def edit_form(self, row: Row) -> FormSpec:
        """Every field of the letterhead at once."""
        current = self.current
        lines = [*current.address_lines, *[""] * LETTERHEAD_LINES][:LETTERHEAD_LINES]

        def save(session: Any, values: FormValues) -> str:
            save_letterhead(
                session,
                self.actor,
                Letterhead(
                    company_name=values["company"],
                    address_lines=tuple(values[name] for name in _ADDRESS),
                    phone=values["phone"],
                    email=values["email"],
                    registration_number=values["registration"],
                    footer=values["footer"],
                ),
            )
            return "Letterhead saved; letters printed from now on use it."

        return FormSpec(
            "Letterhead",
            (
                Field("company", "Company name", value=current.company_name),
                *[
                    Field(name, f"Address line {number}", value=line)
                    for number, (name, line) in enumerate(
                        zip(_ADDRESS, lines, strict=True), start=1
                    )
                ],
                Field("phone", "Phone", value=current.phone),
                Field("email", "E-mail", value=current.email),
                Field("registration", "VAT / registration", value=current.registration_number),
                Field("footer", "Footer", value=current.footer),
            ),
            save,
        )
