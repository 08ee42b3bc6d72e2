"""Compute's part of `manage seed` (cloud/seed.py): many servers, fast (executemany in batches).

Servers get a spread of states, names, flavors, images, tags, metadata and times, so that every
list filter and sort has something to find.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from collections.abc import Callable, Sequence
from typing import Any, cast

from sqlalchemy import Connection, Table, func, select, text

from pocketstack.cloud.compute import driver, fleet, states
from pocketstack.cloud.compute.quota_updates import update_limits
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import CloudError
from pocketstack.cloud.store.base import UTCDateTime
from pocketstack.cloud.store.models.compute import Flavor, Instance, InstanceMetadata, InstanceTag

BATCH = 5000
_INSTANCE = cast(Table, Instance.__table__)
_TAG = cast(Table, InstanceTag.__table__)
_METADATA = cast(Table, InstanceMetadata.__table__)
_WORDS = ("web", "db", "cache", "worker", "api", "batch", "edge", "queue", "search", "auth")
_TAGS = ("prod", "staging", "dev", "blue", "green", "canary", "gpu", "ssd")
# (vm_state, task_state, power_state, weight)
_STATES = (
    (states.ACTIVE, None, states.RUNNING, 70),
    (states.STOPPED, None, states.SHUTDOWN, 10),
    (states.BUILDING, states.SPAWNING, states.NOSTATE, 3),
    (states.ERROR, None, states.NOSTATE, 4),
    (states.PAUSED, None, states.POWER_PAUSED, 4),
    (states.SUSPENDED, None, states.SHUTDOWN, 4),
    (states.ACTIVE, states.REBOOTING, states.RUNNING, 2),
    (states.DELETED, None, states.NOSTATE, 3),
)


class ComputeSeedError(CloudError):
    """What seeding needs from bootstrap is missing."""


def seed_servers(
    deps: CloudDeps,
    *,
    servers: int,
    owners: Sequence[tuple[str, str]],
    image_refs: Sequence[str],
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Adds `servers` servers spread over `owners` ((project id, user id) pairs) and
    `image_refs`, with every enabled flavor."""
    if not owners or not image_refs:
        raise ValueError("seeding servers needs an owner and an image")
    with deps.store.session() as session:
        flavors = list(session.scalars(select(Flavor).where(Flavor.disabled.is_(False))))
        start_id = (session.scalar(select(func.max(Instance.id))) or 0) + 1
        # Spread over the fleet's compute hosts, as placement would spread them.
        hosts = sorted(fleet.compute_hosts(session))
    if not flavors:
        raise ComputeSeedError("no flavors: run bootstrap first")
    if not hosts:
        raise ComputeSeedError("no compute hosts: run bootstrap first")
    # Repeatable for a given database state, and never the same ids as an earlier seeding.
    rng = random.Random(start_id)
    weights = [s[3] for s in _STATES]
    now = deps.clock.now()
    span = dt.timedelta(days=90)
    done = 0
    next_id = start_id
    while done < servers:
        count = min(BATCH, servers - done)
        rows: list[dict[str, Any]] = []
        tag_rows: list[dict[str, Any]] = []
        meta_rows: list[dict[str, Any]] = []
        for _ in range(count):
            seq = next_id
            next_id += 1
            project_id, user_id = owners[seq % len(owners)]
            flavor = flavors[seq % len(flavors)]
            vm_state, task_state, power_state, _w = rng.choices(_STATES, weights)[0]
            # Servers are created in order over the span, as in a real cloud: rows then sit in
            # the table in roughly the order the default listing reads them.
            created = now - span + span * ((done + len(rows) + rng.random()) / max(servers, 1))
            updated = min(now, created + dt.timedelta(hours=rng.random() * 48))
            deleted = vm_state == states.DELETED
            launched = None if vm_state == states.BUILDING else created + dt.timedelta(seconds=30)
            name = f"{rng.choice(_WORDS)}-{seq:06d}"
            # Cached addresses on the private network without ports behind them: a port each
            # (100k of them) is more than seeding a list benchmark needs. Their delete has no
            # port to release; the network's allocator does not know these addresses.
            addresses = [] if vm_state == states.BUILDING else driver.fixed_addresses(seq, rng=rng)
            host = hosts[seq % len(hosts)]
            rows.append(
                {
                    "id": seq, "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "project_id": project_id, "user_id": user_id,
                    "display_name": name, "display_description": f"seeded server {seq}",
                    "hostname": name, "reservation_id": f"r-{seq:08x}", "launch_index": 0,
                    "image_ref": image_refs[seq % len(image_refs)], "flavor_id": flavor.id,
                    "flavor_name": flavor.name, "vcpus": flavor.vcpus,
                    "memory_mb": flavor.memory_mb, "root_gb": flavor.root_gb,
                    "ephemeral_gb": flavor.ephemeral_gb, "swap": flavor.swap,
                    "flavor_extra_specs": flavor.extra_specs, "image_properties": "{}",
                    "vm_state": vm_state, "task_state": task_state, "power_state": power_state,
                    "progress": 0, "host": host, "node": host, "availability_zone": "nova",
                    "pinned_availability_zone": None,
                    "key_name": f"key-{seq % 7}" if seq % 3 else None, "config_drive": "",
                    "access_ip_v4": None, "access_ip_v6": None, "auto_disk_config": False,
                    "kernel_id": "", "ramdisk_id": "", "root_device_name": "/dev/vda",
                    "user_data": None, "locked": seq % 17 == 0,
                    "locked_by": "owner" if seq % 17 == 0 else None,
                    "locked_reason": "seeded" if seq % 17 == 0 else None,
                    "addresses": json.dumps(addresses),
                    "ip4": " ".join(str(a["addr"]) for a in addresses if a["version"] == 4),
                    "ip6": " ".join(str(a["addr"]) for a in addresses if a["version"] == 6),
                    "scheduler_hints": "{}",
                    "fault_code": 500 if vm_state == states.ERROR else None,
                    "fault_message": "No valid host was found." if vm_state == states.ERROR
                    else None,
                    "fault_details": None,
                    "fault_created_at": updated if vm_state == states.ERROR else None,
                    "created_at": created, "updated_at": updated, "launched_at": launched,
                    "terminated_at": updated if deleted else None,
                    "deleted_at": updated if deleted else None, "deleted": deleted,
                    "transition_due_at": None,
                }
            )  # fmt: skip
            for tag in rng.sample(_TAGS, rng.randrange(3)):
                tag_rows.append({"instance_id": seq, "tag": tag})
            if seq % 5 == 0:
                meta_rows.append({"instance_id": seq, "key": "role", "value": name.split("-")[0]})
        with deps.store.session(write=True) as session:
            conn = session.connection()
            _insert_many(conn, _INSTANCE, rows)
            if tag_rows:
                _insert_many(conn, _TAG, tag_rows)
            if meta_rows:
                _insert_many(conn, _METADATA, meta_rows)
            if conn.dialect.name == "postgresql":
                # The ids above were written, not drawn: PostgreSQL's sequence must move past
                # them, or the next POST /servers would take a seeded id (MariaDB's and
                # SQLite's counters follow the largest id by themselves).
                conn.exec_driver_sql(
                    "SELECT setval(pg_get_serial_sequence('instance', 'id'), "
                    "(SELECT max(id) FROM instance))"
                )
        done += count
        if progress is not None:
            progress(done, servers)
    if servers:
        _unlimit(deps, {project_id for project_id, _ in owners})
        _analyze(deps)


