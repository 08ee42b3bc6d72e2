"""`/v2.0/subnets`: list, create (one or a bulk list), show, update, delete.

A subnet's create holds its network's row lock, so two overlapping CIDRs created at once on one
network cannot both pass the overlap check; its delete holds the subnet's, so no port gets an
address on it meanwhile (ipam.py). A subnet may name no CIDR but a subnet pool (or the default
pool of its IP version) to have one allocated from it (subnetpool_alloc.py); prefix delegation is
not served.
"""

from __future__ import annotations

import ipaddress
import json
import uuid
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
    faults,
    ipam,
    listing,
    policy,
    quotas,
    subnetpool_alloc,
    tags,
)
from pocketstack.cloud.network import subnet_rules as rules
from pocketstack.cloud.network.body import Creates, Update, is_set
from pocketstack.cloud.network.networks import AUTO_DELETE_OWNERS, owner_of
from pocketstack.cloud.network.views import subnet_view, subnet_views, subnetpool_ids_of
from pocketstack.cloud.store.models.network import Network, Subnet
from pocketstack.cloud.store.models.network_port import IPAllocation, Port
from pocketstack.cloud.store.models.network_subnetpool import SubnetPoolSubnet


def _on_networks(column: Any) -> listing.FilterHook:
    def hook(wanted: list[Any]) -> ColumnElement[bool]:
        return Subnet.network_id.in_(select(Network.id).where(column.in_(wanted)))

    return hook


def _in_pools(wanted: list[Any]) -> ColumnElement[bool]:
    return Subnet.id.in_(select(SubnetPoolSubnet.subnet_id)
                         .where(SubnetPoolSubnet.subnetpool_id.in_(wanted)))  # fmt: skip


LISTABLE = listing.Listable(
    collection="subnets",
    attributes=attributes.SUBNET,
    id_column=Subnet.id,
    updated_column=Subnet.updated_at,
    tagged=True,
    columns={
        "id": Subnet.id, "name": Subnet.name, "project_id": Subnet.project_id,
        "description": Subnet.description, "network_id": Subnet.network_id,
        "ip_version": Subnet.ip_version, "cidr": Subnet.cidr, "gateway_ip": Subnet.gateway_ip,
        "enable_dhcp": Subnet.enable_dhcp, "ipv6_ra_mode": Subnet.ipv6_ra_mode,
        "ipv6_address_mode": Subnet.ipv6_address_mode, "created_at": Subnet.created_at,
        "updated_at": Subnet.updated_at, "revision_number": Subnet.revision_number,
    },
    hooks={"shared": _on_networks(Network.shared),
           "router:external": _on_networks(Network.external),
           "subnetpool_id": _in_pools},
    nullable=frozenset({"gateway_ip", "ipv6_ra_mode", "ipv6_address_mode"}),
)  # fmt: skip


def _optional(item: dict[str, Any], name: str) -> Any:
    value = item.get(name, attributes.UNSET)
    return value if is_set(value) else None


