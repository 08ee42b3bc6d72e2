"""os-availability-zone: the zones of the fleet's services, and os-hosts (deprecated; Nova
removed it at 2.43: 404 from then).

A compute service's zone is its host's effective zone (compute/fleet.py: the zone of the host
aggregates it is in, else its configured zone), kept on its row; an aggregate's zone without a
host shows nowhere, as in Nova. A zone is available while one of its services is enabled. The
summary hides the internal zone of the control services, as Nova does; the detail (admins)
shows it, with each zone's hosts and their enabled services.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import falcon
from sqlalchemy import func, select

from pocketstack.cloud.compute import fleet
from pocketstack.cloud.compute.host_actions import host_not_found, update_host
from pocketstack.cloud.compute.services import query_params
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.store.models.compute import Instance
from pocketstack.cloud.store.models.fleet import ComputeService


def _services() -> Any:
    return (
        select(ComputeService).where(ComputeService.deleted.is_(False)).order_by(ComputeService.id)
    )


def _split(rows: list[ComputeService]) -> tuple[list[str], list[str]]:
    """(zones with an enabled service, zones with only disabled ones), each sorted."""
    available = {r.availability_zone for r in rows if not r.disabled}
    others = {r.availability_zone for r in rows if r.disabled} - available
    return sorted(available), sorted(others)


class ZoneList:
    def __init__(self, deps: CloudDeps, *, detail: bool) -> None:
        self._deps = deps
        self._detail = detail

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        with self._deps.store.session() as session:
            rows = list(session.scalars(_services()))
        available, unavailable = _split(rows)
        if not self._detail:
            resp.media = {
                "availabilityZoneInfo": [
                    {"zoneName": zone, "zoneState": {"available": up}, "hosts": None}
                    for zones, up in ((available, True), (unavailable, False))
                    for zone in zones
                    if zone != fleet.INTERNAL_ZONE
                ]
            }
            return
        now = self._deps.clock.now()
        hosts: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        for row in rows:
            if row.disabled:
                continue
            services = hosts[row.availability_zone].setdefault(row.host, {})
            services[row.binary] = {
                "available": fleet.is_up(row),
                "active": True,
                "updated_at": fleet.reported_at(row, now),
            }
        info: list[dict[str, Any]] = [
            {"zoneName": zone, "zoneState": {"available": True}, "hosts": hosts.get(zone, {})}
            for zone in available
        ]
        info += [
            {"zoneName": zone, "zoneState": {"available": False}, "hosts": None}
            for zone in unavailable
        ]
        resp.media = {"availabilityZoneInfo": info}


class HostList:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        stmt = _services().where(ComputeService.disabled.is_(False))
        zone = query_params(req).get("zone")
        if zone:
            stmt = stmt.where(ComputeService.availability_zone == zone)
        with self._deps.store.session() as session:
            rows = list(session.scalars(stmt))
        resp.media = {
            "hosts": [
                {"host_name": r.host, "service": r.topic, "zone": r.availability_zone} for r in rows
            ]
        }


def _resource(host: str, project: str, cpu: int, memory_mb: int, disk_gb: int) -> dict[str, Any]:
    return {
        "resource": {
            "host": host,
            "project": project,
            "cpu": cpu,
            "memory_mb": memory_mb,
            "disk_gb": disk_gb,
        }
    }


class HostItem:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, host_name: str) -> None:
        with self._deps.store.session() as session:
            row = session.scalars(
                _services().where(
                    ComputeService.host == host_name, ComputeService.binary == fleet.COMPUTE
                )
            ).first()
            if row is None:
                # Only compute hosts are mapped to a cell in Nova; any other is not found.
                raise host_not_found(host_name)
            # Per project, one grouped query over the host's live servers.
            per_project = session.execute(
                select(
                    Instance.project_id,
                    func.sum(Instance.vcpus),
                    func.sum(Instance.memory_mb),
                    func.sum(Instance.root_gb + Instance.ephemeral_gb),
                )
                .where(Instance.host == row.host, Instance.deleted.is_(False))
                .group_by(Instance.project_id)
                .order_by(Instance.project_id)
            ).all()
        used = [(str(p), int(c), int(m), int(d)) for p, c, m, d in per_project]
        cpu, memory, disk = (
            sum(u[1] for u in used),
            sum(u[2] for u in used),
            sum(u[3] for u in used),
        )
        resources = [
            _resource(row.host, "(total)", row.vcpus, row.memory_mb, row.local_gb),
            # The fake driver reserves nothing: what is in use now is what the servers take.
            _resource(row.host, "(used_now)", cpu, memory, disk),
            _resource(row.host, "(used_max)", cpu, memory, disk),
        ]
        resources += [_resource(row.host, p, c, m, d) for p, c, m, d in used]
        resp.media = {"host": resources}

    def on_put(self, req: falcon.Request, resp: falcon.Response, host_name: str) -> None:
        update_host(self._deps, req, resp, host_name)
