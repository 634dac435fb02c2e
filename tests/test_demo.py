"""The demo book: what it holds, that it is reproducible, consistent and safe to reload."""

from __future__ import annotations

import itertools
import os
import re
import string
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from cctui.db.engine import Database
from cctui.demo import DemoRefused, DemoSummary, generate_demo
from cctui.demo import book as demo_book
from cctui.demo.country import fold
from cctui.demo.reference import POLICIES, SETTINGS
from cctui.demo.vocabulary import COUNTRIES
from cctui.domain.errors import CctuiError
from cctui.domain.identity import create_first_admin
from cctui.domain.models import Customer, Role, Staff
from cctui.domain.secrets import hash_secret, verify_secret

TODAY = date(2026, 3, 16)
SMALL = 200

_names = itertools.count(1)


def _make(db: Database, customers: int = SMALL, seed: int = 7, **kwargs: object) -> DemoSummary:
    return generate_demo(db, customers=customers, seed=seed, today=TODAY, **kwargs)  # type: ignore[arg-type]


def _scalar(db: Database, sql: str, **params: object) -> object:
    with db.engine.connect() as connection:
        return connection.execute(text(sql), params).scalar_one()


def _rows(db: Database, sql: str, **params: object) -> list[tuple[object, ...]]:
    with db.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql), params)]


def _schema_objects(db: Database) -> list[tuple[object, ...]]:
    """Every constraint and index of the public schema, with its definition."""
    return _rows(
        db,
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE connamespace = 'public'::regnamespace"
        " UNION ALL SELECT tablename, indexname, indexdef FROM pg_indexes"
        " WHERE schemaname = 'public' ORDER BY 1, 2, 3",
    )


