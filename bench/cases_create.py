"""Case 7: `POST /servers` to ACTIVE through the quota check and placement.

The cloud's default fleet (two hosts), the driver's delay at 0, one project (demo1) whose quotas
are real limits (above its usage, never unlimited: the claim counts its live servers under the
project's lock). Per database: creates one after another (one worker; latency and the worker's
CPU per create) of three kinds: compute alone (`networks: none`), the default port on the
shared `private` network (`auto`), and a port made beforehand with a security group named. Then
the cost split of a create in-process (bench/create_split.py), and creates per second under
concurrent load; again once the project holds many servers, which both the quota count and
placement's usage sums read.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from typing import Any

from bench import loadgen
from bench.case_output import say
from bench.cloud import Cloud, CloudSpec, run_pocketstack, running_cloud
from bench.context import Context
from bench.create_load import create_body, create_once, load_creates
from bench.postgresql import (
    analyze_postgresql_db,
    create_postgresql_db,
    drop_postgresql_db,
)
from bench.procs import BenchError
from bench.stats import fmt_seconds, summarize
from bench.venv import BENCH_DIR

PROJECT = "demo1"
FLAVOR = "1"  # m1.tiny: 1 vCPU, 512 MB
LOAD_CONNECTIONS = 8
# Room left above the project's usage: what the bench's creates can take, well short of
# unlimited.
HEADROOM = {"instances": 10_000, "cores": 10_000, "ram": 10_000 * 512}
MICROVERSION = "compute latest"
NETWORK = "/networking/v2.0"
PRIVATE = "private"
GROUP = "bench-create"
# What each create of the sequential runs asks for: no port; the port `auto` makes on the
# project's only network; a port made beforehand (outside the timing) and a named group.
NONE, AUTO, PORT = "none", "auto", "port+group"
KINDS = (NONE, AUTO, PORT)


def case_create(ctx: Context) -> dict[str, Any]:
    section: dict[str, Any] = {
        "title": "Server create",
        "flavor": "m1.tiny",
        "sequential": [],
        "split": [],
        "load": [],
        "errors": [],
    }
    backends = ["sqlite"]
    if ctx.postgresql_url != "off":
        backends.append("postgresql")
    for backend in backends:
        try:
            _one_backend(ctx, section, backend)
        except BenchError as exc:
            section["errors"].append(f"{backend}: {exc}")
            say(f"  {backend}: FAILED: {str(exc).splitlines()[0]}")
        ctx.save()
    return section


class _Session:
    """The tokens and ids a create needs on one running cloud."""

    def __init__(self, cloud: Cloud) -> None:
        env = cloud.openrc()
        user, password = env["OS_USERNAME"], env["OS_PASSWORD"]
        self.member = loadgen.issue_token(cloud.port, user=user, password=password, project=PROJECT)
        self.admin = loadgen.issue_token(cloud.port, user=user, password=password, project="admin")
        self.cloud = cloud
        self.project_id = self._get(f"/identity/v3/projects?name={PROJECT}", self.admin)[
            "projects"
        ][0]["id"]
        images = self._get("/image/v2/images?status=active", self.member)["images"]
        if not images:
            raise BenchError("no active image to boot")
        self.image = images[0]["id"]

    def _get(self, path: str, token: str) -> Any:
        return self._call("GET", path, token, None, 200)

    def _call(self, method: str, path: str, token: str, body: Any, expect: int) -> Any:
        client = loadgen.Client(self.cloud.port)
        try:
            status, _, payload = client.request(
                method,
                path,
                headers=self._headers(token, path),
                body=body,
            )
        finally:
            client.close()
        if status != expect:
            raise BenchError(f"{method} {path}: {status} {payload[:300]!r}")
        return json.loads(payload) if payload else None

    @staticmethod
    def _headers(token: str, path: str) -> dict[str, str]:
        if path.startswith(NETWORK):
            return {"X-Auth-Token": token}  # no microversions there
        return {"X-Auth-Token": token, "OpenStack-API-Version": MICROVERSION}

    @property
    def headers(self) -> dict[str, str]:
        return self._headers(self.member, "/compute")

    def ports(self, count: int) -> list[str]:
        """`count` new ports of the project on the shared `private` network, in one bulk
        create."""
        nets = self._get(f"{NETWORK}/networks?name={PRIVATE}", self.member)["networks"]
        if not nets:
            raise BenchError(f"no network {PRIVATE!r}")
        body = {"ports": [{"network_id": nets[0]["id"], "name": f"bench-create-{i}"}
                          for i in range(count)]}  # fmt: skip
        made = self._call("POST", f"{NETWORK}/ports", self.member, body, 201)["ports"]
        return [str(p["id"]) for p in made]

    def group(self) -> str:
        """The project's security group GROUP, made once (Nova refuses a name two groups have)."""
        path = f"{NETWORK}/security-groups"
        if not self._get(f"{path}?name={GROUP}", self.member)["security_groups"]:
            self._call("POST", path, self.member, {"security_group": {"name": GROUP}}, 201)
        return GROUP

    def limit_quotas(self) -> dict[str, dict[str, int]]:
        """Real limits just above what the project uses; the quota set as it then stands."""
        path = f"/compute/v2.1/os-quota-sets/{self.project_id}"
        used = self._get(f"{path}/detail", self.admin)["quota_set"]
        limits = {name: used[name]["in_use"] + room for name, room in HEADROOM.items()}
        self._call("PUT", path, self.admin, {"quota_set": limits}, 200)
        shown: dict[str, dict[str, int]] = self._get(f"{path}/detail", self.admin)["quota_set"]
        quota = {name: shown[name] for name in HEADROOM}
        # Each create but compute-only makes a port: the network service's port quota (500 by
        # default) gets the same headroom as the instances.
        ports = f"{NETWORK}/quotas/{self.project_id}"
        port = self._get(f"{ports}/details", self.admin)["quota"]["port"]
        limit = port["used"] + HEADROOM["instances"]
        self._call("PUT", ports, self.admin, {"quota": {"port": limit}}, 200)
        quota["port"] = {"limit": limit, "in_use": port["used"]}
        return quota


