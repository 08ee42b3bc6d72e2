"""The movable clock: real time (or the clock it wraps) plus an offset kept in the database, so
that every worker sees the same time and a test can move it past a token's expiry.

A request reads the offset once (`pinned`, by the WSGI wrapper in inject.py): every `now()` of
that request agrees with the others. Outside a request (the front door's token check before an
upload) each `now()` reads it.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterator

from sqlalchemy import select, update

from pocketstack.cloud.clock import Clock
from pocketstack.cloud.store.db import Store
from pocketstack.cloud.store.models.fault_controls import ClockOffset

_ROW = 1
# How far ahead the cloud may run in all: a century keeps every timestamp a datetime.
MAX_OFFSET_US = 100 * 366 * 86400 * 1_000_000
_PINNED: contextvars.ContextVar[dt.timedelta | None] = contextvars.ContextVar(
    "pocketstack_clock_offset", default=None
)


def read_offset(store: Store) -> dt.timedelta:
    with store.read() as conn:
        micros = conn.execute(select(ClockOffset.offset_us).where(ClockOffset.id == _ROW)).scalar()
    return dt.timedelta(microseconds=micros or 0)


def advance(store: Store, seconds: float) -> dt.timedelta | None:
    """Move the time forward by `seconds` (one UPDATE: concurrent advances add up); the new
    offset, or None when it would take the cloud more than MAX_OFFSET_US ahead."""
    micros = round(seconds * 1_000_000)
    with store.session(write=True) as session:
        moved = session.execute(
            update(ClockOffset)
            .where(ClockOffset.id == _ROW, ClockOffset.offset_us <= MAX_OFFSET_US - micros)
            .values(offset_us=ClockOffset.offset_us + micros)
        )
        if not moved.rowcount:  # type: ignore[attr-defined]
            return None
    return read_offset(store)


def reset(store: Store) -> None:
    with store.session(write=True) as session:
        session.execute(update(ClockOffset).where(ClockOffset.id == _ROW).values(offset_us=0))


class ControlledClock:
    def __init__(self, base: Clock, store: Store) -> None:
        self.base = base
        self._store = store

    def now(self) -> dt.datetime:
        offset = _PINNED.get()
        if offset is None:
            offset = read_offset(self._store)
        return self.base.now() + offset

    @contextlib.contextmanager
    def pinned(self) -> Iterator[dt.timedelta]:
        """The offset read once for the length of a request."""
        offset = read_offset(self._store)
        token = _PINNED.set(offset)
        try:
            yield offset
        finally:
            _PINNED.reset(token)
