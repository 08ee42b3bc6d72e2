"""The `totp` auth method's payload as a typed value, checked as Keystone checks it in code.

Keystone looks the user up by name (with its domain) when a name is given, else by id, and
names the first thing missing in its ValidationError words. The passcode is not checked here:
a missing or non-string one simply matches no credential (a 401, as Keystone answers it).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from pocketstack.cloud.identity.errors import ValidationError

METHOD = "totp"


@dataclasses.dataclass(frozen=True, kw_only=True)
class TotpLogin:
    passcode: str | None
    user_id: str | None = None
    user_name: str | None = None
    domain_id: str | None = None
    domain_name: str | None = None

    def __repr__(self) -> str:
        # A passcode is short-lived, but still a credential: never in a log line.
        return f"TotpLogin(user_id={self.user_id!r}, user_name={self.user_name!r}, passcode=***)"


def parse_totp_login(payload: dict[str, Any]) -> TotpLogin:
    if "user" not in payload:
        raise ValidationError(attribute="user", target=METHOD)
    user = payload["user"]
    passcode = user.get("passcode")
    passcode = passcode if isinstance(passcode, str) else None
    if user.get("name"):
        if "domain" not in user:
            raise ValidationError(attribute="domain", target="user")
        domain = user["domain"]
        if domain.get("name"):
            return TotpLogin(passcode=passcode, user_name=user["name"], domain_name=domain["name"])
        if domain.get("id"):
            return TotpLogin(passcode=passcode, user_name=user["name"], domain_id=domain["id"])
        raise ValidationError(attribute="id or name", target="domain")
    if user.get("id"):
        return TotpLogin(passcode=passcode, user_id=user["id"])
    raise ValidationError(attribute="id or name", target="user")
