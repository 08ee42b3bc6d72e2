"""Auth receipts (Keystone's, for multi-factor rules): proof that some of a user's auth methods
succeeded a moment ago, handed back with the 401 that asks for the rest.

A receipt is a Fernet token from the token key repository, so a key rotation treats both alike;
its payload is its own (a marker, the user, the methods, when it was issued and when it
expires), which neither decodes as a token nor lets a token decode as a receipt. It lives
`expiration` seconds (Keystone's [receipt] expiration, 300 by default) and is never stored.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import msgpack
from cryptography.fernet import InvalidToken

from pocketstack.cloud.auth.keys import KeyRepository
from pocketstack.cloud.clock import Clock
from pocketstack.cloud.errors import CloudError

HEADER = "Openstack-Auth-Receipt"
DEFAULT_EXPIRATION = 300
_MARKER = "receipt"
# Fernet's urlsafe base64, without or with its padding: anything else is no receipt of ours.
_TEXT = re.compile(r"[A-Za-z0-9_-]{98,1024}={0,2}")
# Fernet's own age limit is left far above ours, which is the one that counts.
_FERNET_TTL_CEILING = 24 * 3600


class ReceiptInvalid(CloudError):
    """Malformed, not ours, or expired: the caller answers Keystone's generic 401."""

    status = 401


@dataclasses.dataclass(frozen=True, kw_only=True)
class Receipt:
    receipt_id: str
    user_id: str
    methods: tuple[str, ...]
    issued_at: dt.datetime
    expires_at: dt.datetime


def _micros(when: dt.datetime) -> int:
    return int(when.timestamp() * 1_000_000)


def _when(micros: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(micros / 1_000_000, dt.UTC)


class Receipts:
    def __init__(
        self, *, keys: KeyRepository, clock: Clock, expiration: int = DEFAULT_EXPIRATION
    ) -> None:
        self.keys = keys
        self.clock = clock
        self.expiration = expiration

    def issue(self, *, user_id: str, methods: tuple[str, ...]) -> Receipt:
        issued_at = _when(_micros(self.clock.now()))
        # Keystone's receipts expire on a whole second.
        expires_at = (issued_at + dt.timedelta(seconds=self.expiration)).replace(microsecond=0)
        packed = msgpack.packb(
            [_MARKER, user_id, list(methods), _micros(issued_at), _micros(expires_at)]
        )
        # Without the padding, as tokens are: a header value is safest plain.
        receipt_id = self.keys.fernet().encrypt(packed).decode("ascii").rstrip("=")
        return Receipt(
            receipt_id=receipt_id,
            user_id=user_id,
            methods=tuple(methods),
            issued_at=issued_at,
            expires_at=expires_at,
        )

    def validate(self, receipt_id: str) -> Receipt:
        if _TEXT.fullmatch(receipt_id) is None:
            raise ReceiptInvalid("The receipt is malformed.")
        bare = receipt_id.rstrip("=")
        try:
            raw = self.keys.fernet().decrypt(
                (bare + "=" * (-len(bare) % 4)).encode("ascii"), ttl=_FERNET_TTL_CEILING
            )
            fields = msgpack.unpackb(raw)
            marker, user_id, methods, issued, expires = fields
            if marker != _MARKER:
                raise ValueError("not a receipt")
            receipt = Receipt(
                receipt_id=bare,
                user_id=str(user_id),
                methods=tuple(str(m) for m in methods),
                issued_at=_when(int(issued)),
                expires_at=_when(int(expires)),
            )
        except (InvalidToken, TypeError, ValueError, msgpack.UnpackException) as exc:
            raise ReceiptInvalid("The receipt could not be decrypted.") from exc
        if receipt.expires_at <= self.clock.now():
            raise ReceiptInvalid("The receipt has expired.")
        return receipt
