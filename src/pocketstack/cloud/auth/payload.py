"""A token's payload and its compact msgpack form: what a Fernet token carries (tokens.py).

The form is a list whose first ten fields every token has; optional fields follow, each one's
slot kept (as None) when a later one is present, so a token issued before a field existed
decodes as it always did.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

import msgpack

from pocketstack.cloud.auth.revocation import TokenScope

PAYLOAD_VERSION = 1
# Appended only: a token's methods are bits in this order.
METHODS = ("password", "token", "application_credential", "totp", "external", "oauth1")


class MalformedPayload(ValueError):
    """The decrypted fields are not a payload of ours."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class TokenPayload:
    user_id: str
    methods: tuple[str, ...]
    project_id: str | None
    domain_id: str | None
    system: bool
    roles: tuple[str, ...]
    issued_at: dt.datetime
    expires_at: dt.datetime
    audit_ids: tuple[str, ...]
    # Set on a token an application credential issued: it dies with the credential, and a
    # validation names the credential in the token's body.
    application_credential_id: str | None = None
    # Set on a trust-scoped token: the trust and both its users, so that the trust's deletion and
    # a revocation of either user (disabled, deleted, new password) kill it without a lookup.
    trust_id: str | None = None
    trustor_user_id: str | None = None
    trustee_user_id: str | None = None
    # Set on a token an OS-OAUTH1 access token issued: it dies with the access token (or its
    # consumer), and a validation shows both.
    access_token_id: str | None = None
    consumer_id: str | None = None

    @property
    def delegation_id(self) -> str | None:
        """The credential or access token whose deletion kills this token (revocation.py)."""
        return self.application_credential_id or self.access_token_id

    @property
    def other_trust_user(self) -> str | None:
        """The trust's user the token is not held as (None: not trust-scoped)."""
        if self.trust_id is None:
            return None
        if self.user_id == self.trustor_user_id:
            return self.trustee_user_id
        return self.trustor_user_id

    @property
    def audit_id(self) -> str:
        return self.audit_ids[0]

    @property
    def scoped(self) -> bool:
        return self.project_id is not None or self.domain_id is not None or self.system

    @property
    def scope(self) -> TokenScope:
        if self.project_id is not None:
            return TokenScope.PROJECT
        if self.domain_id is not None:
            return TokenScope.DOMAIN
        return TokenScope.SYSTEM if self.system else TokenScope.UNSCOPED


def methods_to_bits(methods: Sequence[str]) -> int:
    bits = 0
    for method in methods:
        try:
            bits |= 1 << METHODS.index(method)
        except ValueError:
            raise ValueError(f"unknown auth method {method!r}") from None
    return bits


def _bits_to_methods(bits: int) -> tuple[str, ...]:
    return tuple(m for i, m in enumerate(METHODS) if bits & (1 << i))


def to_micros(when: dt.datetime) -> int:
    return int(when.timestamp() * 1_000_000)


def from_micros(micros: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(micros / 1_000_000, dt.UTC)


def pack(payload: TokenPayload) -> bytes:
    fields: list[object] = [
        PAYLOAD_VERSION,
        payload.user_id,
        methods_to_bits(payload.methods),
        payload.project_id,
        payload.domain_id,
        payload.system,
        list(payload.roles),
        to_micros(payload.issued_at),
        to_micros(payload.expires_at),
        list(payload.audit_ids),
    ]
    trust = None
    if payload.trust_id is not None:
        trust = [payload.trust_id, payload.trustor_user_id, payload.trustee_user_id]
    oauth = None
    if payload.access_token_id is not None:
        oauth = [payload.access_token_id, payload.consumer_id]
    # The application credential's slot, then the trust's, then OS-OAUTH1's.
    optional: list[object] = [payload.application_credential_id, trust, oauth]
    while optional and optional[-1] is None:
        optional.pop()
    fields.extend(optional)
    packed: bytes = msgpack.packb(fields)
    return packed


def _strings(value: object, count: int) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or len(value) != count:
        raise MalformedPayload("The token payload is malformed.")
    return [str(part) for part in value]


def unpack(raw: bytes) -> TokenPayload:
    """The payload of `raw`; MalformedPayload (a ValueError) for anything else."""
    try:
        fields = msgpack.unpackb(raw)
    except (ValueError, msgpack.UnpackException) as exc:
        raise MalformedPayload("The token could not be decrypted.") from exc
    if not isinstance(fields, list) or not 10 <= len(fields) <= 13:
        raise MalformedPayload("The token payload is malformed.")
    optional = [*fields[10:], None, None, None]
    try:
        (version, user_id, bits, project_id, domain_id, system, roles, iat, exp, audit) = fields[
            :10
        ]
        if version != PAYLOAD_VERSION:
            raise MalformedPayload("Unknown token format.")
        trust = _strings(optional[1], 3)
        oauth = _strings(optional[2], 2)
        return TokenPayload(
            user_id=str(user_id),
            methods=_bits_to_methods(int(bits)),
            project_id=project_id,
            domain_id=domain_id,
            system=bool(system),
            roles=tuple(str(r) for r in roles),
            issued_at=from_micros(int(iat)),
            expires_at=from_micros(int(exp)),
            audit_ids=tuple(str(a) for a in audit),
            application_credential_id=None if optional[0] is None else str(optional[0]),
            trust_id=trust[0] if trust else None,
            trustor_user_id=trust[1] if trust else None,
            trustee_user_id=trust[2] if trust else None,
            access_token_id=oauth[0] if oauth else None,
            consumer_id=oauth[1] if oauth else None,
        )
    except (TypeError, OverflowError) as exc:
        raise MalformedPayload("The token payload is malformed.") from exc
