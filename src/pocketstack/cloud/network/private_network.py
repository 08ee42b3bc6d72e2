"""The cloud's `private` network: shared, so that every project's server booted without naming a
network (Nova's `auto`) gets a real port there, as a devstack cloud's demo network gives one.

Its id and address ranges are those the compute driver gave servers before the network service
existed (compute/driver.py: NETWORK_ID, 10.0.0.0/16, fd00:10::/64), so seeded servers' cached
addresses still name this network.
"""

from __future__ import annotations

import ipaddress
import json

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.identity import directory
from pocketstack.cloud.network import subnet_rules
from pocketstack.cloud.store.models.network import Network, Subnet

NETWORK_ID = "2d1cf1c0-52d2-4a3a-8a4d-6d4a1bd0a6f1"
NAME = "private"
# Seeded servers (compute/seed.py) keep cached addresses below these, with no port behind them:
# the pools real ports draw from start above, so no address is ever shown twice.
SEEDED_V4 = "10.0.0.0/17"
# (subnet id, name, cidr, gateway, the allocation pool: first and last address).
SUBNETS = (
    ("6a5f2c1e-3b8d-4c1a-9e2f-0d7b4a6c8e01", "private-subnet", "10.0.0.0/16", "10.0.0.1",
     ("10.0.128.1", "10.0.255.254")),
    ("6a5f2c1e-3b8d-4c1a-9e2f-0d7b4a6c8e02", "ipv6-private-subnet", "fd00:10::/64", "fd00:10::1",
     ("fd00:10:0:0:1::", "fd00:10::ffff:ffff:ffff:ffff")),
)  # fmt: skip
MTU = 1450
# The admin project of identity's bootstrap owns it (Keystone's bootstrap names).
_OWNER_NAME = "admin"
_OWNER_DOMAIN = "default"


def ensure_private_network(deps: CloudDeps) -> None:
    """Idempotent: made once with fixed ids; an existing one (even changed by an admin) is left
    as it is."""
    with deps.store.session(write=True) as session:
        if session.get(Network, NETWORK_ID) is not None:
            return
        owner = directory.find_project(session, name=_OWNER_NAME, domain_id=_OWNER_DOMAIN)
        project = owner.id if owner is not None else ""
        now = deps.clock.now()
        session.add(Network(
            id=NETWORK_ID, project_id=project, name=NAME, description="", admin_state_up=True,
            status="ACTIVE", shared=True, external=False, mtu=MTU, port_security_enabled=True,
            revision_number=1, created_at=now, updated_at=now,
        ))  # fmt: skip
        session.flush()
        for subnet_id, name, cidr, gateway, (first, last) in SUBNETS:
            net = ipaddress.ip_network(cidr)
            pools = [(int(ipaddress.ip_address(first)), int(ipaddress.ip_address(last)))]
            session.add(Subnet(
                id=subnet_id, network_id=NETWORK_ID, project_id=project, name=name,
                description="", ip_version=net.version, cidr=cidr, gateway_ip=gateway,
                enable_dhcp=True, ipv6_ra_mode=None, ipv6_address_mode=None,
                allocation_pools=json.dumps(subnet_rules.pools_json(net.version, pools)),
                dns_nameservers="[]", host_routes="[]", revision_number=1,
                created_at=now, updated_at=now,
            ))  # fmt: skip
