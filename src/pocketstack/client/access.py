"""What a token body tells the client: the token, its scope and lifetime, and the catalog.

`AccessInfoV2` reads Keystone v2.0 `{"access": ...}` bodies, `AccessInfoV3` reads v3
`{"token": ...}` bodies (the token id itself travels in the X-Subject-Token header).
"""

from __future__ import annotations

import time

from pocketstack.client.catalog import ServiceCatalog
from pocketstack.client.errors import InvalidResponse

# Warm-path module: see docs/startup.md. A warm run only asks "does the cached token expire
# within two minutes?", answered from the timestamp text (`_fast_epoch`) without datetime;
# `expires`/`issued` still give datetimes to whoever wants them.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import datetime as _dt
    from typing import Any

__all__ = [
    "AccessInfo",
    "AccessInfoV2",
    "AccessInfoV3",
    "access_from_body",
    "parse_epoch",
    "parse_time",
]


def parse_time(value: Any) -> _dt.datetime:
    import datetime as _dt

    if not isinstance(value, str):
        raise InvalidResponse(f"Invalid timestamp in token body: {value!r}")
    try:
        parsed = _dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise InvalidResponse(f"Invalid timestamp in token body: {value!r}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_dt.UTC)
    return parsed.astimezone(_dt.UTC)


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm)."""
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


def _digits(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() else None


_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _fast_epoch(text: str) -> float | None:
    """Seconds since the epoch of `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]` (naive = UTC), or
    None for anything else (then datetime decides)."""
    if len(text) < 19 or text[4] + text[7] + text[13] + text[16] != "--::":
        return None
    if text[10] not in "Tt ":
        return None
    parts = [_digits(text[a:b]) for a, b in ((0, 4), (5, 7), (8, 10), (11, 13), (14, 16), (17, 19))]
    year, month, day, hour, minute, second = (p if p is not None else -1 for p in parts)
    if not (1 <= month <= 12 and 1 <= day <= _MONTH_DAYS[month - 1] and year >= 1):
        return None
    if month == 2 and day == 29 and not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
        return None
    if not (0 <= hour < 24 and 0 <= minute < 60 and 0 <= second < 60):
        return None
    rest = text[19:]
    fraction = 0.0
    if rest.startswith("."):
        count = len(rest) - len(rest[1:].lstrip("0123456789")) - 1
        if count == 0:
            return None
        fraction = float("0." + rest[1 : 1 + count])
        rest = rest[1 + count :]
    if rest in ("", "Z", "z"):
        offset = 0
    elif len(rest) == 6 and rest[0] in "+-" and rest[3] == ":":
        hours, minutes = _digits(rest[1:3]), _digits(rest[4:6])
        if hours is None or minutes is None or hours > 23 or minutes > 59:
            return None
        offset = (hours * 3600 + minutes * 60) * (1 if rest[0] == "+" else -1)
    else:
        return None
    days = _days_from_civil(year, month, day)
    return days * 86400 + hour * 3600 + minute * 60 + second + fraction - offset


def parse_epoch(value: Any) -> float:
    """parse_time(value) as seconds since the epoch; InvalidResponse when it is no time."""
    if isinstance(value, str):
        fast = _fast_epoch(value)
        if fast is not None:
            return fast
    return parse_time(value).timestamp()


def _name_id(value: Any) -> tuple[str | None, str | None]:
    if not isinstance(value, dict):
        return None, None
    return value.get("id"), value.get("name")


class AccessInfo:
    """Common view of a token; subclasses read the two body shapes."""

    version = ""

    def __init__(self, *, body: dict[str, Any], auth_token: str) -> None:
        self.body = body
        self.auth_token = auth_token
        self.service_catalog = ServiceCatalog([])
        # The raw timestamps; `expires`/`issued` parse them on demand.
        self._expires_text: Any = None
        self._issued_text: Any = None
        self.expires_epoch = float("-inf")
        self.user_id: str | None = None
        self.username: str | None = None
        self.user_domain_id: str | None = None
        self.user_domain_name: str | None = None
        self.project_id: str | None = None
        self.project_name: str | None = None
        self.project_domain_id: str | None = None
        self.project_domain_name: str | None = None
        self.domain_id: str | None = None
        self.domain_name: str | None = None
        self.system_scoped = False
        self.role_names: list[str] = []
        self.audit_ids: list[str] = []

    def _set_times(self, expires: Any, issued: Any) -> None:
        self.expires_epoch = parse_epoch(expires)
        self._expires_text = expires
        if issued:
            parse_epoch(issued)  # a malformed issued_at is refused now, not when read
            self._issued_text = issued

    @property
    def expires(self) -> _dt.datetime:
        if self._expires_text is None:
            import datetime as _dt

            return _dt.datetime.min.replace(tzinfo=_dt.UTC)
        return parse_time(self._expires_text)

    @property
    def issued(self) -> _dt.datetime | None:
        return None if self._issued_text is None else parse_time(self._issued_text)

    def will_expire_soon(self, *, stale_seconds: float, now: _dt.datetime | None = None) -> bool:
        current = time.time() if now is None else now.timestamp()
        return self.expires_epoch <= current + stale_seconds

    @property
    def project_scoped(self) -> bool:
        return self.project_id is not None


class AccessInfoV2(AccessInfo):
    version = "v2.0"

    def __init__(self, *, body: dict[str, Any], auth_token: str | None = None) -> None:
        access = body.get("access")
        if not isinstance(access, dict) or not isinstance(access.get("token"), dict):
            raise InvalidResponse("Token body has no access.token")
        token = access["token"]
        super().__init__(body=body, auth_token=auth_token or str(token.get("id", "")))
        if not self.auth_token:
            raise InvalidResponse("Token body has no token id")
        self._set_times(token.get("expires"), token.get("issued_at"))
        self.project_id, self.project_name = _name_id(token.get("tenant"))
        user = access.get("user") or {}
        self.user_id = user.get("id")
        self.username = user.get("name") or user.get("username")
        self.role_names = [r["name"] for r in user.get("roles") or [] if "name" in r]
        self.audit_ids = list(token.get("audit_ids") or [])
        self.service_catalog = ServiceCatalog.from_v2(access.get("serviceCatalog"))


class AccessInfoV3(AccessInfo):
    version = "v3"

    def __init__(self, *, body: dict[str, Any], auth_token: str) -> None:
        token = body.get("token")
        if not isinstance(token, dict):
            raise InvalidResponse("Token body has no token")
        if not auth_token:
            raise InvalidResponse("Token answer has no X-Subject-Token header")
        super().__init__(body=body, auth_token=auth_token)
        self._set_times(token.get("expires_at"), token.get("issued_at"))
        user = token.get("user") or {}
        self.user_id, self.username = _name_id(user)
        self.user_domain_id, self.user_domain_name = _name_id(user.get("domain"))
        project = token.get("project")
        if isinstance(project, dict):
            self.project_id, self.project_name = _name_id(project)
            self.project_domain_id, self.project_domain_name = _name_id(project.get("domain"))
        self.domain_id, self.domain_name = _name_id(token.get("domain"))
        self.system_scoped = bool(token.get("system"))
        self.role_names = [r["name"] for r in token.get("roles") or [] if "name" in r]
        self.audit_ids = list(token.get("audit_ids") or [])
        self.service_catalog = ServiceCatalog.from_v3(token.get("catalog"))


def access_from_body(body: Any, *, auth_token: str | None = None) -> AccessInfo:
    if isinstance(body, dict) and "access" in body:
        return AccessInfoV2(body=body, auth_token=auth_token)
    if isinstance(body, dict) and "token" in body:
        return AccessInfoV3(body=body, auth_token=auth_token or "")
    raise InvalidResponse("Not a token body: neither v2.0 'access' nor v3 'token'")
