"""os-hosts' update and power actions, as Nova answers them for its fake driver (Nova removed
os-hosts at 2.43: 404 from then).

The fake driver acts on nothing: enabling a host answers "enabled" without touching the
service's own state (os-services changes that), maintenance mode answers "on_maintenance" or
"off_maintenance", and a power action answers its own name. Only the host must exist: a
compute service's host, as Nova maps only computes to a cell.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import falcon
from sqlalchemy import select

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.compute import fleet
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import NotFound
from pocketstack.cloud.store.models.fleet import ComputeService


@dataclasses.dataclass(frozen=True)
class HostUpdate:
    """PUT /os-hosts/{host}: each switch True to enable, False to disable, None if not sent."""

    status: bool | None
    maintenance: bool | None


def host_not_found(host_name: str) -> NotFound:
    return NotFound(f"Host '{host_name}' is not mapped to any cell")


def _assert_compute_host(deps: CloudDeps, host_name: str) -> None:
    with deps.store.session() as session:
        found = session.scalar(
            select(ComputeService.id).where(
                ComputeService.host == host_name,
                ComputeService.binary == fleet.COMPUTE,
                ComputeService.deleted.is_(False),
            )
        )
    if found is None:
        raise host_not_found(host_name)


def update_host(deps: CloudDeps, req: falcon.Request, resp: falcon.Response, host: str) -> None:
    update = request_of(req, HostUpdate)
    result: dict[str, Any] = {"host": host}
    # Nova asks the host only for what the body names; an empty body asks nothing.
    if update.status is not None or update.maintenance is not None:
        _assert_compute_host(deps, host)
    if update.status is not None:
        result["status"] = "enabled" if update.status else "disabled"
    if update.maintenance is not None:
        result["maintenance_mode"] = "on_maintenance" if update.maintenance else "off_maintenance"
    resp.media = result


class HostPowerAction:
    def __init__(self, deps: CloudDeps, action: str) -> None:
        self._deps = deps
        self._action = action

    def on_get(self, req: falcon.Request, resp: falcon.Response, host_name: str) -> None:
        _assert_compute_host(self._deps, host_name)
        resp.media = {"host": host_name, "power_action": self._action}
