"""bcrypt password hashing, with an unknown user costing the same as a wrong password."""

from __future__ import annotations

import threading

import bcrypt

# bcrypt reads at most 72 bytes; longer input is cut here (as Keystone's passlib setup does)
# rather than rejected, so long passphrases keep working.
BCRYPT_MAX_BYTES = 72


def _material(password: str) -> bytes:
    return password.encode("utf-8", "surrogatepass")[:BCRYPT_MAX_BYTES]


class PasswordHasher:
    def __init__(self, *, rounds: int) -> None:
        self.rounds = rounds
        self._dummy: bytes | None = None
        self._lock = threading.Lock()

    def hash(self, password: str) -> str:
        return bcrypt.hashpw(_material(password), bcrypt.gensalt(rounds=self.rounds)).decode()

    def _dummy_hash(self) -> bytes:
        # Made on first use, at the configured cost, so start-up does not pay for it.
        with self._lock:
            if self._dummy is None:
                self._dummy = bcrypt.hashpw(b"no such user", bcrypt.gensalt(rounds=self.rounds))
            return self._dummy

    def verify(self, password: str, hashed: str | None) -> bool:
        """Constant-cost check: with no hash (unknown user, no password) a dummy hash is checked."""
        if hashed is None:
            bcrypt.checkpw(_material(password), self._dummy_hash())
            return False
        try:
            return bcrypt.checkpw(_material(password), hashed.encode("ascii"))
        except ValueError:
            # A corrupt stored hash must not turn into a 500 or a login.
            return False

    def burn(self, password: str) -> None:
        """Spend one check's time on a request that will fail anyway."""
        self.verify(password, None)
