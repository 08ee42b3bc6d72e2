"""Ports: addresses allocated from the pools or asked for, SLAAC addresses from the MAC, MAC
addresses unique per network, fixed IPs changed, address pairs and port security, bindings shown
to admins only, and who may put a port on whose network."""

from __future__ import annotations

import pytest

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.network.ipam import eui64
from tests.unit.cloud.network.helpers import Net, build_net, error


@pytest.fixture
def net(cloud_deps: CloudDeps) -> Net:
    return build_net(cloud_deps)


def test_eui64_is_rfc_4291s() -> None:
    assert eui64("2001:db8::/64", "00:16:3e:33:44:55") == "2001:db8::216:3eff:fe33:4455"
    assert eui64("2001:db8:1:2::/64", "fa:16:3e:0e:6c:31") == "2001:db8:1:2:f816:3eff:fe0e:6c31"


def test_addresses_from_the_pools_and_slaac(net: Net) -> None:
    n = net.network(net.alice_h)
    v4 = net.subnet(net.alice_h, n["id"], "10.0.0.0/24")
    stateful = net.subnet(
        net.alice_h,
        n["id"],
        "2001:db8:1::/64",
        ipv6_address_mode="dhcpv6-stateful",
        ipv6_ra_mode="dhcpv6-stateful",
    )
    slaac = net.subnet(net.alice_h, n["id"], "2001:db8:2::/64", ipv6_address_mode="slaac")
    first = net.port(net.alice_h, n["id"], name="p1")
    assert first["mac_address"].startswith("fa:16:3e:")
    assert (first["status"], first["binding:vnic_type"]) == ("DOWN", "normal")
    assert first["fixed_ips"] == [
        {"subnet_id": v4["id"], "ip_address": "10.0.0.2"},
        {"subnet_id": stateful["id"], "ip_address": "2001:db8:1::2"},
        {"subnet_id": slaac["id"], "ip_address": eui64(slaac["cidr"], first["mac_address"])},
    ]
    second = net.port(net.alice_h, n["id"])
    assert second["fixed_ips"][0]["ip_address"] == "10.0.0.3"
    assert net.get(f"/ports/{first['id']}", net.alice_h).json["port"] == first


def test_asking_for_addresses(net: Net) -> None:
    n = net.network(net.alice_h)
    v4 = net.subnet(net.alice_h, n["id"], "10.0.0.0/24")
    other = net.subnet(net.alice_h, n["id"], "10.0.1.0/24")
    named = net.port(net.alice_h, n["id"], fixed_ips=[{"ip_address": "10.0.1.200"}])
    assert named["fixed_ips"] == [{"subnet_id": other["id"], "ip_address": "10.0.1.200"}]
    both = net.port(
        net.alice_h, n["id"], fixed_ips=[{"subnet_id": v4["id"]}, {"subnet_id": other["id"]}]
    )
    assert [ip["subnet_id"] for ip in both["fixed_ips"]] == [v4["id"], other["id"]]
    # Outside the pools, asked for explicitly: taken.
    assert net.port(
        net.alice_h, n["id"], fixed_ips=[{"subnet_id": v4["id"], "ip_address": "10.0.0.1"}]
    )
    taken = net.call(
        "POST",
        "/ports",
        net.alice_h,
        {"port": {"network_id": n["id"], "fixed_ips": [{"ip_address": "10.0.1.200"}]}},
    )
    assert error(taken) == (
        409,
        "IpAddressAlreadyAllocated",
        f"IP address 10.0.1.200 already allocated in subnet {other['id']}",
    )
    cases = [
        (
            [{"ip_address": "10.9.0.5"}],
            (
                400,
                "InvalidIpForNetwork",
                "IP address 10.9.0.5 is not a"
                " valid IP for any of the subnets on the specified network.",
            ),
        ),
        (
            [{"subnet_id": v4["id"], "ip_address": "10.0.0.255"}],
            (
                400,
                "InvalidIpForSubnet",
                "IP address 10.0.0.255 is not a valid IP for the specified subnet.",
            ),
        ),
        (
            [{}],
            (
                400,
                "InvalidInput",
                "Invalid input for operation: IP allocation requires subnet_id or ip_address.",
            ),
        ),
        (
            [{"ip_address": "10.0.0.9"}, {"ip_address": "10.0.0.9"}],
            (
                400,
                "HTTPBadRequest",
                "Invalid input for fixed_ips. Reason: Duplicate IP address '10.0.0.9'.",
            ),
        ),
    ]
    for fixed_ips, expected in cases:
        refused = net.call(
            "POST", "/ports", net.alice_h, {"port": {"network_id": n["id"], "fixed_ips": fixed_ips}}
        )
        assert error(refused) == expected
    elsewhere = net.network(net.alice_h)
    foreign = net.subnet(net.alice_h, elsewhere["id"], "10.5.0.0/24")
    wrong = net.call(
        "POST",
        "/ports",
        net.alice_h,
        {"port": {"network_id": n["id"], "fixed_ips": [{"subnet_id": foreign["id"]}]}},
    )
    assert error(wrong)[:2] == (400, "InvalidInput")


