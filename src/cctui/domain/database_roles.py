"""PostgreSQL group roles for the four staff roles, and the GRANTs each one needs.

``cctui db roles`` creates the NOLOGIN group roles ``cctui_agent``, ``cctui_controller``,
``cctui_supervisor`` and ``cctui_admin``; each higher one is a member of the one below, so it
inherits its privileges (an admin can do what a supervisor can, and so on). Every person
then gets a login role of their own in their group (``cctui staff add``), so what the
domain refuses a role, the database refuses that person's login too, even in ``psql``.

How the privileges are drawn (from the ``require_role`` calls of every service):

- **Everyone reads everything.** Every screen of every role reads customers, invoices,
  history and settings; the domain confines by what one may *change*, never by which rows
  one may *see* (the queue, the customer panels and the reports are the same for all).
  That includes ``staff.approval_secret``: an agent's transaction check verifies a
  supervisor's approval password, so the agent's login must read the (scrypt) hash.
- **Agents** write notes, to-dos, calls, promises, disputes, debtor leases, held documents
  (a checked transaction that is stopped), audit rows, and on ``customer`` only the
  workflow and maintained columns their services change (follow-up, call and promise
  figures, the credit action a checked transaction raises, the version). They cannot
  touch policies, limits, invoices, payments, letters or anyone's role; they cannot
  release a held document (no UPDATE on ``held_document`` at all).
- **Controllers** also post invoices, payments, credit notes and write-offs, waive fees,
  print letters, hand invoices to agencies, change limits (requests above their authority
  wait for a supervisor), release or reject held documents, and run the daily check
  (which writes customers, invoices, letters, promises, snapshots and its own run row).
- **Supervisors** also write credit policies, credit groups, pools and who works them,
  decide approval requests, and add customers (``cctui import`` is a supervisor's).
- **Admins** also write staff, settings, dunning steps, letter templates, action types and
  collection agencies.
- Nobody may UPDATE or DELETE ``audit_log``: it is append-only for every login.
- The daily check is therefore a controller's: the app starts it at login only for a login
  allowed to write it (:func:`may_run_daily_check`); cron or a controller runs it for a
  team whose agents log in first. Imports' TEMP staging tables need only the TEMPORARY
  privilege every login has on a database by default.

Row-level security is not used. No role is limited to part of a table's rows by the
domain, and the one place where a split by rows was tempting (a controller releasing a
held document that needs a supervisor) is allowed to a controller who types a
supervisor's password, which the database cannot see; table and column privileges
express everything else. Where a role may change only some columns, the grant names them
(``UPDATE (col, ...)``). One grant exists only for a lock: a call locks the agent's own
``staff`` row (``FOR NO KEY UPDATE``), and PostgreSQL wants an UPDATE privilege on some
column for that, so agents get UPDATE on ``staff.created_at`` alone, which nothing reads
for a decision.

The schema owner keeps every DDL right; the group roles get no CREATE. Functions such as
``pg_notify`` and advisory locks are open to every login. The grants are applied in one
transaction after revoking what the groups held, so a changed plan never leaves stale
privileges, and running it again (say after ``cctui db upgrade`` added a table) is safe.
A table the plan does not name (a newer migration) is readable by every group and
writable by admins only, and is reported so the plan can be extended.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from cctui.domain.errors import CctuiError, PermissionDenied, ValidationError
from cctui.domain.models import Role

GROUP_PREFIX = "cctui_"
"""Every group role's name is this prefix and the staff role, e.g. ``cctui_agent``."""

ROLE_ORDER: tuple[Role, ...] = (Role.AGENT, Role.CONTROLLER, Role.SUPERVISOR, Role.ADMIN)
"""Lowest first; each group role is made a member of the one before it."""

_A, _C, _S, _ADM = Role.AGENT, Role.CONTROLLER, Role.SUPERVISOR, Role.ADMIN

