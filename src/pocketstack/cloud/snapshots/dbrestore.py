"""A snapshot's rows put back into the live database in one transaction: every table emptied,
children first, then filled, parents first. A request sees the state before the restore or the
one after, never a mix; writers wait for the restore (SQLite's write lock; PostgreSQL's EXCLUSIVE
table locks, all taken at once, which still let readers read the old state until the commit;
InnoDB's locks on the rows and gaps the DELETEs cover).

Foreign keys: PostgreSQL checks them as rows go in, so rows of a table that refers to itself
(regions, projects, trusts) go in parents first; SQLite defers them to the commit; MariaDB's are
switched off for the restoring connection only (its session variable), as mysqldump does.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import Integer, Table, delete
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from pocketstack.cloud.snapshots import rawrows, stale_tokens
from pocketstack.cloud.snapshots.dbcopy import revision, snapshot_engine, tables
from pocketstack.cloud.snapshots.layout import SnapshotError
from pocketstack.cloud.store.db import Store

# PostgreSQL: seconds of trying to take every table's lock at once before waiting for them.
LOCK_PATIENCE = 10.0
LOCK_RETRY = 0.05
# The schema name a snapshot is attached under on SQLite.
ATTACHED = "pocketstack_snapshot"


def check_revision(store: Store, expected: str) -> None:
    with store.read() as conn:
        found = revision(conn)
    if found != expected:
        raise SnapshotError(
            f"the snapshot is of schema revision {expected}, the database is at {found}: "
            "restore it into a cloud of that version"
        )


def restore_database(store: Store, snapshot: Path, *, expected_revision: str) -> int:
    """Replace every row of the live database by the snapshot's; the rows put back."""
    source = snapshot_engine(snapshot)
    try:
        with source.connect() as src:
            if revision(src) != expected_revision:
                raise SnapshotError("the snapshot's database does not match its manifest")
            deadline = time.monotonic() + LOCK_PATIENCE
            while True:
                try:
                    return _restore_once(store, src, snapshot, wait=time.monotonic() > deadline)
                except OperationalError as exc:
                    if not _lock_unavailable(exc):
                        raise
                time.sleep(LOCK_RETRY)
    finally:
        source.dispose()


def _restore_once(store: Store, src: Connection, snapshot: Path, *, wait: bool) -> int:
    dialect = store.engine.dialect.name
    options: dict[str, Any] = {}
    if dialect == "sqlite":
        # BEGIN IMMEDIATE: the write lock from the start (db.py's begin hook).
        options = {"sqlite_write": True}
    elif dialect != "postgresql":
        # The engine's READ COMMITTED takes no gap locks: a concurrent INSERT would slip in
        # between the DELETEs and the snapshot's rows. REPEATABLE READ's next-key locks stop it.
        options = {"isolation_level": "REPEATABLE READ"}
    with store.engine.connect().execution_options(**options) as live:
        # SQLite: the snapshot attached, and each table copied by one INSERT ... SELECT inside
        # the engine; nothing crosses into Python (ten times faster at 100k servers).
        attached = dialect == "sqlite"
        if attached:
            # Outside any transaction (SQLite refuses ATTACH within one): the driver's own.
            _driver(live).execute(f"ATTACH DATABASE ? AS {ATTACHED}", (str(snapshot),))
        try:
            with live.begin():
                if dialect == "postgresql":
                    _lock_tables(live, wait=wait)
                return _replace_rows(live, src, attached=attached)
        finally:
            if attached:
                _driver(live).execute(f"DETACH DATABASE {ATTACHED}")


def _driver(live: Connection) -> Any:
    return live.connection.driver_connection


def _lock_tables(live: Connection, *, wait: bool) -> None:
    """Every table, at once or not at all (NOWAIT): a restore that waited for a table while
    holding others could deadlock with a writer going the other way. Readers still read."""
    names = ", ".join(live.dialect.identifier_preparer.format_table(t) for t in tables())
    live.exec_driver_sql(f"LOCK TABLE {names} IN EXCLUSIVE MODE{'' if wait else ' NOWAIT'}")


