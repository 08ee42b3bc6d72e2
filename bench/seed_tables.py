"""Bulk rows for case 8 (bench/cases_pages.py): run with pocketstack's interpreter, not the bench's.

    python bench/seed_tables.py hosts --data-dir DIR --count N
        Before the cloud's first start: migrate the schema, then one compute service per host of
        DIR/pocketstack.toml, in one executemany (serve's bootstrap then finds them all, instead
        of adding them one savepoint at a time); N disabled ones, as hosts taken out of the
        configuration, when it lists fewer than N. Each host's network agent (Open vSwitch) as
        well, as an earlier start would have registered it.
    python bench/seed_tables.py rows --data-dir DIR --count N --user admin
        After `pocketstack manage seed`: N key pairs of that user, N public flavors and N
        instance actions on one server; prints the markers a page in the middle starts after.

Rows go in through the store's own tables (SQLAlchemy Core executemany, batches of 5,000), so
every type and default is the models'; one JSON line on stdout says what was made and how long
it took. Nothing here goes through the API: 100,000 API calls would take longer than the rest of
the bench.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import random
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select, text

from pocketstack.cloud.config import FleetHost, load_config
from pocketstack.cloud.network import agents
from pocketstack.cloud.store.db import Store
from pocketstack.cloud.store.models.compute import Flavor, Instance, KeyPair
from pocketstack.cloud.store.models.fleet import ComputeService
from pocketstack.cloud.store.models.identity import User
from pocketstack.cloud.store.models.instance_action import InstanceAction
from pocketstack.cloud.store.models.network_agent import NetworkAgent
from pocketstack.cloud.store.upgrade import upgrade

BATCH = 5000
COMPUTE = "nova-compute"
# compute/fleet.py's reason for a host no longer configured.
UNCONFIGURED = "not in the configuration"
UNCONFIGURED_PREFIX = "retired-"


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


def _timed(run: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = run()
    return result, time.perf_counter() - started


def _middle(rows: int) -> int:
    return rows // 2


def seed_hosts(data_dir: Path, count: int) -> dict[str, Any]:
    """`count` compute services: the configured hosts', or when the configuration has fewer,
    hosts as a start-up leaves those taken out of the configuration (disabled, still listed)."""
    config = load_config(data_dir=data_dir)
    configured = len(config.hosts) >= count
    hosts = list(config.hosts) if configured else [FleetHost(f"{UNCONFIGURED_PREFIX}{i:06d}")
                                                   for i in range(count)]  # fmt: skip
    store = Store(config.db_url)
    try:
        upgrade(store.engine)
        now = dt.datetime.now(dt.UTC)

        def rows() -> Iterator[dict[str, Any]]:
            for host in hosts:
                yield {
                    "uuid": str(uuid.uuid4()), "node_uuid": str(uuid.uuid4()), "host": host.name,
                    "binary": COMPUTE, "topic": "compute",
                    "availability_zone": host.availability_zone, "vcpus": host.vcpus,
                    "memory_mb": host.memory_mb, "local_gb": host.disk_gb,
                    "disabled": not configured,
                    "disabled_reason": None if configured else UNCONFIGURED,
                    "forced_down": False, "deleted": False, "created_at": now, "updated_at": now,
                }  # fmt: skip

        with store.engine.begin() as conn:
            added, seconds = _timed(lambda: _insert(conn, ComputeService, rows()))
            _insert(conn, NetworkAgent, _agents([h.name for h in hosts], now))
    finally:
        store.dispose()
    return {"hosts": added, "configured": configured, "seconds": seconds}


def _agents(hosts: list[str], now: dt.datetime) -> Iterator[dict[str, Any]]:
    """The Open vSwitch agent of each host, as the network service registers it."""
    kind = agents.OVS_KIND
    for host in hosts:
        yield {
            "id": str(uuid.uuid4()), "agent_type": kind.agent_type, "binary": kind.binary,
            "topic": kind.topic, "host": host, "availability_zone": None,
            "admin_state_up": True, "description": "",
            "configurations": json.dumps(dict(kind.configurations)), "created_at": now,
            "started_at": now,
        }  # fmt: skip


def _ssh_key(rng: random.Random) -> str:
    # The shape of a 2048-bit RSA public key; it is only stored and shown, never parsed here.
    blob = base64.b64encode(b"\x00\x00\x00\x07ssh-rsa" + rng.randbytes(268)).decode()
    return f"ssh-rsa {blob} bench"


def _keypairs(conn: Connection, user_id: str, count: int, now: dt.datetime) -> str:
    rng = random.Random(count)

    def rows() -> Iterator[dict[str, Any]]:
        for i in range(count):
            fingerprint = ":".join(f"{b:02x}" for b in rng.randbytes(16))
            yield {
                "user_id": user_id, "name": f"bench-key-{i:06d}", "type": "ssh",
                "fingerprint": fingerprint, "public_key": _ssh_key(rng), "created_at": now,
            }  # fmt: skip

    _insert(conn, KeyPair, rows())
    return f"bench-key-{_middle(count):06d}"


def _flavors(conn: Connection, count: int, now: dt.datetime) -> str:
    def rows() -> Iterator[dict[str, Any]]:
        for i in range(count):
            yield {
                "id": f"bench-{i:06d}", "name": f"bench.flavor-{i:06d}", "vcpus": 1 + i % 8,
                "memory_mb": 512 * (1 + i % 16), "root_gb": 1 + i % 80, "ephemeral_gb": 0,
                "swap": 0, "rxtx_factor": "1.0", "is_public": True, "disabled": False,
                "description": None, "extra_specs": "{}",
                "created_at": now - dt.timedelta(seconds=count - i),
            }  # fmt: skip

    _insert(conn, Flavor, rows())
    return f"bench-{_middle(count):06d}"


def _actions(conn: Connection, count: int, now: dt.datetime) -> tuple[str, str]:
    """`count` actions on the newest server, oldest first; (its uuid, the middle request id)."""
    server = conn.execute(
        select(Instance.uuid, Instance.project_id, Instance.user_id)
        .order_by(Instance.id.desc())
        .limit(1)
    ).one()
    names = ("reboot", "stop", "start", "pause", "unpause", "resize", "confirmResize")

    def request_id(i: int) -> str:
        return f"req-{uuid.UUID(int=i + 1)}"

    def rows() -> Iterator[dict[str, Any]]:
        for i in range(count):
            when = now - dt.timedelta(seconds=count - i)
            yield {
                "instance_uuid": server.uuid, "request_id": request_id(i),
                "action": names[i % len(names)], "user_id": server.user_id,
                "project_id": server.project_id, "message": None, "start_time": when,
                "finish_time": when, "created_at": when, "updated_at": when,
            }  # fmt: skip

    _insert(conn, InstanceAction, rows())
    # Newest first: a page from the middle starts after the middle action.
    return server.uuid, request_id(_middle(count))


def _usage_marker(conn: Connection) -> str | None:
    """The middle server of the project in the middle of the usage report's order (project,
    then server uuid): a marker at a project's first server would spare a page the reading of
    that project's servers before it."""
    total = conn.scalar(select(func.count()).select_from(Instance)) or 0
    project = conn.scalar(
        select(Instance.project_id)
        .order_by(Instance.project_id, Instance.uuid)
        .offset(_middle(int(total)))
        .limit(1)
    )
    if project is None:
        return None
    own = conn.scalar(select(func.count()).where(Instance.project_id == project)) or 0
    found = conn.scalar(
        select(Instance.uuid)
        .where(Instance.project_id == project)
        .order_by(Instance.uuid)
        .offset(_middle(int(own)))
        .limit(1)
    )
    return str(found) if found is not None else None


