"""Settings sections for book-wide values: aging bands and contact days, and the letters
(letterhead and letter templates)."""

from __future__ import annotations

from typing import Any

from cctui.domain.book_settings import LETTERHEAD_LINES, Letterhead, letterhead
from cctui.domain.letter_placeholders import PLACEHOLDERS
from cctui.domain.models import LetterKind
from cctui.domain.settings_admin import (
    BookSettingView,
    LetterTemplateInfo,
    change_book_setting,
    letter_templates,
    list_book_settings,
    save_letter_template,
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


KIND_OPTIONS = tuple((kind.value, kind.value) for kind in LetterKind)
"""The kinds of letter a template may be for, as select options."""

PLACEHOLDER_LIST = " ".join(f"${name}" for name in PLACEHOLDERS)
"""Every placeholder a template may use, as the template form lists them."""

TEMPLATE_KEY = "template:"
"""How the keys of the template rows start (the letterhead rows are keyed by field)."""


class LetterheadSection(Section):
    """The letters: the company details printed on every letter, and the letter templates."""

    name = "letterhead"
    title = "Letters"
    columns = ("Field", "Value")
    note = "Letterhead and letter templates. e edit, a add a template."
    can_add = True

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.current = Letterhead("", (), "", "", "", "")

    def load(self, session: Any) -> list[Row]:
        """One row per field of the letterhead (blank fields say so), then one per template."""
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
        ] + [
            Row(
                key=f"{TEMPLATE_KEY}{template.id}",
                cells=(f"Template {template.code}", f"{template.kind.value}: {template.name}"),
                item=template,
            )
            for template in letter_templates(session)
        ]

    def edit_form(self, row: Row) -> FormSpec:
        """The template form on a template's row, else every field of the letterhead."""
        if isinstance(row.item, LetterTemplateInfo):
            return self._template_form(row.item)
        return self._letterhead_form()

    def add_form(self) -> FormSpec:
        """An empty template form: a new template for the dunning steps or statements."""
        return self._template_form(None)

    def _template_form(self, template: LetterTemplateInfo | None) -> FormSpec:
        def save(session: Any, values: FormValues) -> str:
            saved = save_letter_template(
                session,
                self.actor,
                template_id=None if template is None else template.id,
                code=values["code"],
                kind=values["kind"],
                name=values["name"],
                subject=values["subject"],
                body=values["body"],
            )
            doing = "added" if template is None else "saved"
            return f"Letter template {saved.code} {doing}; letters printed from now on use it."

        return FormSpec(
            "Add a letter template" if template is None else f"Letter template {template.code}",
            (
                Field("code", "Code", value="" if template is None else template.code),
                Field(
                    "kind",
                    "Kind",
                    kind="select",
                    value=LetterKind.REMINDER.value if template is None else template.kind.value,
                    options=KIND_OPTIONS,
                    allow_blank=False,
                ),
                Field("name", "Name", value="" if template is None else template.name),
                Field("subject", "Subject", value="" if template is None else template.subject),
                Field(
                    "body",
                    "Body",
                    kind="multiline",
                    value="" if template is None else template.body,
                ),
                Field("placeholders", "Placeholders", kind="fixed", value=PLACEHOLDER_LIST),
            ),
            save,
            note="Placeholders: $name or {name} ($$ is a $), as listed under the body.",
        )

    def _letterhead_form(self) -> FormSpec:
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
