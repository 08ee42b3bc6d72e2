"""Creating servers over HTTP for case 7: one create to ACTIVE, and creates per second.

A create is `POST /servers` (202) and then `GET /servers/{id}` until the server is ACTIVE (with
the driver's delay at 0 the first read finds it so). The load is processes, each with one
keep-alive connection creating servers one after another until a deadline, as loadgen's load is
for reads.
"""

from __future__ import annotations

import json
import multiprocessing
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bench.loadgen import Client
from bench.procs import BenchError

SERVERS = "/compute/v2.1/servers"
MAX_POLLS = 50


@dataclass(frozen=True, kw_only=True)
class Created:
    post_s: float
    active_s: float
    polls: int


def create_body(
    *, name: str, image: str, flavor: str, networks: Any = "auto", groups: tuple[str, ...] = ()
) -> dict[str, Any]:
    """`networks` as the API takes it: "auto", "none", or a list of {"uuid"} or {"port"}; the
    security groups by name (none given: the project's default)."""
    server: dict[str, Any] = {
        "name": name, "imageRef": image, "flavorRef": flavor, "networks": networks,
    }  # fmt: skip
    if groups:
        server["security_groups"] = [{"name": g} for g in groups]
    return {"server": server}


def create_once(client: Client, headers: Mapping[str, str], body: dict[str, Any]) -> Created:
    """One create, then reads until ACTIVE; BenchError on anything else."""
    start = time.perf_counter()
    status, _, payload = client.request("POST", SERVERS, headers=headers, body=body)
    posted = time.perf_counter()
    if status != 202:
        raise BenchError(f"POST {SERVERS}: {status} {payload[:300]!r}")
    server_id = json.loads(payload)["server"]["id"]
    for polls in range(1, MAX_POLLS + 1):
        status, _, payload = client.request("GET", f"{SERVERS}/{server_id}", headers=headers)
        if status != 200:
            raise BenchError(f"GET {SERVERS}/{server_id}: {status} {payload[:300]!r}")
        state = json.loads(payload)["server"]["status"]
        if state == "ACTIVE":
            return Created(post_s=posted - start, active_s=time.perf_counter() - start, polls=polls)
        if state == "ERROR":
            raise BenchError(f"server {server_id} went to ERROR: {payload[:500]!r}")
        time.sleep(0.01)
    raise BenchError(f"server {server_id} not ACTIVE after {MAX_POLLS} reads")


@dataclass(frozen=True, kw_only=True)
class CreateLoad:
    creates: int
    errors: int
    duration_s: float
    creates_per_s: float
    active_p50_ms: float | None
    active_p99_ms: float | None
    connections: int
    first_error: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "creates": self.creates,
            "errors": self.errors,
            "duration_s": self.duration_s,
            "creates_per_s": self.creates_per_s,
            "active_p50_ms": self.active_p50_ms,
            "active_p99_ms": self.active_p99_ms,
            "connections": self.connections,
            "first_error": self.first_error,
        }


def _worker(
    port: int,
    headers: dict[str, str],
    body: dict[str, Any],
    deadline: float,
    queue: multiprocessing.Queue[tuple[int, int, list[float], str | None]],
) -> None:
    ok = errors = 0
    latencies: list[float] = []
    first_error: str | None = None
    client = Client(port, timeout=60)
    while time.time() < deadline:
        try:
            created = create_once(client, headers, body)
        except (BenchError, OSError, ValueError) as exc:
            errors += 1
            first_error = first_error or str(exc)[:300]
            client.close()
            client = Client(port, timeout=60)
            continue
        ok += 1
        latencies.append(created.active_s)
    client.close()
    queue.put((ok, errors, latencies, first_error))


def load_creates(
    port: int,
    *,
    headers: Mapping[str, str],
    body: dict[str, Any],
    duration_s: float,
    connections: int,
) -> CreateLoad:
    queue: multiprocessing.Queue[tuple[int, int, list[float], str | None]] = multiprocessing.Queue()
    start = time.time()
    deadline = start + duration_s
    procs = [
        multiprocessing.Process(target=_worker, args=(port, dict(headers), body, deadline, queue))
        for _ in range(connections)
    ]
    for proc in procs:
        proc.start()
    results = [queue.get(timeout=duration_s + 120) for _ in procs]
    for proc in procs:
        proc.join(timeout=10)
    elapsed = time.time() - start
    ok = sum(r[0] for r in results)
    latencies = sorted(x for r in results for x in r[2])
    return CreateLoad(
        creates=ok,
        errors=sum(r[1] for r in results),
        duration_s=elapsed,
        creates_per_s=ok / elapsed if elapsed else 0.0,
        active_p50_ms=latencies[len(latencies) // 2] * 1000 if latencies else None,
        active_p99_ms=latencies[int(len(latencies) * 0.99)] * 1000 if latencies else None,
        connections=connections,
        first_error=next((r[3] for r in results if r[3]), None),
    )
