"""The sections and forms of the settings screen."""

from __future__ import annotations

from cctui.domain.identity import StaffIdentity
from cctui.widgets.settings.book_sections import BookSettingsSection, LetterheadSection
from cctui.widgets.settings.credit_sections import (
    ActionTypesSection,
    DunningStepsSection,
    PoliciesSection,
)
from cctui.widgets.settings.people_sections import AgenciesSection, StaffSection
from cctui.widgets.settings.section import Row, Section
from cctui.widgets.settings.smtp_section import SmtpSection


def all_sections(actor: StaffIdentity) -> list[Section]:
    """Every section of the settings screen, in tab order."""
    return [
        PoliciesSection(actor),
        DunningStepsSection(actor),
        ActionTypesSection(actor),
        BookSettingsSection(actor),
        AgenciesSection(actor),
        StaffSection(actor),
        LetterheadSection(actor),
        SmtpSection(actor),
    ]


__all__ = ["Row", "Section", "all_sections"]