def _one_backend(ctx: Context, section: dict[str, Any], backend: str) -> None:
    env = ctx.base_env()
    db_name = "pocketstack_bench_create"
    db_url = create_postgresql_db(ctx, db_name) if backend == "postgresql" else None
    spec = CloudSpec(data_dir=ctx.workdir / f"create-{backend}", workers=1, db_url=db_url)
    seeded = 0
    try:
        for servers in ctx.knobs.create_project_servers:
            say(f"case 7: {backend}, creates with {servers:,} servers already in the project")
            with running_cloud(pocketstack=ctx.pocketstack, spec=spec, env=env, workers=1) as cloud:
                # The first pass makes the project (and the admin's member role there).
                took = _seed(ctx, spec, env, servers - seeded)
                if servers > seeded:
                    section.setdefault("seeding", []).append(
                        {"backend": backend, "servers": servers - seeded, "seconds": took}
                    )
                    seeded = servers
                if db_url is not None:
                    analyze_postgresql_db(ctx, db_name)
                session = _Session(cloud)
                quota = session.limit_quotas()
                _sequential(ctx, cloud, section, session, backend=backend, quota=quota)
                _split(ctx, spec, section, session, backend=backend, quota=quota)
            if servers == ctx.knobs.create_project_servers[0]:
                _load(ctx, spec, section, env, backend=backend)
    finally:
        if db_url is not None:
            drop_postgresql_db(ctx, db_name)
        shutil.rmtree(spec.data_dir, ignore_errors=True)


def _seed(ctx: Context, spec: CloudSpec, env: dict[str, str], servers: int) -> float:
    return run_pocketstack(
        ctx.pocketstack, "manage", "seed", "--servers", str(max(servers, 0)), "--projects", "1",
        "--data-dir", str(spec.data_dir), env=env, timeout=1800,
    )  # fmt: skip


def _bodies(session: _Session, kind: str, count: int) -> list[dict[str, Any]]:
    """`count` create bodies of one kind (each PORT body with a port of its own)."""
    base = {"name": "bench-create", "image": session.image, "flavor": FLAVOR}
    if kind == PORT:
        group = session.group()
        return [create_body(**base, networks=[{"port": p}], groups=(group,))
                for p in session.ports(count)]  # fmt: skip
    return [create_body(**base, networks=kind)] * count


