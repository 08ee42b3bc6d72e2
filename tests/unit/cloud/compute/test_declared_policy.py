"""The policy rule and the microversion range that compute's declarations (compute/api.py) give
an operation are what a caller meets."""

from __future__ import annotations

from tests.unit.cloud.compute.helpers import Compute


def test_the_policy_rule_declared_is_the_one_enforced(compute: Compute) -> None:
    result = compute.call(
        "POST", "/v2.1/flavors", headers=compute.alice_h, body={"flavor": {"name": "f"}}
    )
    assert result.status_code == 403
    assert result.json["forbidden"]["message"] == (
        "Policy doesn't allow os_compute_api:os-flavor-manage:create to be performed."
    )


def test_an_operation_is_not_found_below_its_first_microversion(compute: Compute) -> None:
    path = f"/v2.1/servers/{compute.boot(compute.alice_h)}/tags"
    assert compute.get(path, headers=compute.alice_h, version="2.25").status_code == 404
    assert compute.get(path, headers=compute.alice_h, version="2.26").json == {"tags": []}
