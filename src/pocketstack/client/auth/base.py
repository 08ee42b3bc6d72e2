"""The identity plugin base: token lifecycle, catalog lookups, and the auth-state cache."""

from __future__ import annotations

import abc
from _thread import RLock

from pocketstack.client import jsoncodec
from pocketstack.client.access import access_from_body
from pocketstack.client.errors import AuthUrlNotFound, EndpointNotFound, InvalidResponse, NotFound
from pocketstack.client.slotted import Value

# Warm-path module: see docs/startup.md. Every warm command builds a plugin from it.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from pocketstack.client.access import AccessInfo
    from pocketstack.client.cache import AuthStateCache
    from pocketstack.client.catalog import EndpointFilter
    from pocketstack.client.session import Session


def _sha256_hex(data: bytes) -> str:
    """hashlib.sha256(data).hexdigest() from CPython's own SHA-256 module: hashlib would load
    OpenSSL's libcrypto for algorithms a cache file name does not need."""
    constructor: Callable[[bytes], Any]
    try:
        from _sha2 import sha256 as constructor  # type: ignore[import-not-found,no-redef]
    except ImportError:
        try:
            from _sha256 import sha256 as constructor  # type: ignore[import-not-found,no-redef]
        except ImportError:
            from hashlib import sha256 as constructor
    return str(constructor(data).hexdigest())


# Re-authenticate when the token has less than this left, as keystoneauth does.
MIN_TOKEN_LIFE_SECONDS = 120


class Scope(Value):
    """What a token is scoped to; all None means unscoped (or the user's default project)."""

    __slots__ = (
        "domain_id",
        "domain_name",
        "project_domain_id",
        "project_domain_name",
        "project_id",
        "project_name",
        "system_scope",
    )
    _fields = (
        "project_id",
        "project_name",
        "project_domain_id",
        "project_domain_name",
        "domain_id",
        "domain_name",
        "system_scope",
    )

    def __init__(
        self,
        *,
        project_id: str | None = None,
        project_name: str | None = None,
        project_domain_id: str | None = None,
        project_domain_name: str | None = None,
        domain_id: str | None = None,
        domain_name: str | None = None,
        system_scope: str | None = None,
    ) -> None:
        self.project_id = project_id
        self.project_name = project_name
        self.project_domain_id = project_domain_id
        self.project_domain_name = project_domain_name
        self.domain_id = domain_id
        self.domain_name = domain_name
        self.system_scope = system_scope

    @property
    def has_domain_parameters(self) -> bool:
        """Domain parameters exist only in v3."""
        return any(
            (self.domain_id, self.domain_name, self.project_domain_id, self.project_domain_name)
        )

    def with_default_domain(self, domain_id: str | None) -> Scope:
        """This scope, its project name placed in `domain_id` when no project domain is given
        (a v3 project name means nothing without its domain)."""
        if not domain_id or not self.project_name or self.project_id:
            return self
        if self.project_domain_id or self.project_domain_name:
            return self
        return Scope(
            project_name=self.project_name,
            project_domain_id=domain_id,
            domain_id=self.domain_id,
            domain_name=self.domain_name,
            system_scope=self.system_scope,
        )

    def as_v3(self) -> dict[str, Any] | None:
        if self.project_id:
            return {"project": {"id": self.project_id}}
        if self.project_name:
            domain = _domain_ref(self.project_domain_id, self.project_domain_name)
            project: dict[str, Any] = {"name": self.project_name}
            if domain:
                project["domain"] = domain
            return {"project": project}
        if self.domain_id or self.domain_name:
            return {"domain": _domain_ref(self.domain_id, self.domain_name)}
        if self.system_scope:
            return {"system": {self.system_scope: True}}
        return None

    def cache_elements(self) -> dict[str, str | None]:
        return {name: getattr(self, name) for name in self._fields}


def _domain_ref(domain_id: str | None, domain_name: str | None) -> dict[str, str] | None:
    if domain_id:
        return {"id": domain_id}
    if domain_name:
        return {"name": domain_name}
    return None


def _auth_url_not_found(auth_url: str, exc: NotFound) -> AuthUrlNotFound:
    """A 404 to the token request, told as what it most likely is: a wrong auth URL."""
    return AuthUrlNotFound(
        f"The auth URL {auth_url} is likely wrong: {exc.method} {exc.url} was not found "
        f"({exc.message}). Check the auth URL setting "
        "(env[OS_AUTH_URL], --os-auth-url or auth_url in clouds.yaml)",
        auth_url=auth_url,
        cause=exc,
    )


