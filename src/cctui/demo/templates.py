"""The demo book's letter templates: three reminders, the agency notice, statement, invoice copy.

Bodies use named ``str.format`` placeholders, filled by the letter renderer:

``{company_name}`` ``{company_address}`` ``{company_phone}`` ``{company_email}``
``{company_bank}`` ``{company_vat}`` (from the ``letterhead_*`` settings);
``{customer_name}`` ``{customer_address}`` ``{account}`` ``{contact_person}`` (the customer);
``{letter_date}`` ``{payment_deadline}`` (dates in the customer's locale);
``{invoice_table}`` (the invoices of the letter, one per line: number, date, due date, open
amount), ``{total_due}`` (their total with currency), ``{fee}`` (the step's fee with currency);
``{agency_name}`` ``{agency_address}`` (the collection agency); ``{sender_name}`` (who sends it).
"""

from __future__ import annotations

from cctui.demo.textfmt import line

_SIGNATURE = """Yours faithfully,

{sender_name}
Credit Control, {company_name}
{company_phone} · {company_email}"""

REMINDER_1 = (
    "Payment reminder: account {account}",
    """{customer_name}
Account {account}
{letter_date}

Dear Sir or Madam,

According to our records the following invoices are now past their due date:

{invoice_table}

Total now due: {total_due}

This may simply have been overlooked. We would be grateful if you would arrange payment \
within the next seven days to {company_bank}, quoting your account number {account}.

If you have already paid, please accept our thanks and disregard this letter. If you \
believe any of these invoices is incorrect, please let us know straight away so that we \
can put it right.

"""
    + _SIGNATURE,
)

REMINDER_2 = (
    "Second reminder: overdue invoices on account {account}",
    """{customer_name}
Account {account}
{letter_date}

Dear Sir or Madam,

We wrote to you recently about the invoices below, which remain unpaid:

{invoice_table}

Total now due: {total_due}

An administration fee of {fee} has been added to your account for this reminder. Please \
make sure that the full amount reaches us by {payment_deadline} at {company_bank}, quoting \
your account number {account}.

If there is a reason why these invoices have not been paid, please call us on \
{company_phone} so that we can agree how to settle them.

"""
    + _SIGNATURE,
)

REMINDER_3 = (
    "Final notice before collection: account {account}",
    """{customer_name}
Account {account}
{letter_date}

FINAL NOTICE

Dear Sir or Madam,

Despite our earlier reminders, the following invoices are still unpaid:

{invoice_table}

Total now due: {total_due} (including a fee of {fee} for this notice)

Unless we receive payment in full by {payment_deadline}, we will pass the debt to a \
collection agency without further notice. The agency's costs and statutory interest may \
then be charged to you, and we will suspend further deliveries on credit.

Payment should be made to {company_bank}, quoting your account number {account}. If you \
have already paid, please send us the remittance advice today.

"""
    + _SIGNATURE,
)

AGENCY = (
    "Notice of transfer to a collection agency: account {account}",
    """{customer_name}
Account {account}
{letter_date}

Dear Sir or Madam,

As the invoices below remain unpaid despite our reminders and final notice, we have today \
passed the debt to our collection agency:

{agency_name}
{agency_address}

{invoice_table}

Total transferred: {total_due}

From now on please deal directly with {agency_name}, who will contact you about payment. \
Collection costs and interest may be added to the amount above. Payments made to us after \
today will be forwarded to the agency.

"""
    + _SIGNATURE,
)

STATEMENT = (
    "Statement of account {account} as at {letter_date}",
    """{customer_name}
Account {account}
{letter_date}

Dear Sir or Madam,

Please find below the open items on your account as at {letter_date}:

{invoice_table}

Balance: {total_due}

Please check this statement against your records and let us know of any difference. \
Items already paid in the last few days may still appear. Payments to {company_bank}, \
quoting your account number {account}.

Kind regards,

{sender_name}
Credit Control, {company_name}
{company_phone} · {company_email}""",
)

INVOICE_COPY = (
    "Copy of invoice: account {account}",
    """{customer_name}
Account {account}
{letter_date}

Dear Sir or Madam,

As requested, please find a copy of the following invoice:

{invoice_table}

Amount due: {total_due}

Payment terms as agreed; please pay to {company_bank}, quoting the invoice number and your \
account number {account}. VAT number: {company_vat}.

Kind regards,

{sender_name}
Credit Control, {company_name}""",
)

TEMPLATES = (
    (1, "reminder_1", "reminder", "First reminder", *REMINDER_1),
    (2, "reminder_2", "reminder", "Second reminder", *REMINDER_2),
    (3, "reminder_3", "reminder", "Final notice", *REMINDER_3),
    (4, "agency", "agency", "Transfer to collection agency", *AGENCY),
    (5, "statement", "statement", "Statement of account", *STATEMENT),
    (6, "invoice_copy", "invoice", "Invoice copy", *INVOICE_COPY),
)
"""``(id, code, kind, name, subject, body)`` of every template."""

TEMPLATE_COLUMNS = ("id", "code", "kind", "name", "subject", "body", "updated_at")
"""Columns of the ``letter_template`` rows made by :func:`template_lines`."""


def template_lines(updated_at: str) -> list[str]:
    """COPY lines of the letter templates, all last edited at ``updated_at``."""
    return [line(*template, updated_at) for template in TEMPLATES]
