"""Server groups with the genuine clients: tempest's response schemas validate our bodies at each
microversion where a group's shape changes, and `openstack server group create/list/show/delete`
runs against a real `pocketstack serve` at the old (policies) and new (policy, rules) shapes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.cloud import CloudDeps
from tests.interop.test_compute_interop import _validate
from tests.unit.cloud.compute.helpers import Compute, build_compute

pytestmark = pytest.mark.interop

URL = "/v2.1/os-server-groups"
# Where the body changes: 2.13 (owners), 2.15 (soft policies), 2.64 (policy and rules).
MICROVERSIONS = [1, 13, 15, 63, 64, 75, 100]


def test_tempest_schemas_validate_our_bodies(interop_venv: Path, cloud_deps: CloudDeps) -> None:
    c: Compute = build_compute(cloud_deps)
    cases: list[dict[str, Any]] = []

    def case(schema: str, minor: int, result: Any) -> None:
        body = result.json if result.text else None
        cases.append({"resource": "server_groups", "schema": schema, "minor": minor,
                      "status": result.status_code, "body": body})  # fmt: skip

    for minor in MICROVERSIONS:
        version = f"2.{minor}"
        if minor >= 64:
            group = {"name": f"g{minor}", "policy": "anti-affinity",
                     "rules": {"max_server_per_host": 2}}  # fmt: skip
        else:
            group = {"name": f"g{minor}", "policies": ["affinity"]}
        created = c.call("POST", URL, headers=c.alice_h, version=version,
                         body={"server_group": group})  # fmt: skip
        case("create_show_server_group", minor, created)
        group_id = created.json["server_group"]["id"]
        case("create_show_server_group", minor,
             c.get(f"{URL}/{group_id}", headers=c.alice_h, version=version))  # fmt: skip
        case("list_server_groups", minor, c.get(URL, headers=c.alice_h, version=version))
        case("list_server_groups", minor,
             c.get(URL, headers=c.admin, version=version, query="all_projects=True"))  # fmt: skip
        deleted = c.call("DELETE", f"{URL}/{group_id}", headers=c.alice_h, version=version)
        case("delete_server_group", minor, deleted)
    assert [e for e in _validate(interop_venv, cases) if e] == []
    assert len(cases) == 5 * len(MICROVERSIONS)


def _openstack(venv: Path, env: dict[str, str], *argv: str) -> str:
    result = subprocess.run(
        [str(venv / "bin" / "openstack"), *argv], env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, f"{argv}: {result.stderr}"
    return result.stdout


@pytest.mark.parametrize("version", ["2.1", "2.15", "2.64", "2.latest"])
def test_openstack_server_group_lifecycle(
    interop_venv: Path, live_cloud: Any, version: str
) -> None:
    env = {**live_cloud.client_env(), "OS_COMPUTE_API_VERSION": version}
    name = f"sg-{version}"
    new_shape = version not in ("2.1", "2.15")
    policy = "soft-anti-affinity" if version == "2.15" else "anti-affinity"
    create = ["server", "group", "create", "--policy", policy, "-f", "json", name]
    if new_shape:
        create[5:5] = ["--rule", "max_server_per_host=2"]
    created = json.loads(_openstack(interop_venv, env, *create))
    group_id = created["id"]
    assert created["name"] == name
    shown = json.loads(_openstack(interop_venv, env, "server", "group", "show", group_id,
                                  "-f", "json"))  # fmt: skip
    assert shown["id"] == group_id
    assert shown["members"] in ("", [], None)
    policies = shown.get("policy") or shown.get("policies")
    assert policy in json.dumps(policies)
    if new_shape:
        assert "max_server_per_host" in json.dumps(shown.get("rules"))
    listed = json.loads(_openstack(interop_venv, env, "server", "group", "list", "--long",
                                   "-f", "json"))  # fmt: skip
    assert group_id in [g["ID"] for g in listed]
    everyone = json.loads(_openstack(interop_venv, env, "server", "group", "list",
                                     "--all-projects", "-f", "json"))  # fmt: skip
    assert group_id in [g["ID"] for g in everyone]
    _openstack(interop_venv, env, "server", "group", "delete", group_id)
    after = json.loads(_openstack(interop_venv, env, "server", "group", "list", "-f", "json"))
    assert group_id not in [g["ID"] for g in after]
    missing = subprocess.run(
        [str(interop_venv / "bin" / "openstack"), "server", "group", "show", group_id],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert missing.returncode != 0
    # The SDK's find: a 404 by id, then no such name in the list.
    assert f"No ServerGroup found for {group_id}" in missing.stderr
