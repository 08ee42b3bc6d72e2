"""OAuth 1.0a signatures checked by oauthlib, as Keystone checks them.

oauthlib asks its request validator for each key and secret; ours is handed the records the
responder has already read, so the check itself touches no database. A key that names nothing
gets a dummy secret and the check runs on (oauthlib's own defence against timing a lookup), then
fails. Only the HMAC methods are accepted: PLAINTEXT would put the secrets on the wire.

Imported by the OS-OAUTH1 responders when a signed request comes in, never at start-up.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import parse_qsl

import falcon
from oauthlib import oauth1
from oauthlib.oauth1.rfc5849 import utils as oauth_utils

from pocketstack.cloud.errors import BadRequest, Unauthorized
from pocketstack.cloud.identity.oauth1_store import VERIFIER_CHARS, VERIFIER_LENGTH
from pocketstack.cloud.requestbody import read_body

_HEX = frozenset("abcdef0123456789")
_DUMMY_KEY = "0" * 32
_BAD_REQUEST_TAIL = (
    " The server could not comply with the request since it is either malformed or otherwise"
    " incorrect. The client is assumed to be in error."
)
INVALID_SIGNATURE = "Invalid signature"
_FORM = "application/x-www-form-urlencoded"


def oauth_parameters(req: falcon.Request) -> dict[str, str]:
    """The `oauth_*` parameters of the Authorization header; Keystone's 500 for a request
    without the header is a 400 here (a client's mistake)."""
    header = req.get_header("Authorization")
    if not header:
        raise BadRequest(f"No Authorization headers found.{_BAD_REQUEST_TAIL}")
    try:
        return dict(oauth_utils.parse_authorization_header(header))
    except ValueError:
        raise BadRequest(f"Malformed Authorization header.{_BAD_REQUEST_TAIL}") from None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Known:
    """What the responder found: the consumer and token the request names, with their
    secrets, and whether the verifier it carries is the one issued (access token requests)."""

    consumer_id: str | None
    consumer_secret: str | None
    token_id: str | None = None
    token_secret: str | None = None
    verifier_ok: bool = False

    def __repr__(self) -> str:
        return f"Known(consumer_id={self.consumer_id!r}, token_id={self.token_id!r}, ***)"


class _Validator(oauth1.RequestValidator):  # type: ignore[misc]
    def __init__(self, known: Known) -> None:
        super().__init__()
        self._known = known

    enforce_ssl = False
    allowed_signature_methods = (
        oauth1.SIGNATURE_HMAC_SHA1,
        oauth1.SIGNATURE_HMAC_SHA256,
        oauth1.SIGNATURE_HMAC_SHA512,
    )
    dummy_client = _DUMMY_KEY
    dummy_request_token = _DUMMY_KEY
    dummy_access_token = _DUMMY_KEY

    @staticmethod
    def _uuid_hex(value: str) -> bool:
        return len(value) == 32 and set(value) <= _HEX

    def check_client_key(self, client_key: str) -> bool:
        return self._uuid_hex(client_key)

    def check_request_token(self, request_token: str) -> bool:
        return self._uuid_hex(request_token)

    def check_access_token(self, access_token: str) -> bool:
        return self._uuid_hex(access_token)

    def check_nonce(self, nonce: str) -> bool:
        # Keystone's alphabet; a length the nonces' table holds.
        return 0 < len(nonce) <= 64 and set(nonce) <= _HEX

    def check_verifier(self, verifier: str) -> bool:
        return len(verifier) == VERIFIER_LENGTH and set(verifier) <= set(VERIFIER_CHARS)

    def _consumer_is(self, client_key: str) -> bool:
        return self._known.consumer_id is not None and client_key == self._known.consumer_id

    def _token_is(self, client_key: str, token: str) -> bool:
        return self._consumer_is(client_key) and token == self._known.token_id

    def get_client_secret(self, client_key: str, request: Any) -> str:
        if self._consumer_is(client_key) and self._known.consumer_secret is not None:
            return self._known.consumer_secret
        return _DUMMY_KEY

    def _token_secret(self, client_key: str, token: str) -> str:
        if self._token_is(client_key, token) and self._known.token_secret is not None:
            return self._known.token_secret
        return _DUMMY_KEY

    def get_request_token_secret(self, client_key: str, token: str, request: Any) -> str:
        return self._token_secret(client_key, token)

    def get_access_token_secret(self, client_key: str, token: str, request: Any) -> str:
        return self._token_secret(client_key, token)

    def validate_client_key(self, client_key: str, request: Any) -> bool:
        return self._consumer_is(client_key)

    def validate_request_token(self, client_key: str, token: str, request: Any) -> bool:
        return self._token_is(client_key, token)

    def validate_access_token(self, client_key: str, token: str, request: Any) -> bool:
        return self._token_is(client_key, token)

    def validate_verifier(self, client_key: str, token: str, verifier: str, request: Any) -> bool:
        return self._token_is(client_key, token) and self._known.verifier_ok

    def validate_timestamp_and_nonce(
        self, client_key: str, timestamp: str, nonce: str, request: Any,
        request_token: str | None = None, access_token: str | None = None,
    ) -> bool:  # fmt: skip
        # Keystone keeps no nonces; oauthlib has already refused a stale timestamp.
        return True

    def get_default_realms(self, client_key: str, request: Any) -> list[str]:
        return []

    def get_realms(self, token: str, request: Any) -> list[str]:
        return []

    def get_redirect_uri(self, token: str, request: Any) -> str:
        return "oob"

    def get_rsa_key(self, client_key: str, request: Any) -> str:
        return ""

    def validate_redirect_uri(self, client_key: str, redirect_uri: str, request: Any) -> bool:
        return True

    def validate_requested_realms(self, client_key: str, realms: Any, request: Any) -> bool:
        return True

    def validate_realms(
        self, client_key: str, token: str, request: Any, uri: str | None = None,
        realms: Any = None,
    ) -> bool:  # fmt: skip
        return True

    def verify_request_token(self, token: str, request: Any) -> bool:
        return True

    def verify_realms(self, token: str, realms: Any, request: Any) -> bool:
        return True

    def invalidate_request_token(self, client_key: str, request_token: str, request: Any) -> None:
        """The exchange deletes the request token itself (oauth1_store.exchange)."""

    def save_request_token(self, token: Any, request: Any) -> None:
        """Stored by the responder, with Keystone's ids."""

    def save_access_token(self, token: Any, request: Any) -> None:
        """Stored by the responder, with Keystone's ids."""


@dataclasses.dataclass(frozen=True)
class Signed:
    """The request as it was signed: its URL, the headers, a form body's text."""

    uri: str
    # Never shown: they may carry a token.
    headers: dict[str, str] = dataclasses.field(repr=False)
    body: str = dataclasses.field(repr=False, default="")


def signed_request(req: falcon.Request, *, limit: int) -> Signed:
    body = ""
    if _FORM in (req.content_type or ""):
        body = read_body(req, limit=limit, too_large="Request is too large.").decode(
            "utf-8", "replace"
        )
    headers = {name.title(): value for name, value in req.headers.items()}
    return Signed(uri=req.url, headers=headers, body=body)


def _outcome(status: int, body: str | None) -> None:
    if status == 200:
        return
    if not body:
        raise Unauthorized(INVALID_SIGNATURE)
    fields = dict(parse_qsl(body))
    raise BadRequest(
        f"Validation failed with errors: {fields.get('error', '')}, detail message is:"
        f" {fields.get('error_description', '')}.{_BAD_REQUEST_TAIL}"
    )


def _discarded_token() -> str:
    """oauthlib's new token, never stored nor sent: the responder makes Keystone's."""
    return _DUMMY_KEY


def check_request_token_request(signed: Signed, known: Known) -> None:
    endpoint = oauth1.RequestTokenEndpoint(_Validator(known), token_generator=_discarded_token)
    _, body, status = endpoint.create_request_token_response(
        signed.uri, http_method="POST", body=signed.body, headers=signed.headers
    )
    _outcome(status, body)


def check_access_token_request(signed: Signed, known: Known) -> None:
    endpoint = oauth1.AccessTokenEndpoint(_Validator(known), token_generator=_discarded_token)
    _, body, status = endpoint.create_access_token_response(
        signed.uri, http_method="POST", body=signed.body, headers=signed.headers
    )
    _outcome(status, body)


def check_resource_request(signed: Signed, known: Known) -> bool:
    endpoint = oauth1.ResourceEndpoint(_Validator(known))
    valid, _ = endpoint.validate_protected_resource_request(
        signed.uri, http_method="POST", body=signed.body, headers=signed.headers, realms=None
    )
    return bool(valid)
