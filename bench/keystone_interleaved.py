"""Two identity servers asked the same requests in turns, and the ratios between them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench import loadgen
from bench.case_output import say
from bench.procs import BenchError
from bench.stats import fmt_ratio, fmt_seconds, summarize

# Both servers are asked in turns, this many blocks each (see interleaved).
BLOCKS = 5
# Validations before the timed ones: the first requests fill Keystone's caches (catalog, roles,
# revocation events) and load its policy; the figure wanted is the warm one.
CACHE_WARMUP = 5
# Each side's password token is scoped to its admin project, as case 4's are.
ADMIN_PROJECT = "admin"


@dataclass(frozen=True, kw_only=True)
class Side:
    """One server as the interleaved measurement asks it: its admin's token, already validated
    a few times (which fills Keystone's cache), and the password request that issued it."""

    name: str
    port: int
    path: str
    validate: dict[str, str]
    password_body: dict[str, Any]
    cpu: Callable[[], float]


def prepare_side(
    name: str, port: int, path: str, *, user: str, password: str, cpu: Callable[[], float]
) -> Side:
    body = loadgen.password_auth_body(user=user, password=password, project=ADMIN_PROJECT)
    client = loadgen.Client(port)
    try:
        status, headers, payload = client.request("POST", path, body=body)
        if status != 201:
            raise BenchError(f"{name} refused the admin: {status} {payload[:300]!r}")
        token = headers["x-subject-token"]
        validate = {"X-Auth-Token": token, "X-Subject-Token": token}
        for _ in range(CACHE_WARMUP):
            status, _, payload = client.request("GET", path, headers=validate)
            if status != 200:
                raise BenchError(f"{name}'s token validation: {status} {payload[:300]!r}")
    finally:
        client.close()
    return Side(name=name, port=port, path=path, validate=validate, password_body=body, cpu=cpu)


def interleaved(
    sides: tuple[Side, ...],
    method: str,
    *,
    count: int,
    warmup: int,
    budget_s: float = 10.0,
    expect: int = 200,
) -> dict[str, dict[str, Any]]:
    """`count` requests to each side, in BLOCKS blocks taking turns (who goes first alternates
    too): this machine's speed drifts by tens of percent over minutes, and taking turns
    exposes both sides to the same drift. Per side, the latencies of every block and its
    server CPU per timed request, each block's warm-up left out (as loadgen.with_server_cpu
    counts)."""
    per_block = -(-count // BLOCKS)
    samples: dict[str, list[float]] = {side.name: [] for side in sides}
    cpu = dict.fromkeys(samples, 0.0)
    sent = dict.fromkeys(samples, 0)
    for block in range(BLOCKS):
        for side in sides if block % 2 == 0 else sides[::-1]:
            wanted = min(per_block, count - len(samples[side.name]))
            if wanted <= 0:
                continue
            marks: list[float] = []

            def mark(side: Side = side, marks: list[float] = marks) -> None:
                marks.append(side.cpu())

            summary, _ = loadgen.sequential_latency(
                side.port,
                method,
                side.path,
                headers=side.validate if method == "GET" else None,
                body=side.password_body if method == "POST" else None,
                warmup=warmup,
                count=wanted,
                budget_s=budget_s / BLOCKS,
                expect=expect,
                timed=mark,
            )
            cpu[side.name] += side.cpu() - marks[0]
            sent[side.name] += len(summary.samples)
            samples[side.name].extend(summary.samples)
    return {
        name: {
            "latency_s": summarize(values).to_json(),
            "server_cpu_s": cpu[name] / sent[name],
            "requests": sent[name],
        }
        for name, values in samples.items()
    }


def compare(key: str, name: str, measured: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Keystone / pocketstack by median latency, and by server CPU per request (the steadier
    figure when something else runs on the machine)."""
    ks, ps = measured["keystone"], measured["pocketstack"]
    ks_median, ps_median = ks["latency_s"]["median"], ps["latency_s"]["median"]
    ks_cpu, ps_cpu = ks["server_cpu_s"], ps["server_cpu_s"]
    row = {
        "key": key,
        "name": name,
        "keystone": ks,
        "pocketstack": ps,
        "keystone_median_s": ks_median,
        "pocketstack_median_s": ps_median,
        "latency_ratio": ks_median / ps_median if ps_median else None,
        "keystone_server_cpu_s": ks_cpu,
        "pocketstack_server_cpu_s": ps_cpu,
        "server_cpu_ratio": ks_cpu / ps_cpu if ps_cpu and ks_cpu else None,
    }
    wall, cpu = row["latency_ratio"], row["server_cpu_ratio"]
    say(
        f"  {name}: Keystone {fmt_seconds(ks_median)} (server CPU {fmt_seconds(ks_cpu)}), "
        f"pocketstack {fmt_seconds(ps_median)} (server CPU {fmt_seconds(ps_cpu)}): "
        f"{fmt_ratio(wall) if wall else '?'} by latency, {fmt_ratio(cpu) if cpu else '?'} by "
        "server CPU"
    )
    return row