AGENT_CUSTOMER_COLUMNS = (
    "follow_up_on",
    "follow_up_reason",
    "credit_action",
    "credit_action_event",
    "credit_action_since",
    "held_document_count",
    "open_action_count",
    "last_call_at",
    "last_call_outcome",
    "last_contacted_at",
    "next_call_on",
    "next_promise_on",
    "figures_changed",
    "version",
    "updated_at",
)
"""The customer columns an agent's services change (follow-up, calls, promises, notes,
and the credit action a checked transaction may raise)."""

PLAN: Mapping[str, Mapping[Role, str]] = {
    "action_type": {_ADM: "INSERT, UPDATE"},
    "agency_handover": {_C: "INSERT, UPDATE"},
    "aging_snapshot": {_C: "INSERT, UPDATE, DELETE"},
    "aging_total": {_C: "INSERT, UPDATE, DELETE"},
    "alembic_version": {},
    "approval_request": {_C: "INSERT, UPDATE"},
    "audit_log": {_A: "INSERT"},
    "collection_agency": {_ADM: "INSERT, UPDATE"},
    "contact": {_A: "INSERT, UPDATE"},
    "credit_group": {_S: "INSERT, UPDATE"},
    "credit_limit_change": {_C: "INSERT, UPDATE"},
    "credit_policy": {_S: "INSERT, UPDATE"},
    "customer": {
        _A: f"UPDATE ({', '.join(AGENT_CUSTOMER_COLUMNS)})",
        _C: "UPDATE",
        _S: "INSERT",
    },
    "daily_check_run": {_C: "INSERT, UPDATE"},
    "debtor_lease": {_A: "INSERT, UPDATE, DELETE"},
    "dispute": {_A: "INSERT", _C: "UPDATE"},
    "dunning_step": {_ADM: "INSERT, UPDATE, DELETE"},
    "held_document": {
        _A: "INSERT",
        _C: "UPDATE (status, decided_by_id, decided_at, decision_note)",
    },
    "invoice": {_C: "INSERT, UPDATE"},
    "letter": {_C: "INSERT, UPDATE, DELETE"},
    "letter_batch": {_C: "INSERT, UPDATE"},
    "letter_invoice": {_C: "INSERT, UPDATE, DELETE"},
    "letter_send": {_C: "INSERT, UPDATE"},
    "letter_template": {_ADM: "INSERT, UPDATE, DELETE"},
    "note": {_A: "INSERT, UPDATE"},
    "payment": {_C: "INSERT, UPDATE"},
    "payment_allocation": {_C: "INSERT, UPDATE, DELETE"},
    "pool": {_S: "INSERT, UPDATE, DELETE"},
    "promise": {_A: "INSERT, UPDATE"},
    "promise_invoice": {_A: "INSERT, DELETE"},
    "setting": {_ADM: "INSERT, UPDATE"},
    "staff": {_A: "UPDATE (created_at)", _ADM: "INSERT, UPDATE"},
    "staff_pool": {_S: "INSERT, DELETE"},
    "todo": {_A: "INSERT, UPDATE"},
}
"""Per table, what each role may write beyond SELECT (which every group has on every
table); a role inherits the rights of the roles below it."""

UNPLANNED_GRANT: Mapping[Role, str] = {_ADM: "INSERT, UPDATE, DELETE"}
"""What a table missing from :data:`PLAN` gets beyond everyone's SELECT."""


class DatabaseRolesError(CctuiError):
    """The database roles cannot be set up or changed from this connection."""


class DatabaseLoginMismatch(PermissionDenied):
    """A confined database login asked to act as another staff member."""

    def __init__(self, database_login: str, staff_login: str) -> None:
        super().__init__(
            f"You are connected to the database as {database_login!r}, a cctui staff login, "
            f"so you may act only as {database_login!r}, not as {staff_login!r}; "
            "drop --user (and CCTUI_USER) or connect as that person's own login."
        )
        self.database_login = database_login
        self.staff_login = staff_login


def group_role(role: Role | str) -> str:
    """The group role of a staff role, e.g. ``cctui_controller``."""
    return f"{GROUP_PREFIX}{Role(role).value}"


GROUP_ROLES: tuple[str, ...] = tuple(group_role(role) for role in ROLE_ORDER)
"""Every group role's name, lowest first."""


