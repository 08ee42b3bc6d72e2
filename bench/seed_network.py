"""Bulk network rows for case 8 (bench/cases_pages.py): run with pocketstack's interpreter.

    python bench/seed_network.py --data-dir DIR --count N [--project admin]

After the cloud's first start (its bootstrap made the project and the `public` and `private`
networks), in that project: one network `bench-ports` with an IPv4 subnet big enough for a
million addresses, N ports on it as the network service writes a port (a MAC unique on the
network, one address allocated on the subnet, the port in one security group), N more networks
(each network with its tenant segment, a VXLAN id, as the network service gives a new one) and N
more security groups, each group with the two egress rules a new group starts with.

Rows go in through the store's own tables (SQLAlchemy Core executemany, in batches), as
bench/seed_tables.py does for compute's tables; one JSON line on stdout says what was made, how
long each table took, and the marker a page from the middle of each collection starts after
(the collections' default order is by id).
"""

from __future__ import annotations

import argparse
import datetime as dt
import ipaddress
import json
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, insert, select, text

from pocketstack.cloud.config import load_config
from pocketstack.cloud.network import provider
from pocketstack.cloud.network.sg_rules_validation import IPV4, IPV6, dedup_key
from pocketstack.cloud.store.db import Store
from pocketstack.cloud.store.models.identity import Project
from pocketstack.cloud.store.models.network import Network, Subnet
from pocketstack.cloud.store.models.network_agent import NetworkSegment
from pocketstack.cloud.store.models.network_port import IPAllocation, Port
from pocketstack.cloud.store.models.network_security import (
    PortSecurityGroup,
    SecurityGroup,
    SecurityGroupRule,
)

BATCH = 5000
DOMAIN = "default"
# Apart from the private network's 10.0.0.0/16 and the public 172.24.4.0/24: room for 2^20
# ports.
CIDR = "10.64.0.0/12"
MTU = 1450
# Nova's device_owner for a server's port in zone nova: the ports a cloud holds most of.
OWNER = "compute:nova"
# The seeded networks' VXLAN ids start here: the cloud allocates its own from 1 upwards.
SEGMENT_BASE = 1_000_000


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def _insert(conn: Connection, model: Any, rows: Iterator[dict[str, Any]]) -> int:
    """Executemany in batches; how many rows went in."""
    table = _table(model)
    done = 0
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            conn.execute(insert(table), batch)
            done += len(batch)
            batch = []
    if batch:
        conn.execute(insert(table), batch)
        done += len(batch)
    return done


def _middle(ids: list[str]) -> str:
    return sorted(ids)[len(ids) // 2]


def _standard(project: str, now: dt.datetime) -> dict[str, Any]:
    return {"project_id": project, "description": "", "revision_number": 1, "created_at": now,
            "updated_at": now}  # fmt: skip


def _segments(conn: Connection, network_ids: list[str], first: int) -> None:
    rows = (
        {"network_id": n, "network_type": provider.TENANT_TYPE,
         "physical_network": provider.NO_PHYSNET, "segmentation_id": first + i}
        for i, n in enumerate(network_ids)
    )  # fmt: skip
    _insert(conn, NetworkSegment, rows)


def _network(name: str, project: str, now: dt.datetime) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()), "name": name, "admin_state_up": True, "status": "ACTIVE",
        "shared": False, "external": False, "mtu": MTU, "port_security_enabled": True,
        **_standard(project, now),
    }  # fmt: skip


def _rules(group_id: str, project: str, now: dt.datetime) -> list[dict[str, Any]]:
    """The two egress rules (any protocol, any address) a new group starts with."""
    rows = []
    for ethertype in (IPV4, IPV6):
        rule = {"direction": "egress", "ethertype": ethertype, "protocol": None,
                "port_range_min": None, "port_range_max": None, "remote_ip_prefix": None,
                "remote_group_id": None}  # fmt: skip
        rows.append({"id": str(uuid.uuid4()), "security_group_id": group_id,
                     "normalized_cidr": None, "dedup_key": dedup_key(rule), **rule,
                     **_standard(project, now)})  # fmt: skip
    return rows


def _group(conn: Connection, name: str, project: str, now: dt.datetime) -> str:
    row = {"id": str(uuid.uuid4()), "name": name, "stateful": True, **_standard(project, now)}
    conn.execute(insert(_table(SecurityGroup)), [row])
    conn.execute(insert(_table(SecurityGroupRule)), _rules(row["id"], project, now))
    return str(row["id"])


