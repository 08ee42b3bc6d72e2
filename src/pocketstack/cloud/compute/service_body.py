"""The body of `PUT /os-services/{id}` as its responder works with it, and Nova's wording of a
body that fails its schema."""

from __future__ import annotations

import dataclasses
from typing import Any

import jsonschema

from pocketstack.cloud.api.operation import JSON, Microversion
from pocketstack.cloud.api.requests import field_path
from pocketstack.cloud.errors import BadRequest

# Nova's parameter_types.boolean: what a boolean field takes, strings included.
TRUE_VALUES = (True, "True", "TRUE", "true", "1", "ON", "On", "on", "YES", "Yes", "yes")
FALSE_VALUES = (False, "False", "FALSE", "false", "0", "OFF", "Off", "off", "NO", "No", "no")
BOOLEAN: JSON = {"enum": [*TRUE_VALUES, *FALSE_VALUES]}
# Nova's parameter_types.fqdn.
HOST_NAME: JSON = {
    "type": "string",
    "minLength": 1,
    "maxLength": 255,
    "pattern": "^[a-zA-Z0-9-._]*$",
}
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
        forced_down=None if forced is None else forced in TRUE_VALUES,
    )


def nova_invalid(error: jsonschema.ValidationError) -> BadRequest:
    """Nova's message: the field, its value and the reason; the bare reason for the body."""
    field = field_path(error)
    if field is None:
        return BadRequest(error.message)
    return BadRequest(
        f"Invalid input for field/attribute {field}. Value: {error.instance}. {error.message}"
    )