class BaseIdentityPlugin(abc.ABC):
    """Gets and keeps a token; thread-safe; optional persistent cache of the auth state."""

    auth_type = "identity"

    def __init__(
        self,
        *,
        auth_url: str,
        reauthenticate: bool = True,
        cache: AuthStateCache | None = None,
    ) -> None:
        self.auth_url = auth_url
        self.reauthenticate = reauthenticate
        self.cache = cache
        self._access: AccessInfo | None = None
        self._extra: dict[str, Any] = {}
        self._cache_checked = False
        self._lock = RLock()
        # True when the current token came from the cache file (no auth request this run).
        self.from_cache = False

    # what a subclass provides -------------------------------------------------------------
    @abc.abstractmethod
    def get_auth_ref(self, session: Session) -> AccessInfo:
        """Authenticate over `session` and return the new token."""

    @abc.abstractmethod
    def cache_elements(self) -> dict[str, str | None]:
        """What identifies this identity (never a password)."""

    # token lifecycle ----------------------------------------------------------------------
    def _needs_new_token(self, access: AccessInfo | None) -> bool:
        if access is None:
            return True
        if not self.reauthenticate:
            return False
        return access.will_expire_soon(stale_seconds=MIN_TOKEN_LIFE_SECONDS)

    def get_access(self, session: Session) -> AccessInfo:
        with self._lock:
            if self._access is None and not self._cache_checked:
                self._load_cached_state()
            if self._needs_new_token(self._access):
                try:
                    self._access = self.get_auth_ref(session)
                except NotFound as exc:
                    raise _auth_url_not_found(self.auth_url, exc) from exc
                self.from_cache = False
                self._save_state()
            assert self._access is not None
            return self._access

    def get_token(self, session: Session) -> str:
        return self.get_access(session).auth_token

    def get_headers(self, session: Session) -> dict[str, str] | None:
        return {"X-Auth-Token": self.get_token(session)}

    def invalidate(self) -> bool:
        with self._lock:
            self._cache_checked = True
            if self.cache is not None:
                self.cache.drop(self.get_cache_id())
            if self._access is None:
                return False
            self._access = None
            self.from_cache = False
            return True

    def get_endpoint(
        self, session: Session, *, endpoint_filter: EndpointFilter | None
    ) -> str | None:
        if endpoint_filter is None:
            return None
        catalog = self.get_access(session).service_catalog
        try:
            return catalog.url_for(
                service_type=endpoint_filter.service_type,
                interface=endpoint_filter.interface,
                region_name=endpoint_filter.region_name,
                service_name=endpoint_filter.service_name,
            )
        except EndpointNotFound:
            # An unscoped token has no catalog, yet identity is still where we authenticated.
            if endpoint_filter.service_type == "identity" and not catalog.endpoints:
                return self.auth_url
            raise

    def get_user_id(self, session: Session) -> str | None:
        return self.get_access(session).user_id

    def get_project_id(self, session: Session) -> str | None:
        return self.get_access(session).project_id

    # the auth-state cache -----------------------------------------------------------------
    def get_cache_id(self) -> str:
        elements = {"auth_url": self.auth_url.rstrip("/"), **self.cache_elements()}
        canonical = jsoncodec.dumps(elements, sort_keys=True).encode("utf-8")
        return _sha256_hex(canonical)

    def get_auth_state(self) -> dict[str, Any] | None:
        access = self._access
        if access is None:
            return None
        return {
            "auth_token": access.auth_token,
            "body": access.body,
            "expires_at": access.expires.isoformat(),
            "extra": self._extra,
        }

    def set_auth_state(self, state: dict[str, Any]) -> bool:
        """Adopt a saved state if it still holds a usable token; True when adopted."""
        try:
            access = access_from_body(state["body"], auth_token=str(state["auth_token"]))
        except (KeyError, TypeError, InvalidResponse):
            return False
        extra = state.get("extra")
        self._extra = dict(extra) if isinstance(extra, dict) else {}
        if access.will_expire_soon(stale_seconds=MIN_TOKEN_LIFE_SECONDS):
            return False
        self._access = access
        self.from_cache = True
        return True

    def _load_cached_state(self) -> None:
        self._cache_checked = True
        if self.cache is None:
            return
        cache_id = self.get_cache_id()
        state = self.cache.load(cache_id)
        if state is not None and not self.set_auth_state(state):
            self.cache.drop(cache_id)

    def _save_state(self) -> None:
        state = self.get_auth_state()
        if self.cache is not None and state is not None:
            self.cache.save(self.get_cache_id(), state)

    def get_cached_data(self, key: str) -> Any:
        """Per-service data saved with the auth state (None when absent)."""
        with self._lock:
            if self._access is None and not self._cache_checked:
                self._load_cached_state()
            return self._extra.get(key)

    def set_cached_data(self, key: str, value: Any) -> None:
        with self._lock:
            self._extra[key] = value
            self._save_state()


class TokenEndpoint:
    """A token and an endpoint given by the user: no auth round trip, nothing to refresh."""

    auth_type = "token_endpoint"

    def __init__(self, *, endpoint: str, token: str) -> None:
        self.endpoint = endpoint
        self.token = token

    def get_headers(self, session: Session) -> dict[str, str] | None:
        return {"X-Auth-Token": self.token}

    def get_endpoint(
        self, session: Session, *, endpoint_filter: EndpointFilter | None
    ) -> str | None:
        return self.endpoint

    def invalidate(self) -> bool:
        return False
