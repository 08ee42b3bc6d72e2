"""Smoke tests of the bench's cases 7 and 8 without serving anything (seconds, not minutes).

- bench/seed_tables.py fills a cloud's tables so that every page case 8 asks for is full, from
  the start and from the marker in the middle;
- bench/create_split.py times the phases of real creates;
- BENCHMARKS.md's sections 7 and 8 render, and a page that grows with its table is called out.
"""

from __future__ import annotations

import dataclasses
import io
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
    assert set(made["markers"]) == {e.key for e in ENDPOINTS}
    app, token = create_cloud_app(deps), _admin_token(deps)
    for endpoint in ENDPOINTS:
        first = "/compute/v2.1" + endpoint.path(made)
        status, body = _get(app, first, token)
        assert status.startswith("200"), (first, body)
        assert endpoint.items(body) == PAGE_SIZE, first
        marker = urllib.parse.quote(made["markers"][endpoint.key])
        status, after = _get(app, f"{first}&marker={marker}", token)
        assert status.startswith("200"), (first, after)
        # The middle of ROWS leaves fewer than a page after it: the marker was honoured.
        assert 0 < endpoint.items(after) < PAGE_SIZE, endpoint.key
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