def _lock_unavailable(exc: OperationalError) -> bool:
    return getattr(exc.orig, "sqlstate", None) == "55P03"


def _replace_rows(live: Connection, src: Connection, *, attached: bool) -> int:
    dialect = live.dialect.name
    ordered = tables()
    if dialect == "sqlite":
        live.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
    elif dialect != "postgresql":
        live.exec_driver_sql("SET SESSION foreign_key_checks = 0")
    try:
        # Read before the rows go: the tokens issued meanwhile depend on them.
        went, kept = stale_tokens.read(live), stale_tokens.read(src)
        for table in reversed(ordered):
            live.execute(delete(table))
        rows = 0
        for table in ordered:
            parent = _self_reference(table)
            if attached:
                rows += _copy_attached(live, table)
            elif parent is None:
                rows += rawrows.copy_table(src, live, table)
            else:
                rows += _copy_tree(src, live, table, parent)
        if dialect == "postgresql":
            _move_sequences(live, ordered)
        stale_tokens.revoke(live, went, kept, now=dt.datetime.now(dt.UTC))
        return rows
    finally:
        if dialect not in ("sqlite", "postgresql"):
            live.exec_driver_sql("SET SESSION foreign_key_checks = 1")


def _copy_attached(live: Connection, table: Table) -> int:
    quote = live.dialect.identifier_preparer
    name = quote.format_table(table)
    columns = ", ".join(quote.quote(c.name) for c in table.columns)
    done = live.exec_driver_sql(
        f"INSERT INTO main.{name} ({columns}) SELECT {columns} FROM {ATTACHED}.{name}"
    )
    return int(done.rowcount)


def _self_reference(table: Table) -> tuple[str, str] | None:
    """(child column, parent column) of a table's foreign key to itself."""
    for fk in table.foreign_keys:
        if fk.column.table is table:
            return fk.parent.key, fk.column.key
    return None


def _copy_tree(src: Connection, live: Connection, table: Table, parent: tuple[str, str]) -> int:
    keys = [c.key for c in table.columns]
    child_at, parent_at = keys.index(parent[0]), keys.index(parent[1])
    rows = [row for batch in rawrows.read(src, table) for row in batch]
    ordered = list(_parents_first(rows, child_at, parent_at))
    rawrows.write(live, table, ordered)
    return len(ordered)


def _parents_first(rows: list[rawrows.Row], child: int, parent: int) -> Iterable[rawrows.Row]:
    """PostgreSQL checks each row's reference to its own table as it goes in."""
    placed: set[Any] = set()
    waiting = rows
    while waiting:
        ready = [r for r in waiting if r[child] is None or r[child] in placed]
        if not ready:
            # A reference to a row that is not there (or a loop): SQLite's and MariaDB's
            # unchecked rows; kept as they were, the database judges them.
            yield from waiting
            return
        yield from ready
        placed.update(r[parent] for r in ready)
        waiting = [r for r in waiting if not (r[child] is None or r[child] in placed)]


def _move_sequences(live: Connection, ordered: list[Table]) -> None:
    """Each serial column's sequence past the largest id put back: the ids were written, not
    drawn, and the next insert would otherwise take one of them (MariaDB's and SQLite's counters
    follow the largest id by themselves)."""
    quote = live.dialect.identifier_preparer
    for table in ordered:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, Integer):
            continue
        name, column = quote.format_table(table), quote.quote(pk[0].name)
        live.exec_driver_sql(
            f"SELECT setval(seq, coalesce((SELECT max({column}) FROM {name}), 0) + 1, false) "
            f"FROM pg_get_serial_sequence(%(t)s, %(c)s) AS seq WHERE seq IS NOT NULL",
            {"t": name, "c": pk[0].name},
        )
