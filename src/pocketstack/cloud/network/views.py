"""Networks, subnets and ports as Neutron shows them (security groups: sg_views.py), with
exactly the attributes of the extensions served (extensions.py), and what a caller may not see
left out (the port bindings a non-admin is not shown). What a row does not hold (a network's
subnets, a port's addresses and groups, a subnet's network being external) is read for a whole
page at once.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.network import dhcp_options, policy, sg_store, tags
from pocketstack.cloud.store.models.network import Network, Subnet
from pocketstack.cloud.store.models.network_port import IPAllocation, Port
from pocketstack.cloud.store.models.network_subnetpool import SubnetPoolSubnet

UNBOUND = "unbound"


def timestamp(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _standard(row: Network | Subnet | Port) -> dict[str, Any]:
    return {
        "tenant_id": row.project_id,
        "project_id": row.project_id,
        "description": row.description,
        "created_at": timestamp(row.created_at),
        "updated_at": timestamp(row.updated_at),
        "revision_number": row.revision_number,
        # Read for a page at once by the *_views functions (tags.fill).
        "tags": [],
    }


def network_view(net: Network, subnet_ids: Sequence[str]) -> dict[str, Any]:
    return {
        "id": net.id,
        "name": net.name,
        "admin_state_up": net.admin_state_up,
        "status": net.status,
        "subnets": list(subnet_ids),
        "shared": net.shared,
        "router:external": net.external,
        "mtu": net.mtu,
        "port_security_enabled": net.port_security_enabled,
        **_standard(net),
    }


def subnet_ids_of(session: Session, network_ids: Iterable[str]) -> dict[str, list[str]]:
    wanted = list(set(network_ids))
    found: dict[str, list[str]] = collections.defaultdict(list)
    if not wanted:
        return found
    rows = session.execute(
        select(Subnet.network_id, Subnet.id)
        .where(Subnet.network_id.in_(wanted))
        .order_by(Subnet.network_id, Subnet.created_at, Subnet.id)
    )
    for network_id, subnet_id in rows:
        found[network_id].append(subnet_id)
    return found


def network_views(session: Session, nets: Sequence[Network]) -> list[dict[str, Any]]:
    subnets = subnet_ids_of(session, (n.id for n in nets))
    return tags.fill(session, [network_view(n, subnets.get(n.id, [])) for n in nets])


def subnet_view(subnet: Subnet, external: bool, pool_id: str | None = None) -> dict[str, Any]:
    return {
        "id": subnet.id,
        "name": subnet.name,
        "network_id": subnet.network_id,
        "ip_version": subnet.ip_version,
        "subnetpool_id": pool_id,
        "cidr": subnet.cidr,
        "gateway_ip": subnet.gateway_ip,
        "allocation_pools": json.loads(subnet.allocation_pools),
        "dns_nameservers": json.loads(subnet.dns_nameservers),
        "host_routes": json.loads(subnet.host_routes),
        "enable_dhcp": subnet.enable_dhcp,
        "ipv6_ra_mode": subnet.ipv6_ra_mode,
        "ipv6_address_mode": subnet.ipv6_address_mode,
        "router:external": external,
        **_standard(subnet),
    }


def subnet_views(session: Session, subnets: Sequence[Subnet]) -> list[dict[str, Any]]:
    wanted = list({s.network_id for s in subnets})
    external: dict[str, bool] = {}
    if wanted:
        rows = session.execute(select(Network.id, Network.external).where(Network.id.in_(wanted)))
        external = {network_id: is_external for network_id, is_external in rows}
    pools = subnetpool_ids_of(session, (s.id for s in subnets))
    return tags.fill(session, [subnet_view(s, external.get(s.network_id, False), pools.get(s.id))
                               for s in subnets])  # fmt: skip


def subnetpool_ids_of(session: Session, subnet_ids: Iterable[str]) -> dict[str, str]:
    """The pool each of the subnets was allocated from (those from none left out)."""
    wanted = list(set(subnet_ids))
    if not wanted:
        return {}
    rows = session.execute(select(SubnetPoolSubnet.subnet_id, SubnetPoolSubnet.subnetpool_id)
                           .where(SubnetPoolSubnet.subnet_id.in_(wanted)))  # fmt: skip
    return {subnet_id: pool_id for subnet_id, pool_id in rows}


def fixed_ips_of(session: Session, port_ids: Iterable[str]) -> dict[str, list[dict[str, str]]]:
    wanted = list(set(port_ids))
    found: dict[str, list[dict[str, str]]] = collections.defaultdict(list)
    if not wanted:
        return found
    rows = session.execute(
        select(IPAllocation.port_id, IPAllocation.subnet_id, IPAllocation.ip_address)
        .where(IPAllocation.port_id.in_(wanted))
        .order_by(IPAllocation.port_id, IPAllocation.id)
    )
    for port_id, subnet_id, address in rows:
        found[port_id].append({"subnet_id": subnet_id, "ip_address": address})
    return found


def port_view(
    port: Port,
    fixed_ips: Sequence[dict[str, str]],
    groups: Sequence[str],
    ctx: RequestContext | None,
) -> dict[str, Any]:
    pairs = [
        {"ip_address": p["ip_address"], "mac_address": p["mac_address"] or port.mac_address}
        for p in json.loads(port.allowed_address_pairs)
    ]
    view: dict[str, Any] = {
        "id": port.id,
        "name": port.name,
        "network_id": port.network_id,
        "mac_address": port.mac_address,
        "admin_state_up": port.admin_state_up,
        "status": port.status,
        "device_id": port.device_id,
        "device_owner": port.device_owner,
        "fixed_ips": list(fixed_ips),
        "allowed_address_pairs": pairs,
        "port_security_enabled": port.port_security_enabled,
        "security_groups": list(groups),
        "binding:vnic_type": port.binding_vnic_type,
        "binding:host_id": port.binding_host_id,
        "binding:profile": json.loads(port.binding_profile),
        # Nothing binds a port to a host's virtual switch here.
        "binding:vif_type": UNBOUND,
        "binding:vif_details": {},
        **_standard(port),
    }
    if ctx is not None and not policy.is_privileged(ctx):
        for name in policy.ADMIN_PORT_FIELDS:
            del view[name]
    return view


def port_views(
    session: Session, ports: Sequence[Port], ctx: RequestContext | None
) -> list[dict[str, Any]]:
    addresses = fixed_ips_of(session, (p.id for p in ports))
    groups = sg_store.groups_of_ports(session, (p.id for p in ports))
    views = [port_view(p, addresses.get(p.id, []), groups.get(p.id, []), ctx) for p in ports]
    return dhcp_options.fill(session, tags.fill(session, views))
