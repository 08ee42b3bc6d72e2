"""Generic Password and Token plugins: discover the auth URL's versions, then use v3 or v2.

v3 is preferred; v2 is skipped when domain parameters are given (they mean nothing there);
when discovery fails the version is guessed from the URL path (`/v2.0`, `/v3`).
A default domain fills in the user's and the project's domain only if v3 is chosen, so v2-style
settings (no domains) still work against a Keystone that only speaks v3; it never rules v2 out.
"""

from __future__ import annotations

import abc

from pocketstack.client.auth.base import BaseIdentityPlugin, Scope

# Warm-path module: see docs/startup.md. A warm command never authenticates: discovery and
# the versioned plugins are imported when a token is really needed.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pocketstack.client.access import AccessInfo
    from pocketstack.client.auth.v2 import V2Auth
    from pocketstack.client.auth.v3 import V3Auth
    from pocketstack.client.cache import AuthStateCache
    from pocketstack.client.session import Session
    from pocketstack.client.versions import Version, VersionData

NO_VERSION_MESSAGE = (
    "Could not find versioned identity endpoints when attempting to authenticate. "
    "Please check that your auth_url is correct."
)

V2_WITH_DOMAIN_MESSAGE = (
    "Cannot use v2 authentication with domain scope: the auth URL offers only identity v2.0, "
    "so unset the user/project domain settings (OS_*_DOMAIN_*) or use a v3 auth URL."
)


class BaseGeneric(BaseIdentityPlugin):
    def __init__(
        self,
        *,
        auth_url: str,
        scope: Scope | None = None,
        default_domain_id: str | None = None,
        reauthenticate: bool = True,
        cache: AuthStateCache | None = None,
    ) -> None:
        super().__init__(auth_url=auth_url, reauthenticate=reauthenticate, cache=cache)
        self.scope = scope or Scope()
        self.default_domain_id = default_domain_id
        self._plugin: V2Auth | V3Auth | None = None

    @property
    def chosen(self) -> V2Auth | V3Auth | None:
        """The versioned plugin picked by discovery (None until the first authentication)."""
        return self._plugin

    @abc.abstractmethod
    def create_plugin(self, *, version: Version, url: str) -> V2Auth | V3Auth | None:
        """A plugin for this identity version at `url`, or None if it cannot be used."""

    def _select(self, session: Session) -> V2Auth | V3Auth:
        from pocketstack.client.auth.discovery import discover, version_from_url
        from pocketstack.client.errors import DiscoveryFailure

        candidates: list[VersionData] = []
        failure: DiscoveryFailure | None = None
        try:
            candidates = discover(session, self.auth_url)
        except DiscoveryFailure as exc:
            failure = exc
            guessed = version_from_url(self.auth_url)
            if guessed is not None:
                plugin = self.create_plugin(version=guessed, url=self.auth_url)
                if plugin is not None:
                    return plugin
        for candidate in candidates:
            plugin = self.create_plugin(version=candidate.version, url=candidate.url)
            if plugin is not None:
                return plugin
        if candidates and all(c.version.major == 2 for c in candidates):
            # The only refusal of a v2 candidate is a domain setting: say so, not "no versions".
            raise DiscoveryFailure(V2_WITH_DOMAIN_MESSAGE)
        # What discovery ran into names the URL it tried (e.g. "answered HTTP 404").
        raise DiscoveryFailure(NO_VERSION_MESSAGE + (f" ({failure})" if failure else ""))

    def get_auth_ref(self, session: Session) -> AccessInfo:
        if self._plugin is None:
            self._plugin = self._select(session)
        return self._plugin.get_auth_ref(session)

    @property
    def v3_scope(self) -> Scope:
        return self.scope.with_default_domain(self.default_domain_id)

    def cache_elements(self) -> dict[str, str | None]:
        return {"default_domain_id": self.default_domain_id, **self.scope.cache_elements()}


class Password(BaseGeneric):
    auth_type = "password"

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
        default_domain_id: str | None = None,
        reauthenticate: bool = True,
        cache: AuthStateCache | None = None,
    ) -> None:
        super().__init__(
            auth_url=auth_url,
            scope=scope,
            default_domain_id=default_domain_id,
            reauthenticate=reauthenticate,
            cache=cache,
        )
        self.password = password
        self.username = username
        self.user_id = user_id
        self.user_domain_id = user_domain_id
        self.user_domain_name = user_domain_name

    def create_plugin(self, *, version: Version, url: str) -> V2Auth | V3Auth | None:
        from pocketstack.client.auth.v2 import V2Password
        from pocketstack.client.auth.v3 import V3Password

        if version.major == 2:
            if self.user_domain_id or self.user_domain_name or self.scope.has_domain_parameters:
                return None
            return V2Password(
                auth_url=url,
                password=self.password,
                username=self.username,
                user_id=self.user_id,
                tenant_id=self.scope.project_id,
                tenant_name=self.scope.project_name,
            )
        if version.major == 3:
            user_domain_id = self.user_domain_id
            if not (user_domain_id or self.user_domain_name):
                user_domain_id = self.default_domain_id
            return V3Password(
                auth_url=url,
                password=self.password,
                username=self.username,
                user_id=self.user_id,
                user_domain_id=user_domain_id,
                user_domain_name=self.user_domain_name,
                scope=self.v3_scope,
            )
        return None

    def cache_elements(self) -> dict[str, str | None]:
        return {
            "method": "password",
            "username": self.username,
            "user_id": self.user_id,
            "user_domain_id": self.user_domain_id,
            "user_domain_name": self.user_domain_name,
            **super().cache_elements(),
        }


class Token(BaseGeneric):
    auth_type = "token"

    def __init__(
        self,
        *,
        auth_url: str,
        token: str,
        scope: Scope | None = None,
        default_domain_id: str | None = None,
        reauthenticate: bool = True,
        cache: AuthStateCache | None = None,
    ) -> None:
        super().__init__(
            auth_url=auth_url,
            scope=scope,
            default_domain_id=default_domain_id,
            reauthenticate=reauthenticate,
            cache=cache,
        )
        self.token = token

    def create_plugin(self, *, version: Version, url: str) -> V2Auth | V3Auth | None:
        from pocketstack.client.auth.v2 import V2Token
        from pocketstack.client.auth.v3 import V3Token

        if version.major == 2:
            if self.scope.has_domain_parameters:
                return None
            return V2Token(
                auth_url=url,
                token=self.token,
                tenant_id=self.scope.project_id,
                tenant_name=self.scope.project_name,
            )
        if version.major == 3:
            return V3Token(auth_url=url, token=self.token, scope=self.v3_scope)
        return None

    def cache_elements(self) -> dict[str, str | None]:
        from pocketstack.client.debug import hash_token

        return {"method": "token", "token": hash_token(self.token), **super().cache_elements()}
