"""The compute client: one adapter per service over a shared session, managers on first use."""

from __future__ import annotations

from pocketstack.client.adapter import Adapter
from pocketstack.client.compute.versions import (
    CLIENT_MAX,
    APIVersion,
    check_client_range,
    fetch_version_document,
    negotiate,
)
from pocketstack.client.versions import VersionData

# Warm-path module: see docs/startup.md.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Protocol, TypeGuard

    from pocketstack.client.compute.flavors import FlavorManager
    from pocketstack.client.compute.images import ImageManager
    from pocketstack.client.compute.servers import ServerManager
    from pocketstack.client.session import Session

    class DataCache(Protocol):
        """Where the version document is kept between runs: the auth plugin's cached state, so
        it lives and dies with the token (see client.auth.base)."""

        def get_cached_data(self, key: str) -> Any: ...

        def set_cached_data(self, key: str, value: Any) -> None: ...


_CACHE_PREFIX = "compute-version:"


def _is_data_cache(value: object) -> TypeGuard[DataCache]:
    # What isinstance() against a runtime_checkable DataCache would check.
    return callable(getattr(value, "get_cached_data", None)) and callable(
        getattr(value, "set_cached_data", None)
    )


class ComputeClient:
    def __init__(
        self,
        session: Session,
        *,
        api_version: APIVersion | str = "2.latest",
        service_type: str = "compute",
        interface: str = "public",
        region_name: str | None = None,
        service_name: str | None = None,
        endpoint_override: str | None = None,
        cache: DataCache | None = None,
        assume_newest: bool = False,
    ) -> None:
        self.session = session
        self.requested_version = (
            api_version if isinstance(api_version, APIVersion) else APIVersion.parse(api_version)
        )
        # Fail before any request for a version this client cannot speak.
        check_client_range(self.requested_version)
        self.adapter = Adapter(
            session,
            service_type=service_type,
            interface=interface,
            region_name=region_name,
            service_name=service_name,
            endpoint_override=endpoint_override,
        )
        self.image_adapter = Adapter(
            session, service_type="image", interface=interface, region_name=region_name
        )
        if cache is None and _is_data_cache(session.auth):
            cache = session.auth
        self._cache = cache
        # "2.latest" without a cached version document: send CLIENT_MAX at once instead of
        # first asking the version root, and let the answer confirm it (see api_version).
        self._assume_newest = assume_newest
        self._assumed = False
        self._api_version: APIVersion | None = None
        self._servers: ServerManager | None = None
        self._flavors: FlavorManager | None = None
        self._images: ImageManager | None = None

    def _cache_key(self) -> str:
        return _CACHE_PREFIX + (self.adapter.get_endpoint() or "").rstrip("/")

    def cached_version_document(self) -> VersionData | None:
        if self._cache is None:
            return None
        return VersionData.from_cache(self._cache.get_cached_data(self._cache_key()))

    def version_document(self) -> VersionData:
        """The server's version range: from the auth-state cache, else one GET (then cached)."""
        return self.cached_version_document() or self._fetch_version_document()

    def _fetch_version_document(self) -> VersionData:
        document = fetch_version_document(self.adapter)
        if self._cache is not None:
            self._cache.set_cached_data(self._cache_key(), document.to_cache())
        return document

    # Each computed on first use and kept (plain properties, not functools.cached_property:
    # see docs/startup.md).
    @property
    def api_version(self) -> APIVersion:
        """The negotiated version (asks the server's range on first use).

        With assume_newest, "2.latest" and no cached range, it is CLIENT_MAX without a request:
        what negotiation gives against any server that supports it (Nova since 2024.1), one
        request fewer. The first answer must confirm it; if instead it is refused (406) or
        unconfirmed, the caller calls renegotiate() and starts over."""
        if self._api_version is None:
            cached = self.cached_version_document()
            if cached is None and self._assume_newest and self.requested_version.is_latest:
                version = CLIENT_MAX
                self._assumed = True
                self.adapter.confirm_microversion = True
            else:
                document = cached or self._fetch_version_document()
                version = negotiate(self.requested_version, document)
            self.adapter.microversion = version.header_value()
            self._api_version = version
        return self._api_version

    @property
    def version_assumed(self) -> bool:
        """The version in use was assumed and no answer has confirmed it yet."""
        return self._assumed and self.adapter.confirm_microversion

    def renegotiate(self) -> None:
        """Forget an assumed version (its request was refused or unconfirmed): the next use
        asks the version root, as without assume_newest, and keeps the answer in the cache."""
        self._assume_newest = False
        self._assumed = False
        self.adapter.confirm_microversion = False
        self._api_version = None
        self._servers = None
        self._flavors = None

    @property
    def servers(self) -> ServerManager:
        if self._servers is None:
            from pocketstack.client.compute.servers import ServerManager

            self._servers = ServerManager(self.adapter, api_version=self.api_version)
        return self._servers

    @property
    def flavors(self) -> FlavorManager:
        if self._flavors is None:
            from pocketstack.client.compute.flavors import FlavorManager

            self.api_version  # noqa: B018 - every compute request carries the negotiated version
            self._flavors = FlavorManager(self.adapter)
        return self._flavors

    @property
    def images(self) -> ImageManager:
        if self._images is None:
            from pocketstack.client.compute.images import ImageManager

            self._images = ImageManager(self.image_adapter)
        return self._images
