"""Case 8: one page of each of compute's newer list endpoints, and of the network service's
ports, networks and security groups, as its table grows (1k to 100k rows).

Per database size, a fresh cloud holds that many rows in every table measured: compute hosts
(configured in pocketstack.toml and bulk-inserted before the first start), servers (`pocketstack
manage seed`, over 10 projects), the admin's key pairs, public flavors and one server's
instance actions (bench/seed_tables.py), and the admin project's ports (each with its address
on a real subnet and its security group), networks and security groups (bench/seed_network.py).
Then, with the admin's token (admin project) and compute's newest microversion, one page of a
fixed size from the start of the collection and one from its middle (through the marker
there), with the worker's CPU per request.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import shutil
import subprocess
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench import loadgen
from bench.case_output import say
from bench.cloud import Cloud, CloudSpec, run_pocketstack, running_cloud
from bench.context import Context
from bench.postgresql import analyze_postgresql_db, create_postgresql_db, drop_postgresql_db
from bench.procs import BenchError
from bench.stats import fmt_seconds
from bench.venv import BENCH_DIR

PAGE_SIZE = 100
COMPUTE = "/compute/v2.1"
# The network service has no microversions: its requests carry no version header.
NETWORK = "/networking/v2.0"
MICROVERSION = "compute latest"
SEED_PROJECTS = 10
PG_MAX_PARAMETERS = 65_535
# A start-up's work grows with the fleet (each host's network agent registers again): with
# 100,000 hosts it can take longer than other cases' clouds are given. Its time is reported.
START_TIMEOUT = 900.0


@dataclass(frozen=True)
class Endpoint:
    key: str
    label: str
    # The path of the first page, given what seeding made (the server of the actions).
    path: Callable[[dict[str, Any]], str]
    # How many items a page's body holds.
    items: Callable[[Any], int]
    # The service's base path (compute's pages are asked for at its newest microversion).
    base: str = COMPUTE


def _usage_window() -> str:
    # A month's bill up to now: nearly every seeded server ran in it.
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    start = now - dt.timedelta(days=30)
    return urllib.parse.urlencode({"start": start.isoformat(), "end": now.isoformat()})


ENDPOINTS = (
    Endpoint("keypairs", "GET /os-keypairs",
             lambda s: f"/os-keypairs?limit={PAGE_SIZE}",
             lambda body: len(body["keypairs"])),
    Endpoint("hypervisors", "GET /os-hypervisors/detail",
             lambda s: f"/os-hypervisors/detail?limit={PAGE_SIZE}",
             lambda body: len(body["hypervisors"])),
    Endpoint("flavors", "GET /flavors/detail",
             lambda s: f"/flavors/detail?limit={PAGE_SIZE}",
             lambda body: len(body["flavors"])),
    Endpoint("usage", "GET /os-simple-tenant-usage?detailed=1",
             lambda s: f"/os-simple-tenant-usage?detailed=1&limit={PAGE_SIZE}&{_usage_window()}",
             lambda body: sum(len(t["server_usages"]) for t in body["tenant_usages"])),
    Endpoint("actions", "GET /servers/{id}/os-instance-actions",
             lambda s: f"/servers/{s['server']}/os-instance-actions?limit={PAGE_SIZE}",
             lambda body: len(body["instanceActions"])),
    Endpoint("ports", "GET /networking/v2.0/ports",
             lambda s: f"/ports?limit={PAGE_SIZE}",
             lambda body: len(body["ports"]), NETWORK),
    Endpoint("networks", "GET /networking/v2.0/networks",
             lambda s: f"/networks?limit={PAGE_SIZE}",
             lambda body: len(body["networks"]), NETWORK),
    Endpoint("security_groups", "GET /networking/v2.0/security-groups",
             lambda s: f"/security-groups?limit={PAGE_SIZE}",
             lambda body: len(body["security_groups"]), NETWORK),
)  # fmt: skip


def case_pages(ctx: Context) -> dict[str, Any]:
    section: dict[str, Any] = {
        "title": "List endpoints by table size",
        "page_size": PAGE_SIZE,
        "pages": [],
        "seeding": [],
        "errors": [],
    }
    backends: list[tuple[str, tuple[int, ...]]] = [("sqlite", ctx.knobs.page_table_sizes)]
    if ctx.postgresql_url != "off" and ctx.knobs.page_table_sizes_postgresql:
        backends.append(("postgresql", ctx.knobs.page_table_sizes_postgresql))
    for backend, sizes in backends:
        for size in sizes:
            try:
                _one_size(ctx, section, backend=backend, size=size)
            except BenchError as exc:
                section["errors"].append(f"{backend}, {size:,} rows: {exc}")
                say(f"  {backend}, {size:,} rows: FAILED: {str(exc).splitlines()[0]}")
            ctx.save()
    return section


def _helper(
    ctx: Context, *args: str, script: str = "seed_tables.py", timeout: float = 1800
) -> dict[str, Any]:
    """A seeding script of bench/ on pocketstack's interpreter; its JSON line."""
    done = subprocess.run(
        [str(ctx.pocketstack_python), str(BENCH_DIR / script), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
        env=ctx.base_env(),
    )
    if done.returncode != 0:
        raise BenchError(f"{script} {args[0]} failed: {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _one_size(ctx: Context, section: dict[str, Any], *, backend: str, size: int) -> None:
    say(f"case 8: {backend}, {size:,} rows in each table")
    env = ctx.base_env()
    db_name = f"pocketstack_pages_{size}"
    db_url = create_postgresql_db(ctx, db_name) if backend == "postgresql" else None
    # `pocketstack serve` binds one parameter per configured host in a query at start-up, more
    # than PostgreSQL takes past 65,535 hosts: there the hosts are those a start-up leaves
    # disabled once taken out of the configuration (the hypervisor listing shows them alike).
    configured = size if backend == "sqlite" or size <= PG_MAX_PARAMETERS else 0
    spec = CloudSpec(
        data_dir=ctx.workdir / f"pages-{backend}-{size}",
        bcrypt_rounds=4,
        workers=1,
        db_url=db_url,
        hosts=configured,
    )
    seeding: dict[str, Any] = {"backend": backend, "rows": size, "seconds": {}}
    try:
        spec.write_config()
        hosts = _helper(ctx, "hosts", "--data-dir", str(spec.data_dir), "--count", str(size))
        seeding["seconds"]["hosts"] = hosts["seconds"]
        seeding["hosts_configured"] = hosts["configured"]
        with running_cloud(
            pocketstack=ctx.pocketstack, spec=spec, env=env, workers=1, start_timeout=START_TIMEOUT
        ) as cloud:
            seeding["seconds"]["serve start"] = cloud.started_s
            seeding["seconds"]["servers"] = run_pocketstack(
                ctx.pocketstack, "manage", "seed", "--servers", str(size), "--projects",
                str(SEED_PROJECTS), "--data-dir", str(spec.data_dir), env=env, timeout=1800,
            )  # fmt: skip
            seeded = _helper(ctx, "rows", "--data-dir", str(spec.data_dir), "--count", str(size))
            seeding["seconds"].update(seeded["seconds"])
            network = _helper(ctx, "--data-dir", str(spec.data_dir), "--count", str(size),
                              script="seed_network.py")  # fmt: skip
            seeding["seconds"].update(network["seconds"])
            seeded["markers"].update(network["markers"])
            if db_url is not None:
                analyze_postgresql_db(ctx, db_name)
            section["seeding"].append(seeding)
            say("  seeded: " + ", ".join(f"{k} {v:.1f} s" for k, v in seeding["seconds"].items()))
            _measure(ctx, cloud, section, seeded, backend=backend, size=size)
    finally:
        if db_url is not None:
            drop_postgresql_db(ctx, db_name)
        shutil.rmtree(spec.data_dir, ignore_errors=True)


def _admin_token(cloud: Cloud) -> str:
    env = cloud.openrc()
    return loadgen.issue_token(
        cloud.port, user=env["OS_USERNAME"], password=env["OS_PASSWORD"], project="admin"
    )


def _measure(
    ctx: Context,
    cloud: Cloud,
    section: dict[str, Any],
    seeded: dict[str, Any],
    *,
    backend: str,
    size: int,
) -> None:
    token = _admin_token(cloud)
    for endpoint in ENDPOINTS:
        headers = {"X-Auth-Token": token}
        if endpoint.base == COMPUTE:
            headers["OpenStack-API-Version"] = MICROVERSION
        first = endpoint.base + endpoint.path(seeded)
        marker = seeded["markers"].get(endpoint.key)
        pages = [("first page", first)]
        if marker is not None:
            pages.append(("middle page (marker)", f"{first}&marker={urllib.parse.quote(marker)}"))
        for page, path in pages:
            items, version = _items(cloud, endpoint, path, headers)
            summary, body, cpu = loadgen.with_server_cpu(
                cloud.server_cpu_s,
                functools.partial(
                    loadgen.sequential_latency,
                    cloud.port,
                    "GET",
                    path,
                    headers=headers,
                    # Pages this cheap need more requests than case 4's for the worker's CPU
                    # time (clock ticks of 10 ms) to resolve them.
                    count=ctx.knobs.page_requests * 5,
                ),
            )
            say(
                f"  {endpoint.label:40s} {page:22s} {fmt_seconds(summary.median):>9s}  "
                f"(IQR {fmt_seconds(summary.iqr)}, server CPU {fmt_seconds(cpu)}, "
                f"{items} items, {body / 1024:.0f} KiB)"
            )
            section["pages"].append(
                {
                    "backend": backend,
                    "rows": size,
                    "endpoint": endpoint.key,
                    "label": endpoint.label,
                    "page": page,
                    "path": path,
                    "microversion": version,
                    "items": items,
                    "latency_s": summary.to_json(),
                    "server_cpu_s": cpu,
                    "body_bytes": body,
                }
            )


def _items(cloud: Cloud, endpoint: Endpoint, path: str, headers: dict[str, str]) -> tuple[int, str]:
    client = loadgen.Client(cloud.port)
    try:
        status, answer_headers, payload = client.request("GET", path, headers=headers)
    finally:
        client.close()
    if status != 200:
        raise BenchError(f"GET {path}: {status} {payload[:300]!r}")
    items = endpoint.items(json.loads(payload))
    if items != PAGE_SIZE:
        # A short page would measure less work than the others: the seeding went wrong.
        raise BenchError(f"GET {path}: {items} items, not {PAGE_SIZE}")
    return items, answer_headers.get("openstack-api-version", "")
