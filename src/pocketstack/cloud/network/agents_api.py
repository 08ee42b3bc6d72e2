"""`/v2.0/agents` (list, show, update, delete) and the DHCP agent scheduler's routes:
`/v2.0/agents/{id}/dhcp-networks` and `/v2.0/networks/{id}/dhcp-agents`.

Policy (neutron/conf/policies/agent.py): every agent rule is an admin's. As Neutron's API layer
does with a rule that fails on every item, a list answers a non-admin with no agents, and a show,
update or delete of an agent they may not see answers it as missing (404). The scheduler's rules
are enforced whole (403, api/agents.py).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import falcon
from sqlalchemy import select

from pocketstack.cloud.api.operation import Microversion
from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.network import access, agents, dhcp_scheduling, faults, listing, values
from pocketstack.cloud.network.availability_zones import ZoneList
from pocketstack.cloud.network.body import Update
from pocketstack.cloud.network.floatingip_pools import PoolList
from pocketstack.cloud.network.networks import LISTABLE as NETWORKS
from pocketstack.cloud.network.networks import views_of
from pocketstack.cloud.store.models.network import Network
from pocketstack.cloud.store.models.network_agent import NetworkAgent


@dataclasses.dataclass(frozen=True)
class NetworkToHost:
    network_id: str


def parse_network_to_host(body: Any, version: Microversion | None) -> NetworkToHost:
    network_id = body.get("network_id") if isinstance(body, dict) else None
    if network_id is None:
        raise faults.bad_request("Failed to parse request. Required attribute 'network_id'"
                                 " not specified")  # fmt: skip
    try:
        return NetworkToHost(values.uuid_like(network_id))
    except values.Invalid as refusal:
        reason = refusal.reason
        raise faults.bad_request(f"Invalid input for network_id. Reason: {reason}.") from None


class AgentList:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx: RequestContext = req.context.auth
        query = listing.parse(req.query_string, agents.LISTABLE)
        if not ctx.is_admin:
            resp.media = {"agents": []}
            return
        stmt = select(NetworkAgent).where(*listing.where(agents.LISTABLE, query.filters))
        now = self._deps.clock.now()
        with self._deps.store.session() as session:
            marker = None
            if query.limit is not None and query.marker is not None:
                marker = listing.marker_of(agents.find(session, query.marker), agents.LISTABLE)
            rows = listing.keyset_page(session, stmt, agents.LISTABLE, query, marker)
        views = [agents.agent_view(row, now) for row in rows]
        resp.media = listing.page_body(req, query, "agents", views, [r.id for r in rows])


def _seen(ctx: RequestContext, agent_id: str) -> None:
    if not ctx.is_admin:
        raise agents.agent_missing(agent_id)


class AgentItem:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, agent_id: str) -> None:
        _seen(req.context.auth, agent_id)
        with self._deps.store.session() as session:
            view = agents.agent_view(agents.find(session, agent_id), self._deps.clock.now())
        resp.media = {"agent": listing.select_fields(view, listing.show_fields(req))}

    def on_put(self, req: falcon.Request, resp: falcon.Response, agent_id: str) -> None:
        _seen(req.context.auth, agent_id)
        changes = request_of(req, Update).changes
        with self._deps.store.session(write=True) as session:
            agent = agents.find(session, agent_id, lock=True)
            if agent.agent_type == agents.DHCP and "admin_state_up" in changes:
                # Networks pending on this agent stay where the scheduler put them.
                dhcp_scheduling.settle(session)
            for name in ("admin_state_up", "description"):
                if name in changes:
                    setattr(agent, name, changes[name])
            session.flush()
            view = agents.agent_view(agent, self._deps.clock.now())
        resp.media = {"agent": view}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, agent_id: str) -> None:
        _seen(req.context.auth, agent_id)
        with self._deps.store.session(write=True) as session:
            agent = agents.find(session, agent_id, lock=True)
            if agent.agent_type == agents.DHCP:
                # Its networks (pending ones too) lose their agent, as in Neutron.
                dhcp_scheduling.settle(session)
            session.delete(agent)
        resp.status = falcon.HTTP_204


class AgentDhcpNetworks:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, agent_id: str) -> None:
        ctx: RequestContext = req.context.auth
        query = listing.parse(req.query_string, NETWORKS)
        with self._deps.store.session() as session:
            agent = agents.find(session, agent_id)
            stmt = select(Network).where(dhcp_scheduling.hosted_by(session, agent),
                                         *listing.where(NETWORKS, query.filters))  # fmt: skip
            marker = None
            if query.limit is not None and query.marker is not None:
                marker = listing.marker_of(access.network(session, ctx, query.marker), NETWORKS)
            rows = listing.keyset_page(session, stmt, NETWORKS, query, marker)
            views = views_of(session, ctx, rows)
        resp.media = listing.page_body(req, query, "networks", views, [r.id for r in rows])

    def on_post(self, req: falcon.Request, resp: falcon.Response, agent_id: str) -> None:
        asked = request_of(req, NetworkToHost)
        with self._deps.store.session(write=True) as session:
            access.network(session, None, asked.network_id, lock=access.SHARE)
            dhcp_scheduling.add(session, agent_id, asked.network_id)
        resp.status = falcon.HTTP_201


class AgentDhcpNetwork:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_delete(
        self, req: falcon.Request, resp: falcon.Response, agent_id: str, network_id: str
    ) -> None:
        with self._deps.store.session(write=True) as session:
            dhcp_scheduling.remove(session, agent_id, network_id)
        resp.status = falcon.HTTP_204


class NetworkDhcpAgents:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, network_id: str) -> None:
        ctx: RequestContext = req.context.auth
        now = self._deps.clock.now()
        with self._deps.store.session() as session:
            access.network(session, ctx, network_id)
            hosts = dhcp_scheduling.hosting(session, [network_id]).get(network_id, [])
            views = [agents.agent_view(agent, now) for agent in hosts]
        resp.media = {"agents": views}


def routes(deps: CloudDeps) -> dict[str, object]:
    """The network app's routes of agents, their scheduling, zones and floating IP pools."""
    return {
        "/v2.0/agents": AgentList(deps),
        "/v2.0/agents/{agent_id}": AgentItem(deps),
        "/v2.0/agents/{agent_id}/dhcp-networks": AgentDhcpNetworks(deps),
        "/v2.0/agents/{agent_id}/dhcp-networks/{network_id}": AgentDhcpNetwork(deps),
        "/v2.0/networks/{network_id}/dhcp-agents": NetworkDhcpAgents(deps),
        "/v2.0/availability_zones": ZoneList(deps),
        "/v2.0/floatingip_pools": PoolList(deps),
    }
