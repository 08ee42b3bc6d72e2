"""Recent attempts per key (a client address), counted in memory that every worker of a node
shares: made by the serving master before it forks, so a flooding client is known as such by a
worker it has not reached yet.

The counts are a small count-min sketch (two rows of counters, keyed by a salted hash, so an
outsider cannot choose addresses that collide) in two time planes: the current window and the
one before, weighted by how much of it still lies within the last `window` seconds. Counts may
run high (collisions) and, rarely, low (two processes adding to one counter at the same instant);
they order a queue, they do not decide a refusal, so neither matters. No lock is taken: a
counter is a 4-byte aligned word, written whole; at a window's turn two workers may both clear
the new plane and lose a few counts; a worker that finds a plane on a newer window than its own
clock's leaves it alone.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import time
from collections.abc import Callable

ROWS = 2
WIDTH = 8192
# Per plane: its window number (8 bytes), then ROWS * WIDTH 32-bit counters.
_PLANE_WORDS = 2 + ROWS * WIDTH
_COUNTER_MAX = 2**32 - 1


class AttemptCounts:
    def __init__(self, *, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        # A window of 0 (or less) counts nothing, as the throttle's own failure windows do.
        self.window = window
        # CLOCK_MONOTONIC is one clock for the whole machine, so forked workers agree on it.
        self._clock = clock
        self._salt = os.urandom(16)
        # Anonymous and MAP_SHARED (mmap's default on Unix): children forked later see our
        # writes and we theirs.
        self._memory = mmap.mmap(-1, 2 * _PLANE_WORDS * 4)
        self._words = memoryview(self._memory).cast("I")

    def _slots(self, key: str) -> tuple[int, ...]:
        digest = hashlib.blake2b(key.encode(), digest_size=4 * ROWS, key=self._salt).digest()
        return tuple(
            row * WIDTH + int.from_bytes(digest[4 * row : 4 * row + 4], "little") % WIDTH
            for row in range(ROWS)
        )

    def _plane(self, number: int) -> int:
        return (number % 2) * _PLANE_WORDS

    def _plane_number(self, base: int) -> int:
        return self._words[base] | (self._words[base + 1] << 32)

    def _current_plane(self, number: int) -> int | None:
        base = self._plane(number)
        held = self._plane_number(base)
        if held > number:
            # Another worker moved on while this one stalled: its late attempt is not worth
            # undoing the newer window for.
            return None
        if held < number:
            # The plane held a window two or more back: start it afresh.
            self._words[base + 2 : base + _PLANE_WORDS] = _ZEROS
            self._words[base] = number & 0xFFFFFFFF
            self._words[base + 1] = number >> 32
        return base

    def record(self, key: str) -> None:
        if self.window <= 0:
            return
        number, _ = divmod(self._clock(), self.window)
        base = self._current_plane(int(number))
        if base is None:
            return
        for slot in self._slots(key):
            index = base + 2 + slot
            value = self._words[index]
            if value < _COUNTER_MAX:
                self._words[index] = value + 1

    def count(self, key: str) -> int:
        """Attempts by `key` within about the last `window` seconds."""
        if self.window <= 0:
            return 0
        number_f, into = divmod(self._clock(), self.window)
        number = int(number_f)
        slots = self._slots(key)
        total = 0.0
        for back, weight in ((0, 1.0), (1, 1.0 - into / self.window)):
            base = self._plane(number - back)
            if self._plane_number(base) != number - back:
                continue
            total += weight * min(self._words[base + 2 + slot] for slot in slots)
        return round(total)


_ZEROS = memoryview(bytes(ROWS * WIDTH * 4)).cast("I")
