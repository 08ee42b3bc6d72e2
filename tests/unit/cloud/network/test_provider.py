"""Provider attributes: a tenant network gets a vxlan segment with its own VNI; admins create
flat and VLAN networks on a physical network, checked as ML2 checks them (a segment taken twice
is a 409); only admins see or set them; concurrent creates never share a segment."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import delete

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.network import bootstrap, startup
from pocketstack.cloud.network.app import create_app
from pocketstack.cloud.store.models.network_agent import NetworkSegment
from tests.unit.cloud.network.helpers import Net, build_net, error, race

TYPE = "provider:network_type"
PHYSNET = "provider:physical_network"
SEG_ID = "provider:segmentation_id"


def _create(net: Net, **attrs: Any) -> Any:
    return net.call("POST", "/networks", net.admin, {"network": {"name": "p", **attrs}})


def _segment(view: dict[str, Any]) -> tuple[Any, Any, Any]:
    return view[TYPE], view[PHYSNET], view[SEG_ID]


def test_tenant_networks_get_their_own_vni(cloud_deps: CloudDeps) -> None:
    net = build_net(cloud_deps)
    first = net.network(net.alice_h)
    second = net.network(net.bob_h)
    assert TYPE not in first
    assert PHYSNET not in first
    assert SEG_ID not in first
    shown = [net.get(f"/networks/{n['id']}", net.admin).json["network"] for n in (first, second)]
    assert [s[TYPE] for s in shown] == ["vxlan", "vxlan"]
    assert [s[PHYSNET] for s in shown] == [None, None]
    assert shown[0][SEG_ID] != shown[1][SEG_ID]
    assert min(s[SEG_ID] for s in shown) >= 1
    listed = net.get("/networks", net.alice_h).json["networks"]
    assert all(TYPE not in n for n in listed)


def test_admins_make_flat_and_vlan_networks(cloud_deps: CloudDeps) -> None:
    net = build_net(cloud_deps)
    flat = _create(net, **{TYPE: "flat", PHYSNET: "physnet1"})
    assert flat.status_code == 201, flat.text
    assert _segment(flat.json["network"]) == ("flat", "physnet1", None)
    assert error(_create(net, **{TYPE: "flat", PHYSNET: "physnet1"})) == (
        409, "FlatNetworkInUse",
        "Unable to create the flat network. Physical network physnet1 is in use.")  # fmt: skip
    vlan = _create(net, **{TYPE: "vlan", PHYSNET: "physnet1", SEG_ID: 100})
    assert _segment(vlan.json["network"]) == ("vlan", "physnet1", 100)
    assert error(_create(net, **{TYPE: "vlan", PHYSNET: "physnet1", SEG_ID: "100"}))[:2] == (
        409, "VlanIdInUse")  # fmt: skip
    # The same VLAN on another physical network is another segment; none given: the lowest.
    assert _create(net, **{TYPE: "vlan", PHYSNET: "physnet2", SEG_ID: 100}).status_code == 201
    picked = _create(net, **{TYPE: "vlan", PHYSNET: "physnet1"}).json["network"]
    assert picked[SEG_ID] == 1
    chosen = _create(net, **{TYPE: "vxlan", SEG_ID: 5000}).json["network"]
    assert _segment(chosen) == ("vxlan", None, 5000)
    assert error(_create(net, **{TYPE: "vxlan", SEG_ID: 5000}))[:2] == (409, "TunnelIdInUse")
    # Deleting the network frees its VLAN.
    assert net.call("DELETE", f"/networks/{vlan.json['network']['id']}",
                    net.admin).status_code == 204  # fmt: skip
    assert _create(net, **{TYPE: "vlan", PHYSNET: "physnet1", SEG_ID: 100}).status_code == 201
    only_vlans = net.get("/networks", net.admin, query=f"{TYPE}=vlan").json["networks"]
    assert sorted(n[SEG_ID] for n in only_vlans) == [1, 100, 100]


def test_segments_checked_as_ml2(cloud_deps: CloudDeps) -> None:
    net = build_net(cloud_deps)
    for attrs in ({TYPE: "vlan", PHYSNET: "physnet1", SEG_ID: 4095},
                  {TYPE: "vlan", PHYSNET: "physnet1", SEG_ID: 0},
                  {TYPE: "vlan", SEG_ID: 10}, {TYPE: "flat"},
                  {TYPE: "flat", PHYSNET: "physnet1", SEG_ID: 3},
                  {TYPE: "vxlan", PHYSNET: "physnet1"}, {TYPE: "vxlan", SEG_ID: 2**24},
                  {TYPE: "warp"}, {PHYSNET: "physnet1"}, {SEG_ID: "ten"},
                  {TYPE: "flat", PHYSNET: ""},
                  {PHYSNET: "p" * 65}):  # fmt: skip
        result = _create(net, **attrs)
        assert error(result)[0] == 400, (attrs, result.text)
    assert net.get("/networks", net.admin).json["networks"] == []


def test_only_admins_set_them(cloud_deps: CloudDeps) -> None:
    net = build_net(cloud_deps)
    refused = net.call("POST", "/networks", net.alice_h,
                       {"network": {TYPE: "flat", PHYSNET: "physnet1"}})  # fmt: skip
    assert error(refused)[0] == 403
    mine = net.network(net.alice_h)
    assert error(net.call("PUT", f"/networks/{mine['id']}", net.alice_h,
                          {"network": {SEG_ID: 7}}))[0] == 403  # fmt: skip
    current = net.get(f"/networks/{mine['id']}", net.admin).json["network"]
    same = net.call("PUT", f"/networks/{mine['id']}", net.admin,
                    {"network": {TYPE: "vxlan", SEG_ID: current[SEG_ID]}})  # fmt: skip
    assert same.status_code == 200, same.text
    changed = net.call("PUT", f"/networks/{mine['id']}", net.admin,
                       {"network": {SEG_ID: current[SEG_ID] + 1}})  # fmt: skip
    assert error(changed)[0] == 400


def test_the_public_network_is_flat_on_public(cloud_deps: CloudDeps) -> None:
    net = build_net(cloud_deps, public=True)
    public = net.get(f"/networks/{bootstrap.PUBLIC_NETWORK_ID}", net.admin).json["network"]
    assert _segment(public) == ("flat", "public", None)


def test_concurrent_creates_never_share_a_segment(cloud_deps_any_db: CloudDeps) -> None:
    net = build_net(cloud_deps_any_db)
    made = race([lambda: net.call("POST", "/networks", net.alice_h, {"network": {"name": "r"}})
                 for _ in range(4)])  # fmt: skip
    assert [r.status_code for r in made] == [201] * 4
    shown = net.get("/networks", net.admin).json["networks"]
    assert len({n[SEG_ID] for n in shown}) == 4
    vlans = race([lambda: _create(net, **{TYPE: "vlan", PHYSNET: "physnet1", SEG_ID: 42})
                  for _ in range(3)])  # fmt: skip
    assert sorted(r.status_code for r in vlans) == [201, 409, 409]


def test_a_network_without_a_segment_gets_one_at_the_next_start(cloud_deps: CloudDeps) -> None:
    net = build_net(cloud_deps)
    older = net.network(net.alice_h)["id"]
    with cloud_deps.store.session(write=True) as session:
        session.execute(delete(NetworkSegment).where(NetworkSegment.network_id == older))
    assert _segment(net.get(f"/networks/{older}", net.admin).json["network"]) == (None,) * 3
    create_app(cloud_deps)
    segment = _segment(net.get(f"/networks/{older}", net.admin).json["network"])
    assert segment[:2] == ("vxlan", None)
    assert isinstance(segment[2], int)


def test_workers_starting_at_once_give_each_network_one_segment(
    cloud_deps_any_db: CloudDeps,
) -> None:
    net = build_net(cloud_deps_any_db)
    ids = [net.network(net.alice_h)["id"] for _ in range(4)]
    with cloud_deps_any_db.store.session(write=True) as session:
        session.execute(delete(NetworkSegment))
    barrier = threading.Barrier(3)
    failures: list[BaseException] = []

    def start() -> None:
        barrier.wait()
        try:
            startup.start(cloud_deps_any_db)
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=start) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    shown = [net.get(f"/networks/{i}", net.admin).json["network"] for i in ids]
    assert [s[TYPE] for s in shown] == ["vxlan"] * 4
    assert len({s[SEG_ID] for s in shown}) == 4
