"""Availability zones of the network agents, networks' zone hints, and the floating IP pools a
project may allocate from."""

from __future__ import annotations

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.network import bootstrap
from tests.unit.cloud.network.helpers import build_net, error


def test_zones_of_the_dhcp_and_l3_agents(cloud_deps: CloudDeps) -> None:
    net = build_net(cloud_deps)
    zones = net.get("/availability_zones", net.admin).json["availability_zones"]
    assert zones == [{"name": "nova", "resource": "network", "state": "available"},
                     {"name": "nova", "resource": "router", "state": "available"}]  # fmt: skip
    routers = net.get("/availability_zones", net.admin, query="resource=router").json
    assert [z["resource"] for z in routers["availability_zones"]] == ["router"]
    assert net.get("/availability_zones", net.admin, query="name=mars").json == {
        "availability_zones": []}  # fmt: skip
    assert net.get("/availability_zones", net.admin, query="colour=red").status_code == 400
    # get_availability_zone is an admin's.
    assert net.get("/availability_zones", net.alice_h).json == {"availability_zones": []}
    dhcp = net.get("/agents", net.admin, query="agent_type=DHCP agent").json["agents"][0]
    net.call("PUT", f"/agents/{dhcp['id']}", net.admin, {"agent": {"admin_state_up": False}})
    states = {z["resource"]: z["state"] for z in
              net.get("/availability_zones", net.admin).json["availability_zones"]}  # fmt: skip
    assert states == {"network": "unavailable", "router": "available"}


def test_network_zone_hints(cloud_deps: CloudDeps) -> None:
    net = build_net(cloud_deps)
    hinted = net.network(net.alice_h, availability_zone_hints=["nova"])
    assert hinted["availability_zone_hints"] == ["nova"]
    assert hinted["availability_zones"] == []
    shown = net.get(f"/networks/{hinted['id']}", net.alice_h).json["network"]
    assert shown["availability_zone_hints"] == ["nova"]
    assert net.network(net.alice_h)["availability_zone_hints"] == []
    unknown = net.call("POST", "/networks", net.alice_h,
                       {"network": {"availability_zone_hints": ["mars"]}})  # fmt: skip
    assert error(unknown) == (404, "AvailabilityZoneNotFound",
                              "AvailabilityZone mars could not be found.")  # fmt: skip
    for hints in ("nova", ["nova", "nova"], [1]):
        bad = net.call("POST", "/networks", net.alice_h,
                       {"network": {"availability_zone_hints": hints}})  # fmt: skip
        assert error(bad)[0] == 400, hints
    fixed = net.call("PUT", f"/networks/{hinted['id']}", net.alice_h,
                     {"network": {"availability_zone_hints": []}})  # fmt: skip
    assert error(fixed)[0] == 400


def test_floating_ip_pools_are_the_external_ipv4_subnets(cloud_deps: CloudDeps) -> None:
    net = build_net(cloud_deps, public=True)
    extra = net.network(net.admin, **{"router:external": True})
    v4 = net.subnet(net.admin, extra["id"], "198.51.100.0/24", name="more")
    net.subnet(net.admin, extra["id"], "2001:db8:1::/64")
    private = net.network(net.alice_h)
    net.subnet(net.alice_h, private["id"], "10.1.0.0/24")
    result = net.get("/floatingip_pools", net.alice_h)
    assert result.status_code == 200, result.text
    pools = sorted(result.json["floatingip_pools"], key=lambda p: p["cidr"])
    assert pools == [
        {"subnet_id": bootstrap.PUBLIC_SUBNET_ID, "subnet_name": "public-subnet",
         "network_id": bootstrap.PUBLIC_NETWORK_ID, "cidr": "172.24.4.0/24",
         "tenant_id": net.alice.project_id, "project_id": net.alice.project_id},
        {"subnet_id": v4["id"], "subnet_name": "more", "network_id": extra["id"],
         "cidr": "198.51.100.0/24", "tenant_id": net.alice.project_id,
         "project_id": net.alice.project_id},
    ]  # fmt: skip
    first = net.get("/floatingip_pools", net.alice_h, query="limit=1").json
    (page,) = first["floatingip_pools"]
    rest = net.get("/floatingip_pools", net.alice_h,
                   query=f"limit=1&marker={page['subnet_id']}").json  # fmt: skip
    assert {page["subnet_id"], rest["floatingip_pools"][0]["subnet_id"]} == {
        p["subnet_id"] for p in pools}  # fmt: skip
    assert net.get("/floatingip_pools", net.alice_h, query="fields=cidr").json[
        "floatingip_pools"][0].keys() == {"cidr"}  # fmt: skip
