"""Case 6: abusive clients. A bystander's requests are timed, idle and then while (a) 100 slow
connections hold half-sent request heads, and (b) 16 clients post wrong passwords at bcrypt's
default cost (12 rounds) as fast as they are answered, each from its own loopback address.

The slow connections trickle a byte a second and are reopened as soon as the server drops one,
so that 100 are held for the whole run; the flood ignores Retry-After. Every loop is bounded by
a deadline; all traffic stays on loopback.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import select
import socket
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from bench import loadgen
from bench.case_output import say
from bench.cases_client import SEED_PROJECT
from bench.cloud import Cloud, CloudSpec, run_pocketstack, running_cloud
from bench.context import Context
from bench.machine import load_average
from bench.procs import BenchError

SLOW_CONNECTIONS = 100
FLOODERS = 16
TOKENS = "/identity/v3/auth/tokens?nocatalog"
SERVERS = "/compute/v2.1/servers"
# How long a bystander waits for one answer before it counts the request as unanswered.
ANSWER_TIMEOUT = 30.0
SLOW_HEAD = b"GET /identity/v3 HTTP/1.1\r\nHost: bench\r\nX-Slow: "


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Bystander:
    """Sequential requests on one keep-alive connection, timed per path."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.client = loadgen.Client(port, timeout=ANSWER_TIMEOUT)
        self.samples: dict[str, list[float]] = {}
        self.unanswered: Counter[str] = Counter()

    def run(self, targets: list[tuple[str, str, dict[str, str]]], *, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for label, path, headers in targets:
                start = time.perf_counter()
                try:
                    status, _, payload = self.client.request("GET", path, headers=headers)
                except (OSError, http.client.HTTPException):
                    self.unanswered[label] += 1
                    self.client.close()
                    self.client = loadgen.Client(self.port, timeout=ANSWER_TIMEOUT)
                    continue
                if status != 200:
                    raise BenchError(f"bystander GET {path}: {status} {payload[:200]!r}")
                self.samples.setdefault(label, []).append(time.perf_counter() - start)

    def summary(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for label in sorted(set(self.samples) | set(self.unanswered)):
            values = self.samples.get(label, [])
            out[label] = {
                "n": len(values),
                "unanswered": self.unanswered[label],
                "p50_s": _percentile(values, 0.5) if values else None,
                "p99_s": _percentile(values, 0.99) if values else None,
                "max_s": max(values) if values else None,
            }
        return out

    def close(self) -> None:
        self.client.close()


def _open_slow(port: int) -> socket.socket | None:
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(SLOW_HEAD)
        sock.setblocking(False)
        return sock
    except OSError:
        return None


def _hold_slow(port: int, count: int, seconds: float, out: Any) -> None:
    """Keep `count` half-sent heads open for `seconds`, a byte a second each."""
    socks = [s for s in (_open_slow(port) for _ in range(count)) if s is not None]
    out.put(("ready", len(socks)))
    reopened = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        readable, _, _ = select.select(socks, [], [], 1.0)
        dropped = set(readable)
        for sock in socks:
            if sock in dropped:
                continue
            try:
                sock.send(b"a")
            except OSError:
                dropped.add(sock)
        for sock in dropped:
            sock.close()
        socks = [s for s in socks if s not in dropped]
        while len(socks) < count and time.monotonic() < deadline:
            fresh = _open_slow(port)
            if fresh is None:
                break
            socks.append(fresh)
            reopened += 1
    for sock in socks:
        sock.close()
    out.put(("done", reopened))


def _flood(port: int, source: str, seconds: float, out: Any) -> None:
    """Wrong passwords for made-up users from `source`, one after another, for `seconds`."""
    body = json.dumps(
        loadgen.password_auth_body(
            user=f"nobody-{uuid.uuid4().hex[:8]}", password="wrong", project=SEED_PROJECT
        )
    ).encode()
    statuses: Counter[int] = Counter()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        conn = http.client.HTTPConnection(
            "127.0.0.1", port, timeout=ANSWER_TIMEOUT, source_address=(source, 0)
        )
        try:
            conn.request("POST", TOKENS, body=body, headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            statuses[response.status] += 1
        except (OSError, http.client.HTTPException):
            statuses[0] += 1
        finally:
            conn.close()
    out.put(dict(statuses))


def _login_once(port: int, cloud: Cloud) -> tuple[int, float]:
    """One legitimate login from an address that has not been trying: (status, seconds)."""
    variables = cloud.openrc(project=SEED_PROJECT)
    body = loadgen.password_auth_body(
        user=variables["OS_USERNAME"], password=variables["OS_PASSWORD"], project=SEED_PROJECT
    )
    conn = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=ANSWER_TIMEOUT, source_address=("127.0.0.99", 0)
    )
    start = time.perf_counter()
    try:
        conn.request(
            "POST", TOKENS, body=json.dumps(body), headers={"Content-Type": "application/json"}
        )
        response = conn.getresponse()
        response.read()
        return response.status, time.perf_counter() - start
    except (OSError, http.client.HTTPException):
        return 0, time.perf_counter() - start  # no answer within ANSWER_TIMEOUT
    finally:
        conn.close()


def _token(cloud: Cloud) -> str:
    variables = cloud.openrc(project=SEED_PROJECT)
    return loadgen.issue_token(
        cloud.port,
        user=variables["OS_USERNAME"],
        password=variables["OS_PASSWORD"],
        project=SEED_PROJECT,
    )


def _seed(ctx: Context, cloud: Cloud, pocketstack: Path) -> None:
    run_pocketstack(
        pocketstack,
        *("manage", "seed", "--servers", "50", "--projects", "1"),
        *("--data-dir", str(cloud.spec.data_dir)),
        env=ctx.base_env(),
        timeout=600,
    )


def slow_connections(ctx: Context, pocketstack: Path, name: str) -> dict[str, Any]:
    seconds = ctx.knobs.abuse_seconds
    spec = CloudSpec(data_dir=ctx.workdir / f"cloud-slow-{name}", bcrypt_rounds=4, workers=2)
    with running_cloud(pocketstack=pocketstack, spec=spec, env=ctx.base_env()) as cloud:
        _seed(ctx, cloud, pocketstack)
        token = _token(cloud)
        targets = [("token validation", TOKENS, {"X-Auth-Token": token, "X-Subject-Token": token})]
        idle = Bystander(cloud.port)
        idle.run(targets, seconds=min(seconds, 10.0))
        idle.close()
        queue: multiprocessing.Queue[tuple[str, int]] = multiprocessing.Queue()
        holder = multiprocessing.Process(
            target=_hold_slow, args=(cloud.port, SLOW_CONNECTIONS, seconds, queue)
        )
        holder.start()
        _, opened = queue.get(timeout=60)
        during = Bystander(cloud.port)
        try:
            during.run(targets, seconds=seconds)
        finally:
            during.close()
            _, reopened = queue.get(timeout=seconds + ANSWER_TIMEOUT + 60)
            holder.join(timeout=30)
    result = {
        "connections": SLOW_CONNECTIONS,
        "opened": opened,
        "reopened_after_drop": reopened,
        "seconds": seconds,
        "idle": idle.summary(),
        "during": during.summary(),
    }
    _say_pair(f"  {name}: {SLOW_CONNECTIONS} slow connections", result)
    return result


def login_flood(ctx: Context, pocketstack: Path, name: str) -> dict[str, Any]:
    seconds = ctx.knobs.abuse_seconds
    spec = CloudSpec(data_dir=ctx.workdir / f"cloud-flood-{name}", bcrypt_rounds=12, workers=2)
    with running_cloud(pocketstack=pocketstack, spec=spec, env=ctx.base_env()) as cloud:
        _seed(ctx, cloud, pocketstack)
        token = _token(cloud)
        targets = [
            ("token validation", TOKENS, {"X-Auth-Token": token, "X-Subject-Token": token}),
            ("list servers", SERVERS, {"X-Auth-Token": token}),
        ]
        idle = Bystander(cloud.port)
        idle.run(targets, seconds=min(seconds, 10.0))
        idle.close()
        queue: multiprocessing.Queue[dict[int, int]] = multiprocessing.Queue()
        flooders = [
            multiprocessing.Process(
                target=_flood, args=(cloud.port, f"127.0.0.{10 + n}", seconds, queue)
            )
            for n in range(FLOODERS)
        ]
        for proc in flooders:
            proc.start()
        during = Bystander(cloud.port)
        try:
            time.sleep(1.0)  # the flood is under way
            during.run(targets, seconds=max(seconds - 3.0, 1.0))
            login = _login_once(cloud.port, cloud)
        finally:
            during.close()
            statuses: Counter[int] = Counter()
            for _ in flooders:
                statuses.update(queue.get(timeout=seconds + ANSWER_TIMEOUT + 60))
            for proc in flooders:
                proc.join(timeout=30)
    result = {
        "clients": FLOODERS,
        "bcrypt_rounds": 12,
        "seconds": seconds,
        "flood_statuses": {str(k): v for k, v in sorted(statuses.items())},
        "legit_login": {"status": login[0], "seconds": login[1]},
        "idle": idle.summary(),
        "during": during.summary(),
    }
    _say_pair(f"  {name}: {FLOODERS} clients posting wrong passwords", result)
    say(f"    flood answers {dict(statuses)}; a clean login: {login[0]} in {login[1]:.2f} s")
    return result


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.1f} ms"


def _say_pair(title: str, result: dict[str, Any]) -> None:
    say(title)
    for label, during in result["during"].items():
        idle = result["idle"].get(label, {})
        say(
            f"    {label:16s} idle p50 {_ms(idle.get('p50_s'))} p99 {_ms(idle.get('p99_s'))}; "
            f"during p50 {_ms(during['p50_s'])} p99 {_ms(during['p99_s'])} "
            f"({during['n']} answered, {during['unanswered']} unanswered)"
        )


def case_abuse(ctx: Context) -> dict[str, Any]:
    section: dict[str, Any] = {
        "title": "Abusive clients",
        "errors": [],
        "load_average_at_start": load_average(),
    }
    runs = [("current", ctx.pocketstack)]
    if ctx.abuse_before is not None:
        runs.append(("before", ctx.abuse_before))
    for name, pocketstack in runs:
        for key, run in (("slow", slow_connections), ("flood", login_flood)):
            try:
                section.setdefault(name, {})[key] = run(ctx, pocketstack, name)
            except BenchError as exc:
                section["errors"].append(f"{name} {key}: {exc}")
                say(f"  {name} {key}: FAILED: {str(exc).splitlines()[0]}")
            ctx.save()
    section["load_average_at_end"] = load_average()
    return section
