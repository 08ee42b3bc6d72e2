"""Where one `POST /servers` spends its time, in-process: run with pocketstack's interpreter.

    python bench/create_split.py --data-dir DIR --token TOKEN --image ID --count N

Builds the cloud's WSGI app on DIR's database and keys (beside a running `pocketstack serve` of
the same directory, or not), times each phase of N creates by wrapping the functions that run
them, and prints one JSON line: per phase, the median wall and CPU (this thread) milliseconds.

Phases: the quota claim (quotas.claim_instances: the project's lock, its limits, the count of
its live servers), placement (fleet.pick_host: candidate hosts and their servers' usage), the
lookups before them (flavor, image, key, zone, hosts, metadata and file limits), the insert
(the rest of building the rows: instance, metadata, tags, the port `networks: auto` makes with
its address and group, flush), the action log, the commit, and the rest of the request (token
check, routing, validation, the answer).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from pocketstack.cloud.app import create_cloud_app
from pocketstack.cloud.compute import fleet, quotas, server_build
from pocketstack.cloud.compute import servers as servers_api
from pocketstack.cloud.config import load_config
from pocketstack.cloud.deps import build_deps

LOOKUPS = ("_flavor_for", "_image_for", "_check_key_name", "_check_availability_zone",
           "_requested_hosts")  # fmt: skip


class Clock:
    """Wall and CPU seconds spent in each phase during the current request."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self._depth: dict[str, int] = {}

    def reset(self) -> None:
        self.wall.clear()
        self.cpu.clear()

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        # A phase entered again inside itself (a nested wrapper) counts once.
        depth = self._depth.get(name, 0)
        self._depth[name] = depth + 1
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            yield
        finally:
            self._depth[name] = depth
            if depth == 0:
                self.wall[name] = self.wall.get(name, 0.0) + time.perf_counter() - wall
                self.cpu[name] = self.cpu.get(name, 0.0) + time.thread_time() - cpu

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            with self.phase(name):
                return fn(*args, **kwargs)

        return timed


def instrument(clock: Clock) -> None:
    """Wraps each phase's functions where their callers look them up (module attributes)."""
    targets: list[tuple[Any, str, str]] = [
        (servers_api, "create_servers", "build"),
        (servers_api, "_log", "action log"),
        (quotas, "claim_instances", "quota claim"),
        (quotas, "check_metadata_items", "lookups"),
        (quotas, "check_injected_files", "lookups"),
        (fleet, "pick_host", "placement"),
        (Session, "commit", "commit"),
        *((server_build, name, "lookups") for name in LOOKUPS),
    ]
    for owner, name, phase in targets:
        setattr(owner, name, clock.wrap(phase, getattr(owner, name)))


def post(app: Any, token: str, body: bytes) -> tuple[str, bytes]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST", "SCRIPT_NAME": "", "PATH_INFO": "/compute/v2.1/servers",
        "QUERY_STRING": "", "SERVER_NAME": "cloud.test", "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": "cloud.test",
        "HTTP_ACCEPT": "application/json", "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)), "HTTP_X_AUTH_TOKEN": token,
        "HTTP_OPENSTACK_API_VERSION": "compute latest", "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr, "wsgi.multithread": False,
        "wsgi.multiprocess": False, "wsgi.run_once": False, "wsgi.version": (1, 0),
    }  # fmt: skip
    status: list[str] = []

    def start_response(code: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        status.append(code)

    chunks = app(environ, start_response)
    payload = b"".join(chunks)
    close = getattr(chunks, "close", None)
    if close is not None:
        close()
    return status[0], payload


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--image", required=True)
    parser.add_argument("--flavor", default="1")
    parser.add_argument("--count", type=int, default=20)
    args = parser.parse_args(argv)
    deps = build_deps(load_config(data_dir=args.data_dir))
    app = create_cloud_app(deps)
    clock = Clock()
    instrument(clock)
    walls: dict[str, list[float]] = {}
    cpus: dict[str, list[float]] = {}
    try:
        for i in range(args.count + 2):
            body = json.dumps({"server": {
                "name": f"split-{i}", "imageRef": args.image, "flavorRef": args.flavor,
                "networks": "auto",
            }}).encode()  # fmt: skip
            clock.reset()
            with clock.phase("request"):
                status, payload = post(app, args.token, body)
            if not status.startswith("202"):
                raise SystemExit(f"POST /servers: {status} {payload[:300]!r}")
            if i < 2:
                continue  # warm-up: compiled statements, pool, caches
            for name, value in clock.wall.items():
                walls.setdefault(name, []).append(value)
            for name, value in clock.cpu.items():
                cpus.setdefault(name, []).append(value)
    finally:
        deps.store.dispose()
    result = _phases(walls, cpus, args.count)
    print(json.dumps(result), flush=True)
    return 0


def _phases(walls: dict[str, list[float]], cpus: dict[str, list[float]], n: int) -> dict[str, Any]:
    """Per-request medians of each phase; insert and the rest derived per request first."""

    def per_request(source: dict[str, list[float]]) -> dict[str, list[float]]:
        out = {k: list(v) for k, v in source.items()}
        zero = [0.0] * n
        build, quota = out.get("build", zero), out.get("quota claim", zero)
        place, look = out.get("placement", zero), out.get("lookups", zero)
        log, commit = out.get("action log", zero), out.get("commit", zero)
        total = out.get("request", zero)
        parts = zip(build, quota, place, look, strict=True)
        out["insert"] = [b - q - p - lk for b, q, p, lk in parts]
        outside = zip(total, build, log, commit, strict=True)
        out["rest of the request"] = [t - b - lg - c for t, b, lg, c in outside]
        return out

    wall, cpu = per_request(walls), per_request(cpus)
    order = ("lookups", "quota claim", "placement", "insert", "action log", "commit",
             "rest of the request", "request")  # fmt: skip
    return {
        "creates": n,
        "phases": [
            {
                "phase": name,
                "wall_ms": statistics.median(wall[name]) * 1000,
                "cpu_ms": statistics.median(cpu[name]) * 1000,
            }
            for name in order
            if name in wall
        ],
    }


if __name__ == "__main__":
    sys.exit(main())
