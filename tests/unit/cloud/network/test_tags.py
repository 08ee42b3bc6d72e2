"""Neutron's standard-attr-tag: tags on networks, subnets, ports, routers, floating IPs and
security groups, listed, replaced, checked, added and removed, shown in every view, and lists
filtered by them."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.store.models.network_quota import NetworkTag
from tests.unit.cloud.network.helpers import Headers, Net, build_net, error


@pytest.fixture
def net(cloud_deps: CloudDeps) -> Net:
    return build_net(cloud_deps, public=True)


def _resources(net: Net, h: Headers) -> dict[str, dict[str, Any]]:
    network = net.network(h)
    public = net.get("/networks", net.admin, query="router:external=true").json["networks"][0]
    return {
        "networks": network,
        "subnets": net.subnet(h, network["id"], "10.0.0.0/24"),
        "ports": net.port(h, network["id"]),
        "routers": net.made("/routers", h, {"router": {"name": "r"}}),
        "floatingips": net.made("/floatingips", h,
                                {"floatingip": {"floating_network_id": public["id"]}}),
        "security-groups": net.made("/security-groups", h, {"security_group": {"name": "g"}}),
    }  # fmt: skip


def _tags(net: Net, path: str, h: Headers) -> list[str]:
    result = net.get(f"{path}/tags", h)
    assert result.status_code == 200, result.text
    found: list[str] = result.json["tags"]
    return found


def test_each_resource_takes_tags_as_tempest_uses_them(net: Net) -> None:
    for collection, resource in _resources(net, net.alice_h).items():
        path = f"/{collection}/{resource['id']}"
        assert resource["tags"] == []
        before = net.get(path, net.alice_h).json
        (shown_before,) = before.values()
        assert net.call("PUT", f"{path}/tags/red", net.alice_h).status_code == 201
        assert net.call("GET", f"{path}/tags/red", net.alice_h).status_code == 204
        assert _tags(net, path, net.reader_h) == ["red"]
        replaced = net.call("PUT", f"{path}/tags", net.alice_h, {"tags": ["b", "a", "c"]})
        assert replaced.status_code == 200
        assert sorted(replaced.json["tags"]) == ["a", "b", "c"]
        (shown,) = net.get(path, net.alice_h).json.values()
        assert sorted(shown["tags"]) == ["a", "b", "c"]
        assert shown["revision_number"] > shown_before["revision_number"]
        assert net.call("DELETE", f"{path}/tags/a", net.alice_h).status_code == 204
        missing = net.call("GET", f"{path}/tags/a", net.alice_h)
        assert error(missing)[:2] == (404, "TagNotFound")
        assert sorted(_tags(net, path, net.alice_h)) == ["b", "c"]
        assert net.call("DELETE", f"{path}/tags", net.alice_h).status_code == 204
        assert _tags(net, path, net.alice_h) == []


def test_tags_show_in_lists_and_fields(net: Net) -> None:
    made = _resources(net, net.alice_h)
    for collection, resource in made.items():
        net.call("PUT", f"/{collection}/{resource['id']}/tags", net.alice_h, {"tags": ["x"]})
        key = collection.replace("-", "_")
        listed = net.get(f"/{collection}", net.alice_h, query=f"id={resource['id']}")
        assert listed.json[key][0]["tags"] == ["x"], collection
        only = net.get(f"/{collection}/{resource['id']}", net.alice_h, query="fields=tags")
        assert only.json[key[:-1]] == {"tags": ["x"]}


def test_lists_filter_by_tags(net: Net) -> None:
    ids = {}
    for name, tags in (("ab", ["a", "b"]), ("a", ["a"]), ("c", ["c"]), ("none", [])):
        made = net.network(net.alice_h, name=name)
        net.call("PUT", f"/networks/{made['id']}/tags", net.alice_h, {"tags": tags})
        ids[made["id"]] = name

    def names(query: str) -> list[str]:
        listed = net.get("/networks", net.alice_h, query=f"{query}&project_id="
                         f"{net.alice.project_id}").json["networks"]  # fmt: skip
        return sorted(ids[n["id"]] for n in listed)

    assert names("tags=a") == ["a", "ab"]
    assert names("tags=a,b") == ["ab"]
    assert names("tags=a&tags=b") == ["ab"]
    assert names("tags-any=b,c") == ["ab", "c"]
    assert names("not-tags=a,b") == ["a", "c", "none"]
    assert names("not-tags-any=a,c") == ["none"]
    assert names("tags=a&not-tags=b") == ["a"]


def test_a_tag_filter_on_an_untaggable_list_is_refused(net: Net) -> None:
    refused = net.get("/security-group-rules", net.alice_h, query="tags=a")
    assert error(refused)[:2] == (400, "HTTPBadRequest")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"tags": ["x" * 61]}, f"Invalid input for operation: '{'x' * 61}' exceeds maximum"
                               " length of 60."),
        ({"tags": ["a", "a"]}, "Invalid input for operation: Duplicate items in the list: 'a'."),
        ({"tags": "a"}, "Invalid input for operation: 'a' is not a list."),
        ({"tags": [1]}, "Invalid input for operation: '1' is not a valid string."),
        ({"tag": ["a"]}, "Invalid input for operation: Invalid tags body."),
    ],
)  # fmt: skip
def test_bad_tags_are_refused(net: Net, body: Any, message: str) -> None:
    network = net.network(net.alice_h)
    refused = net.call("PUT", f"/networks/{network['id']}/tags", net.alice_h, body)
    assert error(refused) == (400, "InvalidInput", message)
    assert _tags(net, f"/networks/{network['id']}", net.alice_h) == []


def test_a_tag_of_61_characters_is_refused_and_60_taken(net: Net) -> None:
    path = f"/networks/{net.network(net.alice_h)['id']}/tags"
    assert error(net.call("PUT", f"{path}/{'y' * 61}", net.alice_h))[:2] == (400, "InvalidInput")
    assert net.call("PUT", f"{path}/{'y' * 60}", net.alice_h).status_code == 201
    # Adding it again changes nothing.
    assert net.call("PUT", f"{path}/{'y' * 60}", net.alice_h).status_code == 201
    assert _tags(net, path[: -len("/tags")], net.alice_h) == ["y" * 60]


def test_who_may_read_and_change_tags(net: Net) -> None:
    mine = net.network(net.alice_h)
    shared = net.network(net.admin, shared=True)
    path = f"/networks/{mine['id']}/tags"
    # Another project does not see alice's network at all.
    assert error(net.get(path, net.bob_h))[:2] == (404, "NetworkNotFound")
    assert error(net.call("PUT", f"{path}/x", net.bob_h))[:2] == (404, "NetworkNotFound")
    # A reader reads, but does not change.
    refused = net.call("PUT", f"{path}/x", net.reader_h)
    assert error(refused) == (403, "PolicyNotAuthorized",
                              "rule:create_networks_tags is disallowed by policy")  # fmt: skip
    # A shared network is seen by all, changed by its owner (and admins).
    shared_path = f"/networks/{shared['id']}/tags"
    assert net.get(shared_path, net.bob_h).status_code == 200
    refused = net.call("PUT", shared_path, net.bob_h, {"tags": ["x"]})
    assert error(refused)[:2] == (403, "PolicyNotAuthorized")
    assert net.call("PUT", f"{path}/x", net.admin).status_code == 201
    missing = net.call("DELETE", f"/routers/{mine['id']}/tags/x", net.alice_h)
    assert error(missing)[:2] == (404, "RouterNotFound")


def test_the_extension_is_listed(net: Net) -> None:
    aliases = {e["alias"] for e in net.get("/extensions", net.alice_h).json["extensions"]}
    assert {"standard-attr-tag", "tag"} <= aliases


def test_a_deleted_resource_takes_its_tags_with_it(net: Net) -> None:
    made = _resources(net, net.alice_h)
    for collection, resource in made.items():
        put = net.call("PUT", f"/{collection}/{resource['id']}/tags", net.alice_h, {"tags": ["t"]})
        assert put.status_code == 200
    for collection in ("floatingips", "routers", "security-groups", "ports"):
        gone = net.call("DELETE", f"/{collection}/{made[collection]['id']}", net.alice_h)
        assert gone.status_code == 204, gone.text
    # The network's delete takes its subnet with it.
    assert net.call("DELETE", f"/networks/{made['networks']['id']}", net.alice_h).status_code == 204
    with net.deps.store.session() as session:
        assert session.scalars(select(NetworkTag.resource_id)).all() == []
