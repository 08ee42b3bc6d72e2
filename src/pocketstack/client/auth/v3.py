"""Keystone v3 plugins: POST {auth_url}/auth/tokens with one or more auth methods."""

from __future__ import annotations

from pocketstack.client.access import AccessInfoV3
from pocketstack.client.auth.base import BaseIdentityPlugin, Scope, _domain_ref
from pocketstack.client.errors import InvalidResponse

# Warm-path module: see docs/startup.md. A warm run with an application credential (or any
# v3-only type) builds its plugin from here, so no `typing` at run time.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from pocketstack.client.access import AccessInfo
    from pocketstack.client.cache import AuthStateCache
    from pocketstack.client.session import Session


def v3_token_url(auth_url: str) -> str:
    """`{auth_url}/auth/tokens`, with /v3 added when the URL does not end in it, as
    keystoneauth's v3 plugins do (a clouds.yaml often names Keystone's unversioned root)."""
    base = auth_url.rstrip("/")
    if not base.endswith("v3"):
        base += "/v3"
    return base + "/auth/tokens"


class V3Auth(BaseIdentityPlugin):
    method = ""

    def __init__(
        self,
        *,
        auth_url: str,
        scope: Scope | None = None,
        reauthenticate: bool = True,
        cache: AuthStateCache | None = None,
    ) -> None:
        super().__init__(auth_url=auth_url, reauthenticate=reauthenticate, cache=cache)
        self.scope = scope or Scope()

    def method_data(self) -> dict[str, Any]:
        raise NotImplementedError

    def token_url(self) -> str:
        return self.auth_url.rstrip("/") + "/auth/tokens"

    def get_auth_ref(self, session: Session) -> AccessInfo:
        auth: dict[str, Any] = {
            "identity": {"methods": [self.method], self.method: self.method_data()}
        }
        scope = self.scope.as_v3()
        if scope is not None:
            auth["scope"] = scope
        url = self.token_url()
        response = session.request(url, "POST", json={"auth": auth}, authenticated=False)
        try:
            body = response.json()
        except ValueError as exc:
            raise InvalidResponse(f"Token answer from {url} is not JSON") from exc
        return AccessInfoV3(body=body, auth_token=response.headers.get("x-subject-token") or "")

    def cache_elements(self) -> dict[str, str | None]:
        return {"method": self.method, **self.scope.cache_elements()}


class _V3UserAuth(V3Auth):
    """A method that names the user (by id, or by name in a domain) beside a secret."""

    def __init__(
        self,
        *,
        auth_url: str,
        username: str | None,
        user_id: str | None,
        user_domain_id: str | None,
        user_domain_name: str | None,
        scope: Scope | None,
        reauthenticate: bool,
        cache: AuthStateCache | None,
    ) -> None:
        super().__init__(auth_url=auth_url, scope=scope, reauthenticate=reauthenticate, cache=cache)
        self.username = username
        self.user_id = user_id
        self.user_domain_id = user_domain_id
        self.user_domain_name = user_domain_name

    def _user(self, secret: dict[str, Any]) -> dict[str, Any]:
        user: dict[str, Any] = dict(secret)
        if self.user_id:
            user["id"] = self.user_id
        else:
            user["name"] = self.username
            domain = _domain_ref(self.user_domain_id, self.user_domain_name)
            if domain:
                user["domain"] = domain
        return {"user": user}

    def cache_elements(self) -> dict[str, str | None]:
        # The user, never the secret: a changed password or a new passcode keeps the cache.
        return {
            "username": self.username,
            "user_id": self.user_id,
            "user_domain_id": self.user_domain_id,
            "user_domain_name": self.user_domain_name,
            **super().cache_elements(),
        }