def quote_ident(name: str) -> str:
    """``name`` as a double-quoted SQL identifier."""
    if "\x00" in name:
        raise ValidationError("A database name cannot contain a NUL character.")
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class GrantReport:
    """What :func:`apply_grants` did: the groups created, the tables granted, and notes."""

    created_groups: tuple[str, ...]
    tables: int
    unplanned_tables: tuple[str, ...]
    missing_tables: tuple[str, ...]

    def describe(self) -> str:
        """Sentences for people."""
        made = ", ".join(self.created_groups) if self.created_groups else "none (all existed)"
        lines = [
            f"Group roles created: {made}.",
            f"Privileges granted on {self.tables} tables to {', '.join(GROUP_ROLES)}.",
        ]
        if self.unplanned_tables:
            lines.append(
                "Tables the role plan does not name (readable by all, writable by admins): "
                + ", ".join(self.unplanned_tables)
                + "."
            )
        if self.missing_tables:
            lines.append(
                "Tables of the plan not in this database (run `cctui db upgrade`?): "
                + ", ".join(self.missing_tables)
                + "."
            )
        return "\n".join(lines)


def _create_group_sql(name: str) -> str:
    return (
        "DO $cctui$ BEGIN "
        f"CREATE ROLE {quote_ident(name)} NOLOGIN; "
        "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; "
        "END $cctui$"
    )


def group_statements() -> list[str]:
    """SQL creating the group roles (when missing) and chaining their memberships."""
    statements = [_create_group_sql(name) for name in GROUP_ROLES]
    for lower, higher in itertools.pairwise(GROUP_ROLES):
        statements.append(f"GRANT {quote_ident(lower)} TO {quote_ident(higher)}")
    return statements


def grant_statements(schema: str, tables: Iterable[str]) -> list[str]:
    """SQL revoking what the groups held in ``schema`` and granting the plan on ``tables``."""
    groups = ", ".join(quote_ident(name) for name in GROUP_ROLES)
    agent = quote_ident(group_role(Role.AGENT))
    qschema = quote_ident(schema)
    statements = [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {qschema} FROM {groups}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {qschema} FROM {groups}",
        f"GRANT USAGE ON SCHEMA {qschema} TO {agent}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {qschema} TO {agent}",
    ]
    for table in sorted(tables):
        qualified = f"{qschema}.{quote_ident(table)}"
        statements.append(f"GRANT SELECT ON {qualified} TO {agent}")
        for role, privileges in PLAN.get(table, UNPLANNED_GRANT).items():
            statements.append(
                f"GRANT {privileges} ON {qualified} TO {quote_ident(group_role(role))}"
            )
    return statements


def _schema_tables(session: Session) -> tuple[str, list[str]]:
    schema = session.execute(text("SELECT current_schema()")).scalar_one()
    tables = session.scalars(
        text(
            "SELECT c.relname FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace "
            "WHERE n.nspname = :schema AND c.relkind IN ('r', 'p') ORDER BY c.relname"
        ),
        {"schema": schema},
    ).all()
    return str(schema), [str(table) for table in tables]


def roles_script(session: Session) -> list[str]:
    """Every statement :func:`apply_grants` would run on this database, in order."""
    schema, tables = _schema_tables(session)
    return group_statements() + grant_statements(schema, tables)


def existing_groups(session: Session) -> set[str]:
    """Which of the group roles exist on this server."""
    rows = session.scalars(
        text("SELECT rolname FROM pg_roles WHERE rolname = ANY(:names)"),
        {"names": list(GROUP_ROLES)},
    )
    return {str(name) for name in rows}


def grants_in_place(session: Session) -> bool:
    """True when this database's tables carry grants to the cctui groups (``cctui db roles``
    was run here), so a migration should be followed by granting again."""
    if existing_groups(session) != set(GROUP_ROLES):
        return False
    return bool(
        session.execute(
            text(
                "SELECT EXISTS (SELECT 1 FROM pg_class AS c "
                "JOIN pg_namespace AS n ON n.oid = c.relnamespace, aclexplode(c.relacl) AS a "
                "WHERE n.nspname = current_schema() AND a.grantee = CAST(:agent AS regrole))"
            ),
            {"agent": group_role(Role.AGENT)},
        ).scalar()
    )


