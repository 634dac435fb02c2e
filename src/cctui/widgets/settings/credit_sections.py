"""Settings sections for credit and collections rules: policies, dunning steps, action types."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from cctui.domain.credit.policies import PolicyView, create_policy, list_policies, update_policy
from cctui.domain.dunning.steps import (
    DunningStepView,
    create_dunning_step,
    list_dunning_steps,
    update_dunning_step,
)
from cctui.domain.models import CreditAction, LetterKind
from cctui.domain.settings_admin import LetterTemplateChoice, letter_template_choices
from cctui.domain.workflow.action_types import (
    ActionTypeView,
    add_action_type,
    list_action_types,
    rename_action_type,
    set_action_type_active,
)
from cctui.widgets.settings.form import Field, FormSpec, FormValues, whole_number
from cctui.widgets.settings.section import Row, Section, yes_no

ACTION_OPTIONS = tuple((action.value, action.value) for action in CreditAction)
"""The credit actions a policy event may set, as select options."""


def amount_text(amount: Decimal) -> str:
    """An amount with thousands separators and two decimals (settings carry no currency)."""
    return f"{amount:,.2f}"


_POLICY_TEXT_FIELDS = (
    ("code", "Code"),
    ("name", "Name"),
    ("payment_terms_days", "Payment terms (days)"),
    ("default_credit_limit", "Default credit limit"),
    ("discount_percent", "Discount %"),
    ("discount_days", "Discount days"),
    ("overdue_interest_percent", "Overdue interest %"),
    ("limit_exceeded_percent", "Limit exceeded by %"),
    ("aged_once_days", "Aged once (days)"),
    ("aged_twice_days", "Aged twice (days)"),
    ("aged_thrice_days", "Aged thrice (days)"),
)
_POLICY_ACTION_FIELDS = (
    ("action_limit_exceeded", "Over limit → action"),
    ("action_limit_exceeded_percent", "Over limit by % →"),
    ("action_aged_once", "Aged once → action"),
    ("action_aged_twice", "Aged twice → action"),
    ("action_aged_thrice", "Aged thrice → action"),
)


class PoliciesSection(Section):
    """Credit policies: payment terms, default limit, discounts, aging thresholds, actions."""

    name = "policies"
    title = "Policies"
    columns = ("Code", "Name", "Terms", "Default limit", "Customers")
    note = "Credit policies. a add · e edit · policies are never deleted."
    can_add = True

    def load(self, session: Any) -> list[Row]:
        """Every policy by code."""
        return [
            Row(
                key=str(policy.id),
                cells=(
                    policy.code,
                    policy.name,
                    f"{policy.payment_terms_days} d",
                    amount_text(policy.default_credit_limit),
                    f"{policy.customers:,}",
                ),
                item=policy,
            )
            for policy in list_policies(session)
        ]

    def _fields(self, policy: PolicyView | None) -> tuple[Field, ...]:
        defaults: dict[str, str] = {
            "payment_terms_days": "30",
            "default_credit_limit": "0.00",
            "discount_percent": "0",
            "discount_days": "0",
            "overdue_interest_percent": "0",
            "limit_exceeded_percent": "10",
            "aged_once_days": "30",
            "aged_twice_days": "60",
            "aged_thrice_days": "90",
            "action_limit_exceeded": CreditAction.REMIND.value,
            "action_limit_exceeded_percent": CreditAction.PASSWORD.value,
            "action_aged_once": CreditAction.REMIND.value,
            "action_aged_twice": CreditAction.PASSWORD.value,
            "action_aged_thrice": CreditAction.HOLD.value,
        }
        if policy is not None:
            defaults = {
                name: str(getattr(policy, name))
                for name, _ in _POLICY_TEXT_FIELDS + _POLICY_ACTION_FIELDS
            }
        fields = [
            Field(name, label, value=defaults.get(name, "")) for name, label in _POLICY_TEXT_FIELDS
        ]
        fields += [
            Field(
                name,
                label,
                kind="select",
                value=defaults[name],
                options=ACTION_OPTIONS,
                allow_blank=False,
            )
            for name, label in _POLICY_ACTION_FIELDS
        ]
        return tuple(fields)

    def add_form(self) -> FormSpec:
        """A new policy, starting from the usual thresholds."""

        def save(session: Any, values: FormValues) -> str:
            view = create_policy(session, self.actor, **values)
            return f"Credit policy {view.code} added."

        return FormSpec("Add a credit policy", self._fields(None), save)

    def edit_form(self, row: Row) -> FormSpec:
        """Every field of the policy; new payment terms reach the customers following it."""
        policy: PolicyView = row.item

        def save(session: Any, values: FormValues) -> str:
            view = update_policy(session, self.actor, policy.id, **values)
            return f"Credit policy {view.code} saved."

        return FormSpec(
            f"Credit policy {policy.code}",
            self._fields(policy),
            save,
            note="New payment terms are copied to every customer following the policy.",
        )


class DunningStepsSection(Section):
    """The dunning ladder: each step's days after due, letter, fee and agency hand-over."""

    name = "dunning"
    title = "Dunning"
    columns = ("No", "Name", "Days", "Letter", "Fee", "Agency")
    note = "The dunning ladder. a add · e edit · steps are never deleted."
    can_add = True

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.templates: list[LetterTemplateChoice] = []

    def load(self, session: Any) -> list[Row]:
        """The steps in ladder order (and the letter templates the form offers)."""
        self.templates = [
            choice
            for choice in letter_template_choices(session)
            if choice.kind in (LetterKind.REMINDER, LetterKind.AGENCY)
        ]
        return [
            Row(
                key=str(step.id),
                cells=(
                    str(step.step_no),
                    step.name,
                    str(step.days_after_due),
                    step.letter_template_code or "-",
                    amount_text(step.fee),
                    yes_no(step.hands_to_agency),
                ),
                item=step,
            )
            for step in list_dunning_steps(session)
        ]

    def _fields(self, step: DunningStepView | None) -> tuple[Field, ...]:
        templates = tuple(
            (f"{choice.code} ({choice.kind.value}) {choice.name}", str(choice.id))
            for choice in self.templates
        )
        return (
            Field("step_no", "Step number", value="" if step is None else str(step.step_no)),
            Field("name", "Name", value="" if step is None else step.name),
            Field(
                "days_after_due",
                "Days after due",
                value="" if step is None else str(step.days_after_due),
            ),
            Field("fee", "Fee", value="0.00" if step is None else str(step.fee)),
            Field(
                "letter",
                "Letter template",
                kind="select",
                value=""
                if step is None or step.letter_template_id is None
                else str(step.letter_template_id),
                options=templates,
            ),
            Field(
                "hands_to_agency",
                "Hands to agency",
                kind="check",
                value="1" if step is not None and step.hands_to_agency else "",
                placeholder="flag the invoices for the agency",
            ),
        )

    @staticmethod
    def _arguments(values: FormValues) -> dict[str, Any]:
        letter = values["letter"]
        return {
            "step_no": whole_number(values["step_no"], "step number"),
            "name": values["name"],
            "days_after_due": whole_number(values["days_after_due"], "days after due"),
            "fee": values["fee"],
            "letter_template_id": int(letter) if letter else None,
            "hands_to_agency": bool(values["hands_to_agency"]),
        }

    def add_form(self) -> FormSpec:
        """A new step; it must fit the ladder (later steps lie more days after due)."""

        def save(session: Any, values: FormValues) -> str:
            view = create_dunning_step(session, self.actor, **self._arguments(values))
            return f"Dunning step {view.step_no} added."

        return FormSpec("Add a dunning step", self._fields(None), save)

    def edit_form(self, row: Row) -> FormSpec:
        """Every field of the step; changes apply from the next dunning run."""
        step: DunningStepView = row.item

        def save(session: Any, values: FormValues) -> str:
            view = update_dunning_step(session, self.actor, step.id, **self._arguments(values))
            return f"Dunning step {view.step_no} saved."

        return FormSpec(
            f"Dunning step {step.step_no}",
            self._fields(step),
            save,
            note="Changes apply from the next dunning run.",
        )