class V3Password(_V3UserAuth):
    auth_type = "v3password"
    method = "password"

    def __init__(
        self,
        *,
        auth_url: str,
        password: str,
        username: str | None = None,
        user_id: str | None = None,
        user_domain_id: str | None = None,
        user_domain_name: str | None = None,
        scope: Scope | None = None,
        reauthenticate: bool = True,
        cache: AuthStateCache | None = None,
    ) -> None:
        super().__init__(auth_url=auth_url, username=username, user_id=user_id,
                         user_domain_id=user_domain_id, user_domain_name=user_domain_name,
                         scope=scope, reauthenticate=reauthenticate, cache=cache)  # fmt: skip
        self.password = password

    def method_data(self) -> dict[str, Any]:
        return self._user({"password": self.password})


class V3Token(V3Auth):
    auth_type = "v3token"
    method = "token"

    def __init__(
        self,
        *,
        auth_url: str,
        token: str,
        scope: Scope | None = None,
        reauthenticate: bool = True,
        cache: AuthStateCache | None = None,
    ) -> None:
        super().__init__(auth_url=auth_url, scope=scope, reauthenticate=reauthenticate, cache=cache)
        self.token = token

    def method_data(self) -> dict[str, Any]:
        return {"id": self.token}

    def cache_elements(self) -> dict[str, str | None]:
        from pocketstack.client.debug import hash_token

        return {"token": hash_token(self.token), **super().cache_elements()}


class V3ApplicationCredential(V3Auth):
    """Application credentials carry their own scope: a scope is never sent with them."""

    auth_type = "v3applicationcredential"
    method = "application_credential"

    def __init__(
        self,
        *,
        auth_url: str,
        secret: str,
        application_credential_id: str | None = None,
        application_credential_name: str | None = None,
        username: str | None = None,
        user_id: str | None = None,
        user_domain_id: str | None = None,
        user_domain_name: str | None = None,
        reauthenticate: bool = True,
        cache: AuthStateCache | None = None,
    ) -> None:
        super().__init__(auth_url=auth_url, reauthenticate=reauthenticate, cache=cache)
        self.secret = secret
        self.application_credential_id = application_credential_id
        self.application_credential_name = application_credential_name
        self.username = username
        self.user_id = user_id
        self.user_domain_id = user_domain_id
        self.user_domain_name = user_domain_name

    def token_url(self) -> str:
        # Always loaded directly (no generic plugin discovers a version for it), so the
        # unversioned root of a clouds.yaml must work here.
        return v3_token_url(self.auth_url)

    def method_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"secret": self.secret}
        if self.application_credential_id:
            data["id"] = self.application_credential_id
            return data
        data["name"] = self.application_credential_name
        # A name is unique per user only, so the user must be named too.
        user: dict[str, Any] = {}
        if self.user_id:
            user["id"] = self.user_id
        else:
            user["name"] = self.username
            domain = _domain_ref(self.user_domain_id, self.user_domain_name)
            if domain:
                user["domain"] = domain
        data["user"] = user
        return data

    def cache_elements(self) -> dict[str, str | None]:
        return {
            "application_credential_id": self.application_credential_id,
            "application_credential_name": self.application_credential_name,
            "username": self.username,
            "user_id": self.user_id,
            "user_domain_id": self.user_domain_id,
            "user_domain_name": self.user_domain_name,
            **super().cache_elements(),
        }


class V3TOTP(_V3UserAuth):
    """A passcode from the user's authenticator app; the cache key is the user, never it."""

    auth_type = "v3totp"
    method = "totp"

    def __init__(
        self,
        *,
        auth_url: str,
        passcode: str,
        username: str | None = None,
        user_id: str | None = None,
        user_domain_id: str | None = None,
        user_domain_name: str | None = None,
        scope: Scope | None = None,
        reauthenticate: bool = True,
        cache: AuthStateCache | None = None,
    ) -> None:
        super().__init__(auth_url=auth_url, username=username, user_id=user_id,
                         user_domain_id=user_domain_id, user_domain_name=user_domain_name,
                         scope=scope, reauthenticate=reauthenticate, cache=cache)  # fmt: skip
        self.passcode = passcode

    def token_url(self) -> str:
        # Loaded directly, as keystoneauth's v3totp is: a clouds.yaml's unversioned root works.
        return v3_token_url(self.auth_url)

    def method_data(self) -> dict[str, Any]:
        return self._user({"passcode": self.passcode})
