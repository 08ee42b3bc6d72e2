"""os-hypervisors: the fleet's compute hosts as Nova's compute nodes, with their servers' usage.

A hypervisor is the nova-compute service of its host (same integer id before 2.53; its own
uuid from 2.53). Usage is read with one grouped query over the servers of the hosts shown.
Statistics and uptime answer up to 2.87, search and servers up to 2.52; later, 404.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
from collections.abc import Sequence
from typing import Any

import falcon
from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.cloud.compute import fleet
from pocketstack.cloud.compute.listing import MAX_LIMIT, bool_from_string
from pocketstack.cloud.compute.microversion import ApiVersion
from pocketstack.cloud.compute.routing import Links, refuse_unknown_params, version_of
from pocketstack.cloud.compute.services import query_params
from pocketstack.cloud.compute.validation import canonical_uuid
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import BadRequest, NotFound
from pocketstack.cloud.inputs import decimal
from pocketstack.cloud.store.models.compute import Instance
from pocketstack.cloud.store.models.fleet import ComputeService

_MAX_ID = 2**31 - 1
_LIST_PARAMS = {"limit", "marker", "hypervisor_hostname_pattern", "with_servers"}


def _computes() -> Any:
    return select(ComputeService).where(
        ComputeService.binary == fleet.COMPUTE, ComputeService.deleted.is_(False)
    )


def host_ip(row: ComputeService) -> str:
    """The host's address (a hypervisor's host_ip, a migration's dest_host): a documentation
    address (TEST-NET-1) that nothing ever connects to."""
    return f"192.0.2.{row.id % 250 + 1}"


def _cpu_info(row: ComputeService) -> dict[str, Any]:
    return {
        "arch": "x86_64",
        "model": "Nehalem",
        "vendor": "Intel",
        "topology": {"cells": 1, "sockets": 1, "cores": row.vcpus, "threads": 1},
        "features": [],
    }


class View:
    """Renders hypervisors at one request's microversion."""

    def __init__(self, api: ApiVersion, now: dt.datetime) -> None:
        self.api = api
        self.now = now
        self.uuids = api.at_least("2.53")

    def brief(self, row: ComputeService) -> dict[str, Any]:
        return {
            "id": row.node_uuid if self.uuids else row.id,
            "hypervisor_hostname": row.host,
            "state": "up" if fleet.is_up(row) else "down",
            "status": "disabled" if row.disabled else "enabled",
        }

    def detail(self, row: ComputeService, usage: fleet.Usage) -> dict[str, Any]:
        view = self.brief(row)
        view.update(
            hypervisor_type=fleet.HYPERVISOR_TYPE,
            hypervisor_version=fleet.HYPERVISOR_VERSION,
            host_ip=host_ip(row),
            service={
                "id": row.uuid if self.uuids else row.id,
                "host": row.host,
                "disabled_reason": row.disabled_reason,
            },
        )
        if self.api.at_least("2.88"):
            view["uptime"] = fleet.uptime(row, self.now) if fleet.is_up(row) else None
            return view
        view.update(
            vcpus=row.vcpus,
            memory_mb=row.memory_mb,
            local_gb=row.local_gb,
            vcpus_used=usage.vcpus,
            memory_mb_used=usage.memory_mb,
            local_gb_used=usage.local_gb,
            free_ram_mb=row.memory_mb - usage.memory_mb,
            free_disk_gb=row.local_gb - usage.local_gb,
            current_workload=usage.workload,
            running_vms=usage.running_vms,
            disk_available_least=row.local_gb - usage.local_gb,
        )
        info = _cpu_info(row)
        view["cpu_info"] = info if self.api.at_least("2.28") else json.dumps(info)
        return view


def servers_by_host(session: Session, hosts: Sequence[str]) -> dict[str, list[dict[str, str]]]:
    """The live servers of `hosts` (name and uuid), one query for them all."""
    found: dict[str, list[dict[str, str]]] = {h: [] for h in hosts}
    if hosts:
        rows = session.execute(
            select(Instance.host, Instance.display_name, Instance.uuid)
            .where(Instance.host.in_(list(hosts)), Instance.deleted.is_(False))
            .order_by(Instance.id)
        )
        for host, name, ident in rows:
            found[str(host)].append({"name": name, "uuid": ident})
    return found


def _render(
    session: Session,
    view: View,
    rows: Sequence[ComputeService],
    *,
    detail: bool,
    with_servers: bool,
) -> list[dict[str, Any]]:
    hosts = [r.host for r in rows]
    usage = fleet.usage_by_host(session, hosts) if detail else {}
    servers = servers_by_host(session, hosts) if with_servers else {}
    out = []
    for row in rows:
        item = view.detail(row, usage.get(row.host, fleet.Usage())) if detail else view.brief(row)
        hosted = servers.get(row.host)
        # From 2.75 an empty list is shown too when servers were asked for.
        if hosted or (with_servers and view.api.at_least("2.75")):
            item["servers"] = hosted or []
        out.append(item)
    return out


def _by_pattern(session: Session, pattern: str) -> list[ComputeService]:
    rows = list(
        session.scalars(
            _computes()
            .where(ComputeService.host.contains(pattern, autoescape=True))
            .order_by(ComputeService.id)
        )
    )
    if not rows:
        raise NotFound(f"No hypervisor matching '{pattern}' could be found.")
    return rows


