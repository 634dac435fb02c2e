"""Database roles on a real server: each staff login confined by PostgreSQL, not only the app.

The group roles ``cctui_*`` are shared by every database of the server and created
idempotently; the login roles of each test are named after the test's database, so two
runs on one server never clash, and are dropped at the end of the test.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import NullPool, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from cctui.config import DatabaseTarget
from cctui.db.engine import Database, make_engine
from cctui.domain.base import Base
from cctui.domain.credit.held import release_held_document
from cctui.domain.daily_check import run_daily_check
from cctui.domain.database_roles import (
    GROUP_ROLES,
    PLAN,
    DatabaseLoginMismatch,
    apply_grants,
    connected_login,
    grants_in_place,
    may_run_daily_check,
)
from cctui.domain.identity import identify
from cctui.domain.ledger import record_payment
from cctui.domain.models import HeldStatus, Pool, Role, Staff, staff_pool
from cctui.domain.queue.leases import next_debtor
from cctui.domain.staff_logins import LoginRole, add_staff
from cctui.domain.workflow.calls import end_call, start_call
from cctui.domain.workflow.follow_up import set_follow_up
from cctui.domain.workflow.notes import add_note
from cctui.domain.workflow.promises import record_promise
from tests.factories import TODAY, make_customer, make_invoice, make_policy, make_staff
from tests.test_cli import run
from tests.test_held_documents import hold, hold_customer

pytestmark = pytest.mark.database


def _url_as(database_url: str, login: str) -> str:
    return make_url(database_url).set(username=login, password=None).render_as_string(False)


@dataclass
class Team:
    """A database set up with `cctui db roles` and one login per role, named after it."""

    database_url: str
    owner: Database
    logins: dict[Role, str]
    databases: list[Database] = field(default_factory=list)

    def connect(self, role: Role) -> Database:
        """A connection as the login of ``role`` (trust authentication on the test servers)."""
        url = _url_as(self.database_url, self.logins[role])
        database = Database(make_engine(url, poolclass=NullPool), label=self.logins[role])
        self.databases.append(database)
        return database


def _drop_login_roles(owner: Database, names: list[str]) -> None:
    with owner.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        for name in names:
            connection.exec_driver_sql(f'DROP ROLE IF EXISTS "{name}"')


@pytest.fixture
def team(database_url: str) -> Iterator[Team]:
    owner = Database.open(DatabaseTarget.server(database_url))
    prefix = make_url(database_url).database
    logins = {role: f"{prefix}_{role.value}" for role in Role}
    try:
        with owner.session() as session:
            apply_grants(session)
            chief = make_staff(session, "chief", Role.ADMIN)
            for role, login in logins.items():
                added = add_staff(
                    session, chief, login=login, name=role.value.title(), role=role, login_role=True
                )
                assert added.login_role is LoginRole.CREATED
        built = Team(database_url, owner, logins)
        yield built
        for database in built.databases:
            database.dispose()
    finally:
        _drop_login_roles(owner, list(logins.values()))
        owner.dispose()


def test_every_table_of_the_schema_is_in_the_role_plan(session):
    tables = set(
        session.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
    )
    assert tables <= set(PLAN), sorted(tables - set(PLAN))
    assert set(Base.metadata.tables) <= set(PLAN), sorted(set(Base.metadata.tables) - set(PLAN))


def test_db_roles_twice_and_show(cli_env):
    first = run(["db", "roles"], env=cli_env)
    assert first.exit_code == 0, first.output
    second = run(["db", "roles"], env=cli_env)
    assert second.exit_code == 0, second.output
    assert "Privileges granted on" in second.stdout
    shown = run(["db", "roles", "--show"], env=cli_env)
    assert shown.exit_code == 0, shown.output
    assert 'GRANT SELECT ON "public"."credit_policy" TO "cctui_agent";' in shown.stdout
    assert 'GRANT INSERT, UPDATE ON "public"."credit_policy" TO "cctui_supervisor";' in shown.stdout

    database = Database.open(DatabaseTarget.server(cli_env["CCTUI_DATABASE_URL"] or ""))
    try:
        with database.session() as session:
            assert grants_in_place(session)

            def may(role: str, table: str, privilege: str) -> bool:
                return bool(
                    session.scalar(
                        text("SELECT has_table_privilege(:r, :t, :p)"),
                        {"r": role, "t": table, "p": privilege},
                    )
                )

            assert may("cctui_agent", "customer", "SELECT")
            assert not may("cctui_agent", "credit_policy", "UPDATE")
            assert may("cctui_supervisor", "credit_policy", "UPDATE")
            assert may("cctui_admin", "credit_policy", "UPDATE")  # inherited
            assert not may("cctui_agent", "held_document", "UPDATE")
            assert may("cctui_controller", "invoice", "INSERT")
            for group in GROUP_ROLES:
                assert not may(group, "audit_log", "UPDATE")
                assert not may(group, "audit_log", "DELETE")
    finally:
        database.dispose()


def test_group_roles_are_created_safely_at_the_same_time(database_url, empty_database_url):
    errors: list[BaseException] = []

    def grant(url: str) -> None:
        database = Database.open(DatabaseTarget.server(url))
        try:
            with database.session() as session:
                apply_grants(session)
        except BaseException as error:
            errors.append(error)
        finally:
            database.dispose()

    threads = [
        threading.Thread(target=grant, args=(url,)) for url in (database_url, empty_database_url)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_an_agents_login_cannot_change_a_policy_or_release_a_held_document(team):
    with team.owner.session() as session:
        policy = make_policy(session, "RB")
        customer = hold_customer(session)
        agent = identify(session, team.logins[Role.AGENT])
        held_id = hold(session, agent, customer)

    with team.connect(Role.AGENT).engine.connect() as connection:
        assert connection.scalar(text("SELECT current_user")) == team.logins[Role.AGENT]
        assert connection.scalar(text("SELECT count(*) FROM credit_policy")) == 1
        with pytest.raises(ProgrammingError, match="permission denied"):
            connection.execute(
                text("UPDATE credit_policy SET aged_once_days = 1 WHERE id = :id"),
                {"id": policy.id},
            )
        connection.rollback()
        with pytest.raises(ProgrammingError, match="permission denied"):
            connection.execute(
                text("UPDATE held_document SET status = 'released' WHERE id = :id"), {"id": held_id}
            )
        connection.rollback()
        with pytest.raises(ProgrammingError, match="permission denied"):
            connection.execute(text("UPDATE customer SET credit_limit = 1e9"))
        connection.rollback()
        with pytest.raises(ProgrammingError, match="permission denied"):
            connection.execute(text("DELETE FROM audit_log"))


def test_an_agent_works_a_debtor_through_the_services_as_their_own_login(team):
    with team.owner.session() as session:
        pool = Pool(name="Team")
        session.add(pool)
        session.flush()
        agent = identify(session, team.logins[Role.AGENT])
        session.execute(insert(staff_pool).values(staff_id=agent.id, pool_id=pool.id))
        customer = make_customer(session, pool_id=pool.id)
        invoice = make_invoice(session, customer, "500.00", days_past_due=20)

    with team.connect(Role.AGENT).session() as session:
        agent = identify(session, team.logins[Role.AGENT])
        assert not may_run_daily_check(session)
        claimed = next_debtor(session, agent, as_of=TODAY)
        assert claimed is not None
        call_id = start_call(session, agent, customer.id)
        end_call(session, agent, call_id, outcome="contacted", as_of=TODAY)
        record_promise(
            session,
            agent,
            customer_id=customer.id,
            amount="500.00",
            promised_on=TODAY + timedelta(days=7),
            invoice_ids=[invoice.id],
            as_of=TODAY,
        )
        add_note(session, agent, customer_id=customer.id, body="Pays next week.")
        set_follow_up(
            session,
            agent,
            customer_id=customer.id,
            follow_up_on=TODAY + timedelta(days=8),
            reason="Promise",
            as_of=TODAY,
        )


def test_a_controller_records_a_payment_and_runs_the_daily_check_as_their_own_login(team):
    with team.owner.session() as session:
        policy = make_policy(session, "DC")
        customer = make_customer(session, policy=policy)
        make_invoice(session, customer, "300.00", days_past_due=45)
        make_invoice(session, customer, "200.00", days_past_due=5)

    with team.connect(Role.CONTROLLER).session() as session:
        controller = identify(session, team.logins[Role.CONTROLLER])
        assert may_run_daily_check(session)
        record_payment(
            session,
            controller,
            customer_id=customer.id,
            amount="300.00",
            received_on=TODAY,
            as_of=TODAY,
        )
    with team.connect(Role.CONTROLLER).session() as session:
        result = run_daily_check(session, controller, run_on=TODAY)
        assert result.ran
    with team.owner.session() as session:
        balance = session.scalar(
            text("SELECT balance FROM customer WHERE id = :id"), {"id": customer.id}
        )
        assert balance == Decimal("200.00")


def test_a_supervisor_releases_a_held_document_as_their_own_login(team):
    with team.owner.session() as session:
        customer = hold_customer(session)
        agent = identify(session, team.logins[Role.AGENT])
        held_id = hold(session, agent, customer)

    with team.connect(Role.SUPERVISOR).session() as session:
        supervisor = identify(session, team.logins[Role.SUPERVISOR])
        decision = release_held_document(session, supervisor, held_id, note="Known customer")
        assert decision.status == HeldStatus.RELEASED


def test_a_confined_login_may_act_only_as_itself(team):
    database = team.connect(Role.AGENT)
    with database.session() as session:
        login = connected_login(session)
        assert login.confined
        assert login.groups == ("cctui_agent",)
        with pytest.raises(DatabaseLoginMismatch, match="may act only as"):
            identify(session, team.logins[Role.ADMIN])
        assert identify(session, team.logins[Role.AGENT]).role is Role.AGENT
    with team.owner.session() as session:
        assert not connected_login(session).confined
        assert identify(session, team.logins[Role.AGENT]).role is Role.AGENT

    env = {
        "CCTUI_DATABASE_URL": _url_as(team.database_url, team.logins[Role.AGENT]),
        "CCTUI_USER": team.logins[Role.ADMIN],
    }
    result = run(["report", "queue"], env=env)
    assert result.exit_code == 1
    assert "may act only as" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1

    own = {**env, "CCTUI_USER": team.logins[Role.AGENT]}
    result = run(["report", "queue"], env=own)
    assert result.exit_code == 0, result.output
    result = run(["daily-check"], env=own)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: The database refused this to your database login: permission denied for table"
    ), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_staff_add_creates_the_staff_row_and_the_login_in_its_group(cli_env, database_url):
    prefix = make_url(database_url).database
    login = f"{prefix}_new"
    owner = Database.open(DatabaseTarget.server(database_url))
    try:
        with owner.session() as session:
            apply_grants(session)
            make_staff(session, "chief", Role.ADMIN)
        env = {**cli_env, "CCTUI_USER": "chief"}
        added = run(["staff", "add", login, "--role", "agent", "--name", "New Person"], env=env)
        assert added.exit_code == 0, added.output
        assert f"database login '{login}' created in cctui_agent" in added.stdout

        def group_of(name: str) -> list[str]:
            with owner.session() as session:
                return list(
                    session.scalars(
                        text(
                            "SELECT g.rolname FROM pg_auth_members m "
                            "JOIN pg_roles g ON g.oid = m.roleid "
                            "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = :n"
                        ),
                        {"n": name},
                    )
                )

        assert group_of(login) == ["cctui_agent"]
        with owner.session() as session:
            staff = session.scalar(select(Staff).where(Staff.login == login))
            assert staff is not None and staff.role is Role.AGENT and staff.name == "New Person"

        moved = run(["staff", "role", login, "controller"], env=env)
        assert moved.exit_code == 0, moved.output
        assert group_of(login) == ["cctui_controller"]

        listed = run(["staff", "list"], env=env)
        assert listed.exit_code == 0, listed.output
        assert any(
            line.startswith(login) and "cctui_controller" in line
            for line in listed.stdout.splitlines()
        )

        again = run(["staff", "add", login, "--role", "agent"], env=env)
        assert again.exit_code == 1
        assert "already exists" in again.stderr
    finally:
        _drop_login_roles(owner, [login])
        owner.dispose()


def test_staff_add_refuses_a_non_admin(cli_env, session):
    make_staff(session, "ctl", Role.CONTROLLER)
    session.commit()
    result = run(
        ["staff", "add", "someone", "--role", "agent", "--no-login-role"],
        env={**cli_env, "CCTUI_USER": "ctl"},
    )
    assert result.exit_code == 1
    assert "Only an admin" in result.stderr


def test_granting_again_covers_a_table_a_later_migration_adds(db):
    with db.session() as session:
        apply_grants(session)
        session.execute(text("CREATE TABLE later_table (id bigint PRIMARY KEY)"))
        report = apply_grants(session)
        assert report.unplanned_tables == ("later_table",)
        assert "later_table" in report.describe()

        def may(role: str, privilege: str) -> bool:
            return bool(
                session.scalar(
                    text("SELECT has_table_privilege(:r, 'later_table', :p)"),
                    {"r": role, "p": privilege},
                )
            )

        assert may("cctui_agent", "SELECT")
        assert not may("cctui_supervisor", "INSERT")
        assert may("cctui_admin", "INSERT")