def _new_subnet(ctx: RequestContext, session: Session, item: dict[str, Any],
                now: Any) -> tuple[Subnet, str | None]:  # fmt: skip
    """The new subnet, and the pool its CIDR was allocated from (None: it named its own)."""
    net = access.network(session, ctx, item["network_id"], lock=access.UPDATE)
    project = owner_of(ctx, item)
    if not ctx.is_admin and not net.shared and net.project_id != project:
        raise faults.hidden()
    if not policy.creates_subnet(ctx, net):
        raise faults.policy_refused("create_subnet")
    version: int = item["ip_version"]
    from_pool = subnetpool_alloc.request_of(session, ctx, item)
    # A CIDR the request names is checked before a pool is asked for it, one a pool chose after.
    cidr = rules.network_of(item["cidr"]) if is_set(item["cidr"]) else None
    if cidr is not None:
        rules.check_cidr(cidr, ip_version=version, enable_dhcp=item["enable_dhcp"],
                         dhcp_was=False)  # fmt: skip
    if from_pool is not None:
        chosen = subnetpool_alloc.allocate(session, ctx, from_pool, ip_version=version,
                                           project=project)  # fmt: skip
        if cidr is None:
            rules.check_cidr(chosen, ip_version=version, enable_dhcp=item["enable_dhcp"],
                             dhcp_was=False)  # fmt: skip
        cidr = chosen
    if cidr is None:
        # request_of refused a subnet with neither a pool nor a CIDR.
        raise rules.bad_subnets("a subnetpool must be specified in the absence of a cidr")
    gateway = item.get("gateway_ip", attributes.UNSET)
    if is_set(gateway):
        rules.check_gateway(cidr, gateway, version)
    dns = _optional(item, "dns_nameservers") or []
    routes = _optional(item, "host_routes") or []
    rules.check_nameservers(dns, version, "new subnet")
    rules.check_routes(routes, version, "new subnet")
    ra_mode, address_mode = _optional(item, "ipv6_ra_mode"), _optional(item, "ipv6_address_mode")
    rules.check_ipv6_modes(version, ra_mode, address_mode, enable_dhcp=item["enable_dhcp"],
                           net=cidr)  # fmt: skip
    rules.check_mtu(net.mtu, net.id, version)
    if not is_set(gateway):
        gateway = rules.default_gateway(cidr)
    pools_given = _optional(item, "allocation_pools")
    if pools_given is None:
        pools = rules.generate_pools(cidr, gateway)
    else:
        pools = rules.parse_pools(pools_given, cidr)
        rules.check_gateway_outside_pools(gateway, pools, version)
    others = session.scalars(select(Subnet.cidr).where(Subnet.network_id == net.id))
    rules.check_no_overlap(cidr, net.id, list(others))
    net.revision_number += 1
    net.updated_at = now
    return Subnet(
        id=str(uuid.uuid4()), network_id=net.id, project_id=project, name=item["name"],
        description=item["description"], ip_version=version, cidr=str(cidr),
        gateway_ip=gateway, enable_dhcp=item["enable_dhcp"], ipv6_ra_mode=ra_mode,
        ipv6_address_mode=address_mode,
        allocation_pools=json.dumps(rules.pools_json(version, pools)),
        dns_nameservers=json.dumps(dns), host_routes=json.dumps(routes), revision_number=1,
        created_at=now, updated_at=now,
    ), None if from_pool is None else from_pool.pool_id  # fmt: skip


class SubnetList:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx: RequestContext = req.context.auth
        query = listing.parse(req.query_string, LISTABLE)
        stmt = select(Subnet).where(access.visible_subnets(ctx),
                                    *listing.where(LISTABLE, query.filters))  # fmt: skip
        with self._deps.store.session() as session:
            marker = None
            if query.limit is not None and query.marker is not None:
                # Neutron pages subnets from the start when the marker is not found.
                row = session.scalars(
                    select(Subnet).where(Subnet.id == query.marker, access.visible_subnets(ctx))
                ).first()
                marker = listing.marker_of(row, LISTABLE) if row is not None else None
            rows = listing.keyset_page(session, stmt, LISTABLE, query, marker)
            views = subnet_views(session, rows)
        resp.media = listing.page_body(req, query, "subnets", views, [r.id for r in rows])

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx: RequestContext = req.context.auth
        new = request_of(req, Creates)
        now = self._deps.clock.now()
        with self._deps.store.session(write=True) as session:
            quotas.claim(session, "subnet", [owner_of(ctx, item) for item in new.items])
            made: list[Subnet] = []
            for item in new.items:
                subnet, pool_id = _new_subnet(ctx, session, item, now)
                session.add(subnet)
                session.flush()
                if pool_id is not None:
                    subnetpool_alloc.record(session, pool_id, subnet.id, subnet.project_id,
                                            subnet.cidr)  # fmt: skip
                ipam.add_auto_addresses(session, subnet)
                made.append(subnet)
            views = subnet_views(session, made)
        resp.status = falcon.HTTP_201
        resp.media = {"subnets": views} if new.bulk else {"subnet": views[0]}


