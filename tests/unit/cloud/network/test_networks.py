"""The network API's documents, error body and networks: create (one and bulk), show, update,
delete, Neutron's request checks and its policy (owner or admin; shared and external networks
visible to every project; another project's private network is missing)."""

from __future__ import annotations

import pytest
from falcon import testing

from pocketstack.cloud.app import create_cloud_app
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.network.extensions import ALIASES
from tests.unit.cloud.network.helpers import Net, build_net, error


@pytest.fixture
def net(cloud_deps: CloudDeps) -> Net:
    return build_net(cloud_deps)


def test_version_documents(net: Net) -> None:
    versions = net.client.simulate_get("/")
    assert versions.status_code == 200
    (current,) = versions.json["versions"]
    assert (current["id"], current["status"]) == ("v2.0", "CURRENT")
    assert current["links"][0]["href"].endswith("/v2.0")
    assert net.client.simulate_get("/v2.0/").status_code == 401
    resources = net.get("/", net.alice_h).json["resources"]
    assert [r["collection"] for r in resources] == ["networks", "subnets", "ports"]


def test_the_cloud_serves_it_at_networking_with_a_catalog_entry(cloud_deps: CloudDeps) -> None:
    client = testing.TestClient(create_cloud_app(cloud_deps))  # type: ignore[arg-type]
    assert client.simulate_get("/networking/").json["versions"][0]["links"][0]["href"] == (
        "http://falconframework.org/networking/v2.0"
    )
    assert "networking" in [s["name"] for s in client.simulate_get("/").json["services"]]
    token = client.simulate_post(
        "/identity/v3/auth/tokens",
        json={
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {
                            "name": "admin",
                            "domain": {"id": "default"},
                            "password": "admin-secret-for-tests",
                        }
                    },
                },
                "scope": {"project": {"name": "admin", "domain": {"id": "default"}}},
            }
        },
    )
    catalog = {entry["type"]: entry for entry in token.json["token"]["catalog"]}
    urls = {e["url"] for e in catalog["network"]["endpoints"]}
    assert urls == {"http://cloud.test/networking"}
    assert catalog["network"]["name"] == "neutron"


def test_extensions_are_exactly_what_is_served(net: Net) -> None:
    listed = net.get("/extensions", net.alice_h).json["extensions"]
    assert {e["alias"] for e in listed} == ALIASES
    assert "security-group" in ALIASES
    assert "l3-flavors" not in ALIASES
    for ext in listed:
        assert net.get(f"/extensions/{ext['alias']}", net.alice_h).json["extension"] == ext
    assert error(net.get("/extensions/qos", net.alice_h)) == (
        404,
        "HTTPNotFound",
        "Extension with alias qos does not exist",
    )


def test_errors_are_neutron_errors(net: Net) -> None:
    missing = net.get("/networks/nope", net.alice_h)
    assert error(missing) == (404, "NetworkNotFound", "Network nope could not be found.")
    assert error(net.get("/qos/policies", net.alice_h))[:2] == (404, "HTTPNotFound")
    assert net.call("PATCH", "/networks", net.alice_h).status_code == 405
    unauthenticated = net.get("/networks", {})
    assert unauthenticated.status_code == 401
    assert unauthenticated.headers["WWW-Authenticate"].startswith("Keystone uri=")
    assert net.get("/networks", net.alice_h).headers["X-Openstack-Request-Id"].startswith("req-")


def test_create_show_update_delete(net: Net) -> None:
    made = net.network(net.alice_h, name="blue", description="d1")
    assert made["status"] == "ACTIVE"
    assert (made["mtu"], made["shared"], made["router:external"]) == (1500, False, False)
    assert made["project_id"] == made["tenant_id"] == net.alice.project_id
    assert made["port_security_enabled"] is True
    assert made["admin_state_up"] is True
    assert made["revision_number"] == 1
    assert made["created_at"].endswith("Z")
    assert net.get(f"/networks/{made['id']}", net.reader_h).json["network"] == made
    updated = net.call(
        "PUT",
        f"/networks/{made['id']}",
        net.alice_h,
        {"network": {"name": "green", "description": "d2", "mtu": 1400, "admin_state_up": "false"}},
    ).json["network"]
    assert (updated["name"], updated["description"], updated["mtu"]) == ("green", "d2", 1400)
    assert updated["admin_state_up"] is False
    assert updated["revision_number"] == 2
    assert net.call("DELETE", f"/networks/{made['id']}", net.alice_h).status_code == 204
    assert net.get(f"/networks/{made['id']}", net.alice_h).status_code == 404


