"""Security groups: create, list, show, update, delete; each project's `default` group, made on
its first use with upstream's rules, named and kept as Neutron keeps it; who sees and changes
whose groups; Neutron's error bodies."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.store.models.network_security import DefaultSecurityGroup, SecurityGroup
from tests.unit.cloud.network.helpers import Headers, Net, build_net, error


@pytest.fixture
def net(cloud_deps: CloudDeps) -> Net:
    return build_net(cloud_deps)


def _groups(net: Net, headers: Headers, query: str | None = None) -> list[dict[str, Any]]:
    result = net.get("/security-groups", headers, query=query)
    assert result.status_code == 200, result.text
    groups: list[dict[str, Any]] = result.json["security_groups"]
    return groups


def _shape(rule: dict[str, Any]) -> tuple[Any, ...]:
    return (
        rule["direction"],
        rule["ethertype"],
        rule["protocol"],
        rule["remote_group_id"],
        rule["remote_ip_prefix"],
    )


def _defaults(deps: CloudDeps) -> int:
    with deps.store.session() as session:
        return int(session.scalar(select(func.count()).select_from(DefaultSecurityGroup)) or 0)


def test_the_first_list_makes_the_default_group_with_upstreams_rules(net: Net) -> None:
    assert _defaults(net.deps) == 0
    [default] = _groups(net, net.alice_h)
    assert (default["name"], default["description"]) == ("default", "Default security group")
    assert default["project_id"] == default["tenant_id"] == net.alice.project_id
    assert default["stateful"] is True
    assert sorted(_shape(r) for r in default["security_group_rules"]) == [
        ("egress", "IPv4", None, None, None),
        ("egress", "IPv6", None, None, None),
        ("ingress", "IPv4", None, default["id"], None),
        ("ingress", "IPv6", None, default["id"], None),
    ]
    for rule in default["security_group_rules"]:
        assert rule["belongs_to_default_sg"] is True
        assert rule["security_group_id"] == default["id"]
        assert rule["project_id"] == net.alice.project_id
    # Once: the next lists, and a reader of the project, find the same group.
    assert _groups(net, net.alice_h) == [default]
    assert _groups(net, net.reader_h) == [default]
    assert _defaults(net.deps) == 1
    assert net.get(f"/security-groups/{default['id']}", net.alice_h).json["security_group"] == (
        default
    )


def test_what_else_makes_the_default_group(net: Net) -> None:
    # A network (Neutron's NETWORK BEFORE_CREATE), a list of rules.
    net.network(net.alice_h)
    assert _defaults(net.deps) == 1
    net.get("/security-group-rules", net.bob_h)
    assert _defaults(net.deps) == 2
    # A member asking for another project's groups makes none (Neutron's bug 1987410); an admin
    # listing a project's makes that project's.
    assert _groups(net, net.alice_h, query="project_id=someone-else") == []
    assert _defaults(net.deps) == 2
    admin_view = _groups(net, net.admin, query="project_id=project-x")
    assert [(g["name"], g["project_id"]) for g in admin_view] == [("default", "project-x")]
    assert _defaults(net.deps) == 3
    with net.deps.store.session() as session:
        assert session.scalar(select(func.count()).select_from(SecurityGroup)) == 3
    assert [g["name"] for g in _groups(net, net.bob_h)] == ["default"]


def test_create_show_update_delete(net: Net) -> None:
    made = net.made(
        "/security-groups", net.alice_h, {"security_group": {"name": "web", "description": "front"}}
    )
    assert (made["name"], made["description"], made["stateful"]) == ("web", "front", True)
    assert made["revision_number"] == 1
    # A new group may send anything; only the default group takes from its own members.
    assert sorted(_shape(r) for r in made["security_group_rules"]) == [
        ("egress", "IPv4", None, None, None),
        ("egress", "IPv6", None, None, None),
    ]
    assert {r["belongs_to_default_sg"] for r in made["security_group_rules"]} == {False}
    # Its project got its default group first.
    assert sorted(g["name"] for g in _groups(net, net.alice_h)) == ["default", "web"]
    path = f"/security-groups/{made['id']}"
    changed = net.call(
        "PUT",
        path,
        net.alice_h,
        {"security_group": {"name": "www", "description": "", "stateful": False}},
    )
    assert changed.status_code == 200, changed.text
    updated = changed.json["security_group"]
    assert (updated["name"], updated["description"], updated["stateful"]) == ("www", "", False)
    assert updated["revision_number"] == 2
    assert net.get(path, net.alice_h, query="fields=name&fields=id").json == {
        "security_group": {"id": made["id"], "name": "www"}
    }
    assert net.call("DELETE", path, net.alice_h).status_code == 204
    assert error(net.get(path, net.alice_h)) == (
        404,
        "SecurityGroupNotFound",
        f"Security group {made['id']} does not exist",
    )
    # Its rules went with it.
    rules = net.get("/security-group-rules", net.alice_h).json["security_group_rules"]
    assert {r["security_group_id"] for r in rules} == {_groups(net, net.alice_h)[0]["id"]}


def test_bulk_create_and_list_controls(net: Net) -> None:
    body = {"security_groups": [{"name": f"g{i}", "stateful": i % 2 == 0} for i in range(4)]}
    result = net.call("POST", "/security-groups", net.alice_h, body)
    assert result.status_code == 201, result.text
    assert [g["name"] for g in result.json["security_groups"]] == ["g0", "g1", "g2", "g3"]
    names = [g["name"] for g in _groups(net, net.alice_h, query="sort_key=name&sort_dir=desc")]
    assert names == ["g3", "g2", "g1", "g0", "default"]
    stateless = _groups(net, net.alice_h, query="stateful=false")
    assert sorted(g["name"] for g in stateless) == ["g1", "g3"]
    page = net.get("/security-groups", net.alice_h, query="limit=2&sort_key=name&sort_dir=asc")
    assert [g["name"] for g in page.json["security_groups"]] == ["default", "g0"]
    assert page.json["security_groups_links"][0]["rel"] == "next"
    refused = net.get("/security-groups", net.alice_h, query="colour=red")
    assert error(refused) == (
        400,
        "HTTPBadRequest",
        "['colour'] is invalid attribute for filtering",
    )


def test_the_default_group_keeps_its_name_and_only_an_admin_deletes_it(net: Net) -> None:
    [default] = _groups(net, net.alice_h)
    path = f"/security-groups/{default['id']}"
    named = net.call(
        "POST", "/security-groups", net.alice_h, {"security_group": {"name": "Default"}}
    )
    assert error(named) == (
        409,
        "SecurityGroupDefaultAlreadyExists",
        "Default security group already exists.",
    )
    other = net.made("/security-groups", net.alice_h, {"security_group": {"name": "x"}})
    renamed = net.call(
        "PUT",
        f"/security-groups/{other['id']}",
        net.alice_h,
        {"security_group": {"name": "default"}},
    )
    assert error(renamed)[:2] == (409, "SecurityGroupDefaultAlreadyExists")
    rename = net.call("PUT", path, net.alice_h, {"security_group": {"name": "mine"}})
    assert error(rename) == (
        409,
        "SecurityGroupCannotUpdateDefault",
        "Updating default security group not allowed.",
    )
    described = net.call("PUT", path, net.alice_h, {"security_group": {"description": "d"}})
    assert described.json["security_group"]["description"] == "d"
    removal = net.call("DELETE", path, net.alice_h)
    assert error(removal) == (
        409,
        "SecurityGroupCannotRemoveDefault",
        "Insufficient rights for removing default security group.",
    )
    assert net.call("DELETE", path, net.admin).status_code == 204
    # The project's next request makes another one.
    [again] = [g for g in _groups(net, net.alice_h) if g["name"] == "default"]
    assert again["id"] != default["id"]
    assert _defaults(net.deps) == 1


def test_projects_see_and_change_their_own_groups(net: Net) -> None:
    mine = net.made("/security-groups", net.alice_h, {"security_group": {"name": "a"}})
    path = f"/security-groups/{mine['id']}"
    assert {g["id"] for g in _groups(net, net.bob_h)}.isdisjoint({mine["id"]})
    for method, body in (
        ("GET", None),
        ("PUT", {"security_group": {"name": "b"}}),
        ("DELETE", None),
    ):
        assert error(net.call(method, path, net.bob_h, body))[:2] == (404, "SecurityGroupNotFound")
    # The project's reader reads, and may not change.
    assert net.get(path, net.reader_h).status_code == 200
    assert error(net.call("PUT", path, net.reader_h, {"security_group": {"name": "b"}})) == (
        403,
        "PolicyNotAuthorized",
        "rule:update_security_group is disallowed by policy",
    )
    assert error(net.call("DELETE", path, net.reader_h))[:2] == (403, "PolicyNotAuthorized")
    assert error(
        net.call("POST", "/security-groups", net.reader_h, {"security_group": {"name": "r"}})
    ) == (403, "PolicyNotAuthorized", "rule:create_security_group is disallowed by policy")
    # Admins see every project's, and create for another project.
    assert mine["id"] in {
        g["id"] for g in _groups(net, net.admin, query="project_id=" + net.alice.project_id)
    }
    theirs = net.made(
        "/security-groups",
        net.admin,
        {"security_group": {"name": "given", "project_id": net.bob.project_id}},
    )
    assert theirs["project_id"] == net.bob.project_id
    assert "given" in {g["name"] for g in _groups(net, net.bob_h)}
    foreign = net.call(
        "POST",
        "/security-groups",
        net.alice_h,
        {"security_group": {"name": "n", "tenant_id": net.bob.project_id}},
    )
    assert error(foreign)[:2] == (400, "HTTPBadRequest")


def test_bodies_refused_in_neutrons_words(net: Net) -> None:
    cases: list[tuple[Any, tuple[int, str, str]]] = [
        (
            {"security_group": {"name": "x", "colour": 1}},
            (400, "HTTPBadRequest", "Unrecognized attribute(s) 'colour'"),
        ),
        (
            {"security_group": {"name": "x" * 256}},
            (
                400,
                "HTTPBadRequest",
                f"Invalid input for name. Reason: '{'x' * 77}...' exceeds maximum length of 255.",
            ),
        ),
        (
            {"security_group": {"stateful": "maybe"}},
            (
                400,
                "InvalidInput",
                "Invalid input for operation: 'maybe' cannot be converted to boolean.",
            ),
        ),
        (
            {"security_group": {"security_group_rules": []}},
            (400, "HTTPBadRequest", "Attribute 'security_group_rules' not allowed in POST"),
        ),
        (
            {"network": {}},
            (400, "HTTPBadRequest", "Unable to find 'security_group' in request body"),
        ),
    ]
    for body, expected in cases:
        assert error(net.call("POST", "/security-groups", net.alice_h, body)) == expected
    made = net.made("/security-groups", net.alice_h, {"security_group": {}})
    assert made["name"] == ""
    read_only = net.call(
        "PUT", f"/security-groups/{made['id']}", net.alice_h, {"security_group": {"id": made["id"]}}
    )
    assert error(read_only) == (400, "HTTPBadRequest", "Cannot update read-only attribute id")
    assert net.call("PATCH", "/security-groups", net.alice_h).status_code == 405
