"""Neutron's quotas: a project's limits shown, set and reset by an admin, its usage beside them,
and every create refused with OverQuota (409) once a limit is reached, bulk creates counting
every item."""

from __future__ import annotations

from typing import Any

import pytest

from pocketstack.cloud.deps import CloudDeps
from tests.unit.cloud.network.helpers import Net, build_net, error

DEFAULTS = {"network": 100, "subnet": 100, "port": 500, "router": 10, "floatingip": 50,
            "security_group": 10, "security_group_rule": 100}  # fmt: skip


@pytest.fixture
def net(cloud_deps: CloudDeps) -> Net:
    return build_net(cloud_deps, public=True)


def _set(net: Net, project: str, **limits: int) -> dict[str, Any]:
    result = net.call("PUT", f"/quotas/{project}", net.admin, {"quota": limits})
    assert result.status_code == 200, result.text
    quota: dict[str, Any] = result.json["quota"]
    return quota


def _over(result: Any, resource: str) -> None:
    assert error(result) == (409, "OverQuota", f"Quota exceeded for resources: ['{resource}'].")


def test_a_project_has_neutrons_defaults_until_an_admin_sets_a_limit(net: Net) -> None:
    project = net.alice.project_id
    assert net.get(f"/quotas/{project}", net.alice_h).json == {"quota": DEFAULTS}
    assert net.get(f"/quotas/{project}/default", net.alice_h).json == {"quota": DEFAULTS}
    assert net.get("/quotas", net.admin).json == {"quotas": []}
    assert _set(net, project, network=3, port=-1) == {**DEFAULTS, "network": 3, "port": -1}
    assert net.get(f"/quotas/{project}", net.reader_h).json["quota"]["network"] == 3
    assert net.get(f"/quotas/{project}/default", net.alice_h).json == {"quota": DEFAULTS}
    listed = net.get("/quotas", net.admin).json["quotas"]
    assert listed == [{**DEFAULTS, "network": 3, "port": -1, "project_id": project,
                       "tenant_id": project}]  # fmt: skip
    # A member lists only their own project's.
    assert net.get("/quotas", net.bob_h).json == {"quotas": []}
    assert net.call("DELETE", f"/quotas/{project}", net.admin).status_code == 204
    assert net.get(f"/quotas/{project}", net.alice_h).json == {"quota": DEFAULTS}
    assert net.get("/quotas", net.admin).json == {"quotas": []}
    # Nothing left to reset.
    again = net.call("DELETE", f"/quotas/{project}", net.admin)
    assert error(again) == (404, "TenantQuotaNotFound",
                            f"Quota for tenant {project} could not be found.")  # fmt: skip


def test_only_an_admin_reads_another_projects_quota_or_changes_any(net: Net) -> None:
    alpha = net.alice.project_id
    assert error(net.get(f"/quotas/{alpha}", net.bob_h))[:2] == (403, "PolicyNotAuthorized")
    assert error(net.get(f"/quotas/{alpha}/details", net.bob_h))[:2] == (
        403, "PolicyNotAuthorized")  # fmt: skip
    for headers in (net.alice_h, net.bob_h):
        refused = net.call("PUT", f"/quotas/{alpha}", headers, {"quota": {"network": 1}})
        assert error(refused) == (403, "PolicyNotAuthorized",
                                  "rule:update_quota is disallowed by policy")  # fmt: skip
        assert error(net.call("DELETE", f"/quotas/{alpha}", headers))[:2] == (
            403, "PolicyNotAuthorized")  # fmt: skip
    assert net.get(f"/quotas/{alpha}", net.admin).status_code == 200


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"quota": {"network": -2}},
         "Invalid input for network. Reason: '-2' is too small - must be at least '-1'."),
        ({"quota": {"network": 2**31}},
         f"Invalid input for network. Reason: '{2**31}' is too large - must be no more than"
         f" '{2**31 - 1}'."),
        ({"quota": {"network": "many"}}, "Invalid input for operation: 'many' is not an integer."),
        ({"quota": {"volumes": 1}}, "Unrecognized attribute(s) 'volumes'"),
        ({"quotas": {"network": 1}}, "Unable to find 'quota' in request body"),
    ],
)  # fmt: skip
def test_a_bad_limit_is_refused(net: Net, body: Any, message: str) -> None:
    result = net.call("PUT", f"/quotas/{net.alice.project_id}", net.admin, body)
    assert result.status_code == 400
    assert error(result)[2] == message
    assert net.get(f"/quotas/{net.alice.project_id}", net.admin).json == {"quota": DEFAULTS}


def test_a_limit_given_as_text_is_taken(net: Net) -> None:
    assert _set(net, net.alice.project_id, router="4")["router"] == 4  # type: ignore[arg-type]


