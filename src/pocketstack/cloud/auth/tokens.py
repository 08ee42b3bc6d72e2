"""Fernet tokens over a compact msgpack payload, and their revocation.

A token carries everything a service needs to authorize a request (user, scope, role names, expiry,
audit ids), so validating one costs a decrypt and a single indexed revocation query — no other
database read. Whatever would change the answer (a disabled user, a new password, a removed role,
a disabled project or domain) records revocation events instead (revocation.py).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import logging
import re
import secrets
from collections.abc import Iterable, Sequence

from cryptography.fernet import InvalidToken
from sqlalchemy import delete
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from pocketstack.cloud.auth.access_rules import AccessRuleGate
from pocketstack.cloud.auth.keys import KeyRepository
from pocketstack.cloud.auth.payload import METHODS as METHODS
from pocketstack.cloud.auth.payload import MalformedPayload, from_micros, pack, to_micros, unpack
from pocketstack.cloud.auth.payload import TokenPayload as TokenPayload
from pocketstack.cloud.auth.revocation import (
    REVOCATION_QUERIES,
    Grant,
    record_domain,
    record_grants,
)
from pocketstack.cloud.clock import Clock
from pocketstack.cloud.errors import CloudError
from pocketstack.cloud.store.db import Store
from pocketstack.cloud.store.models.identity import RevocationEvent

LOG = logging.getLogger(__name__)

# Fernet refuses tokens older than this; our own expiry check is the real one.
_FERNET_TTL_CEILING = 10 * 365 * 24 * 3600
# The urlsafe-base64 text of a Fernet token: 1 version byte, an 8-byte timestamp, a 16-byte IV,
# at least one 16-byte cipher block and a 32-byte HMAC (73 bytes, 98 characters unpadded).
# Checked before decrypting because base64 decoding (as Fernet does it) skips characters outside
# the alphabet: a token with a space or a newline inside would decrypt, or not, depending on the
# cryptography release and the token's length.
_TOKEN_TEXT = re.compile(r"[A-Za-z0-9_-]{98,1024}={0,2}")
_MIN_TOKEN_BYTES = 73
# Seconds between two opportunistic prunes of the revocation events by one process.
PRUNE_INTERVAL = 600


class TokenError(CloudError):
    """The token cannot be used. Callers map every subclass to the same 401/404."""

    status = 401


class TokenInvalid(TokenError):
    pass


class TokenExpired(TokenError):
    pass


class TokenRevoked(TokenError):
    pass


@dataclasses.dataclass(frozen=True)
class IssuedToken:
    token_id: str
    payload: TokenPayload


def new_audit_id() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(16)).rstrip(b"=").decode()


def _padded(token_id: str) -> str:
    """The token with its base64 padding restored, or TokenInvalid for anything that is not the
    exact text of a Fernet token (Keystone drops the padding; a client may send it back)."""
    if _TOKEN_TEXT.fullmatch(token_id) is None:
        raise TokenInvalid("The token is malformed.")
    bare = token_id.rstrip("=")
    padded = bare + "=" * (-len(bare) % 4)
    if len(bare) % 4 == 1 or (len(token_id) != len(bare) and token_id != padded):
        raise TokenInvalid("The token is malformed.")
    # A whole number of cipher blocks between the 57 fixed bytes.
    size = len(bare) * 3 // 4
    if size < _MIN_TOKEN_BYTES or (size - _MIN_TOKEN_BYTES) % 16:
        raise TokenInvalid("The token is malformed.")
    return padded


class TokenProvider:
    def __init__(
        self, *, keys: KeyRepository, clock: Clock, store: Store, expiration: int = 3600
    ) -> None:
        self.keys = keys
        self.clock = clock
        self.store = store
        self.expiration = expiration
        # What a restricted application credential's tokens may call, for every service.
        self.access_rules = AccessRuleGate(store)
        # When this process last pruned; None: not yet (the first revocation prunes).
        self._pruned_at: dt.datetime | None = None

    def issue(
        self,
        *,
        user_id: str,
        methods: Sequence[str],
        project_id: str | None = None,
        domain_id: str | None = None,
        system: bool = False,
        roles: Sequence[str] = (),
        audit_ids: Sequence[str] | None = None,
        expires_at: dt.datetime | None = None,
        application_credential_id: str | None = None,
        trust: tuple[str, str, str] | None = None,
        oauth: tuple[str, str] | None = None,
    ) -> IssuedToken:
        """Mint a token. Pass `audit_ids`/`expires_at` from a parent token when rescoping;
        `trust` is (trust id, trustor id, trustee id) for a trust-scoped token, `oauth`
        (access token id, consumer id) for an OS-OAUTH1 one."""
        now = self.clock.now()
        # Microseconds are kept so a token issued right after a revocation is not caught by it.
        issued_at = from_micros(to_micros(now))
        expiry = expires_at or issued_at + dt.timedelta(seconds=self.expiration)
        # Keystone keeps the chain [own, original] so a rescoped token can be traced to its root.
        chain = [new_audit_id()]
        if audit_ids:
            chain.append(audit_ids[-1])
        payload = TokenPayload(
            user_id=user_id,
            methods=tuple(methods),
            project_id=project_id,
            domain_id=domain_id,
            system=system,
            roles=tuple(roles),
            issued_at=issued_at,
            expires_at=from_micros(to_micros(expiry)),
            audit_ids=tuple(chain),
            application_credential_id=application_credential_id,
            trust_id=trust[0] if trust else None,
            trustor_user_id=trust[1] if trust else None,
            trustee_user_id=trust[2] if trust else None,
            access_token_id=oauth[0] if oauth else None,
            consumer_id=oauth[1] if oauth else None,
        )
        packed = pack(payload)
        token = self.keys.fernet().encrypt(packed)
        # Like Keystone, drop the base64 padding: '=' needs escaping in URLs (v2.0 token paths).
        return IssuedToken(token.decode().rstrip("="), payload)

    def decode(self, token_id: str) -> TokenPayload:
        """Decrypt and check expiry. No database access."""
        padded = _padded(token_id)
        try:
            raw = self.keys.fernet().decrypt(padded.encode("ascii"), ttl=_FERNET_TTL_CEILING)
        except (InvalidToken, UnicodeEncodeError, ValueError) as exc:
            raise TokenInvalid("The token could not be decrypted.") from exc
        try:
            payload = unpack(raw)
        except MalformedPayload as exc:
            raise TokenInvalid(str(exc)) from exc
        if payload.expires_at <= self.clock.now():
            raise TokenExpired("The token has expired.")
        return payload

    def is_revoked(self, payload: TokenPayload, *, conn: Connection | None = None) -> bool:
        """One indexed query, on `conn` when the caller has a read connection open already."""
        params = {
            "audit_id": payload.audit_id,
            "user_id": payload.user_id,
            "project_id": payload.project_id,
            "domain_id": payload.domain_id,
            "issued_at": payload.issued_at,
            "credential_id": payload.delegation_id,
            "trust_id": payload.trust_id,
            "trust_user_id": payload.other_trust_user,
        }
        query = REVOCATION_QUERIES[payload.scope]
        if conn is not None:
            return conn.execute(query, params).first() is not None
        # A bare read connection, not an ORM session: this runs on every request of every
        # service. Never cached: a revocation recorded by another process counts at once.
        with self.store.read() as own:
            return own.execute(query, params).first() is not None

    def validate(self, token_id: str, *, conn: Connection | None = None) -> TokenPayload:
        """Decode, then refuse a revoked token: the one database read of a validation."""
        payload = self.decode(token_id)
        if self.is_revoked(payload, conn=conn):
            raise TokenRevoked("The token has been revoked.")
        return payload

    def _record(
        self,
        *,
        audit_id: str | None = None,
        user_id: str | None = None,
        project_id: str | None = None,
    ) -> None:
        now = self.clock.now()
        with self.store.session(write=True) as session:
            session.add(
                RevocationEvent(
                    audit_id=audit_id,
                    user_id=user_id,
                    project_id=project_id,
                    system=False,
                    issued_before=now,
                    revoked_at=now,
                )
            )
        self._prune_now_and_then()

    def revoke_token(self, payload: TokenPayload) -> None:
        self._record(audit_id=payload.audit_id)

    def revoke_application_credential(self, credential_id: str) -> None:
        """Every token the credential issued (an application credential's id, a UUID's 32 hex
        digits, never collides with an audit id, 22 base64 characters)."""
        self._record(audit_id=credential_id)

    def revoke_access_token(self, access_token_id: str) -> None:
        """Every token an OS-OAUTH1 access token issued (its id is a UUID's hex, as above)."""
        self._record(audit_id=access_token_id)

    def revoke_trust(self, trust_id: str) -> None:
        """Every token the trust issued (a trust's id is a UUID's hex, as a credential's)."""
        self._record(audit_id=trust_id)

    def revoke_user(self, user_id: str) -> None:
        """Every token the user holds now dies; tokens issued afterwards are unaffected."""
        self._record(user_id=user_id)

    def revoke_project(self, project_id: str) -> None:
        self._record(project_id=project_id)

    def revoke_grants(self, grants: Iterable[Grant]) -> None:
        """Lost roles: each user's tokens scoped where the role was, not their other tokens."""
        now = self.clock.now()
        with self.store.session(write=True) as session:
            record_grants(session, grants, now=now)
        self._prune_now_and_then()

    def revoke_domain(self, domain_id: str) -> None:
        """A disabled domain: tokens scoped to it or its projects, and those of its users."""
        now = self.clock.now()
        with self.store.session(write=True) as session:
            record_domain(session, domain_id, now=now)
        self._prune_now_and_then()

    def prune(self) -> int:
        """Forget events older than any token that could still be alive."""
        now = self.clock.now()
        horizon = now - dt.timedelta(seconds=self.expiration * 2)
        with self.store.session(write=True) as session:
            result = session.execute(
                delete(RevocationEvent).where(RevocationEvent.revoked_at < horizon)
            )
        self._pruned_at = now
        return int(result.rowcount)  # type: ignore[attr-defined]

    def _prune_now_and_then(self) -> None:
        """After a revocation, at most every PRUNE_INTERVAL per process: the table stays as
        small as the revocations of two token lifetimes, with no scheduler to run."""
        now = self.clock.now()
        if self._pruned_at is not None and now - self._pruned_at < dt.timedelta(
            seconds=PRUNE_INTERVAL
        ):
            return
        self._pruned_at = now
        try:
            self.prune()
        except SQLAlchemyError as exc:
            # The revocation itself is committed; a prune that lost a race waits for the next.
            LOG.warning("could not prune revocation events: %s", exc.__class__.__name__)