@pytest.fixture
def other_db(pg_server_url: str, template_database: str) -> Iterator[Database]:
    """A second fresh database at head, beside ``db``."""
    name = f"cctui_t_{os.getpid()}_demo{next(_names)}"
    admin = create_engine(pg_server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        version = int(connection.exec_driver_sql("SHOW server_version_num").scalar_one())
        strategy = " STRATEGY FILE_COPY" if version >= 150000 else ""
        connection.exec_driver_sql(
            f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"{strategy}'
        )
    url = make_url(pg_server_url).set(database=name).render_as_string(hide_password=False)
    database = Database(create_engine(url), label=name)
    try:
        yield database
    finally:
        database.dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


# -- without a database -----------------------------------------------------------------


def _texts(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)


def test_vocabulary_needs_no_copy_escaping() -> None:
    from cctui.demo import vocabulary

    texts = [text for country in COUNTRIES for text in _texts(list(vars(country).values()))]
    texts += [
        text
        for name in dir(vocabulary)
        for text in _texts(getattr(vocabulary, name))
        if name.isupper()
    ]
    assert len(texts) > 1000
    for item in texts:
        assert not set(item) & {"\t", "\n", "\r", "\\"}, item
        assert item.isprintable(), item


def test_every_country_is_complete() -> None:
    assert len({c.code for c in COUNTRIES}) == len(COUNTRIES) >= 14
    for country in COUNTRIES:
        assert re.fullmatch(r"[A-Z]{3}", country.currency)
        assert country.cities and country.streets and country.companies and country.traders
        assert country.first_m and country.first_f and len(country.last) >= 8
        for native, roman in country.last + country.industries + country.places:
            assert native and re.fullmatch(r"[a-z0-9' .&-]+", roman.lower()), (native, roman)
        for city in country.cities:
            assert city.phone.startswith("+")


def test_fold_transliterates_latin_names() -> None:
    assert fold("Łukasz Wójcik") == "Lukasz Wojcik"
    assert fold("Großmann") == "Grossmann"
    assert fold("Müller", german=True) == "Mueller"


def test_secrets_hash_and_verify() -> None:
    hashed = hash_secret("demo")
    scheme, n, r, p, salt, key = hashed.split("$")
    assert (scheme, n, r, p) == ("scrypt", str(2**14), "8", "1")
    assert len(bytes.fromhex(salt)) == 16 and len(bytes.fromhex(key)) == 32
    assert verify_secret("demo", hashed)
    assert not verify_secret("Demo", hashed)
    assert hash_secret("demo") != hashed  # a new random salt every time
    assert hash_secret("démo", salt=b"s" * 16) == hash_secret("de\u0301mo", salt=b"s" * 16)
    for broken in (
        "",
        "demo",
        "scrypt$1$8$1$00$00",
        "md5$16384$8$1$aa$bb",
        hashed.replace("$16384$", "$99999999$"),
        hashed[:-2] + "zz",
    ):
        assert not verify_secret("demo", broken)


# -- a small book -------------------------------------------------------------------------


def test_small_book_has_everything(db: Database) -> None:
    stages: list[tuple[str, int, int]] = []
    summary = _make(db, you="Tester", progress=lambda *args: stages.append(args))

    assert summary.customers == SMALL
    assert 1_200 <= summary.invoices <= 3_200
    assert summary.elapsed_seconds > 0
    for table, count in summary.table_rows.items():
        assert _scalar(db, f'SELECT count(*) FROM "{table}"') == count, table
    assert summary.payments and summary.calls and summary.promises and summary.notes
    for table in (
        "dispute",
        "agency_handover",
        "held_document",
        "credit_limit_change",
        "promise_invoice",
        "todo",
        "credit_group",
        "staff_pool",
        "letter_template",
        "dunning_step",
        "collection_agency",
        "action_type",
        "setting",
        "pool",
    ):
        assert summary.table_rows[table] > 0, table
    assert ("Customers", SMALL, SMALL) in stages
    assert stages[-1][1] == stages[-1][2]

    roles = dict(_rows(db, "SELECT role, count(*) FROM staff GROUP BY role"))
    assert set(roles) == {"agent", "controller", "supervisor", "admin"}
    assert roles["agent"] >= 4 and roles["controller"] >= 3
    assert _rows(db, "SELECT role, name FROM staff WHERE login = 'tester'") == [("admin", "Tester")]
    assert _scalar(db, "SELECT count(*) FROM staff WHERE login <> lower(login)") == 0
    secrets = _rows(db, "SELECT approval_secret FROM staff WHERE role = 'supervisor'")
    assert secrets and all(verify_secret("demo", row[0]) for row in secrets)  # type: ignore[arg-type]
    assert (
        _scalar(
            db, "SELECT count(*) FROM staff WHERE role = 'agent' AND approval_secret IS NOT NULL"
        )
        == 0
    )
    assert _scalar(db, "SELECT count(DISTINCT staff_id) FROM staff_pool") >= 4

    assert _scalar(db, "SELECT count(*) FROM credit_policy") == len(POLICIES)
    manual = _scalar(db, "SELECT count(*) FROM customer WHERE manual_settings")
    assert 5 <= manual <= 40  # type: ignore[operator]
    assert _rows(
        db,
        "SELECT step_no, days_after_due, fee, hands_to_agency FROM dunning_step ORDER BY step_no",
    ) == [
        (1, 7, Decimal("0.00"), False),
        (2, 21, Decimal("10.00"), False),
        (3, 45, Decimal("25.00"), False),
        (4, 75, Decimal("0.00"), True),
    ]
    bodies = [row[0] for row in _rows(db, "SELECT body FROM letter_template")]
    assert any("{invoice_table}" in body and "{total_due}" in body for body in bodies)
    fields = {
        name for body in bodies for _t, name, _f, _c in string.Formatter().parse(body) if name
    }
    assert {"customer_name", "company_name", "invoice_table", "total_due", "account"} <= fields
    settings = dict(_rows(db, "SELECT key, value FROM setting"))
    assert settings["aging_bands"] == [0, 30, 60, 90]
    assert settings["contacted_within_days"] == 14
    assert Decimal(str(settings["dunning_min_overdue"])) == Decimal("10.00")
    assert settings["letterhead_company"] == "Meridian Industrial Supplies B.V."
    assert len(settings["letterhead_address"]) == 3
    assert settings["letterhead_footer"].startswith("ABN AMRO Bank")
    assert set(settings) >= set(SETTINGS)

    audit = _rows(
        db, "SELECT actor, action, staff_id IS NOT NULL, after->>'customers' FROM audit_log"
    )
    assert audit == [("tester", "demo_load", True, str(SMALL))]


def test_customers_look_real(db: Database) -> None:
    _make(db)
    customers = _rows(
        db,
        "SELECT account, name, coalesce(name2, ''), coalesce(email, ''),"
        " coalesce(phone, ''), country, currency, locale, delivery FROM customer",
    )
    accounts = [row[0] for row in customers]
    assert all(re.fullmatch(r"C\d{6}", a) for a in accounts)  # type: ignore[arg-type]
    names = [str(row[1]) for row in customers]
    for name in names + [str(row[2]) for row in customers]:
        assert name.isprintable() and "[" not in name and "\x1b" not in name, name
        assert name == name.strip()
    scripts = {
        "cjk": r"[\u3040-\u30ff\u4e00-\u9fff]",
        "arabic": r"[\u0600-\u06ff]",
        "hebrew": r"[\u0590-\u05ff]",
        "greek": r"[\u0370-\u03ff]",
        "latin accents": r"[À-ž]",
    }
    for script, pattern in scripts.items():
        assert any(re.search(pattern, name) for name in names), script
    emails = [str(row[3]) for row in customers if row[3]]
    assert 0.45 <= len(emails) / len(customers) <= 0.75
    assert all(re.fullmatch(r"[a-z]+@[a-z0-9-]+\.example", e) for e in emails), emails[:5]
    phones = [str(row[4]) for row in customers if row[4]]
    assert all(re.fullmatch(r"\+\d{1,3}[ \d-]+", p) for p in phones), phones[:5]
    assert len({row[5] for row in customers}) >= 10
    currencies = {row[6] for row in customers}
    assert {"EUR", "GBP"} <= currencies and len(currencies) >= 6
    by_country = {row[5]: (row[6], row[7]) for row in customers}
    assert by_country.get("JP", ("JPY", "ja_JP")) == ("JPY", "ja_JP")
    assert by_country.get("GB", ("GBP", "en_GB")) == ("GBP", "en_GB")
    for _account, _name, _n2, email, _ph, _c, _cur, _loc, delivery in customers:
        assert email or delivery == "mail"


# -- reproducible ---------------------------------------------------------------------------

_DUMPS = {
    "staff": "SELECT * FROM staff ORDER BY id",
    "customer": "SELECT * FROM customer ORDER BY id",
    "invoice": "SELECT * FROM invoice ORDER BY id",
    "payment": "SELECT * FROM payment ORDER BY id",
    "payment_allocation": "SELECT * FROM payment_allocation ORDER BY id",
    "contact": "SELECT * FROM contact ORDER BY id",
    "promise": "SELECT * FROM promise ORDER BY id",
    "note": "SELECT * FROM note ORDER BY id",
}


def test_same_seed_and_day_give_identical_rows(db: Database, other_db: Database) -> None:
    _make(db, customers=60, seed=11, you="tester")
    _make(other_db, customers=60, seed=11, you="tester")
    for table, query in _DUMPS.items():
        assert _rows(db, query) == _rows(other_db, query), table

    _make(other_db, customers=60, seed=12, you="tester", reset=True)
    assert _rows(db, _DUMPS["customer"]) != _rows(other_db, _DUMPS["customer"])
    assert _rows(db, _DUMPS["invoice"]) != _rows(other_db, _DUMPS["invoice"])


# -- refusing, replacing, failing -----------------------------------------------------------


def test_refuses_without_reset_and_replaces_with_it(db: Database) -> None:
    _make(db, customers=20)
    before = _rows(db, "SELECT id, name FROM customer ORDER BY id")

    with pytest.raises(DemoRefused) as refused:
        _make(db, customers=30, seed=99)
    assert isinstance(refused.value, CctuiError)
    assert str(refused.value) == (
        "The database already holds 20 customers; use --reset to replace them."
    )
    assert _rows(db, "SELECT id, name FROM customer ORDER BY id") == before

    _make(db, customers=30, seed=99, reset=True)
    assert _scalar(db, "SELECT count(*) FROM customer") == 30
    assert _rows(db, "SELECT id, name FROM customer ORDER BY id") != before
    assert _scalar(db, "SELECT count(*) FROM audit_log") == 1


def test_refuses_when_only_staff_exist(db: Database) -> None:
    with db.session() as session:
        create_first_admin(session, "boss", "The Boss")
    with pytest.raises(DemoRefused, match=r"1 staff member; use --reset"):
        _make(db, customers=5)
    _make(db, customers=5, reset=True, you="boss")
    assert _rows(db, "SELECT role FROM staff WHERE login = 'boss'") == [("admin",)]


def test_a_failed_load_keeps_the_old_book_and_schema(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    _make(db, customers=20)
    book = _rows(db, "SELECT * FROM customer ORDER BY id")
    schema = _schema_objects(db)
    original = demo_book.DemoBook._customer

    def failing(self: demo_book.DemoBook, cid: int) -> None:
        if cid == 25:
            raise RuntimeError("generator broke")
        original(self, cid)

    monkeypatch.setattr(demo_book.DemoBook, "_customer", failing)
    with pytest.raises(RuntimeError, match="generator broke"):
        _make(db, customers=40, seed=3, reset=True)
    assert _rows(db, "SELECT * FROM customer ORDER BY id") == book
    assert _schema_objects(db) == schema


def test_the_load_restores_every_constraint_and_index(db: Database) -> None:
    schema = _schema_objects(db)
    assert len(schema) > 100
    _make(db, customers=10)
    assert _schema_objects(db) == schema
    assert _scalar(db, "SELECT count(*) FROM pg_constraint WHERE NOT convalidated") == 0


def test_bad_customer_count_is_refused(db: Database) -> None:
    with pytest.raises(CctuiError, match="between 1 and"):
        _make(db, customers=0)


# -- consistent -------------------------------------------------------------------------------


def test_figures_and_invoices_are_consistent(db: Database) -> None:
    _make(db, customers=SMALL, seed=5)
    today = {"today": TODAY}

    assert (
        _scalar(
            db,
            """
        SELECT count(*) FROM invoice i
        LEFT JOIN (SELECT invoice_id, sum(amount) AS paid FROM payment_allocation
                   GROUP BY invoice_id) a ON a.invoice_id = i.id
        WHERE i.open_amount <> i.amount + i.fee_amount + i.interest_amount
                               - coalesce(a.paid, 0) - i.written_off_amount
    """,
        )
        == 0
    )
    assert (
        _scalar(
            db,
            """
        SELECT count(*) FROM payment p
        JOIN (SELECT payment_id, sum(amount) AS total FROM payment_allocation
              GROUP BY payment_id) a ON a.payment_id = p.id
        WHERE a.total <> p.amount
    """,
        )
        == 0
    )
    assert (
        _scalar(
            db,
            """
        SELECT count(*) FROM customer c
        LEFT JOIN (SELECT customer_id, sum(open_amount) AS balance,
                          sum(open_amount) FILTER (WHERE due_on < :today) AS overdue,
                          min(due_on) FILTER (WHERE due_on < :today AND open_amount > 0)
                              AS oldest
                   FROM invoice GROUP BY customer_id) i ON i.customer_id = c.id
        WHERE c.balance <> coalesce(i.balance, 0)
           OR c.overdue_balance <> coalesce(i.overdue, 0)
           OR c.oldest_due_on IS DISTINCT FROM i.oldest
    """,
            **today,
        )
        == 0
    )
    assert (
        _scalar(
            db,
            """
        SELECT count(*) FROM customer c
        LEFT JOIN (SELECT customer_id, max(started_at) AS last_call,
                          max(started_at) FILTER (WHERE outcome = 'contacted') AS contacted
                   FROM contact GROUP BY customer_id) k ON k.customer_id = c.id
        LEFT JOIN (SELECT customer_id, min(promised_on) AS next_promise FROM promise
                   WHERE status = 'open' GROUP BY customer_id) p ON p.customer_id = c.id
        LEFT JOIN (SELECT customer_id, count(*) AS open_actions FROM note
                   WHERE kind = 'action' AND status = 'open' GROUP BY customer_id) n
               ON n.customer_id = c.id
        LEFT JOIN (SELECT customer_id, count(*) AS held FROM held_document
                   WHERE status = 'held' GROUP BY customer_id) h ON h.customer_id = c.id
        WHERE c.last_call_at IS DISTINCT FROM k.last_call
           OR c.last_contacted_at IS DISTINCT FROM k.contacted
           OR c.next_promise_on IS DISTINCT FROM p.next_promise
           OR c.open_action_count <> coalesce(n.open_actions, 0)
           OR c.held_document_count <> coalesce(h.held, 0)
    """,
        )
        == 0
    )
    assert (
        _scalar(
            db,
            """
        SELECT count(*) FROM customer c
        JOIN LATERAL (SELECT outcome FROM contact WHERE customer_id = c.id
                      ORDER BY started_at DESC, id DESC LIMIT 1) k ON true
        WHERE c.last_call_outcome IS DISTINCT FROM k.outcome
    """,
        )
        == 0
    )

    queue = _scalar(
        db,
        """
        SELECT avg((overdue_balance > 0 AND (follow_up_on IS NULL OR follow_up_on <= :today))
                   ::int) FROM customer""",
        **today,
    )
    assert Decimal("0.15") <= queue <= Decimal("0.50")  # type: ignore[operator]
    assert _scalar(db, "SELECT count(*) FROM customer WHERE follow_up_on > :today", **today)

    # Dates relative to the pinned day.
    assert _scalar(db, "SELECT max(issued_on) FROM invoice") <= TODAY  # type: ignore[operator]
    assert _scalar(db, "SELECT min(issued_on) FROM invoice") >= date(2024, 9, 1)  # type: ignore[operator]
    assert _scalar(db, "SELECT count(*) FROM invoice WHERE paid_on >= :today", **today) == 0
    assert (
        _scalar(
            db,
            "SELECT count(*) FROM contact WHERE started_at::date >= :today"
            " OR started_at::date < :today - 61",
            **today,
        )
        == 0
    )
    assert (
        _scalar(
            db,
            "SELECT count(*) FROM invoice i JOIN customer c ON c.id = i.customer_id"
            " WHERE i.currency <> c.currency OR i.due_on - i.issued_on"
            " <> c.payment_terms_days",
        )
        == 0
    )
    durations = _rows(
        db, "SELECT min(ended_at - started_at), max(ended_at - started_at) FROM contact"
    )[0]
    assert durations[0].total_seconds() >= 30 and durations[1].total_seconds() <= 720  # type: ignore[union-attr]

    # Collection: hand-overs match invoices, write-offs and disputes exist.
    assert (
        _scalar(
            db,
            """
        SELECT count(*) FROM invoice i
        WHERE (i.collection_state = 'handed_over') <> EXISTS (
            SELECT 1 FROM agency_handover h
            WHERE h.invoice_id = i.id AND h.recalled_on IS NULL
              AND h.agency_id = i.collection_agency_id)
    """,
        )
        == 0
    )
    states = dict(_rows(db, "SELECT collection_state, count(*) FROM invoice GROUP BY 1"))
    assert states.get("flagged") and states.get("handed_over")
    assert _scalar(db, "SELECT count(*) FROM invoice WHERE written_off_amount > 0")
    assert _scalar(db, "SELECT count(*) FROM dispute WHERE status = 'open'")
    statuses = dict(_rows(db, "SELECT status, count(*) FROM promise GROUP BY 1"))
    assert statuses.get("open") and statuses.get("kept") and statuses.get("broken")
    assert (
        _scalar(
            db,
            "SELECT count(*) FROM promise p WHERE NOT EXISTS"
            " (SELECT 1 FROM promise_invoice x WHERE x.promise_id = p.id)",
        )
        == 0
    )
    never_called = _scalar(db, "SELECT avg((last_call_at IS NULL)::int) FROM customer")
    assert never_called > Decimal("0.4")  # type: ignore[operator]


def test_sequences_continue_after_the_load(db: Database) -> None:
    _make(db, customers=15)
    top = _scalar(db, "SELECT max(id) FROM customer")
    with db.session() as session:
        customer = Customer(
            account="NEW-1", name="Neukunde GmbH", currency="EUR", manual_settings=True
        )
        staff = Staff(login="newbie", name="New Starter", role=Role.AGENT)
        session.add_all([customer, staff])
        session.flush()
        assert customer.id == top + 1  # type: ignore[operator]
        assert session.scalar(select(func.count()).select_from(Customer)) == 16
    assert _scalar(db, "SELECT nextval(pg_get_serial_sequence('invoice', 'id'))") == (
        _scalar(db, "SELECT max(id) FROM invoice") + 1  # type: ignore[operator]
    )


def test_a_user_who_may_only_write_loads_with_constraints_in_place(
    db: Database, database_url: str
) -> None:
    role = f"cctui_demo_writer_{os.getpid()}"
    grants = [
        f'CREATE ROLE "{role}" LOGIN',
        f'GRANT USAGE ON SCHEMA public TO "{role}"',
        "GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public"
        f' TO "{role}"',
        f'GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO "{role}"',
    ]
    with db.engine.connect() as connection:
        for statement in grants:
            connection.exec_driver_sql(statement)
        connection.commit()
    schema = _schema_objects(db)
    writer = Database(
        create_engine(make_url(database_url).set(username=role), poolclass=NullPool), label=role
    )
    try:
        summary = _make(writer, customers=12)
    finally:
        writer.dispose()
        with db.engine.connect() as connection:
            connection.exec_driver_sql(f'DROP OWNED BY "{role}"')
            connection.exec_driver_sql(f'DROP ROLE "{role}"')
            connection.commit()
    assert _scalar(db, "SELECT count(*) FROM customer") == summary.customers == 12
    assert _schema_objects(db) == schema