def _sequential(
    ctx: Context,
    cloud: Cloud,
    section: dict[str, Any],
    session: _Session,
    *,
    backend: str,
    quota: dict[str, dict[str, int]],
) -> None:
    for kind in KINDS:
        # Two warm-ups first; the ports of PORT made before the worker's CPU is read.
        bodies = _bodies(session, kind, ctx.knobs.create_requests + 2)
        client = loadgen.Client(cloud.port)
        try:
            for body in bodies[:2]:
                create_once(client, session.headers, body)
            before = cloud.server_cpu_s()
            started = time.perf_counter()
            made = [create_once(client, session.headers, body) for body in bodies[2:]]
            wall = time.perf_counter() - started
            cpu = (cloud.server_cpu_s() - before) / len(made)
        finally:
            client.close()
        post = summarize([m.post_s for m in made])
        active = summarize([m.active_s for m in made])
        servers = quota["instances"]["in_use"]
        say(
            f"  {kind:10s} POST /servers {fmt_seconds(post.median):>9s}, to ACTIVE "
            f"{fmt_seconds(active.median)} (IQR {fmt_seconds(active.iqr)}); server CPU per "
            f"create {fmt_seconds(cpu)}; {len(made) / wall:.0f} creates/s one at a time"
        )
        section["sequential"].append(
            {
                "backend": backend,
                "project_servers": servers,
                "networks": kind,
                "quota": quota,
                "post_s": post.to_json(),
                "active_s": active.to_json(),
                "polls_max": max(m.polls for m in made),
                "server_cpu_s": cpu,
                "creates_per_s": len(made) / wall,
            }
        )


def _split(
    ctx: Context,
    spec: CloudSpec,
    section: dict[str, Any],
    session: _Session,
    *,
    backend: str,
    quota: dict[str, dict[str, int]],
) -> None:
    done = subprocess.run(
        [
            str(ctx.pocketstack_python), str(BENCH_DIR / "create_split.py"),
            "--data-dir", str(spec.data_dir), "--token", session.member, "--image",
            session.image, "--flavor", FLAVOR, "--count", str(ctx.knobs.create_requests),
        ],
        capture_output=True, text=True, check=False, timeout=600, env=ctx.base_env(),
    )  # fmt: skip
    if done.returncode != 0:
        raise BenchError(f"create_split.py failed: {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    phases = ", ".join(f"{p['phase']} {p['cpu_ms']:.2f}" for p in result["phases"])
    say(f"  in-process CPU ms: {phases}")
    section["split"].append(
        {"backend": backend, "project_servers": quota["instances"]["in_use"], **result}
    )


def _load(
    ctx: Context, spec: CloudSpec, section: dict[str, Any], env: dict[str, str], *, backend: str
) -> None:
    for workers in ctx.knobs.create_load_workers:
        with running_cloud(
            pocketstack=ctx.pocketstack, spec=spec, env=env, workers=workers
        ) as cloud:
            session = _Session(cloud)
            quota = session.limit_quotas()
            body = create_body(name="bench-load", image=session.image, flavor=FLAVOR)
            before = cloud.server_cpu_s()
            result = load_creates(
                cloud.port,
                headers=session.headers,
                body=body,
                duration_s=ctx.knobs.load_seconds,
                connections=LOAD_CONNECTIONS,
            )
            loadgen.drain(cloud.port)
            cpu = cloud.server_cpu_s() - before
        say(
            f"  {workers} worker(s), {LOAD_CONNECTIONS} connections: "
            f"{result.creates_per_s:.0f} creates/s (to ACTIVE p50 "
            f"{result.active_p50_ms or 0:.0f} ms, {result.errors} errors)"
        )
        if result.first_error:
            say(f"    first error: {result.first_error}")
        section["load"].append(
            {
                "backend": backend,
                "workers": workers,
                "project_servers": quota["instances"]["in_use"],
                "server_cpu_per_create_s": cpu / result.creates if result.creates else None,
                **result.to_json(),
            }
        )