def may_create_roles(session: Session) -> bool:
    """True when the connected login may create roles (superuser or CREATEROLE)."""
    return bool(
        session.execute(
            text("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
        ).scalar()
    )


def _run(session: Session, statement: str, doing: str) -> None:
    """Run one statement in a savepoint, turning a refusal into one sentence."""
    try:
        with session.begin_nested():
            session.execute(text(statement))
    except DBAPIError as err:
        reason = str(getattr(err, "orig", err)).splitlines()[0].strip().rstrip(".")
        raise DatabaseRolesError(f"Could not {doing}: {reason}.") from None


def _run_shared_catalog(session: Session, statement: str, doing: str) -> None:
    """Like :func:`_run`, but another session doing the same at once is not an error.

    Roles live in catalogs shared by every database of the server, so two ``cctui db roles``
    in two databases may create a role or a membership at the same moment; the second then
    meets a unique violation, which means the work is done.
    """
    try:
        with session.begin_nested():
            session.execute(text(statement))
    except DBAPIError as err:
        if getattr(getattr(err, "orig", None), "sqlstate", None) in ("23505", "42710"):
            return
        reason = str(getattr(err, "orig", err)).splitlines()[0].strip().rstrip(".")
        raise DatabaseRolesError(f"Could not {doing}: {reason}.") from None


def apply_grants(session: Session) -> GrantReport:
    """Create the group roles when missing and grant each its privileges on this database.

    Needs a login that may create roles (unless they all exist) and that owns the tables
    (the one that ran ``cctui db upgrade``). Idempotent; safe while others run it too.
    """
    before = existing_groups(session)
    missing_groups = [name for name in GROUP_ROLES if name not in before]
    if missing_groups and not may_create_roles(session):
        raise DatabaseRolesError(
            f"The group roles {', '.join(missing_groups)} do not exist and this database login "
            "may not create roles; run `cctui db roles` as the schema owner with CREATEROLE, "
            "or as a superuser."
        )
    for statement in group_statements():
        _run_shared_catalog(session, statement, "create the cctui group roles")
    schema, tables = _schema_tables(session)
    for statement in grant_statements(schema, tables):
        _run(session, statement, "grant the cctui roles their privileges")
    return GrantReport(
        created_groups=tuple(name for name in missing_groups if name in existing_groups(session)),
        tables=len(tables),
        unplanned_tables=tuple(table for table in tables if table not in PLAN),
        missing_tables=tuple(table for table in sorted(PLAN) if table not in tables),
    )


@dataclass(frozen=True)
class DatabaseLogin:
    """Who the connection is: its login, whether superuser, and its cctui group (if any)."""

    name: str
    superuser: bool
    groups: tuple[str, ...]

    @property
    def confined(self) -> bool:
        """True when this login works under a cctui group role (and is not a superuser)."""
        return bool(self.groups) and not self.superuser


def connected_login(session: Session) -> DatabaseLogin:
    """The connected database login and the cctui groups whose privileges it uses."""
    row = session.execute(
        text(
            "SELECT current_user AS name, r.rolsuper AS superuser, "
            "ARRAY(SELECT g.rolname FROM pg_roles AS g WHERE g.rolname = ANY(:groups) "
            "AND g.rolname <> current_user AND pg_has_role(current_user, g.oid, 'USAGE') "
            "ORDER BY g.rolname) AS groups "
            "FROM pg_roles AS r WHERE r.rolname = current_user"
        ),
        {"groups": list(GROUP_ROLES)},
    ).one()
    return DatabaseLogin(
        name=str(row.name), superuser=bool(row.superuser), groups=tuple(row.groups)
    )


def check_database_login(session: Session, staff_login: str) -> None:
    """Refuse to act as ``staff_login`` when a confined database login is someone else.

    When the connection's login is a member of a cctui group role (a staff member's own
    login on a shared server), the staff identity must be that same login, so nobody acts
    as a colleague with their own database rights. Connections as the schema owner, a
    superuser or any login outside the cctui groups (single-user and embedded setups) are
    not checked.
    """
    login = connected_login(session)
    if login.confined and login.name != staff_login:
        raise DatabaseLoginMismatch(login.name, staff_login)


def may_run_daily_check(session: Session) -> bool:
    """True when the connected login may write the daily check's run (controllers and up)."""
    return bool(
        session.execute(text("SELECT has_table_privilege('daily_check_run', 'INSERT')")).scalar()
    )


def login_role_exists(session: Session, login: str) -> bool:
    """True when a database role named ``login`` exists on the server."""
    found = session.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": login})
    return found is not None


def place_login_role(session: Session, login: str, role: Role | str, *, create: bool) -> bool:
    """Put the login role ``login`` in the group of ``role`` (and in no other cctui group).

    ``create``: make the login role first when it does not exist (``LOGIN``, no password:
    the server authenticates it by peer, or a password the DBA sets). Returns True when the
    role was created. Runs in the caller's transaction, so a refused step undoes the rest.
    """
    wanted = group_role(role)
    if wanted not in existing_groups(session):
        raise DatabaseRolesError(
            f"The group role {wanted} does not exist; run `cctui db roles` first."
        )
    if login in GROUP_ROLES:
        raise ValidationError(f"{login!r} is the name of a cctui group role, not of a person.")
    _refuse_special(session, login)
    created = False
    if not login_role_exists(session, login):
        if not create:
            raise DatabaseRolesError(f"There is no database login {login!r} on this server.")
        _run(
            session,
            f"CREATE ROLE {quote_ident(login)} LOGIN IN ROLE {quote_ident(wanted)}",
            f"create the database login {login!r}",
        )
        created = True
    for name in GROUP_ROLES:
        if name != wanted and _is_direct_member(session, login, name):
            _run(
                session,
                f"REVOKE {quote_ident(name)} FROM {quote_ident(login)}",
                f"take {login!r} out of {name}",
            )
    if not _is_direct_member(session, login, wanted):
        _run(
            session,
            f"GRANT {quote_ident(wanted)} TO {quote_ident(login)}",
            f"put {login!r} in {wanted}",
        )
    return created


def _refuse_special(session: Session, login: str) -> None:
    """cctui manages people's logins only: never a superuser nor the login it is using."""
    row = session.execute(
        text("SELECT rolsuper, rolname = current_user AS me FROM pg_roles WHERE rolname = :name"),
        {"name": login},
    ).first()
    if row is not None and (row.rolsuper or row.me):
        what = "a superuser" if row.rolsuper else "the login this connection uses"
        raise DatabaseRolesError(
            f"The database login {login!r} is {what}; cctui puts only staff members' own "
            "logins in its group roles."
        )


def _is_direct_member(session: Session, login: str, group: str) -> bool:
    found = session.scalar(
        text(
            "SELECT 1 FROM pg_auth_members AS m "
            "JOIN pg_roles AS g ON g.oid = m.roleid JOIN pg_roles AS u ON u.oid = m.member "
            "WHERE g.rolname = :group AND u.rolname = :login"
        ),
        {"group": group, "login": login},
    )
    return found is not None


def login_groups(session: Session, logins: Iterable[str]) -> dict[str, str | None]:
    """For each login, its cctui group (the highest it is directly in), or None if it has a
    database login outside the groups; logins with no database role are left out."""
    wanted = list(logins)
    rows = session.execute(
        text(
            "SELECT u.rolname AS login, g.rolname AS grp FROM pg_roles AS u "
            "LEFT JOIN pg_auth_members AS m ON m.member = u.oid "
            "LEFT JOIN pg_roles AS g ON g.oid = m.roleid AND g.rolname = ANY(:groups) "
            "WHERE u.rolname = ANY(:logins)"
        ),
        {"logins": wanted, "groups": list(GROUP_ROLES)},
    )
    found: dict[str, str | None] = {}
    for row in rows:
        current = found.get(row.login)
        if row.grp is not None and (
            current is None or GROUP_ROLES.index(row.grp) > GROUP_ROLES.index(current)
        ):
            found[row.login] = str(row.grp)
        else:
            found.setdefault(str(row.login), current)
    return found
