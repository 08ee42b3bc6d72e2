"""Cases 1-3: client start-up, `list` of 50 servers, all servers — pocketstack beside upstream."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bench import loadgen
from bench.case_output import measurement, print_timing, ratio, say
from bench.cloud import Cloud, CloudSpec, run_pocketstack, running_cloud
from bench.context import Context
from bench.procs import BenchError, RunResult, Series, Timing, run_once, time_interleaved

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


# -- case 1 -------------------------------------------------------------------------------------


def case_startup(ctx: Context) -> dict[str, Any]:
    env = ctx.base_env()
    py = str(ctx.pocketstack_python)
    ps = str(ctx.pocketstack)
    nova = str(ctx.venv.tool("nova"))
    osc = str(ctx.venv.tool("openstack"))
    commands: list[tuple[str, str, list[str]]] = [
        ("python_pass", "python -c pass", [py, "-c", "pass"]),
        (
            "floor",
            'python -c "import json, argparse, http.client" (floor)',
            [py, "-c", "import json, argparse, http.client"],
        ),
        ("ps_version", "pocketstack --version", [ps, "--version"]),
        ("ps_help", "pocketstack --help", [ps, "--help"]),
        ("ps_list_help", "pocketstack list --help", [ps, "list", "--help"]),
        ("nova_version", "nova --version", [nova, "--version"]),
        ("nova_help_list", "nova help list", [nova, "help", "list"]),
        ("osc_version", "openstack --version", [osc, "--version"]),
        ("osc_server_list_help", "openstack server list --help", [osc, "server", "list", "--help"]),
    ]
    low, high, budget = ctx.knobs.startup_runs
    section: dict[str, Any] = {"title": "Client start-up", "measurements": [], "ratios": []}
    series = [
        Series(argv, env=env, warmup=1, min_runs=low, max_runs=high, budget_s=budget)
        for _, _, argv in commands
    ]
    for (key, label, _), timing in zip(commands, time_interleaved(series), strict=True):
        if isinstance(timing, BenchError):
            section.setdefault("errors", []).append(f"{label}: {timing}")
            say(f"  {label}: FAILED: {str(timing).splitlines()[0]}")
            continue
        print_timing(label, timing)
        section["measurements"].append(measurement(key, label, timing))
    for label, slow, fast in (
        ("nova help list / pocketstack list --help", "nova_help_list", "ps_list_help"),
        (
            "openstack server list --help / pocketstack list --help",
            "osc_server_list_help",
            "ps_list_help",
        ),
        ("pocketstack list --help / floor", "ps_list_help", "floor"),
    ):
        ratio(section, label=label, slow_key=slow, fast_key=fast)
    return section


# -- the client cloud (cases 2 and 3) -----------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Tool:
    key: str
    label: str
    argv: list[str]
    slow: bool = False
    is_count: bool = False  # prints a number (the SDK script) rather than a table


def _rows(result: RunResult, tool: Tool) -> int:
    if tool.is_count:
        try:
            return int(result.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            return -1
    return sum(1 for line in result.stdout.splitlines() if _UUID.search(line))


# `manage seed` puts servers in demo projects (demo1 with --projects 1) where the admin user is a
# member; the clients list them scoped to demo1, as any project member would.
SEED_PROJECT = "demo1"


def visible_servers(cloud: Cloud, env: dict[str, str]) -> int:
    """How many servers the project's listing shows (seeded DELETED ones do not show)."""
    token = loadgen.issue_token(
        cloud.port, user=env["OS_USERNAME"], password=env["OS_PASSWORD"], project=SEED_PROJECT
    )
    client = loadgen.Client(cloud.port)
    count = 0
    marker = ""
    try:
        for _ in range(10_000):
            status, _, payload = client.request(
                "GET", f"/compute/v2.1/servers?limit=1000{marker}", headers={"X-Auth-Token": token}
            )
            if status != 200:
                raise BenchError(f"GET /compute/v2.1/servers: {status} {payload[:300]!r}")
            servers = json.loads(payload)["servers"]
            count += len(servers)
            if len(servers) < 1000:
                break
            marker = f"&marker={servers[-1]['id']}"
    finally:
        client.close()
    return count


def seed_to(
    ctx: Context, cloud: Cloud, *, visible: int, env: dict[str, str], creds: dict[str, str]
) -> tuple[int, float]:
    """Seed a fresh cloud until `visible` servers show (a few percent are seeded DELETED).

    Returns the servers that show and the seconds spent seeding. When topping up fails (a
    second `manage seed` into the same database), what the first seed gave is kept.
    """
    spent = seed(ctx, cloud, servers=visible, env=env)
    now = visible_servers(cloud, creds)
    for _ in range(5):
        if now >= visible:
            break
        try:
            spent += seed(ctx, cloud, servers=visible - now, env=env)
        except BenchError as exc:
            say(f"    note: topping up the seed failed ({str(exc).splitlines()[1][:120]})")
            break
        now = visible_servers(cloud, creds)
    return now, spent


