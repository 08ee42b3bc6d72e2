"""Throttling of failed password logins, per source address and per user, before any bcrypt.

Failures are counted over a sliding window in each worker process (memory only: a restart or
another worker starts afresh, which only makes the limits per worker). Past the limit of its
source address, a login is refused with 429 until the oldest counted failure leaves the window.
Past the limit of the user it names, it is refused too — unless its source has no failure in
the window: a user whose name is being guessed from elsewhere still logs in from a clean
address, at the cost of one check.

Every attempt of a source is counted too (admitted or not, whatever its outcome), in counts that
all the workers of a node share (cloud/attempts.py): that count orders the queue of password
checks (hashgate.py), so a source that keeps trying waits behind one that logs in now and then,
in every worker, including one its flood has not reached yet.
"""

from __future__ import annotations

import collections
import dataclasses
import math
import threading
import time
from collections.abc import Callable

from pocketstack.cloud.attempts import AttemptCounts
from pocketstack.cloud.errors import TooManyRequests

THROTTLED_MESSAGE = "Too many failed logins; try again later."
# Attempts of a source counted for its place in the queue; beyond, all are equally far back.
ATTEMPTS_COUNTED = 64
# Keys remembered per window; the least recently failed are forgotten first, so a flood of
# made-up user names or addresses cannot grow memory without end.
MAX_KEYS = 20_000


class FailureWindow:
    """Failure times per key within `window` seconds; only the last `limit` are kept.

    With no limit (0) one is still kept: whether a key failed lately orders the hashing queue
    and decides the per-user rule, whatever the per-source limit.
    """

    def __init__(
        self, *, window: float, limit: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.window = window
        self.limit = limit
        self._clock = clock
        self._lock = threading.Lock()
        self._times: collections.OrderedDict[str, collections.deque[float]] = (
            collections.OrderedDict()
        )

    def _recent(self, key: str, now: float) -> collections.deque[float] | None:
        times = self._times.get(key)
        if times is None:
            return None
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._times[key]
            return None
        return times

    def count(self, key: str) -> int:
        with self._lock:
            times = self._recent(key, self._clock())
            return len(times) if times else 0

    def retry_after(self, key: str) -> int | None:
        """Seconds until `key` is under its limit again; None if it is under it now."""
        if self.limit <= 0:
            return None
        with self._lock:
            now = self._clock()
            times = self._recent(key, now)
            if times is None or len(times) < self.limit:
                return None
            # The failure that must leave the window for the count to drop below the limit.
            return math.ceil(times[-self.limit] + self.window - now)

    def record(self, key: str) -> None:
        with self._lock:
            now = self._clock()
            times = self._recent(key, now)
            if times is None:
                times = collections.deque(maxlen=max(self.limit, 1))
                self._times[key] = times
            times.append(now)
            self._times.move_to_end(key)
            while len(self._times) > MAX_KEYS:
                self._times.popitem(last=False)


@dataclasses.dataclass(frozen=True, kw_only=True)
class SourceStanding:
    """A source's recent failed logins and attempts (this one not included)."""

    failures: int
    attempts: int


class LoginThrottle:
    def __init__(
        self,
        *,
        window: float,
        per_source: int,
        per_user: int,
        attempts: AttemptCounts,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sources = FailureWindow(window=window, limit=per_source, clock=clock)
        self.users = FailureWindow(window=window, limit=per_user, clock=clock)
        self.attempts = attempts

    def admit_source(self, source: str | None) -> SourceStanding:
        """The source's standing, this attempt counted; 429 past its limit of failures."""
        if source is None:
            return SourceStanding(failures=0, attempts=0)
        attempts = min(self.attempts.count(source), ATTEMPTS_COUNTED)
        self.attempts.record(source)
        wait = self.sources.retry_after(source)
        if wait is not None:
            raise TooManyRequests(THROTTLED_MESSAGE, retry_after=wait)
        return SourceStanding(failures=self.sources.count(source), attempts=attempts)

    def admit_user(self, user_key: str, *, source: SourceStanding) -> None:
        wait = self.users.retry_after(user_key)
        if wait is not None and source.failures > 0:
            raise TooManyRequests(THROTTLED_MESSAGE, retry_after=wait)

    def failed(self, source: str | None, user_key: str) -> None:
        if source is not None:
            self.sources.record(source)
        self.users.record(user_key)