def test_exhaustion_and_release(net: Net) -> None:
    n = net.network(net.alice_h)
    net.subnet(net.alice_h, n["id"], "10.0.0.0/29")  # .2 to .6
    ports = [net.port(net.alice_h, n["id"]) for _ in range(5)]
    full = net.call("POST", "/ports", net.alice_h, {"port": {"network_id": n["id"]}})
    assert error(full) == (
        409,
        "IpAddressGenerationFailure",
        f"No more IP addresses available on network {n['id']}.",
    )
    assert net.call("DELETE", f"/ports/{ports[2]['id']}", net.alice_h).status_code == 204
    again = net.port(net.alice_h, n["id"])
    assert again["fixed_ips"][0]["ip_address"] == ports[2]["fixed_ips"][0]["ip_address"]


def test_a_port_on_a_network_without_subnets_has_no_address(net: Net) -> None:
    n = net.network(net.alice_h)
    assert net.port(net.alice_h, n["id"])["fixed_ips"] == []
    refused = net.call(
        "POST",
        "/ports",
        net.alice_h,
        {"port": {"network_id": n["id"], "fixed_ips": [{"ip_address": "10.0.0.2"}]}},
    )
    assert error(refused) == (
        400,
        "InvalidInput",
        "Invalid input for operation: IP allocation requires subnets for network.",
    )


def test_slaac_addresses_cannot_be_chosen(net: Net) -> None:
    n = net.network(net.alice_h)
    slaac = net.subnet(net.alice_h, n["id"], "2001:db8::/64", ipv6_address_mode="slaac")
    refused = net.call(
        "POST",
        "/ports",
        net.alice_h,
        {
            "port": {
                "network_id": n["id"],
                "mac_address": "fa:16:3e:00:00:01",
                "fixed_ips": [{"subnet_id": slaac["id"], "ip_address": "2001:db8::5"}],
            }
        },
    )
    assert error(refused)[:2] == (400, "InvalidInput")
    assert "configured for automatic addresses" in error(refused)[2]


def test_mac_addresses(net: Net) -> None:
    n = net.network(net.alice_h)
    chosen = net.port(net.alice_h, n["id"], mac_address="FA-16-3E-AA-BB-CC")
    assert chosen["mac_address"] == "fa:16:3e:aa:bb:cc"
    twice = net.call(
        "POST",
        "/ports",
        net.alice_h,
        {"port": {"network_id": n["id"], "mac_address": "fa:16:3e:aa:bb:cc"}},
    )
    assert error(twice) == (
        409,
        "MacAddressInUse",
        f"Unable to complete operation for network"
        f" {n['id']}. The mac address fa:16:3e:aa:bb:cc is in use.",
    )
    other = net.network(net.alice_h)
    assert net.port(net.alice_h, other["id"], mac_address="fa:16:3e:aa:bb:cc")
    bad = net.call(
        "POST",
        "/ports",
        net.alice_h,
        {"port": {"network_id": n["id"], "mac_address": "00:00:00:00:00:00"}},
    )
    assert error(bad) == (
        400,
        "HTTPBadRequest",
        "Invalid input for mac_address. Reason: '00:00:00:00:00:00' is not a valid MAC address.",
    )
    freed = net.port(net.alice_h, n["id"])
    assert net.call("DELETE", f"/ports/{freed['id']}", net.alice_h).status_code == 204
    reuse = net.port(net.alice_h, n["id"], mac_address=freed["mac_address"])
    assert reuse["mac_address"] == freed["mac_address"]