def list_tools(ctx: Context, *, all_servers: bool) -> list[Tool]:
    ps = str(ctx.pocketstack)
    nova = str(ctx.venv.tool("nova"))
    osc = str(ctx.venv.tool("openstack"))
    if not all_servers:
        return [
            Tool(key="ps_warm", label="pocketstack list (warm)", argv=[ps, "list"]),
            Tool(
                key="ps_cold",
                label="pocketstack list --no-cache (cold)",
                argv=[ps, "list", "--no-cache"],
            ),
            Tool(key="nova", label="nova list", argv=[nova, "list"]),
            Tool(key="osc", label="openstack server list", argv=[osc, "server", "list"]),
        ]
    return [
        Tool(
            key="ps_all",
            label="pocketstack list --limit -1 (warm)",
            argv=[ps, "list", "--limit", "-1"],
        ),
        Tool(
            key="nova_all",
            label="nova list --limit -1",
            argv=[nova, "list", "--limit", "-1"],
        ),
        Tool(
            key="osc_all",
            label="openstack server list",
            argv=[osc, "server", "list"],
            slow=True,
        ),
        Tool(
            key="osc_all_n",
            label="openstack server list -n",
            argv=[osc, "server", "list", "-n"],
            slow=True,
        ),
        Tool(
            key="sdk_all",
            label="openstacksdk compute.servers()",
            argv=[str(ctx.venv.python), str(ctx.repo / "bench" / "sdk_list.py")],
            slow=True,
            is_count=True,
        ),
    ]


def _row_counter(tool: Tool, rows: list[int]) -> Callable[[RunResult], None]:
    def check(result: RunResult) -> None:
        rows.append(_rows(result, tool))

    return check


def _time_tools(
    ctx: Context, tools: Sequence[Tool], env: dict[str, str], expected: int, *, size: int = 0
) -> list[tuple[Timing, int] | BenchError]:
    """(timing, rows shown) of each tool, or why it failed; the tools are run in turns so that
    the ratios between them do not carry the machine's drift."""
    seen: list[list[int]] = [[] for _ in tools]
    series = []
    for tool, rows in zip(tools, seen, strict=True):
        low, high, budget = ctx.knobs.slow_list_runs if tool.slow else ctx.knobs.list_runs
        warmup = 0 if tool.slow and size > ctx.knobs.slow_warmup_above else 1
        series.append(
            Series(
                tool.argv,
                env=env,
                warmup=warmup,
                min_runs=low,
                max_runs=high,
                budget_s=budget,
                check=_row_counter(tool, rows),
                timeout_s=900,
            )
        )
    results: list[tuple[Timing, int] | BenchError] = []
    for tool, rows, timing in zip(tools, seen, time_interleaved(series), strict=True):
        if isinstance(timing, BenchError):
            results.append(timing)
            continue
        shown = rows[0] if rows else -1
        if shown != expected:
            say(f"    note: {tool.label} showed {shown} servers, {expected} expected")
        results.append((timing, shown))
    return results


def _count_requests(cloud: Cloud, tool: Tool, env: dict[str, str]) -> list[str]:
    offset = cloud.log_offset()
    result = run_once(tool.argv, env=env)
    if result.returncode != 0:
        raise BenchError(f"{tool.label}: exit {result.returncode}: {result.stderr[-500:]}")
    return cloud.access_lines(offset)


def seed(ctx: Context, cloud: Cloud, *, servers: int, env: dict[str, str]) -> float:
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
    )