class ActionTypesSection(Section):
    """The predefined action types notes and follow-ups are filed under."""

    name = "actions"
    title = "Actions"
    columns = ("Code", "Name", "Active")
    note = "Action types. a add · e rename · d deactivate or reactivate."
    can_add = True
    can_toggle = True

    def load(self, session: Any) -> list[Row]:
        """Every action type, inactive ones too."""
        return [
            Row(
                key=str(kind.id),
                cells=(kind.code, kind.name, yes_no(kind.active)),
                item=kind,
                active=kind.active,
            )
            for kind in list_action_types(session, include_inactive=True)
        ]

    def add_form(self) -> FormSpec:
        """A new action type: a code without blanks and a name."""

        def save(session: Any, values: FormValues) -> str:
            view = add_action_type(session, self.actor, code=values["code"], name=values["name"])
            return f"Action type {view.code} added."

        return FormSpec(
            "Add an action type",
            (Field("code", "Code", placeholder="e.g. CALL_BACK"), Field("name", "Name")),
            save,
        )

    def edit_form(self, row: Row) -> FormSpec:
        """A new name; the code stays (notes refer to it)."""
        kind: ActionTypeView = row.item

        def save(session: Any, values: FormValues) -> str:
            view = rename_action_type(session, self.actor, kind.id, name=values["name"])
            return f"Action type {view.code} saved."

        return FormSpec(
            f"Action type {kind.code}",
            (
                Field("code", "Code", kind="fixed", value=kind.code),
                Field("name", "Name", value=kind.name),
            ),
            save,
        )

    def toggle(self, session: Any, row: Row) -> str:
        """Deactivate (no new actions of the type) or reactivate."""
        kind: ActionTypeView = row.item
        view = set_action_type_active(session, self.actor, kind.id, active=not kind.active)
        return f"Action type {view.code} is {'active again' if view.active else 'deactivated'}."
