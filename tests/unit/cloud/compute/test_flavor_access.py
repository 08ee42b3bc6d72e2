"""Private flavors and who may use them: os-flavor-access, add/removeTenantAccess, and the
listing's `is_public` for admins."""

from __future__ import annotations

from typing import Any

from tests.unit.cloud.compute.helpers import Compute, fault

ACTION = "/v2.1/flavors/priv/action"


def _private(compute: Compute) -> None:
    body = {
        "flavor": {
            "name": "priv",
            "ram": 64,
            "vcpus": 1,
            "disk": 0,
            "id": "priv",
            "os-flavor-access:is_public": False,
        }
    }
    assert (
        compute.call("POST", "/v2.1/flavors", headers=compute.admin, body=body).status_code == 200
    )


def _act(compute: Compute, name: str, tenant: str, headers: dict[str, str] | None = None) -> Any:
    return compute.call(
        "POST", ACTION, headers=headers or compute.admin, body={name: {"tenant": tenant}}
    )


def _ids(compute: Compute, headers: dict[str, str], **params: str) -> list[str]:
    result = compute.get("/v2.1/flavors", headers=headers, params=params)
    assert result.status_code == 200, result.text
    return [f["id"] for f in result.json["flavors"]]


def test_grant_and_revoke(compute: Compute) -> None:
    _private(compute)
    alpha = compute.alice.project_id
    listing = "/v2.1/flavors/priv/os-flavor-access"
    assert compute.get(listing, headers=compute.admin).json == {"flavor_access": []}
    assert compute.get("/v2.1/flavors/priv", headers=compute.alice_h).status_code == 404
    assert "priv" not in _ids(compute, compute.alice_h)
    added = _act(compute, "addTenantAccess", alpha)
    assert added.status_code == 200
    assert added.json == {"flavor_access": [{"flavor_id": "priv", "tenant_id": alpha}]}
    assert compute.get("/v2.1/flavors/priv", headers=compute.alice_h).status_code == 200
    assert "priv" in _ids(compute, compute.alice_h)
    assert "priv" not in _ids(compute, compute.bob_h)
    assert compute.get("/v2.1/flavors/priv", headers=compute.bob_h).status_code == 404
    assert fault(_act(compute, "addTenantAccess", alpha)) == (
        "conflictingRequest",
        f"Flavor access already exists for flavor priv and project {alpha} combination.",
    )
    removed = _act(compute, "removeTenantAccess", alpha)
    assert removed.json == {"flavor_access": []}
    assert fault(_act(compute, "removeTenantAccess", alpha)) == (
        "itemNotFound",
        f"Flavor access not found for priv / {alpha} combination.",
    )
    assert "priv" not in _ids(compute, compute.alice_h)


def test_public_flavors_and_refusals(compute: Compute) -> None:
    _private(compute)
    public = compute.get("/v2.1/flavors/1/os-flavor-access", headers=compute.admin)
    assert fault(public) == ("itemNotFound", "Access list not available for public flavors.")
    to_public = compute.call(
        "POST",
        "/v2.1/flavors/1/action",
        headers=compute.admin,
        version="2.7",
        body={"addTenantAccess": {"tenant": "abc"}},
    )
    assert fault(to_public) == ("conflictingRequest", "Can not add access to a public flavor.")
    member = _act(compute, "addTenantAccess", "abc", headers=compute.alice_h)
    assert member.status_code == 403
    assert "os-flavor-access:add_tenant_access" in member.json["forbidden"]["message"]
    assert (
        compute.get("/v2.1/flavors/priv/os-flavor-access", headers=compute.alice_h).status_code
        == 403
    )
    unknown = compute.call("POST", ACTION, headers=compute.admin, body={"shareIt": {}})
    assert fault(unknown) == ("badRequest", "There is no such action: shareIt")
    no_tenant = compute.call("POST", ACTION, headers=compute.admin, body={"addTenantAccess": {}})
    assert no_tenant.status_code == 400
    missing = compute.call(
        "POST",
        "/v2.1/flavors/nope/action",
        headers=compute.admin,
        body={"addTenantAccess": {"tenant": "abc"}},
    )
    assert fault(missing) == ("itemNotFound", "Flavor nope could not be found.")


def test_is_public_for_admins(compute: Compute) -> None:
    _private(compute)
    assert "priv" not in _ids(compute, compute.admin)
    assert _ids(compute, compute.admin, is_public="false") == ["priv"]
    assert _ids(compute, compute.admin, is_public=" No ") == ["priv"]
    assert "priv" in _ids(compute, compute.admin, is_public="None")
    assert "priv" not in _ids(compute, compute.admin, is_public="t")
    bad = compute.get("/v2.1/flavors", headers=compute.admin, params={"is_public": "maybe"})
    assert fault(bad) == ("badRequest", "Invalid is_public filter [maybe]")
    # A member's is_public is not theirs to choose.
    assert "priv" not in _ids(compute, compute.alice_h, is_public="false")


def test_deleted_flavor_leaves_servers_their_copy(compute: Compute) -> None:
    _private(compute)
    _act(compute, "addTenantAccess", compute.alice.project_id)
    server = compute.make(
        project=compute.alice.project_id, flavor_id="priv", flavor_name="priv", memory_mb=64
    )
    assert compute.call("DELETE", "/v2.1/flavors/priv", headers=compute.admin).status_code == 202
    shown = compute.get(f"/v2.1/servers/{server}", headers=compute.alice_h, version="2.47")
    assert shown.json["server"]["flavor"]["original_name"] == "priv"
    assert shown.json["server"]["flavor"]["ram"] == 64
