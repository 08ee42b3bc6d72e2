"""Requests against the cloud on loopback: sequential latency and a bounded concurrent load.

The load comes from `wrk` when it is installed (Debian: `apt-get install wrk`) and otherwise from
a small generator here (processes, each with one keep-alive http.client connection). Every loop
is bounded by a request count and a deadline.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.procs import BenchError
from bench.stats import Summary, summarize

MAX_REQUESTS = 1_000_000


class Client:
    """One keep-alive connection to 127.0.0.1:port."""

    def __init__(self, port: int, *, timeout: float = 120.0) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
    ) -> tuple[int, dict[str, str], bytes]:
        all_headers = {"Accept": "application/json", **(headers or {})}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        self.conn.request(method, path, body=data, headers=all_headers)
        resp = self.conn.getresponse()
        payload = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, payload

    def close(self) -> None:
        self.conn.close()


def password_auth_body(*, user: str, password: str, project: str) -> dict[str, Any]:
    return {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {"name": user, "domain": {"id": "default"}, "password": password}
                },
            },
            "scope": {"project": {"name": project, "domain": {"id": "default"}}},
        }
    }


def issue_token(port: int, *, user: str, password: str, project: str) -> str:
    client = Client(port)
    try:
        status, headers, payload = client.request(
            "POST",
            "/identity/v3/auth/tokens",
            body=password_auth_body(user=user, password=password, project=project),
        )
    finally:
        client.close()
    if status != 201:
        raise BenchError(f"token issue failed: {status} {payload[:300]!r}")
    return headers["x-subject-token"]


def sequential_latency(
    port: int,
    method: str,
    path: str,
    *,
    headers: Mapping[str, str] | None = None,
    body: Any = None,
    warmup: int = 2,
    count: int = 20,
    budget_s: float = 10.0,
    expect: int = 200,
    timed: Callable[[], None] | None = None,
) -> tuple[Summary, int]:
    """Median etc. of `count` requests one after another on one connection; and the body size.
    `timed` is called once the warm-up requests are answered, before the first timed one."""
    client = Client(port)
    size = 0
    try:
        for _ in range(warmup):
            status, _, payload = client.request(method, path, headers=headers, body=body)
            if status != expect:
                raise BenchError(f"{method} {path}: {status} {payload[:300]!r}")
            size = len(payload)
        if timed is not None:
            timed()
        samples: list[float] = []
        spent = 0.0
        while len(samples) < count and (len(samples) < 3 or spent < budget_s):
            start = time.perf_counter()
            status, _, payload = client.request(method, path, headers=headers, body=body)
            elapsed = time.perf_counter() - start
            if status != expect:
                raise BenchError(f"{method} {path}: {status} {payload[:300]!r}")
            samples.append(elapsed)
            spent += elapsed
            size = len(payload)
    finally:
        client.close()
    return summarize(samples), size


def with_server_cpu(
    cpu: Callable[[], float], run: Callable[..., tuple[Summary, int]]
) -> tuple[Summary, int, float]:
    """Run a sequential_latency call (given `timed` here); also the server's CPU seconds per
    timed request. The warm-up requests are left out: a fresh worker's first request of a kind
    pays for imports and statement compilation once (~30 ms for a first password token), which
    spread over 30 timed tokens had added a millisecond to each."""
    marks: list[float] = []
    summary, size = run(timed=lambda: marks.append(cpu()))
    used = cpu() - marks[0]
    return summary, size, used / len(summary.samples)


def drain(port: int, *, timeout: float = 120.0) -> None:
    """Wait until the server has served what was queued: one cheap request goes last in line."""
    client = Client(port, timeout=timeout)
    try:
        client.request("GET", "/identity/v3")
    finally:
        client.close()
    time.sleep(0.3)


@dataclass(frozen=True, kw_only=True)
class LoadResult:
    tool: str
    requests: int
    errors: int
    duration_s: float
    rps: float
    latency_p50_ms: float | None
    latency_p99_ms: float | None
    connections: int

    def to_json(self) -> dict[str, Any]:
        return {
            "tool": self.tool,
            "requests": self.requests,
            "errors": self.errors,
            "duration_s": self.duration_s,
            "rps": self.rps,
            "latency_p50_ms": self.latency_p50_ms,
            "latency_p99_ms": self.latency_p99_ms,
            "connections": self.connections,
        }


def load(
    port: int,
    path: str,
    *,
    headers: Mapping[str, str],
    duration_s: float,
    connections: int,
) -> LoadResult:
    if shutil.which("wrk"):
        return _wrk(port, path, headers=headers, duration_s=duration_s, connections=connections)
    return _python_load(port, path, headers=headers, duration_s=duration_s, connections=connections)


_WRK_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}

# wrk's summary, printed by its `done` hook as one JSON line.
_WRK_SCRIPT = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "errors": %d, "p50_us": %d, "p99_us": %d}\\n',
    summary.requests, summary.duration, errors,
    latency:percentile(50), latency:percentile(99)))
end
"""


