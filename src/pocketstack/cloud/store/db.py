"""The Store: one engine per process, request-scoped sessions, and bare read connections."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 10_000
# A pooled connection idle for longer than this is pinged before use (see _install_idle_ping).
PING_AFTER_IDLE_S = 1.0
_READ_OPTION = "pocketstack_read"


def _sqlite_on_connect(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets readers run beside the single writer; foreign keys are off by default in SQLite.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_on_begin(conn: Any) -> None:
    options = conn.get_execution_options()
    if options.get(_READ_OPTION, False):
        # A bare read (Store.read): each statement is its own implicit transaction, as on a
        # server database in autocommit; no BEGIN/COMMIT round of the driver for a lookup.
        return
    # pysqlite's own transaction handling defers BEGIN; take the write lock up front instead of
    # failing with "database is locked" on the first write of a read-then-write transaction.
    write = options.get("sqlite_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _install_idle_ping(engine: Engine) -> None:
    """Ping a pooled connection before use only when it sat idle, instead of `pool_pre_ping`.

    pool_pre_ping costs a round trip on every checkout, i.e. on every request of every service.
    A connection used a moment ago is as good as a ping; one that idled (where a server restart
    or an idle timeout may have closed it) is pinged, and a dead one is replaced before the
    request sees it.
    """
    dialect = engine.dialect

    def checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info["pocketstack_idle_since"] = time.monotonic()

    def checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("pocketstack_idle_since")
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_S:
            return
        try:
            dialect.do_ping(dbapi_conn)
        except dialect.loaded_dbapi.Error as exc:
            # The pool discards this connection and checks out (or opens) another one.
            record.info.pop("pocketstack_idle_since", None)
            raise DisconnectionError("pooled connection is dead") from exc

    event.listen(engine.pool, "checkin", checkin)
    event.listen(engine.pool, "checkout", checkout)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "isolation_level": None}
        )
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    if url.startswith("mysql") or url.startswith("mariadb"):
        engine = create_engine(url, pool_recycle=3600, isolation_level="READ COMMITTED")
    else:
        engine = create_engine(url)
    _install_idle_ping(engine)
    return engine


def _read_engine(engine: Engine) -> Engine:
    """The engine bare reads go through: no transaction around them where that saves work."""
    name = engine.dialect.name
    if name == "sqlite":
        return engine.execution_options(**{_READ_OPTION: True})
    if name == "postgresql":
        # No BEGIN before and no ROLLBACK after a lookup: two round trips fewer, and psycopg keeps
        # its prepared statements (it forgets them all on every ROLLBACK).
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    # MySQL drivers switch autocommit with a statement of their own: nothing to save there.
    return engine


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
        self._reads = _read_engine(self.engine)

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

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        """A Core connection for a few lookups that need no common snapshot (token checks).

        Each statement sees what is committed when it runs (read committed). Never write
        through it: on SQLite and PostgreSQL nothing wraps its statements in a transaction.
        """
        with self._reads.connect() as conn:
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()
