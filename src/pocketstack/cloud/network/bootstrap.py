"""First-run network contents, as devstack lays them: an external network `public` (not
shared) of the admin project, with a subnet 172.24.4.0/24 whose gateway is .1 and whose pool is
.2 to .254, without DHCP. Routers take their gateways and floating IPs their addresses there;
tempest's `[network] public_network_id` names it. And `router1`, the admin project's router
between `public` and both subnets of `private`, so that a server there can have a floating IP
from the first start, as on a devstack cloud."""

from __future__ import annotations

import json

from sqlalchemy import select

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.identity.directory import find_project
from pocketstack.cloud.network import private_network, router_interfaces, routers
from pocketstack.cloud.network.networks import ACTIVE, MAX_MTU
from pocketstack.cloud.store.models.network import Network, Subnet
from pocketstack.cloud.store.models.network_l3 import Router

PUBLIC_NETWORK_ID = "7d5b4bd2-5c8e-4f8a-9b1e-6a7f2d3c4b01"
PUBLIC_SUBNET_ID = "7d5b4bd2-5c8e-4f8a-9b1e-6a7f2d3c4b02"
PUBLIC_NAME = "public"
PUBLIC_SUBNET_NAME = "public-subnet"
PUBLIC_CIDR = "172.24.4.0/24"
ROUTER_ID = "7d5b4bd2-5c8e-4f8a-9b1e-6a7f2d3c4b03"
ROUTER_NAME = "router1"
_ADMIN_PROJECT = "admin"
_DEFAULT_DOMAIN = "default"


def bootstrap_network(deps: CloudDeps) -> None:
    """Both of devstack's networks: `public`, and the shared `private` one servers boot on
    (private_network.py). After identity's bootstrap: its admin project owns them."""
    _ensure_public_network(deps)
    private_network.ensure_private_network(deps)
    _ensure_router(deps)


def _ensure_public_network(deps: CloudDeps) -> None:
    """Idempotent: made once, with fixed ids; left alone (or not made again) afterwards, unless
    deleted."""
    with deps.store.session(write=True) as session:
        if session.get(Network, PUBLIC_NETWORK_ID) is not None:
            return
        admin = find_project(session, name=_ADMIN_PROJECT, domain_id=_DEFAULT_DOMAIN)
        if admin is None:
            return
        now = deps.clock.now()
        session.add(Network(
            id=PUBLIC_NETWORK_ID, project_id=admin.id, name=PUBLIC_NAME, description="",
            admin_state_up=True, status=ACTIVE, shared=False, external=True, mtu=MAX_MTU,
            port_security_enabled=True, revision_number=1, created_at=now, updated_at=now,
        ))  # fmt: skip
        session.flush()
        session.add(Subnet(
            id=PUBLIC_SUBNET_ID, network_id=PUBLIC_NETWORK_ID, project_id=admin.id,
            name=PUBLIC_SUBNET_NAME, description="", ip_version=4, cidr=PUBLIC_CIDR,
            gateway_ip="172.24.4.1", enable_dhcp=False, ipv6_ra_mode=None,
            ipv6_address_mode=None,
            allocation_pools=json.dumps([{"start": "172.24.4.2", "end": "172.24.4.254"}]),
            dns_nameservers="[]", host_routes="[]", revision_number=1, created_at=now,
            updated_at=now,
        ))  # fmt: skip


def _ensure_router(deps: CloudDeps) -> None:
    """Idempotent as the networks: made with its fixed id when missing, while both networks
    it joins exist; an existing one (even changed by an admin) is left as it is."""
    with deps.store.session(write=True) as session:
        if session.get(Router, ROUTER_ID) is not None:
            return
        public = session.get(Network, PUBLIC_NETWORK_ID)
        private = session.get(Network, private_network.NETWORK_ID)
        if public is None or private is None:
            return
        subnets = session.scalars(select(Subnet).where(
            Subnet.id.in_([subnet_id for subnet_id, *_ in private_network.SUBNETS]),
            Subnet.gateway_ip.is_not(None)).order_by(Subnet.id)).all()  # fmt: skip
        now = deps.clock.now()
        router = Router(
            id=ROUTER_ID, project_id=public.project_id, name=ROUTER_NAME, description="",
            admin_state_up=True, status=ACTIVE, enable_snat=True, routes="[]",
            revision_number=1, created_at=now, updated_at=now,
        )  # fmt: skip
        session.add(router)
        session.flush()
        routers.set_gateway(None, session, router, {"network_id": PUBLIC_NETWORK_ID}, now)
        for subnet in subnets:
            router_interfaces.attach_subnet(session, router, subnet, now)