def test_bulk_create(net: Net) -> None:
    result = net.call(
        "POST", "/networks", net.alice_h, {"networks": [{"name": "a"}, {"network": {"name": "b"}}]}
    )
    assert result.status_code == 201
    assert [n["name"] for n in result.json["networks"]] == ["a", "b"]
    bad = net.call("POST", "/networks", net.alice_h, {"networks": [{"name": "c"}, {"mtu": 9000}]})
    assert error(bad) == (
        400,
        "InvalidInput",
        "Invalid input for operation: Requested MTU is too big, maximum is 1500.",
    )
    names = [n["name"] for n in net.get("/networks", net.alice_h).json["networks"]]
    assert sorted(names) == ["a", "b"]  # the failed bulk created nothing


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, (400, "HTTPBadRequest", "Unable to find 'network' in request body")),
        (
            {"network": {"colour": "red"}},
            (400, "HTTPBadRequest", "Unrecognized attribute(s) 'colour'"),
        ),
        (
            {"network": {"status": "DOWN"}},
            (400, "HTTPBadRequest", "Attribute 'status' not allowed in POST"),
        ),
        (
            {"network": {"name": "x" * 256}},
            (
                400,
                "HTTPBadRequest",
                f"Invalid input for name. Reason: '{'x' * 77}...' exceeds maximum length of 255.",
            ),
        ),
        (
            {"network": {"admin_state_up": "maybe"}},
            (
                400,
                "InvalidInput",
                "Invalid input for operation: 'maybe' cannot be converted to boolean.",
            ),
        ),
        (
            {"network": {"tenant_id": "a", "project_id": "b"}},
            (400, "HTTPBadRequest", "'project_id' and 'tenant_id' do not match"),
        ),
        (
            {"network": {"project_id": "someone-else"}},
            (
                400,
                "HTTPBadRequest",
                "Specifying 'project_id' other than the authenticated project in"
                " request is not allowed for the current user.",
            ),
        ),
        ({"networks": []}, (400, "HTTPBadRequest", "Resources required")),
    ],
)
def test_create_refusals(net: Net, body: dict[str, object], expected: tuple[int, str, str]) -> None:
    assert error(net.call("POST", "/networks", net.alice_h, body)) == expected


def test_malformed_and_read_only(net: Net) -> None:
    raw = net.client.simulate_post("/v2.0/networks", headers=net.alice_h, body="{nope")
    assert error(raw) == (400, "HTTPBadRequest", "Body contains invalid data")
    made = net.network(net.alice_h)
    update = net.call("PUT", f"/networks/{made['id']}", net.alice_h, {"network": {"status": "x"}})
    assert error(update) == (400, "HTTPBadRequest", "Cannot update read-only attribute status")
    owner = net.call("PUT", f"/networks/{made['id']}", net.alice_h, {"network": {"tenant_id": "x"}})
    assert error(owner) == (400, "HTTPBadRequest", "Cannot update read-only attribute tenant_id")


def test_only_admins_share_or_make_external(net: Net) -> None:
    refused = net.call("POST", "/networks", net.alice_h, {"network": {"shared": True}})
    assert error(refused) == (
        403,
        "PolicyNotAuthorized",
        "(rule:create_network and rule:create_network:shared) is disallowed by policy",
    )
    # The default, named explicitly, is no privilege.
    assert net.network(net.alice_h, shared=False)["shared"] is False
    external = net.call("POST", "/networks", net.alice_h, {"network": {"router:external": True}})
    assert error(external)[:2] == (403, "PolicyNotAuthorized")
    mine = net.network(net.alice_h)
    to_shared = net.call(
        "PUT", f"/networks/{mine['id']}", net.alice_h, {"network": {"shared": False}}
    )
    assert error(to_shared)[2] == (
        "(rule:update_network and rule:update_network:shared) is disallowed by policy"
    )
    public = net.network(
        net.admin, name="public", **{"router:external": True}, project_id=net.bob.project_id
    )
    assert public["project_id"] == net.bob.project_id
    assert public["router:external"] is True


