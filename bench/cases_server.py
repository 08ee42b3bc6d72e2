"""Cases 4 and 5: the cloud's side (page latency vs database size, requests/s, tokens, RSS) and
the client's peak memory over a large listing."""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
from typing import Any

from bench import genuine_keystone, loadgen, token_kinds
from bench.case_output import say
from bench.cases_client import _UUID, SEED_PROJECT
from bench.cloud import Cloud, CloudSpec, run_pocketstack, running_cloud
from bench.context import Context
from bench.machine import describe, load_average
from bench.postgresql import analyze_postgresql_db, create_postgresql_db, drop_postgresql_db
from bench.procs import BenchError, run_once
from bench.stats import fmt_seconds, summarize

# Concurrent connections of the load generator, whatever the number of workers.
LOAD_CONNECTIONS = 8
PAGE = "/compute/v2.1/servers/detail"
TOKENS = "/identity/v3/auth/tokens"


def _tokens_for(cloud: Cloud) -> tuple[dict[str, str], str, str]:
    """The admin's settings, a token scoped to the seeded project, and an admin-project one."""
    env = cloud.openrc(project=SEED_PROJECT)
    member = loadgen.issue_token(
        cloud.port, user=env["OS_USERNAME"], password=env["OS_PASSWORD"], project=SEED_PROJECT
    )
    admin = loadgen.issue_token(
        cloud.port, user=env["OS_USERNAME"], password=env["OS_PASSWORD"], project="admin"
    )
    return env, member, admin


def _seed(ctx: Context, cloud: Cloud, servers: int, env: dict[str, str]) -> float:
    if servers <= 0:
        return 0.0
    return run_pocketstack(
        ctx.pocketstack,
        "manage",
        "seed",
        "--servers",
        str(servers),
        "--projects",
        "1",
        "--data-dir",
        str(cloud.spec.data_dir),
        env=env,
        timeout=1800,
    )


def _page_paths() -> list[tuple[str, str]]:
    return [
        ("limit=1000", f"{PAGE}?limit=1000"),
        ("limit=100", f"{PAGE}?limit=100"),
    ]


def case_server(ctx: Context) -> tuple[dict[str, Any], dict[str, Any]]:
    section: dict[str, Any] = {
        "title": "Server side",
        "pages": [],
        "seeding": [],
        "load": [],
        "tokens": {},
        "errors": [],
    }
    memory: dict[str, Any] = {"title": "Memory", "measurements": []}
    backends: list[tuple[str, tuple[int, ...]]] = [("sqlite", ctx.knobs.db_sizes)]
    if ctx.postgresql_url != "off" and ctx.knobs.postgresql_sizes:
        backends.append(("postgresql", ctx.knobs.postgresql_sizes))
    for backend, sizes in backends:
        for size in sizes:
            try:
                _one_size(ctx, section, memory, backend=backend, size=size)
            except BenchError as exc:
                section["errors"].append(f"{backend}, {size:,} servers: {exc}")
                say(f"  {backend}, {size:,} servers: FAILED: {str(exc).splitlines()[0]}")
            ctx.save()
    try:
        _tokens(ctx, section)
    except BenchError as exc:
        section["errors"].append(f"tokens: {exc}")
        say(f"  tokens: FAILED: {str(exc).splitlines()[0]}")
    ctx.save()
    # Right after pocketstack's password tokens, so that both sides see the machine alike.
    section["keystone"] = genuine_keystone.side_by_side(ctx, section)
    return section, memory


def case_tokens(ctx: Context, section: dict[str, Any]) -> dict[str, Any]:
    """Case 4's token part alone (`--only tokens`), into `section` (the server section a
    --merge kept, whose pages, load and RSS stay as they were)."""
    section.setdefault("tokens", {})
    run = describe(repo=ctx.repo, python=ctx.pocketstack_python)
    run["mode"] = "quick" if ctx.quick else "full"
    section["errors"] = [
        e for e in section.get("errors", []) if not e.startswith(("tokens:", "Keystone side"))
    ]
    try:
        _tokens(ctx, section)
    except BenchError as exc:
        section["errors"].append(f"tokens: {exc}")
        say(f"  tokens: FAILED: {str(exc).splitlines()[0]}")
    ctx.save()
    section["keystone"] = genuine_keystone.side_by_side(ctx, section)
    section["token_run"] = {**run, "load_average_at_end": load_average()}
    return section


