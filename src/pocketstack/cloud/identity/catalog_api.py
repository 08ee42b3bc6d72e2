"""The updates of the catalog (regions, services, endpoints) and of roles declared (see api.py),
with Keystone's rule names, all for admins; the region created under an id of the caller's
choosing (PUT), which Keystone keeps beside the POST that makes one up; and, gathered here so
api.py names them once, the catalog's extras: endpoint groups (endpoint_group_api.py), policy
blobs (policy_api.py) and domain configuration (domain_config_api.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pocketstack.cloud.api.operation import JSON, Microversion, Operation, Rule, every_version
from pocketstack.cloud.api.shapes import obj, ref
from pocketstack.cloud.identity import (
    catalog_requests,
    domain_config_api,
    endpoint_group_api,
    policy,
    policy_api,
)
from pocketstack.cloud.identity import requests as bodies
from pocketstack.cloud.identity.request_schemas import REGION_CREATE

_WRITE = (400, 401, 403, 404, 409, 413)
Parse = Callable[[Any, Microversion | None], object]


# The endpoint create's body, typed (with its legacy `region`): api.py declares the operation.
endpoint_create = catalog_requests.parse_endpoint_create


def _rule(name: str) -> Rule:
    return Rule(f"identity:{name}", policy.admin_required)


def _update(plural: str, singular: str, schema: str, request: JSON, parse: Parse) -> Operation:
    return Operation(method="PATCH", path=f"/v3/{plural}/{{{singular}_id}}",
                     summary=f"Update a {singular}", policy=_rule(f"update_{singular}"),
                     status=(200,), request=every_version(request), parse=parse,
                     response=every_version(obj({singular: ref(schema)})),
                     errors=_WRITE)  # fmt: skip


def schemas() -> dict[str, JSON]:
    return {**endpoint_group_api.schemas(), **policy_api.schemas()}


def operations() -> list[Operation]:
    extras = [*endpoint_group_api.operations(), *policy_api.operations(),
              *domain_config_api.operations()]  # fmt: skip
    return [*extras,
        _update("regions", "region", "Region", catalog_requests.REGION_UPDATE,
                catalog_requests.parse_region_update),
        Operation(method="PUT", path="/v3/regions/{region_id}",
                  summary="Create a region with the given id",
                  policy=_rule("create_region"), status=(201,),
                  request=every_version(REGION_CREATE),
                  parse=bodies.parse_region_create,
                  response=every_version(obj({"region": ref("Region")})), errors=_WRITE),
        _update("services", "service", "Service", catalog_requests.SERVICE_UPDATE,
                catalog_requests.parse_service_update),
        _update("endpoints", "endpoint", "Endpoint", catalog_requests.ENDPOINT_UPDATE,
                catalog_requests.parse_endpoint_update),
        _update("roles", "role", "Role", catalog_requests.ROLE_UPDATE,
                catalog_requests.parse_role_update),
    ]  # fmt: skip
