"""The movable clock: real time (or the clock it wraps) plus an offset kept in the database, so
that every worker sees the same time and a test can move it past a token's expiry.

The same row holds the driver delay a test set (None: the configured one), read with the offset.
A request reads both once (`pinned`, by the WSGI wrapper in inject.py): every `now()` and every
delay of that request agree with the others. Outside a request (the front door's token check
before an upload) each `now()` reads them.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterator
from typing import NamedTuple

from sqlalchemy import select, update

from pocketstack.cloud.clock import Clock
from pocketstack.cloud.store.db import Store
from pocketstack.cloud.store.models.fault_controls import ClockOffset

_ROW = 1
# How far ahead the cloud may run in all: a century keeps every timestamp a datetime.
MAX_OFFSET_US = 100 * 366 * 86400 * 1_000_000
# A day: longer than any test waits for a server to leave BUILD.
MAX_DELAY = 86400.0


class State(NamedTuple):
    offset: dt.timedelta
    # Seconds; None: the configured delay.
    driver_delay: float | None


_PINNED: contextvars.ContextVar[State | None] = contextvars.ContextVar(
    "pocketstack_clock_state", default=None
)


def read_state(store: Store) -> State:
    with store.read() as conn:
        row = conn.execute(
            select(ClockOffset.offset_us, ClockOffset.driver_delay_ms).where(ClockOffset.id == _ROW)
        ).first()
    if row is None:
        return State(dt.timedelta(0), None)
    micros, delay_ms = row
    delay = None if delay_ms is None else delay_ms / 1000
    return State(dt.timedelta(microseconds=micros or 0), delay)


def read_offset(store: Store) -> dt.timedelta:
    return read_state(store).offset


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


def set_driver_delay(store: Store, seconds: float | None) -> None:
    """The delay every worker's driver uses from the next request on; None: the configured one."""
    delay_ms = None if seconds is None else round(seconds * 1000)
    with store.session(write=True) as session:
        session.execute(
            update(ClockOffset).where(ClockOffset.id == _ROW).values(driver_delay_ms=delay_ms)
        )


class ControlledClock:
    def __init__(self, base: Clock, store: Store) -> None:
        self.base = base
        self._store = store

    def _state(self) -> State:
        state = _PINNED.get()
        return read_state(self._store) if state is None else state

    def now(self) -> dt.datetime:
        return self.base.now() + self._state().offset

    def driver_delay(self, configured: float) -> float:
        """The delay a test set, else `configured`."""
        delay = self._state().driver_delay
        return configured if delay is None else delay

    @contextlib.contextmanager
    def pinned(self) -> Iterator[State]:
        """The offset and the delay read once for the length of a request."""
        state = read_state(self._store)
        token = _PINNED.set(state)
        try:
            yield state
        finally:
            _PINNED.reset(token)
