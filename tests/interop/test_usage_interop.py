"""Usage reports (`os-simple-tenant-usage`) as the genuine clients read them: tempest's schemas
validate our bodies, `openstack usage list/show` print what the servers used."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from pocketstack.cloud.config import load_config
from pocketstack.cloud.deps import build_deps
from tests.fixtures.cloud import CloudDeps
from tests.interop.test_compute_interop import _validate
from tests.unit.cloud.compute.helpers import BASE_TIME, Compute, build_compute

pytestmark = pytest.mark.interop


def test_tempest_schemas_validate_usage_bodies(interop_venv: Path, cloud_deps: CloudDeps) -> None:
    c: Compute = build_compute(cloud_deps)
    c.make(project=c.alice.project_id, name="a", launched_at=BASE_TIME)
    c.make(project=c.bob.project_id, name="b", launched_at=BASE_TIME,
           terminated_at=BASE_TIME + dt.timedelta(hours=2), vm_state="deleted")  # fmt: skip
    window = urllib.parse.urlencode({"start": "2024-01-01T00:00:00", "end": "2024-01-02T00:00:00"})
    cases: list[dict[str, Any]] = []
    for minor in (1, 40, 75):
        for path, schema in (
            (f"/v2.1/os-simple-tenant-usage?{window}&detailed=1", "list_tenant_usage"),
            (f"/v2.1/os-simple-tenant-usage?{window}", "list_tenant_usage"),
            (f"/v2.1/os-simple-tenant-usage/{c.alice.project_id}?{window}", "get_tenant_usage"),
        ):
            path, _, query = path.partition("?")
            result = c.get(path, headers=c.admin, version=f"2.{minor}", query=query)
            assert result.status_code == 200, result.text
            cases.append({"resource": "tenant_usages", "schema": schema, "minor": minor,
                          "status": result.status_code, "body": result.json})  # fmt: skip
    assert [e for e in _validate(interop_venv, cases) if e] == []


def test_openstack_usage_list_and_show(interop_venv: Path, live_cloud: Any) -> None:
    deps = build_deps(load_config(data_dir=live_cloud.data_dir))
    try:
        env = live_cloud.client_env()

        def openstack(*argv: str) -> Any:
            result = subprocess.run(
                [str(interop_venv / "bin" / "openstack"), *argv, "-f", "json"], env=env,
                capture_output=True, text=True, timeout=120, check=False,
            )  # fmt: skip
            assert result.returncode == 0, result.stderr
            return json.loads(result.stdout)

        server = openstack("server", "create", "--flavor", "m1.tiny", "--image",
                           "cirros-0.6.2-x86_64-disk", "--nic", "none", "--wait",
                           "usage-vm")  # fmt: skip
        # A period that ends tomorrow: the report stops at now, and the new server is in it.
        today = dt.datetime.now(dt.UTC).date()
        period = ("--start", str(today - dt.timedelta(days=1)),
                  "--end", str(today + dt.timedelta(days=1)))  # fmt: skip
        # The client asks with detailed=True, which Nova (and we) read as not detailed: its list
        # has no per-server rows, only each project's totals.
        # (In JSON the client shows the project's id, its machine-readable form.)
        rows = openstack("usage", "list", *period)
        admin = openstack("project", "show", "admin")["id"]
        assert admin in {row["Project"] for row in rows}, rows
        shown = openstack("usage", "show", *period)
        assert len(shown["Servers"]) >= 1  # the server usages themselves, in JSON
        assert float(shown["RAM MB-Hours"]) >= 0
        assert server["id"]
    finally:
        deps.store.dispose()
