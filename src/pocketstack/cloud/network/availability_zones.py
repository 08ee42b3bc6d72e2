"""Availability zones (Neutron's availability_zone and network_availability_zone extensions):
the zones of the network agents that have one, a DHCP agent's for networks and an L3 agent's
for routers; a zone is available while any of its agents is administratively up.

A network's hints must name known network zones (AvailabilityZoneNotFound otherwise); the zones
it is in are those of the DHCP agents hosting it (dhcp_scheduling.py).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import falcon
from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.network import agents, faults, listing, values
from pocketstack.cloud.network.attributes import Attr
from pocketstack.cloud.store.models.network_agent import NetworkAgent, NetworkZoneHints

NETWORK = "network"
ROUTER = "router"
AVAILABLE = "available"
UNAVAILABLE = "unavailable"
RESOURCES = {agents.DHCP: NETWORK, agents.L3: ROUTER}


def _same(value: str) -> str:
    return value


ZONE: dict[str, Attr] = {name: Attr(query=_same) for name in ("name", "resource", "state")}
_LISTABLE = listing.Listable(collection="availability_zones", attributes=ZONE,
                             id_column=NetworkAgent.id, updated_column=NetworkAgent.started_at,
                             columns={})  # fmt: skip


def zones(session: Session) -> list[dict[str, str]]:
    """Every zone with its resource and state, by name then resource."""
    rows = session.execute(
        select(NetworkAgent.availability_zone, NetworkAgent.agent_type,
               NetworkAgent.admin_state_up)
        .where(NetworkAgent.agent_type.in_(list(RESOURCES)),
               NetworkAgent.availability_zone.is_not(None))
    )  # fmt: skip
    up: dict[tuple[str, str], bool] = {}
    for zone, agent_type, admin_up in rows:
        key = (str(zone), RESOURCES[agent_type])
        up[key] = up.get(key, False) or bool(admin_up)
    return [{"name": name, "resource": resource, "state": AVAILABLE if up[(name, resource)]
             else UNAVAILABLE} for name, resource in sorted(up)]  # fmt: skip


def check_hints(session: Session, hints: Sequence[str]) -> None:
    known = {z["name"] for z in zones(session) if z["resource"] == NETWORK}
    for hint in hints:
        if hint not in known:
            message = f"AvailabilityZone {values.text(hint)} could not be found."
            raise faults.not_found("AvailabilityZoneNotFound", message)


def store_hints(session: Session, network_id: str, hints: Sequence[str]) -> None:
    if hints:
        session.add(NetworkZoneHints(network_id=network_id, hints=json.dumps(list(hints))))


def hints_of(session: Session, network_ids: list[str]) -> dict[str, list[str]]:
    if not network_ids:
        return {}
    rows = session.scalars(
        select(NetworkZoneHints).where(NetworkZoneHints.network_id.in_(network_ids))
    )
    return {row.network_id: list(json.loads(row.hints)) for row in rows}


class ZoneList:
    """GET /v2.0/availability_zones: a handful of rows (one per zone and resource), answered
    whole, as Neutron does."""

    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        query = listing.parse(req.query_string, _LISTABLE)
        if not req.context.auth.is_admin:
            # get_availability_zone is an admin's: a list shows others none, as Neutron's.
            resp.media = {"availability_zones": []}
            return
        with self._deps.store.session() as session:
            found = zones(session)
        asked = {k: wanted for k, wanted in query.filters.items() if k in ZONE}
        shown: list[dict[str, Any]] = [
            z for z in found if all(z[k] in wanted for k, wanted in asked.items())
        ]
        resp.media = {"availability_zones": [listing.select_fields(z, query.fields)
                                             for z in shown]}  # fmt: skip
