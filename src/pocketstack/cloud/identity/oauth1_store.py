"""OS-OAUTH1's records: consumers, request tokens and access tokens, read and written.

Secrets go through the credential keys (encrypted at rest, see store/models/oauth1.py), ids
and secrets are UUID hex as Keystone makes them. A request token is spent by deleting it in the
transaction that inserts its access token, on condition of its verifier: of two exchanges
racing, the second finds nothing to delete. Deleting an access token, or a consumer with its
access tokens, records a revocation event for each in the same transaction, so the Keystone
tokens they issued die with them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import secrets
import uuid
from typing import Any

from sqlalchemy import delete, false, insert, literal, select, update
from sqlalchemy.orm import Session

from pocketstack.cloud.identity.credential_keys import CredentialKeys
from pocketstack.cloud.store.base import UTCDateTime
from pocketstack.cloud.store.models.identity import RevocationEvent
from pocketstack.cloud.store.models.oauth1 import (
    OAuthAccessToken,
    OAuthConsumer,
    OAuthNonce,
    OAuthRequestToken,
)

# Keystone's verifier alphabet (letters and digits), eight of them.
VERIFIER_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
VERIFIER_LENGTH = 8


@dataclasses.dataclass(frozen=True, kw_only=True)
class ConsumerRecord:
    id: str
    description: str | None
    extra: dict[str, Any]
    # None unless asked for (the keys given): only a signature's check needs it.
    secret: str | None

    def __repr__(self) -> str:
        return f"ConsumerRecord(id={self.id!r}, secret=***)"


@dataclasses.dataclass(frozen=True, kw_only=True)
class RequestTokenRecord:
    id: str
    secret: str | None
    consumer_id: str
    project_id: str
    authorizing_user_id: str | None
    verifier_hash: str | None
    expires_at: dt.datetime | None

    def __repr__(self) -> str:
        return f"RequestTokenRecord(id={self.id!r}, secret=***)"

    def expired(self, now: dt.datetime) -> bool:
        return self.expires_at is not None and now > self.expires_at

    def verifier_matches(self, verifier: str) -> bool:
        return self.verifier_hash is not None and hmac.compare_digest(
            self.verifier_hash, hash_verifier(verifier)
        )


@dataclasses.dataclass(frozen=True, kw_only=True)
class AccessTokenRecord:
    id: str
    secret: str | None
    consumer_id: str
    authorizing_user_id: str
    project_id: str
    role_ids: tuple[str, ...]
    expires_at: dt.datetime | None

    def __repr__(self) -> str:
        return f"AccessTokenRecord(id={self.id!r}, secret=***)"

    def expired(self, now: dt.datetime) -> bool:
        return self.expires_at is not None and now > self.expires_at


def hash_verifier(verifier: str) -> str:
    return hashlib.sha256(verifier.encode("utf-8")).hexdigest()


def new_secret() -> str:
    return uuid.uuid4().hex


# --- consumers -------------------------------------------------------------------------------


def _opened(keys: CredentialKeys | None, encrypted: str) -> str | None:
    return None if keys is None else keys.decrypt(encrypted)


def _consumer(keys: CredentialKeys | None, row: OAuthConsumer) -> ConsumerRecord:
    return ConsumerRecord(id=row.id, description=row.description, extra=json.loads(row.extra),
                          secret=_opened(keys, row.secret_encrypted))  # fmt: skip


def create_consumer(
    session: Session, keys: CredentialKeys, *, description: str | None, extra: dict[str, Any],
    now: dt.datetime,
) -> ConsumerRecord:  # fmt: skip
    secret = new_secret()
    row = OAuthConsumer(id=uuid.uuid4().hex, description=description, extra=json.dumps(extra),
                        secret_encrypted=keys.encrypt(secret)[0], created_at=now)  # fmt: skip
    session.add(row)
    session.flush()
    return _consumer(keys, row)


def load_consumer(
    session: Session, keys: CredentialKeys | None, consumer_id: str
) -> ConsumerRecord | None:
    row = session.get(OAuthConsumer, consumer_id)
    return None if row is None else _consumer(keys, row)


def list_consumers(session: Session) -> list[ConsumerRecord]:
    rows = session.execute(select(OAuthConsumer).order_by(OAuthConsumer.id)).scalars()
    return [_consumer(None, row) for row in rows]


def update_consumer(
    session: Session, consumer_id: str, changes: dict[str, Any]
) -> ConsumerRecord | None:
    """The description and the other attributes given replace those kept (Keystone's)."""
    row = session.get(OAuthConsumer, consumer_id, with_for_update=True)
    if row is None:
        return None
    extra = {**json.loads(row.extra), **{k: v for k, v in changes.items() if k != "description"}}
    if "description" in changes:
        row.description = changes["description"]
    row.extra = json.dumps(extra)
    session.flush()
    return _consumer(None, row)


def _revoke_access_tokens(session: Session, *where: Any, now: dt.datetime) -> None:
    stamp = literal(now, UTCDateTime())
    session.execute(
        insert(RevocationEvent).from_select(
            ["audit_id", "system", "issued_before", "revoked_at"],
            select(OAuthAccessToken.id, false(), stamp, stamp).where(*where),
        )
    )


def delete_consumer(session: Session, consumer_id: str, *, now: dt.datetime) -> bool:
    """The consumer, its tokens (by cascade) and the Keystone tokens they issued."""
    _revoke_access_tokens(session, OAuthAccessToken.consumer_id == consumer_id, now=now)
    gone = session.execute(delete(OAuthConsumer).where(OAuthConsumer.id == consumer_id))
    return bool(gone.rowcount)  # type: ignore[attr-defined]


# --- nonces ----------------------------------------------------------------------------------

# oauthlib refuses a timestamp further than this from its clock; twice that covers any drift
# between its clock and ours.
NONCE_WINDOW = 600


def add_nonce(session: Session, *, consumer_id: str, nonce: str, timestamp: str,
              now: dt.datetime) -> None:  # fmt: skip
    """Records the nonce; IntegrityError at the flush when the consumer sent it before with
    this timestamp (a replay). Forgets nonces too old for oauthlib to accept again."""
    horizon = now - dt.timedelta(seconds=2 * NONCE_WINDOW)
    session.execute(delete(OAuthNonce).where(OAuthNonce.seen_at < horizon))
    session.add(OAuthNonce(consumer_id=consumer_id, nonce=nonce, timestamp=timestamp,
                           seen_at=now))  # fmt: skip
    session.flush()


# --- request tokens --------------------------------------------------------------------------


def create_request_token(
    session: Session, keys: CredentialKeys, *, consumer_id: str, project_id: str,
    expires_at: dt.datetime | None,
) -> RequestTokenRecord:  # fmt: skip
    secret = new_secret()
    row = OAuthRequestToken(id=uuid.uuid4().hex, secret_encrypted=keys.encrypt(secret)[0],
                            consumer_id=consumer_id, requested_project_id=project_id,
                            expires_at=expires_at)  # fmt: skip
    session.add(row)
    session.flush()
    return _request_token(keys, row)


def _request_token(keys: CredentialKeys | None, row: OAuthRequestToken) -> RequestTokenRecord:
    return RequestTokenRecord(
        id=row.id, secret=_opened(keys, row.secret_encrypted), consumer_id=row.consumer_id,
        project_id=row.requested_project_id, authorizing_user_id=row.authorizing_user_id,
        verifier_hash=row.verifier_hash, expires_at=row.expires_at,
    )  # fmt: skip


def load_request_token(
    session: Session, keys: CredentialKeys | None, token_id: str
) -> RequestTokenRecord | None:
    row = session.get(OAuthRequestToken, token_id)
    return None if row is None else _request_token(keys, row)


def authorize_request_token(
    session: Session, token_id: str, *, user_id: str, role_ids: list[str]
) -> str | None:
    """A new verifier for the token, now authorized by the user with the roles (None: the token
    is gone). Authorizing again, as Keystone allows, replaces the verifier and the roles."""
    verifier = "".join(secrets.choice(VERIFIER_CHARS) for _ in range(VERIFIER_LENGTH))
    done = session.execute(
        update(OAuthRequestToken)
        .where(OAuthRequestToken.id == token_id)
        .values(authorizing_user_id=user_id, verifier_hash=hash_verifier(verifier),
                role_ids=json.dumps(sorted(role_ids)))
    )  # fmt: skip
    return verifier if done.rowcount else None  # type: ignore[attr-defined]


def exchange(
    session: Session,
    keys: CredentialKeys,
    token: RequestTokenRecord,
    *,
    verifier: str,
    expires_at: dt.datetime | None,
) -> AccessTokenRecord | None:
    """The request token spent for a new access token; None when it was spent already."""
    row = session.execute(
        select(OAuthRequestToken).where(OAuthRequestToken.id == token.id).with_for_update()
    ).scalar_one_or_none()
    if row is None or row.authorizing_user_id is None or row.role_ids is None:
        return None
    if row.verifier_hash is None or not hmac.compare_digest(row.verifier_hash,
                                                            hash_verifier(verifier)):  # fmt: skip
        return None
    gone = session.execute(
        delete(OAuthRequestToken).where(OAuthRequestToken.id == token.id,
                                        OAuthRequestToken.verifier_hash == row.verifier_hash)
    )  # fmt: skip
    if not gone.rowcount:  # type: ignore[attr-defined]
        return None
    secret = new_secret()
    access = OAuthAccessToken(
        id=uuid.uuid4().hex, secret_encrypted=keys.encrypt(secret)[0],
        consumer_id=row.consumer_id, authorizing_user_id=row.authorizing_user_id,
        project_id=row.requested_project_id, role_ids=row.role_ids, expires_at=expires_at,
    )  # fmt: skip
    session.add(access)
    session.flush()
    return _access_token(keys, access)


# --- access tokens ---------------------------------------------------------------------------


def _access_token(keys: CredentialKeys | None, row: OAuthAccessToken) -> AccessTokenRecord:
    return AccessTokenRecord(
        id=row.id, secret=_opened(keys, row.secret_encrypted), consumer_id=row.consumer_id,
        authorizing_user_id=row.authorizing_user_id, project_id=row.project_id,
        role_ids=tuple(json.loads(row.role_ids)), expires_at=row.expires_at,
    )  # fmt: skip


def load_access_token(
    session: Session, keys: CredentialKeys | None, token_id: str
) -> AccessTokenRecord | None:
    row = session.get(OAuthAccessToken, token_id)
    return None if row is None else _access_token(keys, row)


def list_access_tokens(session: Session, user_id: str) -> list[AccessTokenRecord]:
    rows = session.execute(
        select(OAuthAccessToken)
        .where(OAuthAccessToken.authorizing_user_id == user_id)
        .order_by(OAuthAccessToken.id)
    ).scalars()
    return [_access_token(None, row) for row in rows]


def delete_access_token(session: Session, token_id: str, *, now: dt.datetime) -> bool:
    _revoke_access_tokens(session, OAuthAccessToken.id == token_id, now=now)
    gone = session.execute(delete(OAuthAccessToken).where(OAuthAccessToken.id == token_id))
    return bool(gone.rowcount)  # type: ignore[attr-defined]
