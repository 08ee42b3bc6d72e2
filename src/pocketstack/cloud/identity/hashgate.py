"""Admission control for password hashing: a few bcrypt checks at a time, a short queue, and
the CPU they take given away first whenever anything else in the machine wants it.

Every password login costs one bcrypt check (a quarter of a second of CPU at 12 rounds), and an
unauthenticated client can ask for as many as it likes. Within one worker process:

- at most `concurrency` checks run at once, in threads of their own whose scheduling priority
  is lowered (Linux: the SCHED_IDLE policy), so token validations and listings running beside
  them in the same process or another are hardly slowed;
- at most `queue` more wait, best first: a lower `priority` number goes first (the caller
  passes the recent password attempts of the request's source, so a client that keeps trying
  waits behind one that logs in now and then); a better request arriving at a full queue takes
  the place of the worst waiting one, which is refused;
- anything beyond is refused at once with 429 and a Retry-After of the queue's expected wait.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import math
import os
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from pocketstack.cloud.errors import TooManyRequests

T = TypeVar("T")

# Scheduling of the hashing threads (Linux): SCHED_IDLE, so that any other thread waking up
# preempts them at once (a token validation is not queued behind a slice of bcrypt), while they
# still get a small share of a machine that stays busy; nice 19 where SCHED_IDLE is refused.
HASHING_NICE = 19
BUSY_MESSAGE = "Too many password checks are in progress; try again later."
# What a check is assumed to cost before one has been timed (bcrypt at 12 rounds).
_FIRST_ESTIMATE_S = 0.25


def _lower_thread_priority() -> None:
    # On Linux a thread is a task with its own policy and nice value; elsewhere a thread id
    # would name a process, so the priority is left alone there.
    if not sys.platform.startswith("linux"):
        return
    tid = threading.get_native_id()
    try:
        os.sched_setscheduler(tid, os.SCHED_IDLE, os.sched_param(0))
    except (OSError, AttributeError):
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, tid, HASHING_NICE)


@dataclasses.dataclass(order=True)
class _Ticket:
    priority: int
    seq: int
    granted: bool = dataclasses.field(default=False, compare=False)
    refused: bool = dataclasses.field(default=False, compare=False)


class HashGate:
    def __init__(self, *, concurrency: int, queue: int) -> None:
        if concurrency < 1 or queue < 0:
            raise ValueError("hash_concurrency must be at least 1 and hash_queue at least 0")
        self.concurrency = concurrency
        self.queue = queue
        self._cond = threading.Condition()
        self._running = 0
        self._waiting: list[_Ticket] = []
        self._seq = itertools.count()
        self._mean_s = _FIRST_ESTIMATE_S
        # Threads start on first use: never in a process that forks afterwards (serve's master).
        self._executor = ThreadPoolExecutor(
            max_workers=concurrency,
            thread_name_prefix="password-hash",
            initializer=_lower_thread_priority,
        )

    def run(self, check: Callable[[], T], *, priority: int = 0) -> T:
        """`check()` on a hashing thread once admitted; TooManyRequests when refused."""
        self._admit(priority)
        try:
            start = time.monotonic()
            result = self._executor.submit(check).result()
            self._observe(time.monotonic() - start)
            return result
        finally:
            self._release()

    def _admit(self, priority: int) -> None:
        with self._cond:
            if self._running < self.concurrency and not self._waiting:
                self._running += 1
                return
            if len(self._waiting) >= self.queue:
                worst = max(self._waiting) if self._waiting else None
                if worst is None or worst.priority <= priority:
                    raise self._busy()
                worst.refused = True
                self._waiting.remove(worst)
                self._cond.notify_all()
            ticket = _Ticket(priority, next(self._seq))
            self._waiting.append(ticket)
            while not (ticket.granted or ticket.refused):
                self._cond.wait()
            if ticket.refused:
                raise self._busy()

    def _release(self) -> None:
        with self._cond:
            self._running -= 1
            if self._waiting:
                best = min(self._waiting)
                self._waiting.remove(best)
                best.granted = True
                self._running += 1
                self._cond.notify_all()

    def _observe(self, seconds: float) -> None:
        with self._cond:
            self._mean_s = 0.8 * self._mean_s + 0.2 * seconds

    def _busy(self) -> TooManyRequests:
        # Called with the lock held: what is ahead of a newcomer, over the checks running at once.
        ahead = self._running + len(self._waiting)
        wait = math.ceil(ahead * self._mean_s / self.concurrency)
        return TooManyRequests(BUSY_MESSAGE, retry_after=wait)
