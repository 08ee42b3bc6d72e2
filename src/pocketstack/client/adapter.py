"""Per-service defaults over a shared session: service type, interface, region, microversion."""

from __future__ import annotations

from pocketstack.client.catalog import EndpointFilter, normalize_interface
from pocketstack.client.errors import MicroversionNotConfirmed
from pocketstack.client.session import UNSET, Session
from pocketstack.client.transport import Response

# Warm-path module: see docs/startup.md.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any


class Adapter:
    def __init__(
        self,
        session: Session,
        *,
        service_type: str,
        interface: str = "public",
        region_name: str | None = None,
        service_name: str | None = None,
        endpoint_override: str | None = None,
        microversion: str | None = None,
    ) -> None:
        self.session = session
        self.service_type = service_type
        # `publicURL` (novaclient's --os-endpoint-type) and `public` are one interface.
        self.interface = normalize_interface(interface)
        self.region_name = region_name
        self.service_name = service_name
        self.endpoint_override = endpoint_override
        self.microversion = microversion
        # Set when the microversion was assumed rather than read from the service's version
        # document: the next answer must then say it used it, else MicroversionNotConfirmed.
        self.confirm_microversion = False

    @property
    def endpoint_filter(self) -> EndpointFilter:
        return EndpointFilter(
            service_type=self.service_type,
            interface=self.interface,
            region_name=self.region_name,
            service_name=self.service_name,
        )

    def get_endpoint(self) -> str | None:
        if self.endpoint_override:
            return self.endpoint_override
        return self.session.get_endpoint(endpoint_filter=self.endpoint_filter)

    def request(
        self,
        url: str,
        method: str,
        *,
        json: Any = UNSET,
        headers: Mapping[str, str] | None = None,
        microversion: str | None = None,
        raise_exc: bool = True,
        authenticated: bool | None = None,
    ) -> Response:
        response = self.session.request(
            url,
            method,
            json=json,
            headers=headers,
            endpoint_filter=self.endpoint_filter,
            endpoint_override=self.endpoint_override,
            authenticated=authenticated,
            microversion=microversion or self.microversion,
            microversion_service_type=self.service_type,
            raise_exc=raise_exc,
        )
        if self.confirm_microversion and not microversion:
            self._confirm(response)
        return response

    def _confirm(self, response: Response) -> None:
        expected = self.microversion
        headers = response.headers
        # The service names its own type in OpenStack-API-Version ("compute 2.96"); Nova also
        # answers the legacy X-OpenStack-Nova-API-Version.
        stated = (headers.get("openstack-api-version") or "").rpartition(" ")[2]
        legacy = headers.get("x-openstack-nova-api-version")
        if expected is not None and expected in (stated, legacy):
            self.confirm_microversion = False
            return
        raise MicroversionNotConfirmed(
            f"{response.url}: the answer does not say it used microversion {expected}"
        )

    def get(
        self, url: str, *, headers: Mapping[str, str] | None = None, raise_exc: bool = True
    ) -> Response:
        return self.request(url, "GET", headers=headers, raise_exc=raise_exc)

    def post(self, url: str, *, json: Any = UNSET, raise_exc: bool = True) -> Response:
        return self.request(url, "POST", json=json, raise_exc=raise_exc)

    def put(self, url: str, *, json: Any = UNSET, raise_exc: bool = True) -> Response:
        return self.request(url, "PUT", json=json, raise_exc=raise_exc)

    def delete(self, url: str, *, raise_exc: bool = True) -> Response:
        return self.request(url, "DELETE", raise_exc=raise_exc)
