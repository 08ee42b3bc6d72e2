"""Keystone's `[security_compliance]` password rules, from the cloud's configuration (each off
unless configured): expiry, the history a user's own change may not reuse, the minimum age
before that change, and the expression every password set must match.

Expiry is counted from when the password was set (`password_created_at`) at each check, so a
rule turned on later, or the test clock moved forward, applies to the passwords already set.
Neither the history nor the minimum age binds an administrator resetting a password, as in
Keystone; the expression binds everyone.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from pocketstack.cloud.config import CloudConfig
from pocketstack.cloud.errors import BadRequest, Forbidden, Unauthorized
from pocketstack.cloud.identity import user_options
from pocketstack.cloud.identity.passwords import PasswordHasher
from pocketstack.cloud.store.db import Store
from pocketstack.cloud.store.models.identity import PasswordHistory


class PasswordExpired(Unauthorized):
    def __init__(self, user_id: str) -> None:
        super().__init__(
            f"The password is expired and needs to be changed for user: {user_id}."
        )


class PasswordRules:
    def __init__(self, config: CloudConfig) -> None:
        days = config.password_expires_days
        self.lifetime = dt.timedelta(days=days) if days is not None else None
        self.unique_count = config.unique_last_password_count
        self.minimum_age = dt.timedelta(days=config.minimum_password_age)
        self.regex = re.compile(config.password_regex) if config.password_regex else None
        self.regex_description = config.password_regex_description

    # --- every password set -----------------------------------------------------------------

    def check_new(self, password: str) -> None:
        if self.regex is not None and self.regex.match(password) is None:
            why = self.regex_description or "it does not match the configured expression"
            raise BadRequest(f"Password validation error: The password does not meet the"
                             f" requirements: {why}.")  # fmt: skip

    def expires_at(self, created_at: dt.datetime | None, *,
                   options: dict[str, Any]) -> dt.datetime | None:  # fmt: skip
        if self.lifetime is None or created_at is None:
            return None
        if options.get(user_options.IGNORE_PASSWORD_EXPIRY) is True:
            return None
        return created_at + self.lifetime

    def require_unexpired(self, store: Store, user_id: str, created_at: dt.datetime | None,
                          now: dt.datetime) -> None:  # fmt: skip
        """At a password login (a change of one's own password may use an expired one). The
        user's options are read only for a password past its time."""
        if self.lifetime is None or created_at is None or now < created_at + self.lifetime:
            return
        with store.read() as conn:
            if user_options.is_set(conn, user_id, user_options.IGNORE_PASSWORD_EXPIRY):
                return
        raise PasswordExpired(user_id)

    # --- a user's own change ----------------------------------------------------------------

    @staticmethod
    def check_unlocked(session: Session | Connection, user_id: str) -> None:
        if user_options.is_set(session, user_id, user_options.LOCK_PASSWORD):
            raise Forbidden(
                "You cannot change your password: the password of this user is locked. Ask an"
                " administrator to reset it."
            )

    def check_age(self, created_at: dt.datetime | None, now: dt.datetime) -> None:
        if not self.minimum_age or created_at is None:
            return
        if now < created_at + self.minimum_age:
            left = created_at + self.minimum_age - now
            days = self.minimum_age.days
            raise BadRequest(
                "Password validation error: You cannot change your password at this time due"
                f" to the minimum password age. A password must be used for {days} day(s)"
                f" before it can be changed; try again in {left.days + 1} day(s) or ask an"
                " administrator to reset it."
            )

    def earlier(self, session: Session | Connection, user_id: str) -> list[str]:
        """The kept hashes a new password must not match (read before the check: bcrypt runs
        outside any transaction)."""
        keep = self.unique_count - 1
        if keep < 1:
            return []
        return list(
            session.execute(
                select(PasswordHistory.password_hash)
                .where(PasswordHistory.user_id == user_id)
                .order_by(PasswordHistory.seq.desc())
                .limit(keep)
            ).scalars()
        )

    def check_history(self, hasher: PasswordHasher, *, original: str, new: str,
                      earlier: list[str]) -> None:  # fmt: skip
        """The new password may be none of the last `unique_count`: the current one (the
        original the user just proved) and the `earlier` ones."""
        if self.unique_count < 1:
            return
        refused = BadRequest(
            "Password validation error: The new password cannot be identical to a previous"
            f" password. The last {self.unique_count} passwords, counting the new one, must"
            " differ."
        )
        if new == original or any(hasher.verify(new, hashed) for hashed in earlier):
            raise refused

    def remember(self, session: Session, *, user_id: str, replaced: str | None,
                 now: dt.datetime) -> None:  # fmt: skip
        """The hash a new password replaces joins the history; what no rule needs goes."""
        keep = self.unique_count - 1
        if keep < 1 or replaced is None:
            return
        session.add(PasswordHistory(user_id=user_id, password_hash=replaced, created_at=now))
        session.flush()
        newest = (
            select(PasswordHistory.seq)
            .where(PasswordHistory.user_id == user_id)
            .order_by(PasswordHistory.seq.desc())
            .limit(keep)
        )
        kept = list(session.execute(newest).scalars())
        session.execute(
            delete(PasswordHistory).where(
                PasswordHistory.user_id == user_id, PasswordHistory.seq.not_in(kept)
            )
        )
