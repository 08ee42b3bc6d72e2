"""The compute client: one adapter per service over a shared session, managers on first use."""

from __future__ import annotations

from functools import cached_property

from pocketstack.client.adapter import Adapter
from pocketstack.client.compute.versions import (
    APIVersion,
    VersionDocument,
    check_client_range,
    fetch_version_document,
    negotiate,
)

# Not `typing.TYPE_CHECKING`: a warm `pocketstack list` imports this module, and typing
# costs it ~3 ms; mypy treats a module-level TYPE_CHECKING = False as the real thing.
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

    def version_document(self) -> VersionDocument:
        """The server's version range: from the auth-state cache, else one GET (then cached)."""
        endpoint = self.adapter.get_endpoint() or ""
        key = _CACHE_PREFIX + endpoint.rstrip("/")
        if self._cache is not None:
            cached = VersionDocument.from_cache(self._cache.get_cached_data(key))
            if cached is not None:
                return cached
        document = fetch_version_document(self.adapter)
        if self._cache is not None:
            self._cache.set_cached_data(key, document.to_cache())
        return document

    @cached_property
    def api_version(self) -> APIVersion:
        """The negotiated version (asks the server's range on first use)."""
        version = negotiate(self.requested_version, self.version_document())
        self.adapter.microversion = version.header_value()
        return version

    @cached_property
    def servers(self) -> ServerManager:
        from pocketstack.client.compute.servers import ServerManager

        return ServerManager(self.adapter, api_version=self.api_version)

    @cached_property
    def flavors(self) -> FlavorManager:
        from pocketstack.client.compute.flavors import FlavorManager

        self.api_version  # noqa: B018 - every compute request carries the negotiated version
        return FlavorManager(self.adapter)

    @cached_property
    def images(self) -> ImageManager:
        from pocketstack.client.compute.images import ImageManager

        return ImageManager(self.image_adapter)