def test_update_fixed_ips_and_attributes(net: Net) -> None:
    n = net.network(net.alice_h)
    one = net.subnet(net.alice_h, n["id"], "10.0.0.0/24")
    two = net.subnet(net.alice_h, n["id"], "10.0.1.0/24")
    port = net.port(
        net.alice_h, n["id"], fixed_ips=[{"subnet_id": one["id"]}, {"subnet_id": two["id"]}]
    )
    path = f"/ports/{port['id']}"
    single = net.call(
        "PUT",
        path,
        net.alice_h,
        {
            "port": {
                "fixed_ips": [{"subnet_id": one["id"]}],
                "name": "New_Port",
                "admin_state_up": False,
            }
        },
    ).json["port"]
    assert single["fixed_ips"] == [port["fixed_ips"][0]]
    assert (single["name"], single["admin_state_up"], single["revision_number"]) == (
        "New_Port",
        False,
        2,
    )
    again = net.call(
        "PUT",
        path,
        net.alice_h,
        {"port": {"fixed_ips": [{"subnet_id": one["id"]}, {"subnet_id": two["id"]}]}},
    ).json["port"]
    assert [ip["subnet_id"] for ip in again["fixed_ips"]] == [one["id"], two["id"]]
    moved = net.call(
        "PUT", path, net.alice_h, {"port": {"fixed_ips": [{"ip_address": "10.0.0.99"}]}}
    ).json["port"]
    assert moved["fixed_ips"] == [{"subnet_id": one["id"], "ip_address": "10.0.0.99"}]
    assert net.port(net.alice_h, n["id"], fixed_ips=[{"ip_address": "10.0.0.2"}])
    read_only = net.call("PUT", path, net.alice_h, {"port": {"network_id": n["id"]}})
    assert error(read_only) == (
        400,
        "HTTPBadRequest",
        "Cannot update read-only attribute network_id",
    )


def test_address_pairs_and_port_security(net: Net) -> None:
    n = net.network(net.alice_h)
    net.subnet(net.alice_h, n["id"], "10.0.0.0/24")
    pairs = [
        {"ip_address": "10.0.0.0/28"},
        {"ip_address": "10.0.0.50", "mac_address": "fa:16:3e:01:02:03"},
    ]
    port = net.port(net.alice_h, n["id"], allowed_address_pairs=pairs)
    assert port["allowed_address_pairs"] == [
        {"ip_address": "10.0.0.0/28", "mac_address": port["mac_address"]},
        {"ip_address": "10.0.0.50", "mac_address": "fa:16:3e:01:02:03"},
    ]
    off = net.call(
        "PUT", f"/ports/{port['id']}", net.alice_h, {"port": {"port_security_enabled": False}}
    )
    assert error(off) == (
        409,
        "AddressPairAndPortSecurityRequired",
        "Port Security must be enabled in order to have allowed address pairs on a port.",
    )
    cleared = net.call(
        "PUT",
        f"/ports/{port['id']}",
        net.alice_h,
        {
            "port": {
                "port_security_enabled": False,
                "allowed_address_pairs": [],
                "security_groups": [],
            }
        },
    ).json["port"]
    assert cleared["port_security_enabled"] is False
    assert cleared["allowed_address_pairs"] == []
    insecure = net.network(net.alice_h, port_security_enabled=False)
    assert net.port(net.alice_h, insecure["id"])["port_security_enabled"] is False
    groups = net.call(
        "POST",
        "/ports",
        net.alice_h,
        {
            "port": {
                "network_id": n["id"],
                "security_groups": ["6bf0b0c8-0cda-4d1e-9b31-0b1e8bd1d7c0"],
            }
        },
    )
    assert error(groups)[:2] == (404, "SecurityGroupNotFound")
    assert net.port(net.alice_h, n["id"], security_groups=[])["security_groups"] == []


