"""A user's resource options (Keystone's `options`): kept as set, answered with the user.

A create or update sets each option it names; one set to null is removed (Keystone's way of
unsetting an option), the others stay as they were. The request schema has checked the names
and the values' shapes already. The MFA ones are enforced at token issue (mfa.py);
`ignore_password_expiry`, `lock_password` (no change of one's own password) and
`ignore_lockout_failure_attempts` bend the password rules (password_rules.py, authn.py); the
others are kept and shown, as Keystone shows them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from pocketstack.cloud.identity.directory import Reader
from pocketstack.cloud.store.models.identity import User
from pocketstack.cloud.store.models.identity_catalog import UserOption

MFA_ENABLED = "multi_factor_auth_enabled"
MFA_RULES = "multi_factor_auth_rules"
IGNORE_PASSWORD_EXPIRY = "ignore_password_expiry"
LOCK_PASSWORD = "lock_password"
IGNORE_LOCKOUT = "ignore_lockout_failure_attempts"


def load(session: Reader, user_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    ids = list(user_ids)
    if not ids:
        return {}
    found: dict[str, dict[str, Any]] = {}
    query = select(UserOption.user_id, UserOption.option_name, UserOption.value).where(
        UserOption.user_id.in_(ids)
    )
    for user_id, name, value in session.execute(query):
        found.setdefault(user_id, {})[name] = json.loads(value)
    return found


# Built once: every password login reads the user's options (mfa.py), and building the
# statement costs more than SQLite takes to run it.
_OF_USER = select(UserOption.option_name, UserOption.value).where(
    UserOption.user_id == bindparam("user_id")
)


def of(session: Reader, user_id: str) -> dict[str, Any]:
    rows = session.execute(_OF_USER, {"user_id": user_id})
    return {name: json.loads(value) for name, value in rows}


def is_set(session: Reader, user_id: str, name: str) -> bool:
    """Whether the boolean option is on for the user."""
    value = session.execute(
        select(UserOption.value).where(UserOption.user_id == user_id,
                                       UserOption.option_name == name)
    ).scalar_one_or_none()  # fmt: skip
    return value is not None and json.loads(value) is True


def apply(session: Session, user_id: str, options: dict[str, Any]) -> dict[str, Any]:
    """Set (or, null, remove) the options named; answer all the user's options. The user's row
    is locked first, so two updates at once take turns and each option has one row."""
    if options:
        session.execute(select(User.id).where(User.id == user_id).with_for_update())
    for name, value in options.items():
        row = session.get(UserOption, (user_id, name), populate_existing=True)
        if value is None:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(UserOption(user_id=user_id, option_name=name, value=json.dumps(value)))
        else:
            row.value = json.dumps(value)
    session.flush()
    return of(session, user_id)


def shown(body: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
    return {**body, "options": options}
