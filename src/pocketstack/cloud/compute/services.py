"""os-services: GET /os-services, PUT and DELETE /os-services/{service_id}.

Before microversion 2.53 a service is addressed by its integer id (DELETE) or by host and binary
in the body of a PUT whose path names the action; from 2.53 by its uuid. Only nova-compute
services may be updated, as in Nova.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from typing import Any

import falcon
from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.compute import aggregate_db, fleet
from pocketstack.cloud.compute.microversion import ApiVersion
from pocketstack.cloud.compute.routing import refuse_unknown_params, version_of
from pocketstack.cloud.compute.servers import settle_if_delayed
from pocketstack.cloud.compute.service_body import ServiceUpdate
from pocketstack.cloud.compute.validation import canonical_uuid
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import BadRequest, Conflict, NotFound
from pocketstack.cloud.inputs import decimal
from pocketstack.cloud.store.models.compute import Instance
from pocketstack.cloud.store.models.fleet import ComputeService

_MAX_ID = 2**31 - 1


def query_params(req: falcon.Request) -> dict[str, str]:
    """The query as Nova reads it: the last value of a repeated parameter."""
    return dict(urllib.parse.parse_qsl(req.query_string, keep_blank_values=True))


def service_view(
    row: ComputeService, api: ApiVersion, now: dt.datetime, *, forced_down: bool
) -> dict[str, Any]:
    view: dict[str, Any] = {
        "binary": row.binary,
        "host": row.host,
        "id": row.uuid if api.at_least("2.53") else row.id,
        "zone": row.availability_zone,
        "status": "disabled" if row.disabled else "enabled",
        "state": "up" if fleet.is_up(row) else "down",
        "updated_at": fleet.reported_at(row, now),
        "disabled_reason": row.disabled_reason,
    }
    if forced_down:
        view["forced_down"] = row.forced_down
    return view


def _live() -> Any:
    return select(ComputeService).where(ComputeService.deleted.is_(False))


class ServiceList:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        api = version_of(req)
        params = query_params(req)
        if api.at_least("2.75"):
            refuse_unknown_params(params, {"host", "binary"})
        stmt = _live().order_by(ComputeService.id)
        # An empty value filters nothing, as in Nova.
        if params.get("host"):
            stmt = stmt.where(ComputeService.host == params["host"])
        if params.get("binary"):
            stmt = stmt.where(ComputeService.binary == params["binary"])
        now = self._deps.clock.now()
        with self._deps.store.session() as session:
            rows = list(session.scalars(stmt))
        forced = api.at_least("2.11")
        resp.media = {"services": [service_view(r, api, now, forced_down=forced) for r in rows]}


def _only_computes(binary: str) -> None:
    if binary != fleet.COMPUTE:
        raise BadRequest(
            f"Updating a {binary} service is not supported. Only nova-compute services can be"
            " updated."
        )


class ServiceItem:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_put(self, req: falcon.Request, resp: falcon.Response, service_id: str) -> None:
        api = version_of(req)
        change = request_of(req, ServiceUpdate)
        if api.at_least("2.53"):
            resp.media = self._update(api, service_id, change)
        else:
            resp.media = self._action(api, service_id, change)

    def _update(self, api: ApiVersion, service_id: str, change: ServiceUpdate) -> dict[str, Any]:
        ident = canonical_uuid(service_id)
        if ident is None:
            raise BadRequest(f"Invalid uuid {service_id}")
        now = self._deps.clock.now()
        with self._deps.store.session(write=True) as session:
            row = session.scalars(
                _live().where(ComputeService.uuid == ident).with_for_update()
            ).first()
            if row is None:
                raise NotFound(f"Service {service_id} could not be found.")
            _only_computes(row.binary)
            if change.status == "enabled":
                if change.disabled_reason:
                    raise BadRequest(
                        "Specifying 'disabled_reason' with status 'enabled' is invalid."
                    )
                row.disabled, row.disabled_reason = False, None
            elif change.status == "disabled":
                row.disabled, row.disabled_reason = True, change.disabled_reason
            if change.forced_down is not None:
                row.forced_down = change.forced_down
            if change.status is None and change.forced_down is None:
                raise BadRequest(
                    "No updates were requested. Fields 'status' or 'forced_down' should be"
                    " specified."
                )
            row.updated_at = now
            return {"service": service_view(row, api, now, forced_down=True)}

    def _action(self, api: ApiVersion, action: str, change: ServiceUpdate) -> dict[str, Any]:
        host, binary = change.host or "", change.binary or ""
        values: dict[str, Any]
        if action == "enable":
            values = {"disabled": False, "disabled_reason": None}
            result: dict[str, Any] = {"status": "enabled"}
        elif action in ("disable", "disable-log-reason"):
            reason = None
            if action == "disable-log-reason":
                if change.disabled_reason is None:
                    raise BadRequest("Missing disabled reason field")
                reason = change.disabled_reason
            values = {"disabled": True, "disabled_reason": reason}
            result = {"status": "disabled"}
            if reason:
                result["disabled_reason"] = reason
        elif action == "force-down" and api.at_least("2.11"):
            if change.forced_down is None:
                raise BadRequest("Missing forced_down field")
            values = {"forced_down": change.forced_down}
            result = {"forced_down": change.forced_down}
        else:
            raise NotFound("Unknown action")
        _only_computes(binary)
        with self._deps.store.session(write=True) as session:
            done = session.execute(
                update(ComputeService)
                .where(
                    ComputeService.host == host,
                    ComputeService.binary == binary,
                    ComputeService.deleted.is_(False),
                )
                .values({"updated_at": self._deps.clock.now(), **values})
            )
            if getattr(done, "rowcount", 0) == 0:
                raise NotFound(f"Could not find binary {binary} on host {host}.")
        return {"service": {"host": host, "binary": binary, **result}}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, service_id: str) -> None:
        api = version_of(req)
        if api.at_least("2.53"):
            ident = canonical_uuid(service_id)
            if ident is None:
                raise BadRequest(f"Invalid uuid {service_id}")
            where = ComputeService.uuid == ident
        else:
            number = decimal(service_id, cap=_MAX_ID + 1)
            if number is None:
                raise BadRequest("Invalid input received: id must be an integer")
            where = ComputeService.id == number
        # A soft-deleted server past its reclaim still sits on the host until settled.
        settle_if_delayed(self._deps)
        with self._deps.store.session(write=True) as session:
            row = session.scalars(_live().where(where).with_for_update()).first()
            if row is None:
                raise NotFound(f"Service {service_id} not found.")
            if row.binary == fleet.COMPUTE and _hosts_servers(session, row.host):
                raise Conflict(
                    "Unable to delete compute service that is hosting instances. Migrate or"
                    " delete the instances first."
                )
            if row.binary == fleet.COMPUTE:
                # As Nova: the host leaves its aggregates, which could not drop it otherwise.
                aggregate_db.forget_host(session, row.host)
            row.deleted = True
            row.updated_at = self._deps.clock.now()
        resp.status = falcon.HTTP_204


def _hosts_servers(session: Session, host: str) -> bool:
    return bool(
        session.scalar(select(exists().where(Instance.host == host, Instance.deleted.is_(False))))
    )
