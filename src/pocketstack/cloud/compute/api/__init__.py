"""The compute API (Nova v2.1 with microversions) declared: every operation once, with its
route, policy rule, microversions, schemas and statuses (see cloud/api/operation.py), one module
per resource.

Every route answers at `/v2.1/...`, `/v2.1/{project_id}/...` and the legacy `/v2/{project_id}/...`
(the seed's catalog form); routing.py takes the root off before the app routes.
"""

from __future__ import annotations

from pocketstack.cloud.api.operation import Service
from pocketstack.cloud.compute.api import (
    aggregates,
    extensions,
    external_events,
    flavor_extras,
    flavors,
    fleet,
    floating_ips,
    host_admin,
    images,
    instance_actions,
    interfaces,
    keypairs,
    migrations,
    networks,
    quotas,
    security_groups,
    server_extras,
    server_groups,
    server_ips,
    servers,
    usage,
)
from pocketstack.cloud.compute.api.common import MICROVERSION_HEADERS, error_response, public_paths
from pocketstack.cloud.compute.api.components import schemas

# One module per resource, each with its operations().
_MODULES = (
    server_groups,
    servers,
    flavors,
    flavor_extras,
    server_ips,
    usage,
    keypairs,
    quotas,
    fleet,
    aggregates,
    host_admin,
    server_extras,
    images,
    instance_actions,
    migrations,
    external_events,
    extensions,
    networks,
    security_groups,
    floating_ips,
    interfaces,
)

SERVICE = Service(
    name="compute",
    operations=tuple(op for module in _MODULES for op in module.operations()),
    schemas=schemas(),
    error_response=error_response,
    public_paths=public_paths,
    versioned_parameters=MICROVERSION_HEADERS,
)