# What a project's servers count against; the seeded ones would fill the defaults (10 servers).
_SERVER_QUOTAS = {"instances": -1, "cores": -1, "ram": -1}


def _unlimit(deps: CloudDeps, project_ids: set[str]) -> None:
    """Lifts the seeded projects' server quotas, as an operator does for a project that big:
    otherwise their owners could create nothing more."""
    with deps.store.session(write=True) as session:
        for project_id in sorted(project_ids):
            update_limits(
                session, project_id=project_id, user_id=None, values=_SERVER_QUOTAS, force=True
            )


def _insert_many(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """One executemany of rows already in the driver's own terms.

    Through insert(table), SQLAlchemy ran every value of every row through its type processors
    (UTC datetimes, SQLite's datetime text): about a third of the time of seeding a million
    servers on SQLite. The rows here hold every column (no Python-side defaults to fill in), and
    their values need only what those processors did to the datetimes.
    """
    names = list(rows[0])
    sqlite = conn.dialect.name == "sqlite"
    marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    quote = conn.dialect.identifier_preparer.quote
    statement = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
        f"VALUES ({', '.join([marker] * len(names))})"
    )
    dated = [i for i, name in enumerate(names) if isinstance(table.c[name].type, UTCDateTime)]
    values = []
    for row in rows:
        record = [row[name] for name in names]
        for i in dated:
            when = record[i]
            if when is not None:
                when = when.astimezone(dt.UTC).replace(tzinfo=None)
                # SQLAlchemy's SQLite storage format, which its reads and comparisons expect.
                record[i] = when.isoformat(sep=" ", timespec="microseconds") if sqlite else when
        values.append(tuple(record))
    conn.exec_driver_sql(statement, values)


def _analyze(deps: CloudDeps) -> None:
    """Refreshes the planner's statistics after a bulk load.

    Without them PostgreSQL guesses, and its guess for a page's tags (`instance_id IN (...)`) is
    a scan of the whole tag table: a page would then cost more the more servers there are. A
    server with autovacuum off (or not yet run) never gathers them on its own.
    """
    dialect = deps.store.engine.dialect.name
    with deps.store.session(write=True) as session:
        for table in (_INSTANCE, _TAG, _METADATA):
            if dialect == "mysql":
                session.execute(text(f"ANALYZE TABLE {table.name}"))
            else:
                session.execute(text(f"ANALYZE {table.name}"))
