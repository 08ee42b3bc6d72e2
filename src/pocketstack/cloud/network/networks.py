"""`/v2.0/networks`: list, create (one or a bulk list), show, update, delete.

A network is data only: ACTIVE from its create, with an MTU of at most MAX_MTU (Neutron's
default global_physnet_mtu, no overlay taken off: nothing is encapsulated here).

Each network has one segment (provider.py: the one an admin asks for, else a tenant vxlan one,
made in the create's transaction) and may have availability zone hints; what they add to the
view is network_extras.py's.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

import falcon
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.network import (
    access,
    attributes,
    availability_zones,
    faults,
    l3_ports,
    listing,
    network_extras,
    policy,
    provider,
    quotas,
    sg_store,
    subnet_rules,
    tags,
)
from pocketstack.cloud.network.body import Creates, Update
from pocketstack.cloud.network.views import network_views
from pocketstack.cloud.store.models.network import Network, Subnet
from pocketstack.cloud.store.models.network_agent import NetworkSegment
from pocketstack.cloud.store.models.network_port import IPAllocation, Port

MAX_MTU = 1500
ACTIVE = "ACTIVE"
# Ports the network's delete takes with it (Neutron's AUTO_DELETE_PORT_OWNERS).
AUTO_DELETE_OWNERS = ("network:dhcp", "network:router_ha_interface",
                      "network:ha_router_replicated_interface")  # fmt: skip


def _segment_filter(column: Any, stored: Callable[[Any], Any]) -> listing.FilterHook:
    def hook(wanted: list[Any]) -> ColumnElement[bool]:
        segments = select(NetworkSegment.network_id).where(column.in_([stored(v) for v in wanted]))
        return Network.id.in_(segments)

    return hook


def _same(value: Any) -> Any:
    return value


def _or_none(value: Any) -> Any:
    # "None" is stored as '' and 0 (models/network_agent.py); a filter for it matches nothing.
    return value if value not in ("", 0) else None


LISTABLE = listing.Listable(
    collection="networks",
    attributes=attributes.NETWORK,
    id_column=Network.id,
    updated_column=Network.updated_at,
    tagged=True,
    columns={
        "id": Network.id, "name": Network.name, "project_id": Network.project_id,
        "description": Network.description, "admin_state_up": Network.admin_state_up,
        "status": Network.status, "shared": Network.shared, "router:external": Network.external,
        "mtu": Network.mtu, "created_at": Network.created_at, "updated_at": Network.updated_at,
        "revision_number": Network.revision_number,
    },
    hooks={
        provider.NETWORK_TYPE: _segment_filter(NetworkSegment.network_type, _same),
        provider.PHYSICAL_NETWORK: _segment_filter(NetworkSegment.physical_network, _or_none),
        provider.SEGMENTATION_ID: _segment_filter(NetworkSegment.segmentation_id, _or_none),
    },
)  # fmt: skip


def owner_of(ctx: RequestContext, item: dict[str, Any]) -> str:
    """The project a new resource belongs to: the token's, or (admins only) the one named."""
    named = item.get("project_id", attributes.UNSET)
    if named is attributes.UNSET:
        if ctx.project_id is None:
            raise faults.bad_request(
                "Running without keystone AuthN requires that project_id is specified"
            )
        return ctx.project_id
    if named != ctx.project_id and not ctx.is_admin:
        raise faults.bad_request("Specifying 'project_id' other than the authenticated project"
                                 " in request is not allowed for the current user.")  # fmt: skip
    return str(named)


def _mtu(value: int) -> int:
    if value > MAX_MTU:
        raise faults.invalid_input(f"Requested MTU is too big, maximum is {MAX_MTU}")
    return value or MAX_MTU


def _admin_only(ctx: RequestContext, action: str, values: dict[str, Any],
                explicit: set[str]) -> None:  # fmt: skip
    if ctx.is_admin:
        return
    policy.refuse_attributes(action, [a for a in ("shared", "router:external") if a in explicit
                                      and (action == "update_network" or values[a])]
                             + [a for a in provider.ATTRIBUTES if a in explicit])  # fmt: skip


def views_of(session: Session, ctx: RequestContext,
             nets: Sequence[Network]) -> list[dict[str, Any]]:  # fmt: skip
    """Networks as `ctx` is shown them, the extensions' attributes included."""
    return network_extras.fill(session, ctx, network_views(session, nets))


class NetworkList:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx: RequestContext = req.context.auth
        query = listing.parse(req.query_string, LISTABLE)
        stmt = select(Network).where(access.visible_networks(ctx),
                                     *listing.where(LISTABLE, query.filters))  # fmt: skip
        with self._deps.store.session() as session:
            marker = None
            if query.limit is not None and query.marker is not None:
                marker = listing.marker_of(access.network(session, ctx, query.marker), LISTABLE)
            rows = listing.keyset_page(session, stmt, LISTABLE, query, marker)
            views = views_of(session, ctx, rows)
        resp.media = listing.page_body(req, query, "networks", views, [r.id for r in rows])

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx: RequestContext = req.context.auth
        new = request_of(req, Creates)
        now = self._deps.clock.now()
        made: list[Network] = []
        segments: list[provider.Segment | None] = []
        for item, given in zip(new.items, new.given, strict=True):
            project = owner_of(ctx, item)
            _admin_only(ctx, "create_network", item, set(given))
            segments.append(provider.requested(item))
            made.append(Network(
                id=str(uuid.uuid4()), project_id=project, name=item["name"],
                description=item["description"], admin_state_up=item["admin_state_up"],
                status=ACTIVE, shared=item["shared"], external=item["router:external"],
                mtu=_mtu(item["mtu"]), port_security_enabled=item["port_security_enabled"],
                revision_number=1, created_at=now, updated_at=now,
            ))  # fmt: skip
        # As Neutron's, a project's first network makes its default security group.
        for project in dict.fromkeys(n.project_id for n in made):
            sg_store.ensure_default(self._deps.store, ctx, project, now)
        with self._deps.store.session(write=True) as session:
            for item in new.items:
                availability_zones.check_hints(session, item["availability_zone_hints"])
            quotas.claim(session, "network", [n.project_id for n in made])
            session.add_all(made)
            session.flush()
            for net, item, segment in zip(made, new.items, segments, strict=True):
                provider.assign(session, net.id, segment)
                availability_zones.store_hints(session, net.id, item["availability_zone_hints"])
            session.flush()
            views = views_of(session, ctx, made)
        resp.status = falcon.HTTP_201
        resp.media = {"networks": views} if new.bulk else {"network": views[0]}


