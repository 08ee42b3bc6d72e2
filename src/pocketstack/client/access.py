"""What a token body tells the client: the token, its scope and lifetime, and the catalog.

`AccessInfoV2` reads Keystone v2.0 `{"access": ...}` bodies, `AccessInfoV3` reads v3
`{"token": ...}` bodies (the token id itself travels in the X-Subject-Token header).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any

from pocketstack.client.errors import EndpointNotFound, InvalidResponse

_INTERFACES = {"public": "public", "internal": "internal", "admin": "admin"}


def normalize_interface(interface: str) -> str:
    """`publicURL` (v2 / novaclient spelling) and `public` (v3) name the same interface."""
    name = interface.strip()
    if name.endswith("URL"):
        name = name[:-3]
    return _INTERFACES.get(name.lower(), name.lower())


def parse_time(value: Any) -> _dt.datetime:
    if not isinstance(value, str):
        raise InvalidResponse(f"Invalid timestamp in token body: {value!r}")
    try:
        parsed = _dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise InvalidResponse(f"Invalid timestamp in token body: {value!r}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_dt.UTC)
    return parsed.astimezone(_dt.UTC)


@dataclass(frozen=True, kw_only=True)
class Endpoint:
    service_type: str
    service_name: str | None
    service_id: str | None
    interface: str
    region: str | None
    url: str
    id: str | None


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


def _name_id(value: Any) -> tuple[str | None, str | None]:
    if not isinstance(value, dict):
        return None, None
    return value.get("id"), value.get("name")


class AccessInfo:
    """Common view of a token; subclasses read the two body shapes."""

    version = ""

    def __init__(self, *, body: dict[str, Any], auth_token: str) -> None:
        self.body = body
        self.auth_token = auth_token
        self.service_catalog = ServiceCatalog([])
        self.expires = _dt.datetime.min.replace(tzinfo=_dt.UTC)
        self.issued: _dt.datetime | None = None
        self.user_id: str | None = None
        self.username: str | None = None
        self.user_domain_id: str | None = None
        self.user_domain_name: str | None = None
        self.project_id: str | None = None
        self.project_name: str | None = None
        self.project_domain_id: str | None = None
        self.project_domain_name: str | None = None
        self.domain_id: str | None = None
        self.domain_name: str | None = None
        self.system_scoped = False
        self.role_names: list[str] = []
        self.audit_ids: list[str] = []

    def will_expire_soon(self, *, stale_seconds: float, now: _dt.datetime | None = None) -> bool:
        current = now or _dt.datetime.now(_dt.UTC)
        return self.expires <= current + _dt.timedelta(seconds=stale_seconds)

    @property
    def project_scoped(self) -> bool:
        return self.project_id is not None


class AccessInfoV2(AccessInfo):
    version = "v2.0"

    def __init__(self, *, body: dict[str, Any], auth_token: str | None = None) -> None:
        access = body.get("access")
        if not isinstance(access, dict) or not isinstance(access.get("token"), dict):
            raise InvalidResponse("Token body has no access.token")
        token = access["token"]
        super().__init__(body=body, auth_token=auth_token or str(token.get("id", "")))
        if not self.auth_token:
            raise InvalidResponse("Token body has no token id")
        self.expires = parse_time(token.get("expires"))
        self.issued = parse_time(token["issued_at"]) if token.get("issued_at") else None
        self.project_id, self.project_name = _name_id(token.get("tenant"))
        user = access.get("user") or {}
        self.user_id = user.get("id")
        self.username = user.get("name") or user.get("username")
        self.role_names = [r["name"] for r in user.get("roles") or [] if "name" in r]
        self.audit_ids = list(token.get("audit_ids") or [])
        self.service_catalog = ServiceCatalog.from_v2(access.get("serviceCatalog"))


class AccessInfoV3(AccessInfo):
    version = "v3"

    def __init__(self, *, body: dict[str, Any], auth_token: str) -> None:
        token = body.get("token")
        if not isinstance(token, dict):
            raise InvalidResponse("Token body has no token")
        if not auth_token:
            raise InvalidResponse("Token answer has no X-Subject-Token header")
        super().__init__(body=body, auth_token=auth_token)
        self.expires = parse_time(token.get("expires_at"))
        self.issued = parse_time(token["issued_at"]) if token.get("issued_at") else None
        user = token.get("user") or {}
        self.user_id, self.username = _name_id(user)
        self.user_domain_id, self.user_domain_name = _name_id(user.get("domain"))
        project = token.get("project")
        if isinstance(project, dict):
            self.project_id, self.project_name = _name_id(project)
            self.project_domain_id, self.project_domain_name = _name_id(project.get("domain"))
        self.domain_id, self.domain_name = _name_id(token.get("domain"))
        self.system_scoped = bool(token.get("system"))
        self.role_names = [r["name"] for r in token.get("roles") or [] if "name" in r]
        self.audit_ids = list(token.get("audit_ids") or [])
        self.service_catalog = ServiceCatalog.from_v3(token.get("catalog"))


def access_from_body(body: Any, *, auth_token: str | None = None) -> AccessInfo:
    if isinstance(body, dict) and "access" in body:
        return AccessInfoV2(body=body, auth_token=auth_token)
    if isinstance(body, dict) and "token" in body:
        return AccessInfoV3(body=body, auth_token=auth_token or "")
    raise InvalidResponse("Not a token body: neither v2.0 'access' nor v3 'token'")


@dataclass(frozen=True, kw_only=True)
class EndpointFilter:
    """Which catalog endpoint a relative URL is resolved against."""

    service_type: str
    interface: str = "public"
    region_name: str | None = None
    service_name: str | None = None
