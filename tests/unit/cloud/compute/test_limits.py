"""GET /limits: the absolute limits and usage each microversion shows, and whose."""

from __future__ import annotations

import pytest

from tests.unit.cloud.compute.helpers import Compute, fault

ALWAYS = {"maxServerMeta", "maxTotalCores", "maxTotalInstances", "maxTotalKeypairs",
          "maxTotalRAMSize", "maxServerGroups", "maxServerGroupMembers", "totalCoresUsed",
          "totalInstancesUsed", "totalRAMUsed", "totalServerGroupsUsed"}  # fmt: skip
NETWORK = {"maxTotalFloatingIps", "maxSecurityGroups", "maxSecurityGroupRules",
           "totalFloatingIpsUsed", "totalSecurityGroupsUsed"}  # fmt: skip
PERSONALITY = {"maxPersonality", "maxPersonalitySize"}


@pytest.mark.parametrize(
    ("version", "names"),
    [
        ("2.1", ALWAYS | NETWORK | PERSONALITY | {"maxImageMeta"}),
        ("2.35", ALWAYS | NETWORK | PERSONALITY | {"maxImageMeta"}),
        ("2.36", ALWAYS | PERSONALITY | {"maxImageMeta"}),
        ("2.38", ALWAYS | PERSONALITY | {"maxImageMeta"}),
        ("2.39", ALWAYS | PERSONALITY),
        ("2.56", ALWAYS | PERSONALITY),
        ("2.57", ALWAYS),
        ("2.100", ALWAYS),
    ],
)
def test_absolute_limits_by_microversion(compute: Compute, version: str, names: set[str]) -> None:
    result = compute.get("/v2.1/limits", headers=compute.alice_h, version=version)
    assert result.status_code == 200, result.text
    limits = result.json["limits"]
    assert limits["rate"] == []
    assert set(limits["absolute"]) == names
    absolute = limits["absolute"]
    assert (absolute["maxTotalInstances"], absolute["maxTotalCores"]) == (10, 20)
    assert (absolute["maxTotalRAMSize"], absolute["maxTotalKeypairs"]) == (51200, 100)
    assert (absolute["maxServerMeta"], absolute["totalInstancesUsed"]) == (128, 0)
    if "maxPersonality" in names:
        assert (absolute["maxPersonality"], absolute["maxPersonalitySize"]) == (5, 10240)
    if "maxImageMeta" in names:
        assert absolute["maxImageMeta"] == 128


def test_usage_and_limits_are_the_callers_projects(compute: Compute) -> None:
    project = compute.alice.project_id
    compute.make(project=project, user=compute.alice.id)
    compute.make(project=project, user=compute.alice.id, vcpus=4, memory_mb=2048)
    compute.make(project=project, user=compute.alice.id, vm_state="deleted")
    compute.make(project=project, user=compute.alice.id, vm_state="soft-delete")
    compute.make(project=compute.bob.project_id)
    compute.call("PUT", f"/v2.1/os-quota-sets/{project}", headers=compute.admin,
                 body={"quota_set": {"cores": 8, "metadata_items": -1}})  # fmt: skip
    body = {"server_group": {"name": "g", "policies": ["affinity"]}}
    group = compute.call("POST", "/v2.1/os-server-groups", headers=compute.alice_h, body=body)
    assert group.status_code == 200, group.text
    absolute = compute.get("/v2.1/limits", headers=compute.alice_h).json["limits"]["absolute"]
    assert (absolute["totalInstancesUsed"], absolute["totalCoresUsed"]) == (2, 5)
    assert absolute["totalServerGroupsUsed"] == 1
    assert absolute["totalRAMUsed"] == 2560
    assert (absolute["maxTotalCores"], absolute["maxServerMeta"]) == (8, -1)
    bob = compute.get("/v2.1/limits", headers=compute.bob_h).json["limits"]["absolute"]
    assert (bob["totalInstancesUsed"], bob["maxTotalCores"]) == (1, 20)
    assert bob["totalServerGroupsUsed"] == 0


def test_tenant_id_is_for_admins(compute: Compute) -> None:
    project = compute.alice.project_id
    compute.make(project=project)
    for who in (compute.bob_h, compute.alice_h):
        refused = compute.get("/v2.1/limits", headers=who, query=f"tenant_id={project}")
        assert fault(refused) == (
            "forbidden",
            "Policy doesn't allow os_compute_api:limits:other_project to be performed.",
        )
    other = compute.get("/v2.1/limits", headers=compute.admin, query=f"tenant_id={project}")
    assert other.json["limits"]["absolute"]["totalInstancesUsed"] == 1
    own = compute.get("/v2.1/limits", headers=compute.admin)
    assert own.json["limits"]["absolute"]["totalInstancesUsed"] == 0


def test_unknown_query_parameters_are_refused_from_2_75(compute: Compute) -> None:
    ok = compute.get("/v2.1/limits", headers=compute.alice_h, version="2.74", query="x=1")
    assert ok.status_code == 200
    refused = compute.get("/v2.1/limits", headers=compute.alice_h, version="2.75", query="x=1")
    assert fault(refused) == (
        "badRequest",
        "Additional properties are not allowed ('x' was unexpected)",
    )


def test_the_legacy_v2_root(compute: Compute) -> None:
    project = compute.alice.project_id
    result = compute.get(f"/v2/{project}/limits", headers=compute.alice_h)
    assert "maxImageMeta" in result.json["limits"]["absolute"]
    assert compute.get("/v2.1/limits", headers={}).status_code == 401
