"""bcrypt password hashing, with an unknown user costing the same as a wrong password.

In a serving worker every check goes through a HashGate (hashgate.py): bounded concurrency and
queue, low CPU priority. Without one (the first-start bootstrap) checks run in the caller.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

import bcrypt

from pocketstack.cloud.identity.hashgate import HashGate

T = TypeVar("T")

# bcrypt reads at most 72 bytes; longer input is cut here (as Keystone's passlib setup does)
# rather than rejected, so long passphrases keep working.
BCRYPT_MAX_BYTES = 72


def _material(password: str) -> bytes:
    return password.encode("utf-8", "surrogatepass")[:BCRYPT_MAX_BYTES]


def _checkpw(password: bytes, hashed: bytes) -> bool:
    try:
        return bcrypt.checkpw(password, hashed)
    except ValueError:
        # A corrupt stored hash must not turn into a 500 or a login.
        return False


class PasswordHasher:
    def __init__(self, *, rounds: int, gate: HashGate | None = None) -> None:
        self.rounds = rounds
        self.gate = gate
        self._dummy: bytes | None = None
        self._lock = threading.Lock()

    def _run(self, work: Callable[[], T], priority: int) -> T:
        if self.gate is None:
            return work()
        return self.gate.run(work, priority=priority)

    def hash(self, password: str) -> str:
        material = _material(password)
        salt = bcrypt.gensalt(rounds=self.rounds)
        return self._run(lambda: bcrypt.hashpw(material, salt), 0).decode()

    def _dummy_hash(self) -> bytes:
        # Made on first use, at the configured cost, so start-up does not pay for it.
        with self._lock:
            if self._dummy is None:
                self._dummy = bcrypt.hashpw(b"no such user", bcrypt.gensalt(rounds=self.rounds))
            return self._dummy

    def verify(self, password: str, hashed: str | None, *, priority: int = 0) -> bool:
        """Constant-cost check: with no hash (unknown user, no password) a dummy hash is checked.

        `priority` orders the wait for a hashing slot (lower first); TooManyRequests when the
        gate refuses.
        """
        material = _material(password)
        if hashed is None:
            self._run(lambda: _checkpw(material, self._dummy_hash()), priority)
            return False
        try:
            stored = hashed.encode("ascii")
        except UnicodeEncodeError:
            stored = b"$corrupt"
        return self._run(lambda: _checkpw(material, stored), priority)

    def burn(self, password: str, *, priority: int = 0) -> None:
        """Spend one check's time on a request that will fail anyway."""
        self.verify(password, None, priority=priority)
