"""Smoke tests of the bench's cases 7 and 8 without serving anything (seconds, not minutes).

- bench/seed_tables.py and bench/seed_network.py fill a cloud's tables so that every page case 8
  asks for (compute's and the network service's) is full, from the start and from the marker in
  the middle;
- bench/create_split.py times the phases of real creates;
- BENCHMARKS.md's sections 7 and 8 render, and a page that grows with its table is called out.
"""

from __future__ import annotations

import dataclasses
import io
import ipaddress
import json
import subprocess
import sys
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from bench import report, report_api
from bench.cases_pages import ENDPOINTS, PAGE_SIZE
from bench.cloud import CloudSpec
from bench.seed_network import seed_network
from bench.seed_tables import seed_hosts, seed_rows
from sqlalchemy import select

from pocketstack.cloud.app import WSGIApp, create_cloud_app
from pocketstack.cloud.bootstrap import bootstrap
from pocketstack.cloud.config import load_config
from pocketstack.cloud.deps import CloudDeps, build_deps
from pocketstack.cloud.image.bootstrap import CIRROS_ID
from pocketstack.cloud.seed import seed
from pocketstack.cloud.store.models.compute import Instance
from pocketstack.cloud.store.models.identity import Project, Role, RoleAssignment, User

ROWS = PAGE_SIZE + PAGE_SIZE // 2
BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture
def seeded(tmp_path: Path) -> tuple[CloudDeps, Path]:
    data_dir = tmp_path / "cloud"
    CloudSpec(data_dir=data_dir, hosts=ROWS).write_config()
    seed_hosts(data_dir, ROWS)
    config = dataclasses.replace(load_config(data_dir=data_dir), check_responses=True)
    deps = build_deps(config)
    deps.keys.setup()
    bootstrap(deps, admin_password="bench-smoke")
    seed(deps, servers=ROWS, projects=3)
    return deps, data_dir


def _admin_token(deps: CloudDeps) -> str:
    with deps.store.session() as session:
        user = session.scalars(select(User).where(User.name == "admin")).one()
        project = session.scalars(select(Project).where(Project.name == "admin")).one()
        roles = tuple(
            session.scalars(
                select(Role.name)
                .join(RoleAssignment, RoleAssignment.role_id == Role.id)
                .where(RoleAssignment.user_id == user.id, RoleAssignment.target_id == project.id)
            )
        )
    return deps.tokens.issue(
        user_id=user.id, methods=["password"], project_id=project.id, roles=roles
    ).token_id


def _get(app: WSGIApp, path_and_query: str, token: str) -> tuple[str, Any]:
    path, _, query = path_and_query.partition("?")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "GET", "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": query,
        "SERVER_NAME": "cloud.test", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "cloud.test", "HTTP_ACCEPT": "application/json",
        "HTTP_X_AUTH_TOKEN": token, "HTTP_OPENSTACK_API_VERSION": "compute latest",
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr,
        "wsgi.multithread": False, "wsgi.multiprocess": False, "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }  # fmt: skip
    status: list[str] = []
    body = b"".join(app(environ, lambda code, headers, exc=None: status.append(code)))
    return status[0], json.loads(body)


def test_every_page_of_case_8_is_full_from_the_start_and_the_middle(
    seeded: tuple[CloudDeps, Path],
) -> None:
    deps, data_dir = seeded
    made = seed_rows(data_dir, count=ROWS, user="admin")
    made["markers"].update(seed_network(data_dir, count=ROWS, project="admin")["markers"])
    assert set(made["markers"]) == {e.key for e in ENDPOINTS}
    app, token = create_cloud_app(deps), _admin_token(deps)
    for endpoint in ENDPOINTS:
        first = endpoint.base + endpoint.path(made)
        status, body = _get(app, first, token)
        assert status.startswith("200"), (first, body)
        assert endpoint.items(body) == PAGE_SIZE, first
        marker = urllib.parse.quote(made["markers"][endpoint.key])
        status, after = _get(app, f"{first}&marker={marker}", token)
        assert status.startswith("200"), (first, after)
        # The middle of ROWS leaves fewer than a page after it: the marker was honoured.
        assert 0 < endpoint.items(after) < PAGE_SIZE, endpoint.key
    deps.store.dispose()


