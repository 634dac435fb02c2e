"""Letter templates edited by an admin: checked placeholders, unique codes, audited, printed."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pypdf
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cctui.demo.templates import TEMPLATES
from cctui.domain.errors import ConflictError, PermissionDenied, ValidationError
from cctui.domain.letter_placeholders import PLACEHOLDERS, unknown_placeholders
from cctui.domain.models import AuditLog, Letter, LetterInvoice, LetterKind, LetterTemplate, Role
from cctui.domain.settings_admin import letter_templates, save_letter_template
from cctui.letters.batches import preview_batch
from cctui.letters.templates import DEFAULT_TEMPLATES
from tests.factories import make_customer, make_invoice, make_staff


def _new(session: Session, admin, code: str = "reminder_1", **changes: str):
    values = {
        "code": code,
        "kind": "reminder",
        "name": "First reminder",
        "subject": "Reminder: account $account",
        "body": "Dear {customer_name},\n\n$invoice_table\n\nPlease pay $total_due.",
    }
    values.update(changes)
    return save_letter_template(session, admin, template_id=None, **values)


def test_every_default_text_uses_only_known_placeholders() -> None:
    for template in DEFAULT_TEMPLATES.values():
        assert unknown_placeholders(f"{template.subject}\n{template.body}") == []
    for _id, _code, _kind, _name, subject, body in TEMPLATES:
        assert unknown_placeholders(f"{subject}\n{body}") == []
    assert unknown_placeholders("$$ {x} ${y} $account $x") == ["x", "y"]


def test_an_admin_adds_and_edits_a_template_with_an_audit_row(session: Session) -> None:
    admin = make_staff(session, "root", Role.ADMIN)
    added = _new(session, admin)
    assert added.kind is LetterKind.REMINDER and added.body.startswith("Dear {customer_name}")
    _new(session, admin, "statement", kind="statement", name="  Statement  of account ")
    assert [(t.kind, t.code, t.name) for t in letter_templates(session)] == [
        (LetterKind.REMINDER, "reminder_1", "First reminder"),
        (LetterKind.STATEMENT, "statement", "Statement of account"),
    ]
    changed = save_letter_template(
        session,
        admin,
        template_id=added.id,
        code="reminder_1",
        kind=LetterKind.REMINDER,
        name="First reminder",
        subject="Reminder $account",
        body="New text for ${customer_name}.\r\n",
    )
    assert (changed.id, changed.body) == (added.id, "New text for ${customer_name}.")
    audits = session.scalars(
        select(AuditLog).where(AuditLog.entity == "letter_template").order_by(AuditLog.id)
    ).all()
    assert [a.action for a in audits] == [
        "add_letter_template",
        "add_letter_template",
        "change_letter_template",
    ]
    last = audits[-1]
    assert last.entity_id == str(added.id)
    assert last.before is not None and last.after is not None
    assert last.before["subject"] == "Reminder: account $account"
    assert last.after["body"] == "New text for ${customer_name}."


def test_a_duplicate_code_is_refused(session: Session) -> None:
    admin = make_staff(session, "root", Role.ADMIN)
    _new(session, admin, "agency")
    other = _new(session, admin, "reminder_2")
    with pytest.raises(ConflictError, match="already a letter template with the code agency"):
        _new(session, admin, "agency")
    with pytest.raises(ConflictError, match="code agency"):
        save_letter_template(
            session,
            admin,
            template_id=other.id,
            code="agency",
            kind="reminder",
            name="x",
            subject="s",
            body="b",
        )
    assert len(letter_templates(session)) == 2


def test_unknown_placeholders_are_refused_with_their_names(session: Session) -> None:
    admin = make_staff(session, "root", Role.ADMIN)
    with pytest.raises(ValidationError) as refused:
        _new(session, admin, subject="Hi {costumer_name}", body="$total_due $fees ${fees} $$5")
    sentence = str(refused.value)
    assert "Unknown placeholders costumer_name, fees;" in sentence
    assert all(name in sentence for name in PLACEHOLDERS)
    assert session.scalars(select(LetterTemplate)).all() == []


@pytest.mark.parametrize(
    ("changes", "sentence"),
    [
        ({"code": "Has Space"}, "lower-case letters"),
        ({"code": ""}, "1 to 40"),
        ({"code": "x" * 41}, "1 to 40"),
        ({"name": "  "}, "name of 1 to 100"),
        ({"subject": "s" * 201}, "subject of 1 to 200"),
        ({"body": " \n "}, "needs a body"),
        ({"kind": "postcard"}, "kind is one of"),
    ],
)
def test_bad_values_are_refused(session: Session, changes: dict[str, str], sentence: str) -> None:
    admin = make_staff(session, "root", Role.ADMIN)
    with pytest.raises(ValidationError, match=sentence):
        _new(session, admin, **changes)


def test_an_old_code_may_be_kept_but_not_given_anew(session: Session) -> None:
    admin = make_staff(session, "root", Role.ADMIN)
    old = LetterTemplate(code="R1", kind=LetterKind.REMINDER, name="First", subject="s", body="b")
    session.add(old)
    session.flush()
    kept = save_letter_template(
        session,
        admin,
        template_id=old.id,
        code="R1",
        kind="reminder",
        name="F",
        subject="s",
        body="b",
    )
    assert kept.code == "R1"
    with pytest.raises(ValidationError, match="lower-case"):
        _new(session, admin, "R2")


def test_only_admins_edit_templates(session: Session) -> None:
    sup = make_staff(session, "sup", Role.SUPERVISOR)
    with pytest.raises(PermissionDenied):
        _new(session, sup)


def test_a_batch_printed_after_an_edit_uses_the_new_text(session: Session, tmp_path: Path) -> None:
    admin = make_staff(session, "root", Role.ADMIN)
    template = _new(session, admin, body="Old wording for {customer_name}.\n$invoice_table")
    customer = make_customer(session, name="Brick Ltd", address_line1="1 Main St", city="Leeds")
    letter = Letter(
        customer_id=customer.id, kind=LetterKind.REMINDER, template_id=template.id, fee=Decimal(0)
    )
    session.add(letter)
    session.flush()
    invoice = make_invoice(session, customer, "120.00", days_past_due=20)
    session.add(
        LetterInvoice(letter_id=letter.id, invoice_id=invoice.id, open_amount=Decimal("120.00"))
    )
    session.flush()
    save_letter_template(
        session,
        admin,
        template_id=template.id,
        code=template.code,
        kind=template.kind,
        name=template.name,
        subject="Edited subject $account",
        body="Freshly edited wording for {customer_name}.\n$invoice_table",
    )
    outcome = preview_batch(session, admin, LetterKind.REMINDER, out_dir=tmp_path)
    assert outcome.path is not None
    reader = pypdf.PdfReader(io.BytesIO(outcome.path.read_bytes()))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Freshly edited wording for Brick Ltd." in text
    assert "Edited subject" in text
    assert "Old wording" not in text