def test_details_count_what_the_project_holds(net: Net) -> None:
    project = net.alice.project_id
    network = net.network(net.alice_h)
    net.subnet(net.alice_h, network["id"], "10.0.0.0/24")
    net.port(net.alice_h, network["id"])
    for path in (f"/quotas/{project}/details", f"/quotas/{project}/details.json"):
        details = net.get(path, net.alice_h).json["quota"]
        assert set(details) == set(DEFAULTS)
        assert details["network"] == {"limit": 100, "used": 1, "reserved": 0}
        assert details["subnet"]["used"] == 1
        assert details["port"]["used"] == 1
        # The default group the first network made, with its four rules.
        assert details["security_group"]["used"] == 1
        assert details["security_group_rule"]["used"] == 4
        assert details["router"]["used"] == details["floatingip"]["used"] == 0


def test_check_limit_refuses_a_limit_below_usage(net: Net) -> None:
    project = net.alice.project_id
    net.network(net.alice_h)
    net.network(net.alice_h)
    body = {"quota": {"network": 1, "check_limit": True}}
    refused = net.call("PUT", f"/quotas/{project}", net.admin, body)
    assert error(refused) == (400, "HTTPBadRequest", "Quota limit 1 for network must be greater"
                              " than or equal to already used 2")  # fmt: skip
    # Without it the limit is set, and the next create is refused.
    assert _set(net, project, network=1)["network"] == 1
    _over(net.call("POST", "/networks", net.alice_h, {"network": {"name": "n"}}), "network")


def test_every_create_stops_at_its_limit(net: Net) -> None:
    project = net.alice.project_id
    network = net.network(net.alice_h)
    subnet = net.subnet(net.alice_h, network["id"], "10.0.0.0/24")
    net.port(net.alice_h, network["id"])
    group = net.made("/security-groups", net.alice_h, {"security_group": {"name": "web"}})
    router = net.made("/routers", net.alice_h, {"router": {"name": "r"}})
    public = net.get("/networks", net.admin, query="router:external=true").json["networks"][0]
    net.made("/floatingips", net.alice_h, {"floatingip": {"floating_network_id": public["id"]}})
    # What each holds now: 1 of each, 2 groups (with default) and 6 rules.
    _set(net, project, network=1, subnet=1, port=1, router=1, floatingip=1, security_group=2,
         security_group_rule=6)  # fmt: skip
    creates = {
        "network": ("/networks", {"network": {"name": "more"}}),
        "subnet": ("/subnets", {"subnet": {"network_id": network["id"], "cidr": "10.0.1.0/24",
                                           "ip_version": 4}}),
        "port": ("/ports", {"port": {"network_id": network["id"]}}),
        "router": ("/routers", {"router": {"name": "more"}}),
        "floatingip": ("/floatingips", {"floatingip": {"floating_network_id": public["id"]}}),
        "security_group": ("/security-groups", {"security_group": {"name": "more"}}),
        "security_group_rule": ("/security-group-rules", {"security_group_rule": {
            "security_group_id": group["id"], "direction": "ingress", "protocol": "tcp"}}),
    }  # fmt: skip
    for resource, (path, body) in creates.items():
        _over(net.call("POST", path, net.alice_h, body), resource)
    used = net.get(f"/quotas/{project}/details", net.alice_h).json["quota"]
    assert {name: d["used"] for name, d in used.items()} == {
        "network": 1, "subnet": 1, "port": 1, "router": 1, "floatingip": 1,
        "security_group": 2, "security_group_rule": 6}  # fmt: skip
    # Another project is not held to alice's limits.
    assert net.call("POST", "/routers", net.bob_h, {"router": {"name": "b"}}).status_code == 201
    # Freeing one makes room for one.
    assert net.call("DELETE", f"/routers/{router['id']}", net.alice_h).status_code == 204
    assert net.call("POST", "/routers", net.alice_h, {"router": {"name": "r2"}}).status_code == 201
    assert subnet["id"]


def test_a_bulk_create_counts_every_item(net: Net) -> None:
    _set(net, net.alice.project_id, network=3)
    net.network(net.alice_h)
    three = {"networks": [{"name": f"n{i}"} for i in range(3)]}
    _over(net.call("POST", "/networks", net.alice_h, three), "network")
    mine = net.get("/networks", net.alice_h, query=f"project_id={net.alice.project_id}")
    assert len(mine.json["networks"]) == 1
    two = {"networks": [{"name": f"n{i}"} for i in range(2)]}
    assert net.call("POST", "/networks", net.alice_h, two).status_code == 201


def test_an_admins_create_for_a_project_counts_against_that_project(net: Net) -> None:
    _set(net, net.bob.project_id, network=0)
    body = {"network": {"name": "n", "project_id": net.bob.project_id}}
    _over(net.call("POST", "/networks", net.admin, body), "network")
    assert net.call("POST", "/networks", net.admin, {"network": {"name": "n"}}).status_code == 201


def test_the_extensions_are_listed(net: Net) -> None:
    aliases = {e["alias"] for e in net.get("/extensions", net.alice_h).json["extensions"]}
    assert {"quotas", "quota_details"} <= aliases
