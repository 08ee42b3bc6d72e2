"""router1, as devstack makes it: the admin project's router from `public` to both subnets of
`private`, so that a project's port on `private` takes a floating IP on a fresh cloud. Made once:
bootstrapping again leaves it (and an admin's changes to it) alone, and a deleted one comes back
with the next start while both networks exist."""

from __future__ import annotations

from typing import Any

from falcon import testing

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.network import bootstrap, private_network
from pocketstack.cloud.network.app import create_app
from tests.fixtures.cloud import admin_token, create_user, issue_token


def _client(deps: CloudDeps) -> tuple[testing.TestClient, dict[str, str]]:
    return testing.TestClient(create_app(deps)), {"X-Auth-Token": admin_token(deps)}


def _get(client: testing.TestClient, headers: dict[str, str], path: str) -> Any:
    result = client.simulate_get(f"/v2.0{path}", headers=headers)
    assert result.status_code == 200, result.text
    return result.json


def test_router1_joins_public_and_private(cloud_deps: CloudDeps) -> None:
    client, admin = _client(cloud_deps)
    (router,) = _get(client, admin, "/routers?name=router1")["routers"]
    assert router["id"] == bootstrap.ROUTER_ID
    assert router["external_gateway_info"]["network_id"] == bootstrap.PUBLIC_NETWORK_ID
    ports = _get(client, admin, f"/ports?device_id={bootstrap.ROUTER_ID}")["ports"]
    inside = sorted(ip["ip_address"] for p in ports if p["network_id"] == private_network.NETWORK_ID
                    for ip in p["fixed_ips"])  # fmt: skip
    assert inside == ["10.0.0.1", "fd00:10::1"]
    assert len(ports) == 3


def test_a_projects_port_on_private_takes_a_floating_ip(cloud_deps: CloudDeps) -> None:
    client, _ = _client(cloud_deps)
    user = create_user(cloud_deps, name="dora", project_name="delta")
    member = {"X-Auth-Token": issue_token(cloud_deps, user_id=user.id, project_id=user.project_id)}
    on_private = {"port": {"network_id": private_network.NETWORK_ID}}
    port = client.simulate_post("/v2.0/ports", headers=member, json=on_private)
    assert port.status_code == 201, port.text
    body = {"floatingip": {"floating_network_id": bootstrap.PUBLIC_NETWORK_ID,
                           "port_id": port.json["port"]["id"]}}  # fmt: skip
    fip = client.simulate_post("/v2.0/floatingips", headers=member, json=body)
    assert fip.status_code == 201, fip.text
    assert fip.json["floatingip"]["router_id"] == bootstrap.ROUTER_ID


def test_made_once_and_again_when_deleted(cloud_deps: CloudDeps) -> None:
    client, admin = _client(cloud_deps)
    renamed = client.simulate_put(f"/v2.0/routers/{bootstrap.ROUTER_ID}", headers=admin,
                                  json={"router": {"name": "edge"}})  # fmt: skip
    assert renamed.status_code == 200
    bootstrap.bootstrap_network(cloud_deps)
    assert [r["name"] for r in _get(client, admin, "/routers")["routers"]] == ["edge"]
    for subnet_id, *_ in private_network.SUBNETS:
        gone = client.simulate_put(
            f"/v2.0/routers/{bootstrap.ROUTER_ID}/remove_router_interface", headers=admin,
            json={"subnet_id": subnet_id},
        )  # fmt: skip
        assert gone.status_code == 200, gone.text
    deleted = client.simulate_delete(f"/v2.0/routers/{bootstrap.ROUTER_ID}", headers=admin)
    assert deleted.status_code == 204, deleted.text
    bootstrap.bootstrap_network(cloud_deps)
    assert [r["name"] for r in _get(client, admin, "/routers")["routers"]] == ["router1"]