def _one_size(
    ctx: Context, section: dict[str, Any], memory: dict[str, Any], *, backend: str, size: int
) -> None:
    """A fresh database of `size` servers: page latencies, and load/memory at their sizes."""
    say(f"case 4: {backend}, {size:,} servers")
    env = ctx.base_env()
    db_name = f"pocketstack_bench_{size}"
    db_url = create_postgresql_db(ctx, db_name) if backend == "postgresql" else None
    spec = CloudSpec(
        data_dir=ctx.workdir / f"cloud-{backend}-{size}", bcrypt_rounds=4, workers=1, db_url=db_url
    )
    try:
        with running_cloud(pocketstack=ctx.pocketstack, spec=spec, env=env, workers=1) as cloud:
            elapsed = _seed(ctx, cloud, size, env)
            section["seeding"].append(
                {"backend": backend, "added": size, "total": size, "seconds": elapsed}
            )
            say(f"  seeded {size:,} servers in {elapsed:.1f} s")
            if db_url is not None:
                analyze_postgresql_db(ctx, db_name)
            client_env, token, admin_token = _tokens_for(cloud)
            _pages(ctx, cloud, section, token, admin_token, backend=backend, size=size)
            if size == ctx.knobs.memory_servers and backend == "sqlite":
                _memory(ctx, cloud, memory, {**env, **client_env}, size)
        if size == ctx.knobs.load_size:
            _load(ctx, spec, section, env, backend=backend, size=size)
    finally:
        if db_url is not None:
            drop_postgresql_db(ctx, db_name)
        # A million servers take room; nothing later needs this database.
        shutil.rmtree(spec.data_dir, ignore_errors=True)


def _pages(
    ctx: Context,
    cloud: Cloud,
    section: dict[str, Any],
    token: str,
    admin_token: str,
    *,
    backend: str,
    size: int,
) -> None:
    headers = {"X-Auth-Token": token}
    paths = _page_paths()
    if size > 1000:
        # The second page, through the marker the first one ends with (keyset, not offset).
        client = loadgen.Client(cloud.port)
        try:
            _, _, payload = client.request("GET", paths[0][1], headers=headers)
        finally:
            client.close()
        servers = json.loads(payload)["servers"]
        if servers:
            marker = servers[-1]["id"]
            paths.append(("limit=1000, page 2 (marker)", f"{paths[0][1]}&marker={marker}"))
    runs = [(label, path, headers) for label, path in paths]
    runs.append(
        ("limit=1000, admin all_tenants=1", f"{PAGE}?all_tenants=1&limit=1000",
         {"X-Auth-Token": admin_token})
    )  # fmt: skip
    for label, path, run_headers in runs:
        summary, body, cpu = loadgen.with_server_cpu(
            cloud.server_cpu_s,
            functools.partial(
                loadgen.sequential_latency,
                cloud.port,
                "GET",
                path,
                headers=run_headers,
                count=ctx.knobs.page_requests,
            ),
        )
        say(
            f"  GET {label:30s} {fmt_seconds(summary.median):>9s}  "
            f"(IQR {fmt_seconds(summary.iqr)}, server CPU {fmt_seconds(cpu)}, "
            f"{body / 1024:.0f} KiB)"
        )
        section["pages"].append(
            {
                "backend": backend,
                "servers": size,
                "page": label,
                "path": path,
                "latency_s": summary.to_json(),
                "server_cpu_s": cpu,
                "body_bytes": body,
            }
        )
    summary, _, cpu = loadgen.with_server_cpu(
        cloud.server_cpu_s,
        functools.partial(
            loadgen.sequential_latency,
            cloud.port,
            "GET",
            TOKENS,
            headers={"X-Auth-Token": token, "X-Subject-Token": token},
            count=ctx.knobs.page_requests * 5,
        ),
    )
    say(
        f"  GET /v3/auth/tokens (validate)        {fmt_seconds(summary.median):>9s}  "
        f"(server CPU {fmt_seconds(cpu)})"
    )
    section["pages"].append(
        {
            "backend": backend,
            "servers": size,
            "page": "token validation",
            "path": TOKENS,
            "latency_s": summary.to_json(),
            "server_cpu_s": cpu,
        }
    )
    rss = cloud.rss()
    section.setdefault("rss", []).append(
        {"backend": backend, "servers": size, "workers": 1, "after": "pages", **rss}
    )


def _load(
    ctx: Context,
    spec: CloudSpec,
    section: dict[str, Any],
    env: dict[str, str],
    *,
    backend: str,
    size: int,
) -> None:
    for workers in ctx.knobs.load_workers:
        with running_cloud(
            pocketstack=ctx.pocketstack, spec=spec, env=env, workers=workers
        ) as cloud:
            _, token, _ = _tokens_for(cloud)
            targets = [
                ("token validation", TOKENS, {"X-Auth-Token": token, "X-Subject-Token": token}),
                (
                    f"servers/detail?limit=1000 ({size:,} servers)",
                    f"{PAGE}?limit=1000",
                    {"X-Auth-Token": token},
                ),
            ]
            for label, path, headers in targets:
                result = loadgen.load(
                    cloud.port,
                    path,
                    headers=headers,
                    duration_s=ctx.knobs.load_seconds,
                    connections=LOAD_CONNECTIONS,
                )
                # Requests still queued when the generator stops would otherwise be served
                # during the next measurement.
                loadgen.drain(cloud.port)
                say(
                    f"  {workers} worker(s): {label:42s} {result.rps:8.0f} req/s "
                    f"(p50 {result.latency_p50_ms or 0:.1f} ms, {result.errors} errors)"
                )
                section["load"].append(
                    {
                        "backend": backend,
                        "servers": size,
                        "workers": workers,
                        "target": label,
                        **result.to_json(),
                    }
                )
            rss = cloud.rss()
            section.setdefault("rss", []).append(
                {"backend": backend, "servers": size, "workers": workers, "after": "load", **rss}
            )
            say(f"  RSS with {workers} worker(s) after load: {rss['total_kb'] / 1024:.0f} MiB")