def _ports(conn: Connection, count: int, project: str, now: dt.datetime) -> str:
    """The network, its subnet, a group, and `count` ports there; the middle port's id."""
    net = _network("bench-ports", project, now)
    conn.execute(insert(_table(Network)), [net])
    _segments(conn, [net["id"]], SEGMENT_BASE - 1)
    cidr = ipaddress.ip_network(CIDR)
    subnet_id = str(uuid.uuid4())
    pool = [{"start": str(cidr[2]), "end": str(cidr[-2])}]
    conn.execute(insert(_table(Subnet)), [{
        "id": subnet_id, "network_id": net["id"], "name": "bench-ports-subnet", "ip_version": 4,
        "cidr": CIDR, "gateway_ip": str(cidr[1]), "enable_dhcp": True, "ipv6_ra_mode": None,
        "ipv6_address_mode": None, "allocation_pools": json.dumps(pool),
        "dns_nameservers": "[]", "host_routes": "[]", "ipam_hint": None,
        **_standard(project, now),
    }])  # fmt: skip
    group = _group(conn, "bench-ports-group", project, now)
    ids = [str(uuid.uuid4()) for _ in range(count)]

    def ports() -> Iterator[dict[str, Any]]:
        for i, port_id in enumerate(ids):
            mac = f"fa:16:3e:{i >> 16 & 0xFF:02x}:{i >> 8 & 0xFF:02x}:{i & 0xFF:02x}"
            yield {
                "id": port_id, "network_id": net["id"], "name": f"bench-port-{i:06d}",
                "mac_address": mac, "admin_state_up": True, "status": "DOWN",
                "device_id": str(uuid.UUID(int=i + 1)), "device_owner": OWNER,
                "port_security_enabled": True, "allowed_address_pairs": "[]",
                "binding_host_id": "", "binding_vnic_type": "normal", "binding_profile": "{}",
                **_standard(project, now),
            }  # fmt: skip

    def addresses() -> Iterator[dict[str, Any]]:
        for i, port_id in enumerate(ids):
            yield {"port_id": port_id, "subnet_id": subnet_id, "network_id": net["id"],
                   "ip_address": str(cidr[2 + i])}  # fmt: skip

    _insert(conn, Port, ports())
    _insert(conn, IPAllocation, addresses())
    _insert(conn, PortSecurityGroup,
            ({"port_id": p, "security_group_id": group} for p in ids))  # fmt: skip
    return _middle(ids)


def _networks(conn: Connection, count: int, project: str, now: dt.datetime) -> str:
    rows = [_network(f"bench-net-{i:06d}", project, now) for i in range(count)]
    _insert(conn, Network, iter(rows))
    _segments(conn, [r["id"] for r in rows], SEGMENT_BASE)
    return _middle([r["id"] for r in rows])


def _groups(conn: Connection, count: int, project: str, now: dt.datetime) -> str:
    groups = [{"id": str(uuid.uuid4()), "name": f"bench-group-{i:06d}", "stateful": True,
               **_standard(project, now)} for i in range(count)]  # fmt: skip
    _insert(conn, SecurityGroup, iter(groups))
    _insert(conn, SecurityGroupRule,
            (r for g in groups for r in _rules(g["id"], project, now)))  # fmt: skip
    return _middle([g["id"] for g in groups])


def seed_network(data_dir: Path, *, count: int, project: str) -> dict[str, Any]:
    config = load_config(data_dir=data_dir)
    store = Store(config.db_url)
    now = dt.datetime.now(dt.UTC)
    out: dict[str, Any] = {"count": count, "seconds": {}, "markers": {}}
    try:
        with store.engine.begin() as conn:
            owner = conn.scalar(
                select(Project.id).where(Project.name == project, Project.domain_id == DOMAIN)
            )
            if owner is None:
                raise SystemExit(f"no project {project!r}")
            seeds: tuple[tuple[str, Callable[[Connection, int, str, dt.datetime], str]], ...]
            seeds = (("ports", _ports), ("networks", _networks), ("security_groups", _groups))
            for key, seed in seeds:
                started = time.perf_counter()
                out["markers"][key] = seed(conn, count, str(owner), now)
                out["seconds"][key] = time.perf_counter() - started
        if store.engine.dialect.name == "sqlite":
            # PostgreSQL's statistics are the caller's (VACUUM ANALYZE of the whole database).
            with store.engine.begin() as conn:
                conn.execute(text("ANALYZE"))
    finally:
        store.dispose()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--project", default="admin")
    args = parser.parse_args(argv)
    result = seed_network(args.data_dir, count=args.count, project=args.project)
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
