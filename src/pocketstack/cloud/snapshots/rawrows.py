"""Rows moved between the live database and a snapshot's SQLite file as the drivers give them,
without SQLAlchemy's per-value processing (five to ten times the cost of the move itself at
100k servers). The schema has strings, integers, booleans and UTC times only: a time goes into
SQLite as the text SQLAlchemy writes there, a boolean as 0 or 1; out of SQLite both go to the
other databases as they are (PostgreSQL's COPY reads '1'/'0' as booleans, MariaDB's booleans are
integers).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Connection

# Rows moved per statement: big enough to amortise round trips, small enough for memory.
BATCH = 5000
Row = tuple[Any, ...]


def columns(conn: Connection, table: Table) -> tuple[str, str]:
    """(quoted table name, quoted column list) in `conn`'s dialect."""
    quote = conn.dialect.identifier_preparer
    return quote.format_table(table), ", ".join(quote.quote(c.name) for c in table.columns)


def read(conn: Connection, table: Table) -> Iterator[list[Row]]:
    """The table's rows in batches, streamed where the driver can."""
    name, cols = columns(conn, table)
    result = conn.execution_options(stream_results=True, max_row_buffer=BATCH).exec_driver_sql(
        f"SELECT {cols} FROM {name}"
    )
    for part in result.partitions(BATCH):
        yield [tuple(row) for row in part]


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        # SQLAlchemy's SQLite DATETIME text: what the models read back.
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, bool):
        return int(value)
    return value


def write(conn: Connection, table: Table, rows: Sequence[Row]) -> None:
    """`rows` into `table` on `conn` (SQLite, PostgreSQL or MariaDB), in its transaction."""
    if not rows:
        return
    name, cols = columns(conn, table)
    dialect = conn.dialect.name
    if dialect == "postgresql":
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY {name} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    if dialect == "sqlite":
        marks = ", ".join("?" * len(table.columns))
        rows = [tuple(_sqlite_value(v) for v in row) for row in rows]
    else:
        marks = ", ".join(["%s"] * len(table.columns))
    conn.exec_driver_sql(f"INSERT INTO {name} ({cols}) VALUES ({marks})", list(rows))


def copy_table(src: Connection, dst: Connection, table: Table) -> int:
    moved = 0
    for rows in read(src, table):
        write(dst, table, rows)
        moved += len(rows)
    return moved
