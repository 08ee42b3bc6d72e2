"""The body of `PUT /os-services/{id}` as its responder works with it, and the parameter types
its schemas (compute/api/fleet.py) are built from."""

from __future__ import annotations

import dataclasses
from typing import Any

from pocketstack.cloud.api.operation import JSON, Microversion
from pocketstack.cloud.compute.api.params import BOOLEAN, FQDN
from pocketstack.cloud.compute.requests import boolean

__all__ = ("BOOLEAN", "HOST_NAME", "SHORT_TEXT", "ServiceUpdate", "parse_service_update")

# A service's host is Nova's parameter_types.fqdn.
HOST_NAME = FQDN
SHORT_TEXT: JSON = {"type": "string", "minLength": 1, "maxLength": 255}


@dataclasses.dataclass(frozen=True)
class ServiceUpdate:
    # Before 2.53 the body names the service; from 2.53 the path does.
    host: str | None
    binary: str | None
    status: str | None
    disabled_reason: str | None
    forced_down: bool | None


def parse_service_update(body: Any, version: Microversion | None) -> ServiceUpdate:
    """`body` has passed the schema of `version` (cloud/api/requests.py)."""
    forced = body.get("forced_down")
    return ServiceUpdate(
        host=body.get("host"),
        binary=body.get("binary"),
        status=body.get("status"),
        disabled_reason=body.get("disabled_reason"),
        forced_down=None if forced is None else boolean(forced),
    )