class HypervisorList:
    def __init__(self, deps: CloudDeps, *, detail: bool) -> None:
        self._deps = deps
        self._detail = detail

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        api = version_of(req)
        view = View(api, self._deps.clock.now())
        params = query_params(req)
        paging = api.at_least("2.33")
        pattern, with_servers = None, False
        if api.at_least("2.53"):
            refuse_unknown_params(params, _LIST_PARAMS)
            pattern = params.get("hypervisor_hostname_pattern")
            with_servers = bool_from_string(
                params.get("with_servers", "false"), name="with_servers", strict=True
            )
        limit = MAX_LIMIT
        if paging and "limit" in params:
            number = decimal(params["limit"], cap=MAX_LIMIT)
            if number is None:
                raise BadRequest("limit param must be an integer")
            limit = number
        marker = params.get("marker") if paging else None
        body: dict[str, Any] = {}
        with self._deps.store.session() as session:
            if pattern is not None:
                if "limit" in params or marker is not None:
                    raise BadRequest(
                        "Paging over hypervisors with the hypervisor_hostname_pattern query"
                        " parameter is not supported."
                    )
                rows = _by_pattern(session, pattern)
            else:
                rows = self._page(session, api, marker, limit)
            body["hypervisors"] = _render(
                session, view, rows, detail=self._detail, with_servers=with_servers
            )
        if paging and pattern is None and rows and len(rows) == limit:
            last = body["hypervisors"][-1]["id"]
            pairs = sorted([(k, v) for k, v in params.items() if k != "marker"])
            pairs.append(("marker", str(last)))
            collection = "os-hypervisors/detail" if self._detail else "os-hypervisors"
            href = f"{Links(req).collection(collection)}?{urllib.parse.urlencode(pairs)}"
            body["hypervisors_links"] = [{"rel": "next", "href": href}]
        resp.media = body

    def _page(
        self, session: Session, api: ApiVersion, marker: str | None, limit: int
    ) -> list[ComputeService]:
        stmt = _computes().order_by(ComputeService.id).limit(limit)
        if marker is not None:
            after = _find(session, api, marker)
            if after is None:
                raise BadRequest(f"marker [{marker}] not found")
            stmt = stmt.where(ComputeService.id > after.id)
        return list(session.scalars(stmt))


def _find(session: Session, api: ApiVersion, ident: str) -> ComputeService | None:
    """The hypervisor `ident` names: its uuid from 2.53, its integer id before."""
    if api.at_least("2.53"):
        canonical = canonical_uuid(ident)
        where = ComputeService.node_uuid == canonical
        if canonical is None:
            return None
    else:
        number = decimal(ident, cap=_MAX_ID + 1)
        if number is None:
            return None
        where = ComputeService.id == number
    return session.scalars(_computes().where(where)).first()


def _one(session: Session, api: ApiVersion, ident: str) -> ComputeService:
    if api.at_least("2.53") and canonical_uuid(ident) is None:
        raise BadRequest(f"Invalid uuid {ident}")
    row = _find(session, api, ident)
    if row is None:
        raise NotFound(f"Hypervisor with ID '{ident}' could not be found.")
    return row


class HypervisorItem:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, hypervisor_id: str) -> None:
        api = version_of(req)
        with_servers = False
        if api.at_least("2.53"):
            params = query_params(req)
            refuse_unknown_params(params, {"with_servers"})
            with_servers = bool_from_string(
                params.get("with_servers", "false"), name="with_servers", strict=True
            )
        view = View(api, self._deps.clock.now())
        with self._deps.store.session() as session:
            row = _one(session, api, hypervisor_id)
            (shown,) = _render(session, view, [row], detail=True, with_servers=with_servers)
        resp.media = {"hypervisor": shown}


class HypervisorUptime:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, hypervisor_id: str) -> None:
        api = version_of(req)
        now = self._deps.clock.now()
        with self._deps.store.session() as session:
            row = _one(session, api, hypervisor_id)
        if not fleet.is_up(row):
            raise BadRequest(f"Compute service of {row.host} is unavailable at this time.")
        resp.media = {"hypervisor": {**View(api, now).brief(row), "uptime": fleet.uptime(row, now)}}


class HypervisorSearch:
    """GET /os-hypervisors/{pattern}/search and (with their servers) .../servers."""

    def __init__(self, deps: CloudDeps, *, with_servers: bool) -> None:
        self._deps = deps
        self._with_servers = with_servers

    def on_get(self, req: falcon.Request, resp: falcon.Response, hypervisor_id: str) -> None:
        api = version_of(req)
        view = View(api, self._deps.clock.now())
        with self._deps.store.session() as session:
            rows = _by_pattern(session, hypervisor_id)
            shown = _render(session, view, rows, detail=False, with_servers=self._with_servers)
        resp.media = {"hypervisors": shown}


class HypervisorStatistics:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        with self._deps.store.session() as session:
            # As Nova: the hosts whose compute service is enabled.
            rows = list(session.scalars(_computes().where(ComputeService.disabled.is_(False))))
            usage = fleet.usage_by_host(session, [r.host for r in rows])
        used = [usage.get(r.host, fleet.Usage()) for r in rows]
        stats = {
            "count": len(rows),
            "vcpus": sum(r.vcpus for r in rows),
            "memory_mb": sum(r.memory_mb for r in rows),
            "local_gb": sum(r.local_gb for r in rows),
            "vcpus_used": sum(u.vcpus for u in used),
            "memory_mb_used": sum(u.memory_mb for u in used),
            "local_gb_used": sum(u.local_gb for u in used),
            "current_workload": sum(u.workload for u in used),
            "running_vms": sum(u.running_vms for u in used),
        }
        stats["free_ram_mb"] = stats["memory_mb"] - stats["memory_mb_used"]
        stats["free_disk_gb"] = stats["local_gb"] - stats["local_gb_used"]
        stats["disk_available_least"] = stats["free_disk_gb"]
        resp.media = {"hypervisor_statistics": stats}
