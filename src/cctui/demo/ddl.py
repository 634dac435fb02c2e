"""Set foreign keys, unique constraints and secondary indexes aside during the bulk load.

Checking a foreign key row by row and inserting into a dozen indexes per row is what makes
a COPY slow; validating a foreign key once over the whole table and building an index from
sorted data is much faster (``pg_restore`` loads the same way). The definitions are read
from the catalog, so whatever the migrations made is restored exactly, in the same
transaction: a failed load leaves the schema as it was. Primary keys and check constraints
stay in place (checks cost less during the COPY, which runs while Python generates, than in
a separate pass afterwards).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

_CONSTRAINTS = """
SELECT c.contype::text, c.conrelid::regclass::text, quote_ident(c.conname),
       pg_get_constraintdef(c.oid)
FROM pg_constraint c
WHERE c.contype IN ('f', 'u') AND c.conrelid = ANY (%(tables)s::regclass[])
ORDER BY c.contype, c.conrelid::regclass::text, c.conname
"""

_INDEXES = """
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
FROM pg_index i
WHERE i.indrelid = ANY (%(tables)s::regclass[])
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
ORDER BY i.indexrelid::regclass::text
"""


@dataclass
class SetAside:
    """Constraints and indexes dropped for the load, with what recreates them."""

    foreign_keys: list[tuple[str, str, str]] = field(default_factory=list)
    """``(table, constraint name, definition)`` as the catalog quotes them."""
    uniques: list[tuple[str, str, str]] = field(default_factory=list)
    """Unique constraints (not primary keys), like :attr:`foreign_keys`."""
    indexes: list[tuple[str, str]] = field(default_factory=list)
    """``(index name, CREATE INDEX statement)``."""

    @property
    def steps(self) -> int:
        """Statements :meth:`restore` runs."""
        return len(self.foreign_keys) + len(self.uniques) + len(self.indexes)

    def restore(self, cursor: psycopg.Cursor[Any], done: Callable[[], None] | None = None) -> None:
        """Rebuild the indexes and unique constraints, then add and validate the foreign keys.

        ``done()`` (if given) is called after each statement.
        """
        statements: list[sql.SQL | sql.Composed] = [
            sql.SQL(statement) for _n, statement in self.indexes
        ]
        statements.extend(
            _add(table, [(name, definition)]) for table, name, definition in self.uniques
        )
        statements.extend(
            _add(table, [(name, definition)]) for table, name, definition in self.foreign_keys
        )
        for statement in statements:
            cursor.execute(statement)
            if done is not None:
                done()


def _add(table: str, constraints: list[tuple[str, str]]) -> sql.Composed:
    """``ALTER TABLE t ADD CONSTRAINT a ..., ADD CONSTRAINT b ...`` (names quoted already)."""
    return sql.SQL("ALTER TABLE {} {}").format(
        sql.SQL(table),
        sql.SQL(", ").join(
            sql.SQL("ADD CONSTRAINT {} {}").format(sql.SQL(name), sql.SQL(definition))
            for name, definition in constraints
        ),
    )


def set_aside(cursor: psycopg.Cursor[Any], tables: list[str]) -> SetAside:
    """Drop the foreign keys, unique constraints and secondary indexes of ``tables``.

    Returns what was dropped. Dropping needs ownership of the tables: the caller checks it,
    and a user who may only write to them loads with the constraints in place instead.
    """
    names = list(tables)
    aside = SetAside()
    cursor.execute(_CONSTRAINTS, {"tables": names})
    for kind, table, name, definition in cursor.fetchall():
        found = aside.foreign_keys if kind == "f" else aside.uniques
        found.append((table, name, definition))
    cursor.execute(_INDEXES, {"tables": names})
    aside.indexes = [(str(n), str(d)) for n, d in cursor.fetchall()]
    drops = [*aside.foreign_keys, *aside.uniques]
    for table, name, _definition in drops:
        cursor.execute(
            sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(sql.SQL(table), sql.SQL(name))
        )
    for name, _statement in aside.indexes:
        cursor.execute(sql.SQL("DROP INDEX {}").format(sql.SQL(name)))
    return aside
