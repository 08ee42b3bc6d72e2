"""Keystone v2.0 plugins: POST {auth_url}/tokens with password or token credentials."""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING, Any

from pocketstack.client.access import AccessInfo, AccessInfoV2
from pocketstack.client.auth.base import BaseIdentityPlugin
from pocketstack.client.errors import InvalidResponse

if TYPE_CHECKING:
    from pocketstack.client.cache import AuthStateCache
    from pocketstack.client.session import Session


class V2Auth(BaseIdentityPlugin):
    def __init__(
        self,
        *,
        auth_url: str,
        tenant_id: str | None = None,
        tenant_name: str | None = None,
        reauthenticate: bool = True,
        cache: AuthStateCache | None = None,
    ) -> None:
        super().__init__(auth_url=auth_url, reauthenticate=reauthenticate, cache=cache)
        self.tenant_id = tenant_id
        self.tenant_name = tenant_name

    @abc.abstractmethod
    def auth_data(self) -> dict[str, Any]:
        """The credentials part of the request body."""

    def get_auth_ref(self, session: Session) -> AccessInfo:
        auth: dict[str, Any] = self.auth_data()
        if self.tenant_id:
            auth["tenantId"] = self.tenant_id
        elif self.tenant_name:
            auth["tenantName"] = self.tenant_name
        url = self.auth_url.rstrip("/") + "/tokens"
        response = session.request(url, "POST", json={"auth": auth}, authenticated=False)
        try:
            return AccessInfoV2(body=response.json())
        except ValueError as exc:
            raise InvalidResponse(f"Token answer from {url} is not JSON") from exc

    def cache_elements(self) -> dict[str, str | None]:
        return {"tenant_id": self.tenant_id, "tenant_name": self.tenant_name}


class V2Password(V2Auth):
    auth_type = "v2password"

    def __init__(
        self,
        *,
        auth_url: str,
        password: str,
        username: str | None = None,
        user_id: str | None = None,
        tenant_id: str | None = None,
        tenant_name: str | None = None,
        reauthenticate: bool = True,
        cache: AuthStateCache | None = None,
    ) -> None:
        super().__init__(
            auth_url=auth_url,
            tenant_id=tenant_id,
            tenant_name=tenant_name,
            reauthenticate=reauthenticate,
            cache=cache,
        )
        self.username = username
        self.user_id = user_id
        self.password = password

    def auth_data(self) -> dict[str, Any]:
        credentials: dict[str, str] = {"password": self.password}
        if self.username:
            credentials["username"] = self.username
        elif self.user_id:
            credentials["userId"] = self.user_id
        return {"passwordCredentials": credentials}

    def cache_elements(self) -> dict[str, str | None]:
        return {
            "method": "v2password",
            "username": self.username,
            "user_id": self.user_id,
            **super().cache_elements(),
        }


class V2Token(V2Auth):
    auth_type = "v2token"

    def __init__(
        self,
        *,
        auth_url: str,
        token: str,
        tenant_id: str | None = None,
        tenant_name: str | None = None,
        reauthenticate: bool = True,
        cache: AuthStateCache | None = None,
    ) -> None:
        super().__init__(
            auth_url=auth_url,
            tenant_id=tenant_id,
            tenant_name=tenant_name,
            reauthenticate=reauthenticate,
            cache=cache,
        )
        self.token = token

    def auth_data(self) -> dict[str, Any]:
        return {"token": {"id": self.token}}

    def cache_elements(self) -> dict[str, str | None]:
        from pocketstack.client.debug import hash_token

        return {"method": "v2token", "token": hash_token(self.token), **super().cache_elements()}