def test_seeded_ports_and_networks_look_like_the_services_own(
    seeded: tuple[CloudDeps, Path],
) -> None:
    deps, data_dir = seeded
    made = seed_network(data_dir, count=ROWS, project="admin")
    app, token = create_cloud_app(deps), _admin_token(deps)
    status, body = _get(app, f"/networking/v2.0/ports/{made['markers']['ports']}", token)
    assert status.startswith("200"), body
    port = body["port"]
    (fixed,) = port["fixed_ips"]
    status, subnet = _get(app, f"/networking/v2.0/subnets/{fixed['subnet_id']}", token)
    assert status.startswith("200"), subnet
    cidr = ipaddress.ip_network(subnet["subnet"]["cidr"])
    assert ipaddress.ip_address(fixed["ip_address"]) in cidr
    assert cidr.num_addresses > 100_000
    (group,) = port["security_groups"]
    status, shown = _get(app, f"/networking/v2.0/security-groups/{group}", token)
    assert [r["direction"] for r in shown["security_group"]["security_group_rules"]] == [
        "egress", "egress"]  # fmt: skip
    status, nets = _get(app, "/networking/v2.0/networks?name=bench-net-000001", token)
    (net,) = nets["networks"]
    assert net["provider:network_type"] == "vxlan"
    assert net["provider:segmentation_id"] >= 1_000_000
    deps.store.dispose()


def test_hosts_beyond_the_configured_ones_are_retired(tmp_path: Path) -> None:
    data_dir = tmp_path / "cloud"
    CloudSpec(data_dir=data_dir).write_config()  # the default two hosts
    assert seed_hosts(data_dir, 5)["configured"] is False
    deps = build_deps(load_config(data_dir=data_dir))
    deps.keys.setup()
    bootstrap(deps, admin_password="bench-smoke")
    app, token = create_cloud_app(deps), _admin_token(deps)
    status, body = _get(app, "/compute/v2.1/os-hypervisors/detail", token)
    assert status.startswith("200")
    by_status = [(h["hypervisor_hostname"], h["status"]) for h in body["hypervisors"]]
    assert sorted(by_status) == sorted(
        [(f"retired-{i:06d}", "disabled") for i in range(5)]
        + [("compute-1", "enabled"), ("compute-2", "enabled")]
    )
    # Their network agents were seeded as an earlier start registers them, once each.
    status, body = _get(app, "/networking/v2.0/agents?agent_type=Open+vSwitch+agent", token)
    assert status.startswith("200"), body
    assert sorted(a["host"] for a in body["agents"]) == sorted(
        [f"retired-{i:06d}" for i in range(5)] + ["compute-1", "compute-2"]
    )
    deps.store.dispose()


