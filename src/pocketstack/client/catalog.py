"""The service catalog a token comes with, and how a relative URL picks its endpoint.

`ServiceCatalog.from_v2` reads Keystone v2.0 `serviceCatalog` lists (one endpoint carries its
three interface URLs), `from_v3` reads v3 `catalog` lists (one endpoint per interface).
"""

from __future__ import annotations

from pocketstack.client.errors import EndpointNotFound
from pocketstack.client.slotted import Value

# Warm-path module: see docs/startup.md.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_INTERFACES = {"public": "public", "internal": "internal", "admin": "admin"}


def normalize_interface(interface: str) -> str:
    """`publicURL` (v2 / novaclient spelling) and `public` (v3) name the same interface."""
    name = interface.strip()
    if name.endswith("URL"):
        name = name[:-3]
    return _INTERFACES.get(name.lower(), name.lower())


class Endpoint(Value):
    __slots__ = ("id", "interface", "region", "service_id", "service_name", "service_type", "url")
    _fields = ("service_type", "service_name", "service_id", "interface", "region", "url", "id")
    _shown = ("service_type", "interface", "region", "url")

    def __init__(
        self,
        *,
        service_type: str,
        service_name: str | None,
        service_id: str | None,
        interface: str,
        region: str | None,
        url: str,
        id: str | None,
    ) -> None:
        self.service_type = service_type
        self.service_name = service_name
        self.service_id = service_id
        self.interface = interface
        self.region = region
        self.url = url
        self.id = id


class ServiceCatalog:
    def __init__(self, endpoints: list[Endpoint]) -> None:
        self.endpoints = endpoints

    @classmethod
    def from_v2(cls, services: Any) -> ServiceCatalog:
        endpoints: list[Endpoint] = []
        for service in services if isinstance(services, list) else []:
            if not isinstance(service, dict):
                continue
            for raw in service.get("endpoints") or []:
                for interface in ("public", "internal", "admin"):
                    url = raw.get(f"{interface}URL")
                    if not url:
                        continue
                    endpoints.append(
                        Endpoint(
                            service_type=str(service.get("type", "")),
                            service_name=service.get("name"),
                            service_id=None,
                            interface=interface,
                            region=raw.get("region"),
                            url=str(url),
                            id=raw.get("id"),
                        )
                    )
        return cls(endpoints)

    @classmethod
    def from_v3(cls, services: Any) -> ServiceCatalog:
        endpoints: list[Endpoint] = []
        for service in services if isinstance(services, list) else []:
            if not isinstance(service, dict):
                continue
            for raw in service.get("endpoints") or []:
                if not raw.get("url"):
                    continue
                endpoints.append(
                    Endpoint(
                        service_type=str(service.get("type", "")),
                        service_name=service.get("name"),
                        service_id=service.get("id"),
                        interface=normalize_interface(str(raw.get("interface", "public"))),
                        region=raw.get("region_id") or raw.get("region"),
                        url=str(raw["url"]),
                        id=raw.get("id"),
                    )
                )
        return cls(endpoints)

    def services(self) -> list[tuple[str, str | None, list[Endpoint]]]:
        """(type, name, endpoints) per service, in catalog order."""
        grouped: dict[tuple[str, str | None], list[Endpoint]] = {}
        for endpoint in self.endpoints:
            grouped.setdefault((endpoint.service_type, endpoint.service_name), []).append(endpoint)
        return [(stype, name, eps) for (stype, name), eps in grouped.items()]

    def match(
        self,
        *,
        service_type: str,
        interface: str = "public",
        region_name: str | None = None,
        service_name: str | None = None,
    ) -> list[Endpoint]:
        wanted = normalize_interface(interface)
        return [
            ep
            for ep in self.endpoints
            if ep.service_type == service_type
            and ep.interface == wanted
            and (region_name is None or ep.region == region_name)
            and (service_name is None or ep.service_name == service_name)
        ]

    def url_for(
        self,
        *,
        service_type: str,
        interface: str = "public",
        region_name: str | None = None,
        service_name: str | None = None,
    ) -> str:
        found = self.match(
            service_type=service_type,
            interface=interface,
            region_name=region_name,
            service_name=service_name,
        )
        if found:
            return found[0].url
        message = f"{normalize_interface(interface)} endpoint for {service_type} service"
        if service_name:
            message += f" named {service_name}"
        if region_name:
            message += f" in {region_name} region"
        message += " not found"
        if not self.endpoints:
            message += " (the token has an empty catalog: is it scoped to a project?)"
        raise EndpointNotFound(message)


class EndpointFilter(Value):
    """Which catalog endpoint a relative URL is resolved against."""

    __slots__ = ("interface", "region_name", "service_name", "service_type")
    _fields = ("service_type", "interface", "region_name", "service_name")

    def __init__(
        self,
        *,
        service_type: str,
        interface: str = "public",
        region_name: str | None = None,
        service_name: str | None = None,
    ) -> None:
        self.service_type = service_type
        self.interface = interface
        self.region_name = region_name
        self.service_name = service_name
