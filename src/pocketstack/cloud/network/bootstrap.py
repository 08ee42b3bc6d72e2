"""First-run network contents, as devstack lays them: an external network `public` (not
shared) of the admin project, with a subnet 172.24.4.0/24 whose gateway is .1 and whose pool is
.2 to .254, without DHCP. Routers take their gateways and floating IPs their addresses there;
tempest's `[network] public_network_id` names it."""

from __future__ import annotations

import json

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.identity.directory import find_project
from pocketstack.cloud.network import private_network
from pocketstack.cloud.network.networks import ACTIVE, MAX_MTU
from pocketstack.cloud.store.models.network import Network, Subnet

PUBLIC_NETWORK_ID = "7d5b4bd2-5c8e-4f8a-9b1e-6a7f2d3c4b01"
PUBLIC_SUBNET_ID = "7d5b4bd2-5c8e-4f8a-9b1e-6a7f2d3c4b02"
PUBLIC_NAME = "public"
PUBLIC_SUBNET_NAME = "public-subnet"
PUBLIC_CIDR = "172.24.4.0/24"
_ADMIN_PROJECT = "admin"
_DEFAULT_DOMAIN = "default"


def bootstrap_network(deps: CloudDeps) -> None:
    """Both of devstack's networks: `public`, and the shared `private` one servers boot on
    (private_network.py). After identity's bootstrap: its admin project owns them."""
    _ensure_public_network(deps)
    private_network.ensure_private_network(deps)


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