def _update(ctx: RequestContext, session: Session, subnet: Subnet, changes: dict[str, Any],
            now: Any) -> None:  # fmt: skip
    cidr = ipaddress.ip_network(subnet.cidr)
    version = subnet.ip_version
    if "enable_dhcp" in changes:
        enable = changes["enable_dhcp"]
        if not enable and (subnet.ipv6_ra_mode or subnet.ipv6_address_mode):
            raise faults.invalid_input("Cannot disable enable_dhcp with ipv6 attributes set")
        rules.check_cidr(cidr, ip_version=version, enable_dhcp=enable,
                         dhcp_was=subnet.enable_dhcp)  # fmt: skip
        subnet.enable_dhcp = enable
    gateway = subnet.gateway_ip
    if "gateway_ip" in changes:
        gateway = changes["gateway_ip"]
        rules.check_gateway(cidr, gateway, version)
    if "dns_nameservers" in changes:
        rules.check_nameservers(changes["dns_nameservers"], version, subnet.id)
        subnet.dns_nameservers = json.dumps(changes["dns_nameservers"])
    if "host_routes" in changes:
        rules.check_routes(changes["host_routes"], version, subnet.id)
        subnet.host_routes = json.dumps(changes["host_routes"])
    pools = rules.pools_of(json.loads(subnet.allocation_pools))
    if changes.get("allocation_pools") is not None:
        pools = rules.parse_pools(changes["allocation_pools"], cidr)
        subnet.allocation_pools = json.dumps(rules.pools_json(version, pools))
    if gateway != subnet.gateway_ip or changes.get("allocation_pools") is not None:
        rules.check_gateway_outside_pools(gateway, pools, version)
    subnet.gateway_ip = gateway
    for name in ("name", "description"):
        if name in changes:
            setattr(subnet, name, changes[name])
    subnet.revision_number += 1
    subnet.updated_at = now


class SubnetItem:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, subnet_id: str) -> None:
        with self._deps.store.session() as session:
            subnet, net = access.subnet(session, req.context.auth, subnet_id)
            pool_id = subnetpool_ids_of(session, [subnet.id]).get(subnet.id)
            view = tags.fill(session, [subnet_view(subnet, net.external, pool_id)])[0]
        resp.media = {"subnet": listing.select_fields(view, listing.show_fields(req))}

    def on_put(self, req: falcon.Request, resp: falcon.Response, subnet_id: str) -> None:
        ctx: RequestContext = req.context.auth
        changes = request_of(req, Update).changes
        with self._deps.store.session(write=True) as session:
            subnet, net = access.subnet(session, ctx, subnet_id, lock=access.UPDATE)
            if not policy.changes_subnet(ctx, subnet, net):
                raise faults.policy_refused("update_subnet")
            _update(ctx, session, subnet, changes, self._deps.clock.now())
            session.flush()
            pool_id = subnetpool_ids_of(session, [subnet.id]).get(subnet.id)
            view = tags.fill(session, [subnet_view(subnet, net.external, pool_id)])[0]
        resp.media = {"subnet": view}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, subnet_id: str) -> None:
        ctx: RequestContext = req.context.auth
        with self._deps.store.session(write=True) as session:
            subnet, net = access.subnet(session, ctx, subnet_id, lock=access.UPDATE)
            if not policy.changes_subnet(ctx, subnet, net):
                raise faults.policy_refused("delete_subnet")
            delete_subnet(session, subnet)
            net.revision_number += 1
            net.updated_at = self._deps.clock.now()
        resp.status = falcon.HTTP_204


def _in_use(subnet_id: str) -> faults.NeutronError:
    return faults.conflict(
        "SubnetInUse",
        f"Unable to complete operation on subnet {subnet_id}: One or more ports have an IP"
        " allocation from this subnet.",
    )


def delete_subnet(session: Session, subnet: Subnet) -> None:
    """Deletes the subnet (locked by the caller): 409 while a port holds an address on it,
    except on a SLAAC or DHCPv6-stateless subnet, whose addresses its ports simply lose (and
    a DHCP port's)."""
    held = select(Port.device_owner).join(IPAllocation, IPAllocation.port_id == Port.id).where(
        IPAllocation.subnet_id == subnet.id)  # fmt: skip
    owners = set(session.scalars(held.distinct()))
    if owners & set(ipam.ROUTER_OWNERS):
        raise _in_use(subnet.id)
    if not ipam.is_auto(subnet) and owners - set(AUTO_DELETE_OWNERS):
        raise _in_use(subnet.id)
    session.execute(delete(IPAllocation).where(IPAllocation.subnet_id == subnet.id))
    tags.forget(session, [subnet.id])
    session.delete(subnet)
    session.flush()