def case_list(ctx: Context) -> tuple[dict[str, Any], dict[str, Any]]:
    """Cases 2 and 3 on one cloud, growing: 50 servers, then the larger sizes."""
    env = ctx.base_env()
    small: dict[str, Any] = {
        "title": "list, 50 servers",
        "measurements": [],
        "ratios": [],
        "requests": {},
    }
    large: dict[str, Any] = {
        "title": f"all servers ({ctx.knobs.all_servers:,})",
        "measurements": [],
        "ratios": [],
        "requests": {},
        "by_size": {},
    }
    small["scope"] = large["scope"] = f"project {SEED_PROJECT} (admin user, member role)"
    for size in sorted({50, *ctx.knobs.list_sizes, ctx.knobs.all_servers}):
        # A fresh cloud for each size: one `manage seed` into an empty database.
        spec = CloudSpec(data_dir=ctx.workdir / f"cloud-list-{size}", bcrypt_rounds=4, workers=2)
        with running_cloud(pocketstack=ctx.pocketstack, spec=spec, env=env) as cloud:
            client_env = {**env, **cloud.openrc(project=SEED_PROJECT)}
            v2_env = {**env, **cloud.openrc(v2=True, project=SEED_PROJECT)}
            shown, elapsed = seed_to(ctx, cloud, visible=size, env=env, creds=client_env)
            say(f"  seeded {size:,} servers in {elapsed:.1f} s; {shown:,} show")
            if size == 50:
                small["servers_shown"] = shown
                _run_small(ctx, cloud, small, client_env, v2_env, shown)
            if size in ctx.knobs.list_sizes or size == ctx.knobs.all_servers:
                _run_large(ctx, cloud, large, client_env, size, shown)
    for label, slow, fast in (
        ("nova list / pocketstack list (warm)", "nova", "ps_warm"),
        ("openstack server list / pocketstack list (warm)", "osc", "ps_warm"),
        ("nova list / pocketstack list --no-cache", "nova", "ps_cold"),
    ):
        ratio(small, label=label, slow_key=slow, fast_key=fast)
    for label, slow, fast in (
        ("nova list --limit -1 / pocketstack list --limit -1", "nova_all", "ps_all"),
        ("openstack server list / pocketstack list --limit -1", "osc_all", "ps_all"),
        ("openstack server list -n / pocketstack list --limit -1", "osc_all_n", "ps_all"),
        ("openstacksdk compute.servers() / pocketstack list --limit -1", "sdk_all", "ps_all"),
    ):
        ratio(large, label=label, slow_key=slow, fast_key=fast)
    return small, large


def _run_small(
    ctx: Context,
    cloud: Cloud,
    section: dict[str, Any],
    env: dict[str, str],
    v2_env: dict[str, str],
    shown: int,
) -> None:
    say("case 2: list, 50 servers")
    tools = list_tools(ctx, all_servers=False)
    for tool, timed in zip(tools, _time_tools(ctx, tools, env, shown), strict=True):
        try:
            if isinstance(timed, BenchError):
                raise timed
            timing, rows = timed
            requests = _count_requests(cloud, tool, env)
        except BenchError as exc:
            section.setdefault("errors", []).append(f"{tool.label}: {exc}")
            say(f"  {tool.label}: FAILED: {str(exc).splitlines()[0]}")
            continue
        noun = "request" if len(requests) == 1 else "requests"
        print_timing(f"{tool.label} [{len(requests)} {noun}]", timing)
        section["measurements"].append(
            measurement(tool.key, tool.label, timing, rows=rows, requests=len(requests))
        )
        section["requests"][tool.key] = requests
    # The seed's flow: a v2.0 auth URL, as in the article.
    for tool in list_tools(ctx, all_servers=False):
        if tool.key in {"ps_cold", "nova"}:
            try:
                section["requests"][f"{tool.key}_v2"] = _count_requests(cloud, tool, v2_env)
            except BenchError as exc:
                section.setdefault("errors", []).append(f"{tool.label} (v2.0): {exc}")


def _run_large(
    ctx: Context,
    cloud: Cloud,
    section: dict[str, Any],
    env: dict[str, str],
    size: int,
    shown: int,
) -> None:
    say(f"case 3: all servers, {size:,} seeded, {shown:,} shown")
    points: dict[str, Any] = {}
    tools = list_tools(ctx, all_servers=True)
    timings = _time_tools(ctx, tools, env, shown, size=size)
    for tool, timed in zip(tools, timings, strict=True):
        if isinstance(timed, BenchError):
            section.setdefault("errors", []).append(f"{tool.label} at {size}: {timed}")
            say(f"  {tool.label}: FAILED: {str(timed).splitlines()[0]}")
            continue
        timing, rows = timed
        print_timing(tool.label, timing)
        points[tool.key] = {
            "label": tool.label,
            "wall_s": timing.wall.to_json(),
            "maxrss_kb": timing.maxrss_kb,
            "rows": rows,
            "shown": shown,
            # Taken in turns with the others: its own timed runs' time (warm-up not counted).
            "spent_s": sum(timing.wall.samples),
        }
        if size == ctx.knobs.all_servers:
            try:
                requests = _count_requests(cloud, tool, env)
            except BenchError as exc:
                requests = []
                section.setdefault("errors", []).append(f"{tool.label} requests: {exc}")
            section["requests"][tool.key] = requests
            section["measurements"].append(
                measurement(tool.key, tool.label, timing, rows=rows, requests=len(requests))
            )
    section["by_size"][str(size)] = points
