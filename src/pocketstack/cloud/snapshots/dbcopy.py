"""The database's rows copied into one SQLite file, consistent while the cloud writes.

SQLite: the backup API, which copies every page in one step under one read transaction.
PostgreSQL and MariaDB: a logical copy through SQLAlchemy inside one REPEATABLE READ transaction
(both give every statement of such a transaction the view of its first read, and neither blocks
writers for it). Not pg_dump or mysqldump: they need client binaries of a matching version on
the machine, and their output could only be loaded back by those binaries, outside the restore's
one transaction (dbrestore.py).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy import Table, create_engine, func, select, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.schema import CreateTable

from pocketstack.cloud.snapshots import rawrows
from pocketstack.cloud.snapshots.layout import SnapshotError
from pocketstack.cloud.store.base import Base

REVISION_QUERY = "SELECT version_num FROM alembic_version"


def tables() -> list[Table]:
    """Every table of the schema, parents before children."""
    import pocketstack.cloud.store.models  # noqa: F401  (registers the tables)

    return list(Base.metadata.sorted_tables)


def revision(conn: Connection) -> str:
    found = conn.exec_driver_sql(REVISION_QUERY).scalar()
    if not found:
        raise SnapshotError("the database has no schema; run `pocketstack manage db-upgrade`")
    return str(found)


def _private_file(path: Path) -> None:
    # SQLite keeps the mode of a file that exists: the copy holds password hashes.
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def snapshot_engine(path: Path) -> Engine:
    return create_engine(f"sqlite:///{path}")


def copy_database(engine: Engine, target: Path) -> tuple[str, int]:
    """Copy the rows of `engine`'s database into a new SQLite file; (revision, rows)."""
    _private_file(target)
    if engine.dialect.name == "sqlite":
        _backup(engine, target)
    else:
        _logical_copy(engine, target)
    copy = snapshot_engine(target)
    try:
        with copy.connect() as conn:
            rows = sum(conn.execute(select(func.count()).select_from(t)).scalar_one()
                       for t in tables())  # fmt: skip
            return revision(conn), rows
    finally:
        copy.dispose()


def _backup(engine: Engine, target: Path) -> None:
    database = make_url(engine.url).database
    if not database or database == ":memory:":
        raise SnapshotError("an in-memory SQLite database cannot be snapshotted")
    source = sqlite3.connect(database, timeout=30)
    dest = sqlite3.connect(target)
    try:
        source.backup(dest)
        # One self-contained file: no -wal or -shm beside it.
        dest.execute("PRAGMA journal_mode=DELETE")
    finally:
        dest.close()
        source.close()


def _logical_copy(engine: Engine, target: Path) -> None:
    copy = snapshot_engine(target)
    try:
        with copy.begin() as dst:
            # No journal and no sync per statement: the file is unseen until it is whole (a
            # partial snapshot directory is published by a rename), and synced once at the end.
            dst.exec_driver_sql("PRAGMA journal_mode=OFF")
            dst.exec_driver_sql("PRAGMA synchronous=OFF")
            # The tables without their indexes: a restore reads each table whole.
            for table in tables():
                dst.execute(CreateTable(table))
            dst.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32))")
            with engine.connect().execution_options(isolation_level="REPEATABLE READ") as src:
                # The first read fixes the transaction's view: every table below is of it.
                dst.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": revision(src)})
                for table in tables():
                    rawrows.copy_table(src, dst, table)
                src.rollback()
    finally:
        copy.dispose()
    fd = os.open(target, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