def _check_unshare(session: Session, net: Network) -> None:
    """Neutron's InvalidSharedSetting: a network others use cannot stop being shared."""
    others = select(Port.id).where(Port.network_id == net.id, Port.project_id != net.project_id,
                                   ~Port.device_owner.startswith("network:"))  # fmt: skip
    other_subnets = select(Subnet.id).where(Subnet.network_id == net.id,
                                            Subnet.project_id != net.project_id)  # fmt: skip
    if session.scalars(others.limit(1)).first() or session.scalars(other_subnets.limit(1)).first():
        raise faults.conflict(
            "InvalidSharedSetting",
            f"Unable to reconfigure sharing settings for network {net.name or net.id}. Multiple"
            " projects are using it.",
        )


def _check_provider_unchanged(session: Session, network_id: str, changes: dict[str, Any]) -> None:
    """ML2 changes no segment of an existing network: the same values are taken, others not."""
    asked = {name: changes[name] for name in provider.ATTRIBUTES if name in changes}
    if not asked:
        return
    current = provider.view_of(provider.segments_of(session, [network_id]).get(network_id))
    if any(current[name] != value for name, value in asked.items()):
        raise faults.invalid_input("Plugin does not support updating provider attributes")


class NetworkItem:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, network_id: str) -> None:
        with self._deps.store.session() as session:
            net = access.network(session, req.context.auth, network_id)
            view = views_of(session, req.context.auth, [net])[0]
        resp.media = {"network": listing.select_fields(view, listing.show_fields(req))}

    def on_put(self, req: falcon.Request, resp: falcon.Response, network_id: str) -> None:
        ctx: RequestContext = req.context.auth
        changes = request_of(req, Update).changes
        with self._deps.store.session(write=True) as session:
            net = access.network(session, ctx, network_id, lock=access.UPDATE)
            if not policy.changes_network(ctx, net):
                raise faults.policy_refused("update_network")
            _admin_only(ctx, "update_network", changes, set(changes))
            _check_provider_unchanged(session, net.id, changes)
            if changes.get("shared") is False and net.shared:
                _check_unshare(session, net)
            if changes.get("router:external") is False and net.external:
                l3_ports.check_external_unused(session, net.id)
            if "mtu" in changes:
                mtu = _mtu(changes["mtu"])
                versions = session.scalars(select(Subnet.ip_version).where(
                    Subnet.network_id == net.id).distinct())  # fmt: skip
                for version in versions:
                    subnet_rules.check_mtu(mtu, net.id, version)
                net.mtu = mtu
            for name, column in (("name", "name"), ("description", "description"),
                                 ("admin_state_up", "admin_state_up"), ("shared", "shared"),
                                 ("router:external", "external"),
                                 ("port_security_enabled", "port_security_enabled")):  # fmt: skip
                if name in changes:
                    setattr(net, column, changes[name])
            net.revision_number += 1
            net.updated_at = self._deps.clock.now()
            session.flush()
            view = views_of(session, ctx, [net])[0]
        resp.media = {"network": view}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, network_id: str) -> None:
        ctx: RequestContext = req.context.auth
        with self._deps.store.session(write=True) as session:
            net = access.network(session, ctx, network_id, lock=access.UPDATE)
            if not policy.changes_network(ctx, net):
                raise faults.policy_refused("delete_network")
            delete_network(session, net)
        resp.status = falcon.HTTP_204


def delete_network(session: Session, net: Network) -> None:
    """Deletes the network (locked by the caller) with its subnets and the ports Neutron deletes
    with it; NetworkInUse (409) while any other port is on it."""
    if net.external:
        l3_ports.delete_free_floatingips(session, net.id)
    in_use = list(session.scalars(
        select(Port.id).where(Port.network_id == net.id,
                              Port.device_owner.not_in(AUTO_DELETE_OWNERS)).order_by(Port.id)
    ))  # fmt: skip
    if in_use:
        raise faults.conflict(
            "NetworkInUse",
            f"Unable to complete operation on network {net.id}. There are one or more ports"
            f" still in use on the network, id for these ports is: {','.join(in_use)}.",
        )
    session.execute(delete(IPAllocation).where(IPAllocation.network_id == net.id))
    tags.forget(session, select(Port.id).where(Port.network_id == net.id))
    tags.forget(session, select(Subnet.id).where(Subnet.network_id == net.id))
    tags.forget(session, [net.id])
    session.execute(delete(Port).where(Port.network_id == net.id))
    session.execute(delete(Subnet).where(Subnet.network_id == net.id))
    session.delete(net)
