"""Who is calling: built from a validated token payload, consulted by every policy check."""

from __future__ import annotations

import dataclasses

from pocketstack.cloud.auth.tokens import TokenPayload

# Keystone's implied roles read into the granted ones: admin -> manager -> member -> reader.
READ_ROLES = frozenset({"reader", "member", "manager", "admin"})
WRITE_ROLES = frozenset({"member", "manager", "admin"})


@dataclasses.dataclass(frozen=True, kw_only=True)
class RequestContext:
    token_id: str
    payload: TokenPayload
    request_id: str = ""

    @property
    def user_id(self) -> str:
        return self.payload.user_id

    @property
    def project_id(self) -> str | None:
        return self.payload.project_id

    @property
    def domain_id(self) -> str | None:
        return self.payload.domain_id

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(self.payload.roles)

    @property
    def is_admin(self) -> bool:
        return "admin" in self.payload.roles

    @property
    def can_read(self) -> bool:
        return not READ_ROLES.isdisjoint(self.payload.roles)

    @property
    def can_write(self) -> bool:
        return not WRITE_ROLES.isdisjoint(self.payload.roles)
