"""The Store: one engine per process and request-scoped sessions."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 10_000


def _sqlite_on_connect(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets readers run beside the single writer; foreign keys are off by default in SQLite.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_on_begin(conn: Any) -> None:
    # pysqlite's own transaction handling defers BEGIN; take the write lock up front instead of
    # failing with "database is locked" on the first write of a read-then-write transaction.
    write = conn.get_execution_options().get("sqlite_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "isolation_level": None}
        )
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    if url.startswith("mysql") or url.startswith("mariadb"):
        return create_engine(
            url, pool_pre_ping=True, pool_recycle=3600, isolation_level="READ COMMITTED"
        )
    return create_engine(url, pool_pre_ping=True)


class Store:
    """Owns the engine; hands out one session per unit of work (a request, a command)."""

    def __init__(self, url: str, *, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine or make_engine(url)
        self.session_factory = sessionmaker(self.engine, expire_on_commit=False)
        self._write_factory = self.session_factory
        if self.engine.dialect.name == "sqlite":
            self._write_factory = sessionmaker(
                self.engine.execution_options(sqlite_write=True), expire_on_commit=False
            )

    @contextlib.contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        """A session committed on success and rolled back on error.

        `write=True` matters on SQLite only: it takes the write lock at BEGIN.
        """
        factory = self._write_factory if write else self.session_factory
        with factory() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()
