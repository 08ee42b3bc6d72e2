"""The compute API's flavor extra specs (os-extra_specs) and flavor access (os-flavor-access)
declared, with their request bodies as Nova's schemas state them."""

from __future__ import annotations

from pocketstack.cloud.api.operation import JSON, Microversion, Operation, every_version
from pocketstack.cloud.api.shapes import STR, arr, obj
from pocketstack.cloud.compute import flavor_requests
from pocketstack.cloud.compute.api import params as p
from pocketstack.cloud.compute.api.common import (
    ADMIN,
    READ_ERRORS,
    READER,
    WRITE_ERRORS,
    rule,
)
from pocketstack.cloud.compute.api.requests import by_version

# Extra specs take numbers too (Nova's flavors_extraspecs schema), stored as their text.
_SPEC_VALUE: JSON = {"type": ["string", "number"], "maxLength": 255}
_SPECS: JSON = {
    "type": "object",
    "patternProperties": {p.METADATA_KEY: _SPEC_VALUE},
    "additionalProperties": False,
}


def _specs_create(version: Microversion) -> JSON:
    return p.closed({"extra_specs": _SPECS}, required=("extra_specs",))


def _spec_update(version: Microversion) -> JSON:
    return {**_SPECS, "minProperties": 1, "maxProperties": 1}


def _access_action(version: Microversion) -> JSON:
    """One action (Nova's action_peek), each with the project it names."""
    tenant = p.closed({"tenant": {"type": "string", "minLength": 1, "maxLength": 255}},
                      required=("tenant",))  # fmt: skip
    return {
        "format": "action",
        "properties": {"addTenantAccess": tenant, "removeTenantAccess": tenant},
    }


SPECS_CREATE = by_version(_specs_create, [(2, 1)])
SPEC_UPDATE = by_version(_spec_update, [(2, 1)])
ACCESS_ACTION = by_version(_access_action, [(2, 1)])


def operations() -> tuple[Operation, ...]:
    stored = obj({"extra_specs": {"type": "object", "additionalProperties": STR}})
    sent = obj({"extra_specs": {"type": "object", "additionalProperties": _SPEC_VALUE}})
    one_stored: JSON = {"type": "object", "minProperties": 1, "maxProperties": 1,
                        "additionalProperties": STR}  # fmt: skip
    one_sent: JSON = {**one_stored, "additionalProperties": _SPEC_VALUE}
    access = every_version(obj({"flavor_access": arr(obj({"flavor_id": STR, "tenant_id": STR}))}))
    specs = "/flavors/{flavor_id}/os-extra_specs"
    spec = "/flavors/{flavor_id}/os-extra_specs/{flavor_extra_spec_key}"
    return (
        Operation(method="GET", path=specs, summary="List a flavor's extra specs",
                  policy=rule("os-flavor-extra-specs:index", READER), status=(200,),
                  response=every_version(stored), errors=READ_ERRORS),
        Operation(method="POST", path=specs, summary="Create or update extra specs of a flavor",
                  policy=rule("os-flavor-extra-specs:create", ADMIN), status=(200,),
                  request=SPECS_CREATE, parse=flavor_requests.parse_extra_specs,
                  response=every_version(sent), errors=WRITE_ERRORS),
        Operation(method="GET", path=spec, summary="Show an extra spec of a flavor",
                  policy=rule("os-flavor-extra-specs:show", READER), status=(200,),
                  response=every_version(one_stored), errors=READ_ERRORS),
        Operation(method="PUT", path=spec, summary="Update an extra spec of a flavor",
                  policy=rule("os-flavor-extra-specs:update", ADMIN), status=(200,),
                  request=SPEC_UPDATE, parse=flavor_requests.parse_extra_spec_item,
                  response=every_version(one_sent), errors=WRITE_ERRORS),
        Operation(method="DELETE", path=spec, summary="Delete an extra spec of a flavor",
                  policy=rule("os-flavor-extra-specs:delete", ADMIN), status=(200,),
                  errors=WRITE_ERRORS),
        Operation(method="GET", path="/flavors/{flavor_id}/os-flavor-access",
                  summary="List the projects a private flavor is shared with",
                  policy=rule("os-flavor-access", ADMIN), status=(200,), response=access,
                  errors=READ_ERRORS),
        # Each action has its own rule (add_tenant_access, remove_tenant_access), both an
        # admin's, checked once the body names the action.
        Operation(method="POST", path="/flavors/{flavor_id}/action",
                  summary="Share a private flavor with a project or stop sharing it"
                          " (addTenantAccess, removeTenantAccess)",
                  policy=rule("os-flavor-access:<the action's rule>", None), status=(200,),
                  request=ACCESS_ACTION, parse=flavor_requests.parse_access_change,
                  response=access, errors=WRITE_ERRORS),
    )  # fmt: skip