def test_projects_are_isolated_but_shared_and_external_networks_are_seen(net: Net) -> None:
    private = net.network(net.alice_h, name="private")
    shared = net.network(net.admin, name="shared", shared=True)
    external = net.network(net.admin, name="ext", **{"router:external": True})
    assert error(net.get(f"/networks/{private['id']}", net.bob_h))[:2] == (404, "NetworkNotFound")
    seen = {n["name"] for n in net.get("/networks", net.bob_h).json["networks"]}
    assert seen == {"shared", "ext"}
    assert {n["name"] for n in net.get("/networks", net.admin).json["networks"]} >= {
        "private",
        "shared",
        "ext",
    }
    # Seen but not theirs: 403; not seen: 404.
    rename = net.call("PUT", f"/networks/{shared['id']}", net.bob_h, {"network": {"name": "x"}})
    assert error(rename) == (
        403,
        "PolicyNotAuthorized",
        "rule:update_network is disallowed by policy",
    )
    assert net.call("DELETE", f"/networks/{external['id']}", net.bob_h).status_code == 403
    assert net.call("DELETE", f"/networks/{private['id']}", net.bob_h).status_code == 404
    # A reader reads, and changes nothing.
    assert net.get(f"/networks/{private['id']}", net.reader_h).status_code == 200
    assert net.call("POST", "/networks", net.reader_h, {"network": {}}).status_code == 403
    assert net.call("DELETE", f"/networks/{private['id']}", net.reader_h).status_code == 403


def test_unsharing_a_network_another_project_uses_is_refused(net: Net) -> None:
    shared = net.network(net.admin, shared=True)
    net.port(net.bob_h, shared["id"])
    unshare = net.call(
        "PUT", f"/networks/{shared['id']}", net.admin, {"network": {"shared": False}}
    )
    assert error(unshare)[:2] == (409, "InvalidSharedSetting")


def test_mtu_bounds(net: Net) -> None:
    assert net.network(net.alice_h, mtu=0)["mtu"] == 1500
    assert net.network(net.alice_h, mtu="1280")["mtu"] == 1280
    negative = net.call("POST", "/networks", net.alice_h, {"network": {"mtu": -1}})
    assert error(negative) == (
        400,
        "HTTPBadRequest",
        "Invalid input for mtu. Reason: '-1' should be non-negative.",
    )
    small = net.network(net.alice_h, mtu=1280)
    net.subnet(net.alice_h, small["id"], "2001:db8::/64")
    shrink = net.call("PUT", f"/networks/{small['id']}", net.alice_h, {"network": {"mtu": 1000}})
    assert error(shrink)[:2] == (409, "NetworkMTUSubnetConflict")


def test_delete_takes_subnets_and_dhcp_ports_but_not_other_ports(net: Net) -> None:
    made = net.network(net.alice_h)
    subnet = net.subnet(net.alice_h, made["id"], "10.0.0.0/24")
    dhcp = net.port(net.alice_h, made["id"], device_owner="network:dhcp")
    assert net.get(f"/networks/{made['id']}", net.alice_h).json["network"]["subnets"] == [
        subnet["id"]
    ]
    user = net.port(net.alice_h, made["id"])
    in_use = error(net.call("DELETE", f"/networks/{made['id']}", net.alice_h))
    assert in_use[:2] == (409, "NetworkInUse")
    assert "There are one or more ports still in use on the network" in in_use[2]
    assert user["id"] in in_use[2]
    assert dhcp["id"] not in in_use[2]
    assert net.call("DELETE", f"/ports/{user['id']}", net.alice_h).status_code == 204
    assert net.call("DELETE", f"/networks/{made['id']}", net.alice_h).status_code == 204
    assert net.get(f"/subnets/{subnet['id']}", net.alice_h).status_code == 404
    assert net.get(f"/ports/{dhcp['id']}", net.alice_h).status_code == 404


def test_show_fields(net: Net) -> None:
    made = net.network(net.alice_h)
    shown = net.get(f"/networks/{made['id']}", net.alice_h, query="fields=id&fields=mtu&fields=x")
    assert shown.json == {"network": {"id": made["id"], "mtu": 1500}}
