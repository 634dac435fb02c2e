"""Settings sections for people: the collection agencies, and the staff with their roles."""

from __future__ import annotations

from typing import Any

from cctui.domain.agency.agencies import (
    AgencyDetails,
    AgencyView,
    create_agency,
    deactivate_agency,
    list_agencies,
    reactivate_agency,
    update_agency,
)
from cctui.domain.errors import ValidationError
from cctui.domain.models import Role
from cctui.domain.staff_admin import (
    StaffView,
    change_role,
    create_staff,
    deactivate_staff,
    list_staff,
    reactivate_staff,
    set_approval_password,
    update_staff,
)
from cctui.widgets.settings.credit_sections import amount_text
from cctui.widgets.settings.form import Field, FormSpec, FormValues
from cctui.widgets.settings.section import Row, Section, yes_no

_AGENCY_FIELDS = (
    ("name", "Name"),
    ("address_line1", "Address"),
    ("postal_code", "Postal code"),
    ("city", "City"),
    ("country", "Country (2 letters)"),
    ("contact_person", "Contact person"),
    ("phone", "Phone"),
    ("email", "E-mail"),
    ("commission_percent", "Commission %"),
)


class AgenciesSection(Section):
    """The collection agencies invoices are handed to."""

    name = "agencies"
    title = "Agencies"
    columns = ("Name", "City", "Commission", "Active")
    note = "Collection agencies. a add · e edit · d deactivate or reactivate."
    can_add = True
    can_toggle = True

    def load(self, session: Any) -> list[Row]:
        """Every agency by name, inactive ones too."""
        return [
            Row(
                key=str(agency.id),
                cells=(
                    agency.name,
                    agency.city or "",
                    f"{agency.commission_percent.normalize():f} %",
                    yes_no(agency.active),
                ),
                item=agency,
                active=agency.active,
            )
            for agency in list_agencies(session)
        ]

    @staticmethod
    def _fields(agency: AgencyView | None) -> tuple[Field, ...]:
        def start(name: str) -> str:
            if agency is None:
                return "0" if name == "commission_percent" else ""
            value = getattr(agency, name)
            return "" if value is None else str(value)

        return tuple(Field(name, label, value=start(name)) for name, label in _AGENCY_FIELDS)

    @staticmethod
    def _details(values: FormValues) -> AgencyDetails:
        return AgencyDetails(**{name: values[name] for name, _ in _AGENCY_FIELDS})

    def add_form(self) -> FormSpec:
        """A new agency; it starts active."""

        def save(session: Any, values: FormValues) -> str:
            view = create_agency(session, self.actor, details=self._details(values))
            return f"Collection agency {view.name} added."

        return FormSpec("Add a collection agency", self._fields(None), save)

    def edit_form(self, row: Row) -> FormSpec:
        """The agency's details as typed."""
        agency: AgencyView = row.item

        def save(session: Any, values: FormValues) -> str:
            view = update_agency(
                session, self.actor, agency_id=agency.id, details=self._details(values)
            )
            return f"Collection agency {view.name} saved."

        return FormSpec("Collection agency", self._fields(agency), save)

    def toggle(self, session: Any, row: Row) -> str:
        """Stop handing invoices to the agency, or let it take them again."""
        agency: AgencyView = row.item
        if agency.active:
            view = deactivate_agency(session, self.actor, agency_id=agency.id)
            return f"Collection agency {view.name} deactivated; its invoices stay there."
        view = reactivate_agency(session, self.actor, agency_id=agency.id)
        return f"Collection agency {view.name} is active again."


ROLE_OPTIONS = tuple((role.value, role.value) for role in Role)
"""The roles, least first, as select options."""


class StaffSection(Section):
    """Who may use cctui, with which role, approval limit and approval password."""

    name = "staff"
    title = "Staff"
    columns = ("Login", "Name", "Role", "Limit", "Approves", "Active")
    note = "Staff and roles. a add · e edit · d deactivate · p approval password."
    can_add = True
    can_toggle = True
    has_password = True

    def load(self, session: Any) -> list[Row]:
        """Every staff member, active first."""
        return [
            Row(
                key=str(staff.id),
                cells=(
                    staff.login,
                    staff.name,
                    staff.role.value,
                    "" if staff.approval_limit is None else amount_text(staff.approval_limit),
                    "password" if staff.has_approval_password else "-",
                    yes_no(staff.active),
                ),
                item=staff,
                active=staff.active,
            )
            for staff in list_staff(session, self.actor)
        ]

    @staticmethod
    def _fields(staff: StaffView | None) -> tuple[Field, ...]:
        login = (
            Field("login", "Login", placeholder="as on the server")
            if staff is None
            else Field("login", "Login", kind="fixed", value=staff.login)
        )
        return (
            login,
            Field("name", "Name", value="" if staff is None else staff.name),
            Field(
                "email", "E-mail", value="" if staff is None or staff.email is None else staff.email
            ),
            Field(
                "role",
                "Role",
                kind="select",
                value=Role.AGENT.value if staff is None else staff.role.value,
                options=ROLE_OPTIONS,
                allow_blank=False,
            ),
            Field(
                "approval_limit",
                "Approval limit",
                value=""
                if staff is None or staff.approval_limit is None
                else str(staff.approval_limit),
                placeholder="blank: the book's controller authority",
            ),
        )

    def add_form(self) -> FormSpec:
        """A new staff member, active at once."""

        def save(session: Any, values: FormValues) -> str:
            view = create_staff(
                session,
                self.actor,
                login=values["login"],
                name=values["name"],
                role=values["role"],
                approval_limit=values["approval_limit"],
                email=values["email"],
            )
            return f"{view.login} added as {view.role.value}."

        return FormSpec("Add a staff member", self._fields(None), save)

    def edit_form(self, row: Row) -> FormSpec:
        """Name, e-mail, role and limit, saved together (or not at all)."""
        staff: StaffView = row.item

        def save(session: Any, values: FormValues) -> str:
            update_staff(
                session,
                self.actor,
                staff.id,
                name=values["name"],
                approval_limit=values["approval_limit"],
                email=values["email"],
            )
            view = change_role(session, self.actor, staff.id, values["role"])
            return f"{view.login} saved ({view.role.value})."

        return FormSpec(
            "Staff member",
            self._fields(staff),
            save,
            note="Someone made agent or controller loses their approval password.",
        )

    def toggle(self, session: Any, row: Row) -> str:
        """Stop the person logging in, or let them log in again."""
        staff: StaffView = row.item
        if staff.active:
            view = deactivate_staff(session, self.actor, staff.id)
            return f"{view.login} deactivated: they can no longer log in."
        view = reactivate_staff(session, self.actor, staff.id)
        return f"{view.login} is active again."

    def password_form(self, row: Row) -> FormSpec:
        """The password a supervisor or admin types to approve held documents."""
        staff: StaffView = row.item

        def save(session: Any, values: FormValues) -> str:
            if values["password"] != values["repeat"]:
                raise ValidationError("The two passwords differ; type the same one twice.")
            view = set_approval_password(session, self.actor, staff.id, values["password"])
            return f"Approval password of {view.login} set."

        return FormSpec(
            f"Approval password of {staff.login}",
            (
                Field("password", "New password", kind="password"),
                Field("repeat", "Same again", kind="password"),
            ),
            save,
            note="Supervisors and admins type it to approve a held document.",
            submit_label="Set password",
        )
