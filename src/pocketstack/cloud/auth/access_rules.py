"""Access rules enforced, as keystonemiddleware's validate_allowed_request does in every
OpenStack service: a token issued by an application credential that has access rules may make
only the requests one of them allows (the service, the method, the path by its pattern), and
gets the usual 401 for any other. Identity's token validation (GET /v3/auth/tokens) is always
allowed, so a client can still look at the token it holds.

A pattern matches the path below the service's root (`/v2.1/servers/*` on compute): `*` and a
named `{tag}` stand for one path segment, `**` for any number of them.

A credential's rules never change (a credential cannot be updated), so they are read once per
process and kept; a deleted credential's tokens are refused before its rules are asked for.
"""

from __future__ import annotations

import dataclasses
import json
import re
import threading
from collections import OrderedDict

from sqlalchemy import select

from pocketstack.cloud.store.db import Store
from pocketstack.cloud.store.models.application_credential import ApplicationCredential

# Credentials whose rules a process keeps at most.
CAPACITY = 4096
_TOKEN = re.compile(r"(?P<tag>\{[^}]*\})|(?P<deep>\*\*)|(?P<one>\*)|(?P<literal>[^{}*]+)")


@dataclasses.dataclass(frozen=True)
class AccessRule:
    service: str
    method: str
    pattern: re.Pattern[str]

    def allows(self, service: str, method: str, path: str) -> bool:
        return (self.service == service and self.method == method
                and self.pattern.fullmatch(path) is not None)  # fmt: skip


def path_pattern(path: str) -> re.Pattern[str]:
    parts: list[str] = []
    for token in _TOKEN.finditer(path):
        if token["deep"]:
            parts.append(".*")
        elif token["tag"] or token["one"]:
            parts.append("[^/]+")
        else:
            parts.append(re.escape(token["literal"] or ""))
    return re.compile("".join(parts))


def parse_rules(text: str | None) -> tuple[AccessRule, ...] | None:
    """A credential's stored rules; None when it has none (it is not restricted by rules)."""
    if not text:
        return None
    listed = json.loads(text)
    if not listed:
        return None
    return tuple(AccessRule(str(r.get("service", "")), str(r.get("method", "")),
                            path_pattern(str(r.get("path", "")))) for r in listed)  # fmt: skip


class AccessRuleGate:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._known: OrderedDict[str, tuple[AccessRule, ...] | None] = OrderedDict()
        self._lock = threading.Lock()

    def _rules_of(self, credential_id: str) -> tuple[AccessRule, ...] | None:
        with self._lock:
            if credential_id in self._known:
                self._known.move_to_end(credential_id)
                return self._known[credential_id]
        with self._store.read() as conn:
            stmt = select(ApplicationCredential.access_rules)
            row = conn.execute(stmt.where(ApplicationCredential.id == credential_id)).first()
        if row is None:
            # Gone since the token was validated: nothing allowed, and nothing kept.
            return ()
        rules = parse_rules(row[0])
        with self._lock:
            self._known[credential_id] = rules
            while len(self._known) > CAPACITY:
                self._known.popitem(last=False)
        return rules

    def allows(self, credential_id: str | None, *, service: str, method: str, path: str) -> bool:
        """Whether a token of `credential_id` (None: not a credential's) may make the request."""
        if credential_id is None:
            return True
        if service == "identity" and method == "GET" and path.endswith("/v3/auth/tokens"):
            return True
        rules = self._rules_of(credential_id)
        if rules is None:
            return True
        return any(rule.allows(service, method, path) for rule in rules)
