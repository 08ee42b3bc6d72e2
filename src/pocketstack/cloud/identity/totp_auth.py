"""The `totp` auth method: a passcode from one of the user's `totp` credentials, as Keystone
checks it (RFC 6238: six digits, 30-second steps, HMAC-SHA1 over the base32-decoded blob).

The current step is accepted, and `totp_included_previous_windows` steps before it (Keystone's
[totp] included_previous_windows, default 1): a code read off a phone just before it rolled
over still works. A credential whose blob is not a usable secret (not base32, shorter than the
128 bits the algorithm needs, a key no longer in the repository) matches nothing; the others
are still tried.

As in Keystone, a wrong passcode is not a failed password: it never counts towards the
password lockout, nor does a lockout refuse a passcode. A six-digit code is guessable,
though, so every failure counts in the login throttle (per source and per user) as a wrong
password does, and past its limits a login is refused with 429 before any check.
"""

from __future__ import annotations

import base64
import binascii

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor import InvalidToken
from cryptography.hazmat.primitives.twofactor.totp import TOTP
from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.cloud.identity import directory
from pocketstack.cloud.identity.credential_keys import (
    CredentialKeyError,
    CredentialKeys,
    repository_path,
)
from pocketstack.cloud.identity.directory import UserRecord
from pocketstack.cloud.identity.errors import AuthenticationFailed
from pocketstack.cloud.identity.service import Identity
from pocketstack.cloud.identity.totp_requests import METHOD, TotpLogin
from pocketstack.cloud.store.models.credential import Credential

DIGITS = 6
STEP = 30


def _totp(blob: str) -> TOTP | None:
    """The generator for a stored secret; None when the blob is no usable secret."""
    # Authenticator apps show secrets without base32's padding; Keystone pads them back.
    padded = blob + "=" * (-len(blob) % 8)
    try:
        key = base64.b32decode(padded)
        # RFC 6238 and every authenticator app: HMAC-SHA1, which is not broken as a MAC.
        return TOTP(key, DIGITS, SHA1(), STEP)  # noqa: S303
    except (binascii.Error, ValueError):
        return None


def accepts(blob: str, passcode: str, *, now: float, previous_windows: int) -> bool:
    """Whether `passcode` is this secret's code for the step of `now` or one of the
    `previous_windows` steps before it."""
    totp = _totp(blob)
    if totp is None:
        return False
    code = passcode.encode("utf-8")
    for window in range(previous_windows + 1):
        try:
            # A constant-time comparison: the answer's timing tells nothing about the code.
            totp.verify(code, int(now) - window * STEP)
        except InvalidToken:
            continue
        return True
    return False


def _secrets(session: Session, keys: CredentialKeys, user_id: str) -> list[str]:
    rows = session.execute(
        select(Credential.encrypted_blob)
        .where(Credential.user_id == user_id, Credential.type == METHOD)
        .order_by(Credential.id)
    ).scalars()
    found = []
    for encrypted in rows:
        try:
            found.append(keys.decrypt(encrypted))
        except CredentialKeyError:
            continue  # its key was rotated away: it opens nothing, the others may
    return found


def _claimed_key(login: TotpLogin) -> str:
    """What a login naming no existing user is throttled under."""
    if login.user_id is not None:
        return f"id:{login.user_id}"
    return f"name:{login.domain_id or f'name:{login.domain_name}'}/{login.user_name}"


def check_passcode(ident: Identity, login: TotpLogin, *, source: str | None) -> UserRecord:
    """The user this passcode is a current code of, or AuthenticationFailed."""
    throttle = ident.throttle
    standing = throttle.admit_source(source)
    keys = CredentialKeys(repository_path(ident.deps.config))
    with ident.deps.store.session() as session:
        user = directory.find_user(
            session,
            user_id=login.user_id,
            name=login.user_name,
            domain_id=login.domain_id,
            domain_name=login.domain_name,
        )
        secrets = _secrets(session, keys, user.id) if user is not None else []
    key = user.id if user is not None else _claimed_key(login)
    throttle.admit_user(key, source=standing)
    now = ident.deps.clock.now().timestamp()
    windows = ident.deps.config.totp_included_previous_windows
    passcode = login.passcode
    if (
        user is None
        or passcode is None
        or not any(
            accepts(secret, passcode, now=now, previous_windows=windows) for secret in secrets
        )
    ):
        throttle.failed(source, key)
        raise AuthenticationFailed()
    return user