def test_bindings_are_shown_and_set_by_admins_only(net: Net) -> None:
    n = net.network(net.alice_h)
    port = net.port(net.alice_h, n["id"], **{"binding:vnic_type": "direct"})
    assert port["binding:vnic_type"] == "direct"
    assert "binding:host_id" not in port
    assert "binding:vif_type" not in port
    as_admin = net.get(f"/ports/{port['id']}", net.admin).json["port"]
    assert (as_admin["binding:host_id"], as_admin["binding:vif_type"]) == ("", "unbound")
    assert as_admin["binding:profile"] == {}
    assert as_admin["binding:vif_details"] == {}
    refused = net.call(
        "PUT", f"/ports/{port['id']}", net.alice_h, {"port": {"binding:host_id": "compute-1"}}
    )
    assert error(refused) == (
        403,
        "PolicyNotAuthorized",
        "(rule:update_port and rule:update_port:binding:host_id) is disallowed by policy",
    )
    bound = net.call(
        "PUT", f"/ports/{port['id']}", net.admin, {"port": {"binding:host_id": "compute-1"}}
    ).json["port"]
    assert bound["binding:host_id"] == "compute-1"
    assert (
        net.get("/ports", net.admin, query="binding:host_id=compute-1").json["ports"][0]["id"]
        == port["id"]
    )


def test_ports_on_shared_and_private_networks(net: Net) -> None:
    shared = net.network(net.admin, shared=True)
    subnet = net.subnet(net.admin, shared["id"], "10.0.0.0/24")
    private = net.network(net.alice_h)
    mine = net.port(net.bob_h, shared["id"], fixed_ips=[{"subnet_id": subnet["id"]}])
    assert mine["project_id"] == net.bob.project_id
    chosen = net.call(
        "POST",
        "/ports",
        net.bob_h,
        {"port": {"network_id": shared["id"], "fixed_ips": [{"ip_address": "10.0.0.50"}]}},
    )
    assert error(chosen) == (
        403,
        "PolicyNotAuthorized",
        "(rule:create_port and rule:create_port:fixed_ips:ip_address) is disallowed by policy",
    )
    dhcp = net.call(
        "POST",
        "/ports",
        net.bob_h,
        {"port": {"network_id": shared["id"], "device_owner": "network:dhcp"}},
    )
    assert error(dhcp)[:2] == (403, "PolicyNotAuthorized")
    assert error(net.call("POST", "/ports", net.bob_h, {"port": {"network_id": private["id"]}}))[
        :2
    ] == (404, "NetworkNotFound")
    # The network's owner sees the ports on it; others see their own.
    alice_port = net.port(net.alice_h, private["id"])
    assert net.get(f"/ports/{alice_port['id']}", net.bob_h).status_code == 404
    assert {p["id"] for p in net.get("/ports", net.bob_h).json["ports"]} == {mine["id"]}
    assert net.get(f"/ports/{mine['id']}", net.admin).status_code == 200
    admin_owned = net.port(net.admin, shared["id"])
    assert net.get(f"/ports/{admin_owned['id']}", net.bob_h).status_code == 404
    rename = net.call("PUT", f"/ports/{mine['id']}", net.reader_h, {"port": {"name": "x"}})
    assert rename.status_code == 404
    delete = net.call("DELETE", f"/ports/{mine['id']}", net.bob_h)
    assert delete.status_code == 204


def test_a_new_slaac_subnet_gives_existing_ports_their_addresses(net: Net) -> None:
    n = net.network(net.alice_h)
    net.subnet(net.alice_h, n["id"], "10.0.0.0/24")
    port = net.port(net.alice_h, n["id"])
    router = net.port(net.admin, n["id"], device_owner="network:router_interface")
    slaac = net.subnet(net.alice_h, n["id"], "2001:db8::/64", ipv6_address_mode="slaac")
    shown = net.get(f"/ports/{port['id']}", net.alice_h).json["port"]
    assert shown["fixed_ips"][1] == {
        "subnet_id": slaac["id"],
        "ip_address": eui64(slaac["cidr"], port["mac_address"]),
    }
    assert len(net.get(f"/ports/{router['id']}", net.admin).json["port"]["fixed_ips"]) == 1
