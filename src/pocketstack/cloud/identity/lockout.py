"""Optional lockout: after N failed password checks within the window, refuse until it passes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from pocketstack.cloud.clock import Clock
from pocketstack.cloud.store.db import Store
from pocketstack.cloud.store.models.identity import FailedLogin


class Lockout:
    def __init__(self, *, store: Store, clock: Clock, attempts: int | None, duration: int) -> None:
        self.store = store
        self.clock = clock
        self.attempts = attempts
        self.window = dt.timedelta(seconds=duration)

    @property
    def enabled(self) -> bool:
        return bool(self.attempts)

    def is_locked(self, *, count: int | None, last_failure_at: dt.datetime | None) -> bool:
        if not self.attempts or count is None or last_failure_at is None:
            return False
        return count >= self.attempts and self.clock.now() < last_failure_at + self.window

    def record_failure(self, user_id: str) -> None:
        if not self.enabled:
            return
        try:
            self._bump(user_id)
        except IntegrityError:
            # Two failures raced to create the counter; the row exists now.
            self._bump(user_id)

    def _bump(self, user_id: str) -> None:
        now = self.clock.now()
        with self.store.session(write=True) as session:
            row = session.execute(
                select(FailedLogin).where(FailedLogin.user_id == user_id)
            ).scalar_one_or_none()
            if row is None:
                session.add(FailedLogin(user_id=user_id, count=1, last_failure_at=now))
            elif now >= row.last_failure_at + self.window:
                # The earlier failures are too old to count towards this lockout.
                row.count = 1
                row.last_failure_at = now
            else:
                row.count += 1
                row.last_failure_at = now

    def clear(self, user_id: str) -> None:
        with self.store.session(write=True) as session:
            session.execute(delete(FailedLogin).where(FailedLogin.user_id == user_id))