def _host_marker(conn: Connection) -> str | None:
    computes = select(ComputeService).where(
        ComputeService.binary == COMPUTE, ComputeService.deleted.is_(False)
    )
    total = conn.scalar(select(func.count()).select_from(computes.subquery())) or 0
    found = conn.scalar(
        select(ComputeService.node_uuid)
        .where(ComputeService.binary == COMPUTE, ComputeService.deleted.is_(False))
        .order_by(ComputeService.id)
        .offset(_middle(int(total)))
        .limit(1)
    )
    return str(found) if found is not None else None


def seed_rows(data_dir: Path, *, count: int, user: str) -> dict[str, Any]:
    config = load_config(data_dir=data_dir)
    store = Store(config.db_url)
    now = dt.datetime.now(dt.UTC)
    out: dict[str, Any] = {"count": count, "seconds": {}, "markers": {}}
    try:
        with store.engine.begin() as conn:
            user_id = conn.scalar(select(User.id).where(User.name == user))
            if user_id is None:
                raise SystemExit(f"no user {user!r}")
            marker, out["seconds"]["keypairs"] = _timed(
                lambda: _keypairs(conn, user_id, count, now)
            )
            out["markers"]["keypairs"] = marker
            marker, out["seconds"]["flavors"] = _timed(lambda: _flavors(conn, count, now))
            out["markers"]["flavors"] = marker
            (server, marker), out["seconds"]["actions"] = _timed(lambda: _actions(conn, count, now))
            out["server"] = server
            out["markers"]["actions"] = marker
            out["markers"]["usage"] = _usage_marker(conn)
            out["markers"]["hypervisors"] = _host_marker(conn)
        if store.engine.dialect.name == "sqlite":
            # PostgreSQL's statistics are the caller's (VACUUM ANALYZE of the whole database).
            with store.engine.begin() as conn:
                conn.execute(text("ANALYZE"))
    finally:
        store.dispose()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    hosts = sub.add_parser("hosts")
    hosts.add_argument("--data-dir", type=Path, required=True)
    hosts.add_argument("--count", type=int, required=True)
    rows = sub.add_parser("rows")
    rows.add_argument("--data-dir", type=Path, required=True)
    rows.add_argument("--count", type=int, required=True)
    rows.add_argument("--user", default="admin")
    args = parser.parse_args(argv)
    if args.what == "hosts":
        result = seed_hosts(args.data_dir, args.count)
    else:
        result = seed_rows(args.data_dir, count=args.count, user=args.user)
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