def _wrk(
    port: int, path: str, *, headers: Mapping[str, str], duration_s: float, connections: int
) -> LoadResult:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_WRK_SCRIPT)
    argv = [
        "wrk",
        "-t",
        "1",
        "-c",
        str(connections),
        "-d",
        f"{duration_s:.0f}s",
        "--timeout",
        "30s",
        "-s",
        script.name,
    ]
    for name, value in headers.items():
        argv += ["-H", f"{name}: {value}"]
    argv.append(f"http://127.0.0.1:{port}{path}")
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=duration_s + 60, check=False
        )
    finally:
        Path(script.name).unlink(missing_ok=True)
    match = re.search(r"^\{.*\}$", done.stdout, re.MULTILINE)
    if done.returncode != 0 or match is None:
        raise BenchError(f"wrk failed: {done.stderr.strip() or done.stdout.strip()}")
    data = json.loads(match.group(0))
    duration = data["duration_us"] / 1e6
    return LoadResult(
        tool="wrk",
        requests=data["requests"],
        errors=data["errors"],
        duration_s=duration,
        rps=(data["requests"] - data["errors"]) / duration if duration else 0.0,
        latency_p50_ms=data["p50_us"] / 1000,
        latency_p99_ms=data["p99_us"] / 1000,
        connections=connections,
    )


def _load_worker(
    port: int,
    path: str,
    headers: dict[str, str],
    deadline: float,
    queue: multiprocessing.Queue[tuple[int, int, list[float]]],
) -> None:
    ok = errors = 0
    latencies: list[float] = []
    client = Client(port, timeout=30)
    while time.time() < deadline and ok + errors < MAX_REQUESTS:
        start = time.perf_counter()
        try:
            status, _, _ = client.request("GET", path, headers=headers)
        except (OSError, http.client.HTTPException):
            errors += 1
            client.close()
            client = Client(port, timeout=30)
            continue
        latencies.append(time.perf_counter() - start)
        if status == 200:
            ok += 1
        else:
            errors += 1
    client.close()
    queue.put((ok, errors, latencies))


def _python_load(
    port: int, path: str, *, headers: Mapping[str, str], duration_s: float, connections: int
) -> LoadResult:
    queue: multiprocessing.Queue[tuple[int, int, list[float]]] = multiprocessing.Queue()
    start = time.time()
    deadline = start + duration_s
    procs = [
        multiprocessing.Process(
            target=_load_worker, args=(port, path, dict(headers), deadline, queue)
        )
        for _ in range(connections)
    ]
    for proc in procs:
        proc.start()
    results = [queue.get(timeout=duration_s + 60) for _ in procs]
    for proc in procs:
        proc.join(timeout=10)
    elapsed = time.time() - start
    ok = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
    latencies = sorted(x for r in results for x in r[2])
    p50 = latencies[len(latencies) // 2] * 1000 if latencies else None
    p99 = latencies[int(len(latencies) * 0.99)] * 1000 if latencies else None
    return LoadResult(
        tool="python",
        requests=ok + errors,
        errors=errors,
        duration_s=elapsed,
        rps=ok / elapsed if elapsed else 0.0,
        latency_p50_ms=p50,
        latency_p99_ms=p99,
        connections=connections,
    )