BCRYPT_CODE = """
import bcrypt, json, statistics, sys, time
out = {}
for rounds, n in ((4, 60), (12, 5)):
    hashed = bcrypt.hashpw(b"correct horse battery", bcrypt.gensalt(rounds))
    wall, cpu = [], []
    for _ in range(n):
        start, start_cpu = time.perf_counter(), time.process_time()
        bcrypt.checkpw(b"correct horse battery", hashed)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    out[str(rounds)] = {"wall": statistics.median(wall), "cpu": statistics.median(cpu)}
print(json.dumps(out))
"""


def _tokens(ctx: Context, section: dict[str, Any]) -> None:
    say("case 4: password tokens")
    done = subprocess.run(
        [str(ctx.pocketstack_python), "-c", BCRYPT_CODE],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if done.returncode != 0:
        raise BenchError(f"bcrypt timing failed: {done.stderr[-500:]}")
    bcrypt_s: dict[str, dict[str, float]] = json.loads(done.stdout)
    env = ctx.base_env()
    for rounds, count in zip((4, 12), ctx.knobs.token_requests, strict=True):
        spec = CloudSpec(data_dir=ctx.workdir / f"cloud-bcrypt{rounds}", bcrypt_rounds=rounds)
        with running_cloud(pocketstack=ctx.pocketstack, spec=spec, env=env, workers=1) as cloud:
            variables = cloud.openrc()
            body = loadgen.password_auth_body(
                user=variables["OS_USERNAME"], password=variables["OS_PASSWORD"], project="admin"
            )
            summary, _, cpu = loadgen.with_server_cpu(
                cloud.server_cpu_s,
                functools.partial(
                    loadgen.sequential_latency,
                    cloud.port,
                    "POST",
                    TOKENS,
                    body=body,
                    expect=201,
                    warmup=1,
                    count=count,
                    budget_s=20,
                ),
            )
            token_kinds.measure_into(section, cloud, rounds=rounds, count=count)
        hash_s = bcrypt_s[str(rounds)]["wall"]
        hash_cpu = bcrypt_s[str(rounds)]["cpu"]
        section["tokens"][str(rounds)] = {
            "latency_s": summary.to_json(),
            "bcrypt_check_s": hash_s,
            "beyond_bcrypt_s": summary.median - hash_s,
            "server_cpu_s": cpu,
            "bcrypt_check_cpu_s": hash_cpu,
            "server_cpu_beyond_bcrypt_s": cpu - hash_cpu,
        }
        say(
            f"  POST password token, bcrypt {rounds:2d} rounds: {fmt_seconds(summary.median)} "
            f"(bcrypt check alone {fmt_seconds(hash_s)}, "
            f"beyond it {fmt_seconds(summary.median - hash_s)}); server CPU {fmt_seconds(cpu)}, "
            f"bcrypt CPU {fmt_seconds(hash_cpu)}, beyond it {fmt_seconds(cpu - hash_cpu)}"
        )


def _memory(
    ctx: Context,
    cloud: Cloud,
    memory: dict[str, Any],
    env: dict[str, str],
    size: int,
) -> None:
    say(f"case 5: peak RSS listing {size:,} servers")
    ps = str(ctx.pocketstack)
    nova = str(ctx.venv.tool("nova"))
    # Fill pocketstack's token cache first: the figure is for a warm run.
    run_once([ps, "list", "--limit", "1"], env=env)
    runs = 1 if ctx.quick else 2
    for key, label, argv, repeat in (
        ("ps", "pocketstack list --limit -1", [ps, "list", "--limit", "-1"], runs),
        ("nova", "nova list --limit -1", [nova, "list", "--limit", "-1"], 1),
    ):
        results = [run_once(argv, env=env, timeout_s=900) for _ in range(repeat)]
        failed = [r for r in results if r.returncode != 0]
        if failed:
            memory.setdefault("errors", []).append(f"{label}: {failed[0].stderr[-500:]}")
            say(f"  {label}: FAILED")
            continue
        rows = sum(1 for line in results[0].stdout.splitlines() if _UUID.search(line))
        wall = summarize([r.wall_s for r in results])
        peak = max(r.maxrss_kb for r in results)
        say(f"  {label:30s} peak RSS {peak / 1024:6.0f} MiB, {fmt_seconds(wall.median)}")
        memory["measurements"].append(
            {
                "key": key,
                "name": label,
                "servers": size,
                "rows": rows,
                "maxrss_kb": peak,
                "wall_s": wall.to_json(),
                "cpu_s": [r.cpu_s for r in results],
            }
        )
