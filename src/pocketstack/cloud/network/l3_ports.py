"""The ports routers and floating IPs own (Neutron makes them itself): a router's gateway and
interfaces, a floating IP's address holder; and the rules other port and network operations
follow about them.

Locks: whatever changes a router's ports reads the router FOR UPDATE first, then the port's
network (FOR SHARE) and its subnets (ipam.py), so two interface changes of one router never
interleave.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pocketstack.cloud.network import faults, ipam
from pocketstack.cloud.network import port_rules as rules
from pocketstack.cloud.store.models.network import Network
from pocketstack.cloud.store.models.network_l3 import FloatingIP, Router
from pocketstack.cloud.store.models.network_port import Port

GATEWAY = "network:router_gateway"
INTERFACE = "network:router_interface"
FLOATING = "network:floatingip"
ACTIVE = "ACTIVE"
DOWN = "DOWN"
# Ports only their router or floating IP deletes (Neutron's prevent_l3_port_deletion).
OWNED = (GATEWAY, INTERFACE, FLOATING, *ipam.ROUTER_OWNERS)


def new_port(
    session: Session, net: Network, *, project: str, device_owner: str, device_id: str,
    fixed_ips: Sequence[dict[str, str]] | None, now: dt.datetime,
) -> Port:  # fmt: skip
    """A port of the service's own (no security groups, port security off), with addresses
    from `fixed_ips` (None: Neutron's default choice), the network's subnets locked."""
    port = Port(
        id=str(uuid.uuid4()), network_id=net.id, project_id=project, name="", description="",
        mac_address=rules.random_mac(), admin_state_up=True,
        status=ACTIVE if device_owner != FLOATING else "N/A", device_id=device_id,
        device_owner=device_owner, port_security_enabled=False, allowed_address_pairs="[]",
        binding_host_id="", binding_vnic_type="normal", binding_profile="{}",
        revision_number=1, created_at=now, updated_at=now,
    )  # fmt: skip
    if not rules.insert_port(session, port):
        raise rules.no_free_mac(net.id)
    if fixed_ips is not None and not fixed_ips:
        return port  # its addresses are the caller's to allocate
    subnets = ipam.lock_subnets(session, net.id)
    asked = None if fixed_ips is None else list(fixed_ips)
    wants = ipam.plan(session, asked, subnets, network_id=net.id, mac=port.mac_address,
                      device_owner=device_owner)  # fmt: skip
    ipam.allocate(session, wants, port_id=port.id, network_id=net.id)
    return port


def drop_port(session: Session, port_id: str) -> None:
    ipam.release(session, port_id)
    found = session.get(Port, port_id)
    if found is not None:
        session.delete(found)
        session.flush()


def check_port_delete(session: Session, port: Port) -> None:
    """Neutron's prevent_l3_port_deletion: a port a router or floating IP still owns is deleted
    through them, never directly (409)."""
    if port.device_owner not in OWNED or not port.device_id:
        return
    owner_exists = (
        session.get(FloatingIP, port.device_id) if port.device_owner == FLOATING
        else session.get(Router, port.device_id)
    )  # fmt: skip
    if owner_exists is not None:
        raise faults.conflict(
            "ServicePortInUse",
            f"Port {port.id} cannot be deleted directly via the port API: has device owner"
            f" {port.device_owner}.",
        )


def disassociate_port(session: Session, port_id: str, now: dt.datetime) -> None:
    """A port deleted: the floating IPs associated with it are left unassociated (Neutron's
    disassociate_floatingips)."""
    session.execute(
        update(FloatingIP).where(FloatingIP.fixed_port_id == port_id)
        .values(fixed_port_id=None, fixed_ip_address=None, router_id=None, status=DOWN,
                updated_at=now)
        .execution_options(synchronize_session=False)
    )  # fmt: skip


def delete_free_floatingips(session: Session, network_id: str) -> None:
    """An external network deleted (locked by the caller): its floating IPs that are associated
    with nothing go with it, as Neutron's delete_disassociated_floatingips does; an associated
    one keeps its port, and the network in use."""
    stmt = select(FloatingIP).where(FloatingIP.floating_network_id == network_id,
                                    FloatingIP.fixed_port_id.is_(None))  # fmt: skip
    free = list(session.scalars(stmt))
    for fip in free:
        port_id = fip.floating_port_id
        session.delete(fip)
        session.flush()
        drop_port(session, port_id)


def check_external_unused(session: Session, network_id: str) -> None:
    """An external network stays external while a router has its gateway there (409)."""
    used = session.scalars(select(Router.id).where(Router.gw_network_id == network_id).limit(1))
    if used.first() is not None:
        raise faults.conflict(
            "ExternalNetworkInUse",
            f"External network {network_id} cannot be updated to be made non-external, since it"
            " has existing gateway ports.",
        )