def test_create_split_times_the_phases_of_real_creates(seeded: tuple[CloudDeps, Path]) -> None:
    deps, data_dir = seeded
    token = _admin_token(deps)
    done = subprocess.run(
        [sys.executable, str(BENCH / "create_split.py"), "--data-dir", str(data_dir),
         "--token", token, "--image", CIRROS_ID, "--count", "3"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    phases = {p["phase"]: p for p in result["phases"]}
    assert list(phases) == ["lookups", "quota claim", "placement", "insert", "action log",
                            "commit", "rest of the request", "request"]  # fmt: skip
    assert all(p["cpu_ms"] > 0 for name, p in phases.items() if name != "rest of the request")
    parts = sum(p["wall_ms"] for name, p in phases.items() if name != "request")
    assert phases["request"]["wall_ms"] >= 0.5 * parts
    with deps.store.session() as session:
        made = session.scalars(
            select(Instance.vm_state).where(Instance.display_name.like("split-%"))
        )
        assert sorted(made) == ["active"] * 5  # three timed, two warm-ups
    deps.store.dispose()


def _page(
    backend: str, rows: int, label: str, cpu: float, wall: float | None = None
) -> dict[str, Any]:
    wall = cpu if wall is None else wall
    latency = {"median": wall, "q1": wall, "q3": wall, "min": wall, "max": wall, "n": 100}
    return {"backend": backend, "rows": rows, "endpoint": label, "label": label,
            "page": "first page", "latency_s": latency, "server_cpu_s": cpu,
            "items": PAGE_SIZE, "body_bytes": 1}  # fmt: skip


def test_sections_7_and_8_render_and_call_out_a_page_that_grows() -> None:
    pages = {
        "page_size": PAGE_SIZE,
        "mode": "quick",
        "pages": [
            _page("sqlite", 1_000, "GET /flat", 0.004),
            _page("sqlite", 100_000, "GET /flat", 0.005),
            _page("sqlite", 1_000, "GET /grows", 0.004),
            _page("sqlite", 100_000, "GET /grows", 0.040),
            # On PostgreSQL the query's work is not the worker's: latency tells.
            _page("postgresql", 1_000, "GET /grows", 0.004, 0.005),
            _page("postgresql", 100_000, "GET /grows", 0.004, 0.020),
        ],
        "seeding": [{"backend": "sqlite", "rows": 1_000, "seconds": {"hosts": 0.1}}],
    }
    latency = {"median": 0.01, "q1": 0.01, "q3": 0.02, "min": 0.01, "max": 0.02, "n": 10}
    create = {
        "mode": "quick",
        "sequential": [{"backend": "sqlite", "project_servers": 12, "post_s": latency,
                        "active_s": latency, "server_cpu_s": 0.011, "creates_per_s": 60.0}],
        "split": [{"backend": "sqlite", "project_servers": 12, "creates": 10,
                   "phases": [{"phase": "quota claim", "wall_ms": 1.5, "cpu_ms": 1.4}]}],
        "load": [],
    }  # fmt: skip
    text = report.render({"cases": {"create": create, "pages": pages}}, plots=set(),
                         plots_prefix="bench/results")  # fmt: skip
    assert "## 7. Server create" in text
    assert "## 8. List endpoints by table size" in text
    assert (
        "| GET /flat | first page | 4.0 ms (4.0 ms) | 5.0 ms (5.0 ms) | 1.25x | **1.25x** |" in text
    )
    assert "**10.00x** (not flat)" in text
    assert (
        "| GET /grows | first page | 5.0 ms (4.0 ms) | 20 ms (4.0 ms) | **4.00x** (not flat) |"
        in text
    )
    lite, pg = report_api.targets(pages)
    assert lite[1] == "10.00x the server CPU: GET /grows (first page)"
    assert pg[1] == "4.00x the latency: GET /grows (first page)"
    assert lite[-1] == pg[-1] == "NOT met"


def test_section_7_shows_each_kind_of_create_and_older_rows_as_auto() -> None:
    latency = {"median": 0.01, "q1": 0.01, "q3": 0.02, "min": 0.01, "max": 0.02, "n": 10}

    def row(cpu: float, **kind: str) -> dict[str, Any]:
        return {"backend": "sqlite", "project_servers": 0, "post_s": latency, "active_s": latency,
                "server_cpu_s": cpu, "creates_per_s": 60.0, **kind}  # fmt: skip

    create = {"mode": "full", "sequential": [row(0.006, networks="none"), row(0.011),
                                             row(0.014, networks="port+group")]}  # fmt: skip
    text = "\n".join(report_api.create(create))
    assert "| sqlite | 0 | `none`: compute only | 10 ms | **10 ms** |" in text
    # A row from before the kinds were measured was an `auto` create.
    assert "| sqlite | 0 | `auto`: a port on `private` | 10 ms |" in text
    assert "| a port made before, a named group |" in text
    assert "**14 ms** | 60/s |" in text


def _port_page(backend: str, rows: int, page: str, cpu: float) -> dict[str, Any]:
    return {**_page(backend, rows, "GET /networking/v2.0/ports", cpu), "endpoint": "ports",
            "page": page}  # fmt: skip


def test_the_port_list_has_its_own_target_the_worse_of_its_pages() -> None:
    pages = {
        "pages": [
            _port_page("sqlite", 1_000, "first page", 0.004),
            _port_page("sqlite", 100_000, "first page", 0.0044),
            _port_page("sqlite", 1_000, "middle page (marker)", 0.004),
            _port_page("sqlite", 100_000, "middle page (marker)", 0.008),
            # A compute page that grows more: the worst overall, not the port list's.
            _page("sqlite", 1_000, "GET /grows", 0.004),
            _page("sqlite", 100_000, "GET /grows", 0.040),
        ]
    }
    worst, ports = report_api.targets(pages)
    assert worst[1] == "10.00x the server CPU: GET /grows (first page)"
    assert ports[0] == "port list page, 100,000 vs 1,000 ports (sqlite): the worse"
    assert ports[1] == "2.00x the server CPU: GET /networking/v2.0/ports (middle page (marker))"
    assert ports[-1] == "NOT met"
    # Without the compute page, and the port list's middle page flat: met, on both lines.
    flat = _port_page("sqlite", 100_000, "middle page (marker)", 0.005)
    pages["pages"] = [*pages["pages"][:3], flat]
    worst, ports = report_api.targets(pages)
    assert worst[1:] == ports[1:]
    assert ports[1].startswith("1.25x the server CPU")
    assert ports[-1] == "met"
