"""Quotas and limits as the genuine clients read and change them: tempest's schemas validate our
bodies at every microversion that changes them, and `openstack quota show / quota set / limits
show` against a real `pocketstack serve`."""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.cloud import CloudDeps
from tests.interop.test_compute_interop import _validate
from tests.unit.cloud.compute.helpers import Compute, build_compute

pytestmark = pytest.mark.interop

MINORS = (1, 35, 36, 39, 49, 50, 56, 57, 75, 100)


def test_tempest_schemas_validate_quota_and_limit_bodies(
    interop_venv: Path, cloud_deps: CloudDeps
) -> None:
    c: Compute = build_compute(cloud_deps)
    project = c.alice.project_id
    c.make(project=project, user=c.alice.id)
    quota = f"/v2.1/os-quota-sets/{project}"
    cases: list[dict[str, Any]] = []

    def case(resource: str, schema: str, minor: int, result: Any) -> None:
        assert result.status_code in (200, 202), result.text
        body = result.json if result.text else None
        cases.append({"resource": resource, "schema": schema, "minor": minor,
                      "status": result.status_code, "body": body})  # fmt: skip

    for minor in MINORS:
        version = f"2.{minor}"
        case("quotas", "get_quota_set", minor, c.get(quota, headers=c.alice_h, version=version))
        case("quotas", "get_quota_set", minor,
             c.get(quota + "/defaults", headers=c.alice_h, version=version))  # fmt: skip
        case("quotas", "get_quota_set_details", minor,
             c.get(quota + "/detail", headers=c.alice_h, version=version))  # fmt: skip
        updated = c.call("PUT", quota, headers=c.admin, version=version,
                         body={"quota_set": {"ram": 10240, "force": True}})  # fmt: skip
        case("quotas", "update_quota_set", minor, updated)
        case("quotas", "delete_quota", minor, c.call("DELETE", quota, headers=c.admin,
                                                     version=version))  # fmt: skip
        classes = "/v2.1/os-quota-class-sets/default"
        case("quota_classes", "get_quota_class_set", minor,
             c.get(classes, headers=c.admin, version=version))  # fmt: skip
        case("quota_classes", "update_quota_class_set", minor,
             c.call("PUT", classes, headers=c.admin, version=version,
                    body={"quota_class_set": {"instances": 10}}))  # fmt: skip
        case("limits", "get_limit", minor, c.get("/v2.1/limits", headers=c.alice_h,
                                                 version=version))  # fmt: skip
    errors = [e for e in _validate(interop_venv, cases) if e]
    assert errors == []
    assert len(cases) == 8 * len(MINORS)


class Openstack:
    def __init__(self, venv: Path, env: dict[str, str]) -> None:
        self.venv = venv
        self.env = env

    def run(self, *argv: str) -> str:
        result = subprocess.run(
            [str(self.venv / "bin" / "openstack"), *argv], env=self.env, capture_output=True,
            text=True, timeout=120, check=False,
        )  # fmt: skip
        assert result.returncode == 0, f"{argv}: {result.stderr}"
        return result.stdout

    def rows(self, *argv: str) -> dict[str, Any]:
        """A `-f json` listing of name/value rows as a dict keyed by the first column."""
        listed = json.loads(self.run(*argv, "-f", "json"))
        first, *rest = list(listed[0])
        return {row[first]: row if len(rest) > 1 else row[rest[0]] for row in listed}


def test_openstack_quota_show_set_and_limits_show(interop_venv: Path, live_cloud: Any) -> None:
    cli = Openstack(interop_venv, {**live_cloud.client_env(),
                                   "OS_COMPUTE_API_VERSION": "2.latest"})  # fmt: skip
    name = f"quota-{uuid.uuid4().hex[:8]}"
    cli.run("project", "create", name)
    shown = cli.rows("quota", "show", "--compute", name)
    assert (shown["instances"], shown["cores"], shown["ram"]) == (10, 20, 51200)
    assert shown["key-pairs"] == 100
    cli.run("quota", "set", "--instances", "7", "--ram", "4096", "--key-pairs", "-1", name)
    shown = cli.rows("quota", "show", "--compute", name)
    assert (shown["instances"], shown["ram"], shown["key-pairs"]) == (7, 4096, -1)
    assert shown["cores"] == 20
    used = cli.rows("quota", "show", "--compute", "--usage", name)
    assert (used["instances"]["Limit"], used["instances"]["In Use"]) == (7, 0)
    assert used["instances"]["Reserved"] == 0
    # The default class, as `--default` sets and shows it; put back as it was.
    cli.run("quota", "set", "--default", "--cores", "40")
    try:
        assert cli.rows("quota", "show", "--compute", "--default")["cores"] == 40
        assert cli.rows("quota", "show", "--compute", name)["cores"] == 40
    finally:
        cli.run("quota", "set", "--default", "--cores", "20")
    cli.run("quota", "delete", "--compute", name)
    assert cli.rows("quota", "show", "--compute", name)["instances"] == 10
    # The SDK asks for /limits without a microversion (and with reserved=False), and names
    # the limits by its own attributes.
    limits = cli.rows("limits", "show", "--absolute")
    assert (limits["instances"], limits["total_ram"], limits["keypairs"]) == (10, 51200, 100)
    # The admin project's servers (other tests on this cloud make some), as the API counts them.
    assert limits["personality"] == 5
    servers = json.loads(cli.run("server", "list", "-f", "json"))
    assert limits["total_instances_used"] == len(servers)
